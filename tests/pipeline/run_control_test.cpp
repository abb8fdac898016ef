// Budgets, the deadline parser, and the throttle's stop (pipeline/run/run_control.h,
// pipeline/run/throttle.h).
#include <catch2/catch.hpp>
#include <ctime>

#include "pipeline/run/run_control.h"
#include "pipeline/run/throttle.h"

namespace autoif::run {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

Clock::time_point local(int year, int month, int day, int hour, int minute) {
  std::tm parts{};
  parts.tm_year = year - 1900;
  parts.tm_mon = month - 1;
  parts.tm_mday = day;
  parts.tm_hour = hour;
  parts.tm_min = minute;
  parts.tm_isdst = -1;
  return Clock::from_time_t(std::mktime(&parts));
}

}  // namespace

TEST_CASE("deadline: durations count from now") {
  auto now = local(2026, 11, 26, 12, 0);
  std::string error;
  CHECK(parse_deadline("90m", now, error) == now + 90min);
  CHECK(parse_deadline("8h", now, error) == now + 8h);
  CHECK(parse_deadline("2h30m", now, error) == now + 150min);
  CHECK(parse_deadline("45s", now, error) == now + 45s);
  CHECK(error.empty());
}

TEST_CASE("deadline: a clock time is the next time the local clock shows it") {
  auto noon = local(2026, 11, 26, 12, 0);
  std::string error;
  CHECK(parse_deadline("18:30", noon, error) == local(2026, 11, 26, 18, 30));
  CHECK(parse_deadline("06:15", noon, error) == local(2026, 11, 27, 6, 15));  // tomorrow morning
  CHECK(parse_deadline("12:00", noon, error) == local(2026, 11, 27, 12, 0));  // now is already past
}

TEST_CASE("deadline: dates are local unless they end in Z") {
  auto now = local(2026, 11, 26, 12, 0);
  std::string error;
  CHECK(parse_deadline("2026-11-27T06:30", now, error) == local(2026, 11, 27, 6, 30));
  CHECK(parse_deadline("2026-11-27 06:30:10", now, error) == local(2026, 11, 27, 6, 30) + 10s);
  auto utc = parse_deadline("2026-11-27T06:30Z", now, error);
  REQUIRE(utc);
  CHECK(Clock::to_time_t(*utc) == 1795761000);  // date -u -d 2026-11-27T06:30:00Z +%s
}

TEST_CASE("deadline: anything else is an error that lists the accepted forms") {
  auto now = Clock::now();
  for (const char* bad : {"tomorrow", "25:00", "6:30", "2026-13-01T00:00", "10x", "", "h"}) {
    std::string error;
    CAPTURE(bad);
    CHECK_FALSE(parse_deadline(bad, now, error));
    CHECK_THAT(error, Catch::Contains("--deadline") && Catch::Contains("90m"));
  }
}

TEST_CASE("budget: the request budget stops sending once spent, with a reason naming it") {
  RunControl control(Budgets{std::nullopt, 3, std::nullopt});
  for (int i = 0; i < 3; ++i) {
    REQUIRE(control.may_send());
    control.on_sent(1);
  }
  CHECK_FALSE(control.may_send());
  CHECK(control.stopping());
  CHECK(control.cause() == StopCause::budget);
  CHECK_THAT(control.reason(), Catch::Contains("--max-requests 3"));
}

TEST_CASE("budget: the token budget counts prompt and completion tokens of received answers") {
  RunControl control(Budgets{100, std::nullopt, std::nullopt});
  control.on_tokens(60);
  CHECK(control.may_send());
  control.on_tokens(40);
  CHECK_FALSE(control.may_send());
  CHECK_THAT(control.reason(), Catch::Contains("--max-tokens 100"));
}

TEST_CASE("budget: a passed deadline stops and the first reason wins") {
  RunControl control(Budgets{std::nullopt, std::nullopt, Clock::now() - 1s});
  control.check_deadline();
  CHECK(control.stopping());
  control.request_stop("interrupted by SIGINT", StopCause::signal);
  CHECK(control.cause() == StopCause::budget);
  CHECK_THAT(control.reason(), Catch::Contains("deadline"));
  CHECK(control.stop_requested_at().has_value());
}

TEST_CASE("budget: without budgets nothing stops until asked") {
  RunControl control;
  control.on_sent(1'000'000);
  control.on_tokens(1'000'000'000);
  CHECK(control.may_send());
  CHECK_FALSE(control.stop_requested_at());
  control.request_stop("interrupted by SIGTERM", StopCause::signal);
  CHECK_FALSE(control.may_send());
  CHECK(control.cause() == StopCause::signal);
}

TEST_CASE("throttle: a stop ends dispatching while items in flight still finish") {
  RunControl control;
  int dispatched = 0;
  Throttle throttle(2, [&] { return ++dispatched <= 10; }, &control);
  throttle.start();
  CHECK(dispatched == 2);
  throttle.finished();
  CHECK(dispatched == 3);
  control.request_stop("test", StopCause::signal);
  throttle.finished();
  throttle.finished();
  CHECK(dispatched == 3);
  CHECK(throttle.active() == 0);
}

TEST_CASE("throttle: an item that released its slot lets a new one start, within a bound") {
  int dispatched = 0;
  Throttle throttle(2, [&] { return ++dispatched <= 100; });
  throttle.start();
  CHECK(dispatched == 2);
  throttle.release_slot();  // answered; now only waits for the sandbox
  CHECK(dispatched == 3);
  CHECK(throttle.active() == 2);
  CHECK(throttle.processing() == 1);
  // Released items pile up only to window * kProcessingFactor; then dispatching waits.
  while (throttle.processing() < 2 * Throttle::kProcessingFactor) throttle.release_slot();
  CHECK(throttle.active() == 1);  // the last release started nothing
  int before = dispatched;
  throttle.release_slot();
  CHECK(dispatched == before);
  CHECK(throttle.active() == 0);
  throttle.processed();  // 8 still pending: still at the bound
  CHECK(dispatched == before);
  throttle.processed();  // 7: the window refills
  CHECK(dispatched == before + 2);
  CHECK(throttle.active() == 2);
}

}  // namespace autoif::run
