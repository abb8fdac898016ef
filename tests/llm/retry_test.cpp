#include <catch2/catch.hpp>

#include <algorithm>

#include "pipeline/llm/response.h"
#include "pipeline/llm/retry.h"

using namespace autoif::llm;
using namespace std::chrono_literals;

TEST_CASE("retry policy retries 408, 409, 429 and 5xx and nothing else") {
  CHECK(retry_cause_for_status(408) == RetryCause::status_408);
  CHECK(retry_cause_for_status(409) == RetryCause::status_409);
  CHECK(retry_cause_for_status(429) == RetryCause::status_429);
  for (int status : {500, 502, 503, 504, 599}) {
    CHECK(retry_cause_for_status(status) == RetryCause::status_5xx);
  }
  for (int status : {200, 201, 301, 400, 401, 403, 404, 405, 413, 422}) {
    CHECK_FALSE(retry_cause_for_status(status).has_value());
  }
}

TEST_CASE("retry policy retries every transport failure but a shutdown") {
  CHECK(retry_cause_for(TransportErrorKind::timeout) == RetryCause::timeout);
  CHECK(retry_cause_for(TransportErrorKind::connect_failed) == RetryCause::connect_failed);
  CHECK(retry_cause_for(TransportErrorKind::connection_reset) == RetryCause::connection_reset);
  CHECK(retry_cause_for(TransportErrorKind::other) == RetryCause::transport_other);
  CHECK_FALSE(retry_cause_for(TransportErrorKind::shutdown).has_value());
}

TEST_CASE("backoff draws with full jitter under a doubling ceiling capped at the maximum") {
  std::mt19937_64 rng(42);
  for (int retry = 1; retry <= 12; ++retry) {
    auto ceiling = std::min<std::chrono::milliseconds>(2000ms, 100ms * (1 << (retry - 1)));
    std::chrono::milliseconds low = ceiling, high = 0ms;
    for (int draw = 0; draw < 2000; ++draw) {
      auto delay = backoff_delay(retry, 100ms, 2000ms, rng);
      low = std::min(low, delay);
      high = std::max(high, delay);
    }
    CHECK(low >= 0ms);
    CHECK(high <= ceiling);
    // Full jitter spreads over the whole range, not just near the ceiling.
    CHECK(low <= ceiling / 10);
    CHECK(high >= ceiling * 9 / 10);
  }
  CHECK(backoff_delay(1000, 100ms, 2000ms, rng) <= 2000ms);
  CHECK(backoff_delay(3, 0ms, 2000ms, rng) == 0ms);
}

TEST_CASE("Retry-After is read as seconds or as an HTTP date") {
  // 2024-01-01T00:00:00Z
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1704067200));
  CHECK(parse_retry_after("120", now) == 120000ms);
  CHECK(parse_retry_after(" 2 ", now) == 2000ms);
  CHECK(parse_retry_after("0.5", now) == 500ms);
  CHECK(parse_retry_after("Mon, 01 Jan 2024 00:00:30 GMT", now) == 30000ms);
  CHECK(parse_retry_after("Monday, 01-Jan-24 00:01:00 GMT", now) == 60000ms);
  CHECK(parse_retry_after("Mon Jan  1 00:00:07 2024", now) == 7000ms);
  CHECK(parse_retry_after("Sun, 31 Dec 2023 23:59:00 GMT", now) == 0ms);  // in the past
  CHECK_FALSE(parse_retry_after("soon", now).has_value());
  CHECK_FALSE(parse_retry_after("", now).has_value());
  CHECK_FALSE(parse_retry_after("-3", now).has_value());
}

TEST_CASE("retry_after_of prefers Retry-After and falls back to retry-after-ms") {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1704067200));
  HttpResponse both{429, {{"retry-after-ms", "250"}, {"retry-after", "3"}}, ""};
  CHECK(retry_after_of(both, now) == 3000ms);
  HttpResponse ms_only{429, {{"retry-after-ms", "250"}}, ""};
  CHECK(retry_after_of(ms_only, now) == 250ms);
  HttpResponse none{429, {}, ""};
  CHECK_FALSE(retry_after_of(none, now).has_value());
}

TEST_CASE("a completion body is accepted only with choices that carry a message") {
  auto good = parse_completion(
      R"({"choices":[{"index":1,"message":{"content":"b"},"finish_reason":"length"},)"
      R"({"index":0,"message":{"content":null},"finish_reason":"stop"}],)"
      R"("usage":{"prompt_tokens":7,"completion_tokens":3}})");
  REQUIRE(good);
  REQUIRE(good->choices.size() == 2);
  CHECK(good->choices[0].index == 0);
  CHECK(good->choices[0].content.empty());
  CHECK(good->choices[1].content == "b");
  CHECK(good->choices[1].finish_reason == "length");
  CHECK(good->usage.prompt_tokens == 7);
  CHECK(good->usage.completion_tokens == 3);
  CHECK(good->raw->at("usage").at("prompt_tokens") == 7);

  for (const char* bad : {"", "{", R"({"choices":[{"message":{"content":"cut)", "[]", "{}",
                          R"({"choices":[]})", R"({"choices":[1]})", R"({"choices":[{}]})",
                          R"({"choices":[{"message":{"content":5}}]})",
                          R"({"choices":[{"index":0,"message":{}},{"index":0,"message":{}}]})"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_completion(bad));
  }
}

TEST_CASE("the server's error text is found in the shapes servers send") {
  CHECK(error_text(R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}})") ==
        "Incorrect API key provided");
  CHECK(error_text(R"({"error":"model not found"})") == "model not found");
  CHECK(error_text(R"({"object":"error","message":"The model `x` does not exist.","code":404})") ==
        "The model `x` does not exist.");
  CHECK(error_text(R"({"detail":"Not Found"})") == "Not Found");
  CHECK(error_text("Bad Gateway\n") == "Bad Gateway");
  CHECK(error_text("") == "(empty body)");
  CHECK(error_text(std::string(1000, 'x'), 20).size() == 23);
}
