#include <catch2/catch.hpp>

#include "numbered.h"
#include "pipeline/llm/endpoints.h"

using namespace autoif::llm;
using autoif::llm::testing::numbered;
using namespace std::chrono_literals;

namespace {

EndpointPool make_pool(std::size_t count, std::size_t max_in_flight) {
  std::vector<EndpointState> states(count);
  for (std::size_t i = 0; i < count; ++i) states[i].display = numbered("e", i);
  return EndpointPool(std::move(states), max_in_flight, 100ms, 1000ms);
}

const auto kStart = std::chrono::steady_clock::time_point(1000h);

}  // namespace

TEST_CASE("endpoint pool hands out endpoints round-robin up to each one's slot limit") {
  EndpointPool pool = make_pool(3, 2);
  std::vector<std::size_t> picks;
  while (auto pick = pool.pick(kStart)) {
    picks.push_back(*pick);
    ++pool[*pick].in_flight;
  }
  CHECK(picks == std::vector<std::size_t>{0, 1, 2, 0, 1, 2});
  --pool[1].in_flight;
  CHECK(pool.pick(kStart) == 1u);
}

TEST_CASE("endpoint pool avoids an endpoint after three failures in a row, then probes it") {
  EndpointPool pool = make_pool(2, 4);
  pool.failed(0, kStart, std::nullopt);
  pool.failed(0, kStart, std::nullopt);
  CHECK(pool[0].avoid_until <= kStart);  // two failures are not yet a pattern
  pool.failed(0, kStart, std::nullopt);
  CHECK(pool[0].avoid_until == kStart + 100ms);
  for (int i = 0; i < 4; ++i) {
    auto pick = pool.pick(kStart + 50ms);
    REQUIRE(pick);
    CHECK(*pick == 1u);
  }
  CHECK(pool.next_usable(kStart + 50ms) == kStart + 100ms);
  // After the pause: one probe at a time.
  CHECK(pool.pick(kStart + 100ms) == 0u);
  ++pool[0].in_flight;
  CHECK(pool.pick(kStart + 100ms) == 1u);
  CHECK(pool.pick(kStart + 100ms) == 1u);
  // A failed probe doubles the pause; failures arriving during a pause do not.
  pool.failed(0, kStart + 150ms, std::nullopt);
  CHECK(pool[0].avoid_until == kStart + 350ms);
  pool.failed(0, kStart + 200ms, std::nullopt);
  CHECK(pool[0].avoid_until == kStart + 350ms);
  // A success closes the breaker: full slots again.
  pool.succeeded(0);
  pool[0].avoid_until = kStart;
  pool[0].in_flight = 1;
  CHECK(pool.pick(kStart + 1s) == 0u);
}

TEST_CASE("endpoint pool honours a server's wait even after a single failure") {
  EndpointPool pool = make_pool(1, 4);
  pool.failed(0, kStart, 7s);
  CHECK_FALSE(pool.pick(kStart + 6s).has_value());
  CHECK(pool.next_usable(kStart) == kStart + 7s);
  CHECK(pool.pick(kStart + 7s) == 0u);
}

TEST_CASE("endpoint pool caps the pause of an endpoint that keeps failing") {
  EndpointPool pool = make_pool(1, 1);
  auto now = kStart;
  std::chrono::steady_clock::duration longest{};
  for (int i = 0; i < 40; ++i) {
    pool.failed(0, now, std::nullopt);
    longest = std::max(longest, pool[0].avoid_until - now);
    now = std::max(now, pool[0].avoid_until);
  }
  CHECK(longest == 1000ms);
}
