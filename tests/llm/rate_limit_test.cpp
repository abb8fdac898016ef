#include <catch2/catch.hpp>

#include "pipeline/llm/rate_limit.h"

using autoif::llm::TokenBucket;
using namespace std::chrono_literals;

TEST_CASE("token bucket allows one second's worth at once, then the configured rate") {
  auto start = std::chrono::steady_clock::time_point(1000h);
  TokenBucket bucket(120, start);  // 2 per second
  int sent = 0;
  while (bucket.ready(start)) {
    bucket.take(1);
    ++sent;
  }
  CHECK(sent == 2);
  CHECK(bucket.ready_at(start) == start + 500ms);
  CHECK_FALSE(bucket.ready(start + 499ms));
  CHECK(bucket.ready(start + 500ms));
  // Over a simulated minute the count stays at the limit (plus the initial second's burst).
  int in_a_minute = 0;
  for (auto t = start + 500ms; t < start + 60s + 500ms; t += 10ms) {
    while (bucket.ready(t)) {
      bucket.take(1);
      ++in_a_minute;
    }
  }
  CHECK(in_a_minute == 120);
}

TEST_CASE("token bucket for a slow limit holds at least one unit") {
  auto start = std::chrono::steady_clock::time_point(1000h);
  TokenBucket bucket(6, start);  // one every 10 s
  CHECK(bucket.ready(start));
  bucket.take(1);
  CHECK(bucket.ready_at(start) == start + 10s);
}

TEST_CASE("token bucket lets a request bigger than the bucket through and then pays it back") {
  auto start = std::chrono::steady_clock::time_point(1000h);
  TokenBucket tokens(6000, start);  // 100 per second, holds 100
  CHECK(tokens.ready(start, 250));  // a whole bucket is enough for a big request
  tokens.take(250);
  CHECK(tokens.level(start) == Approx(-150));
  CHECK(tokens.ready_at(start, 10) == start + 1600ms);
  tokens.adjust(200);  // the request used fewer tokens than estimated
  CHECK(tokens.level(start) == Approx(50));
  tokens.adjust(1000);  // never above the capacity
  CHECK(tokens.level(start) == Approx(100));
}
