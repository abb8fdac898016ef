#include <catch2/catch.hpp>

#include "client_harness.h"

using namespace autoif::llm;
using namespace autoif::llm::testing;
using namespace std::chrono_literals;

namespace {

// Answers the first `failures` requests with `failure`, then a completion.
FakeTransport::Script fail_first(std::size_t failures, HttpOutcome failure) {
  return [failures, failure](const HttpRequest&, std::size_t call) {
    return call < failures ? failure : completion_reply({"fine"});
  };
}

std::size_t cause_count(const Client& client, RetryCause cause) {
  return client.stats().retries[static_cast<std::size_t>(cause)];
}

}  // namespace

TEST_CASE("client retries each retryable status and transport failure until it succeeds") {
  struct Case {
    const char* name;
    HttpOutcome failure;
    RetryCause cause;
  };
  std::vector<Case> cases = {
      {"408", status_reply(408), RetryCause::status_408},
      {"409", status_reply(409), RetryCause::status_409},
      {"429", status_reply(429, R"({"error":{"message":"slow down"}})"), RetryCause::status_429},
      {"500", status_reply(500), RetryCause::status_5xx},
      {"502", status_reply(502, "<html>bad gateway</html>"), RetryCause::status_5xx},
      {"503", status_reply(503), RetryCause::status_5xx},
      {"timeout", transport_failure(TransportErrorKind::timeout), RetryCause::timeout},
      {"refused", transport_failure(TransportErrorKind::connect_failed), RetryCause::connect_failed},
      {"reset", transport_failure(TransportErrorKind::connection_reset), RetryCause::connection_reset},
      {"cut body", status_reply(200, R"({"choices":[{"message":{"content":"hal)"), RetryCause::invalid_body},
      {"not a completion", status_reply(200, R"({"object":"error"})"), RetryCause::invalid_body},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      Harness h(fake_config(), fail_first(2, c.failure));
      h.submit(ask("hello"));
      h.run();
      const SampleOutcome& outcome = h.outcome(0);
      REQUIRE(outcome);
      CHECK(outcome->content == "fine");
      CHECK(outcome->attempts == 3);
      CHECK(h.transport.request_count() == 3);
      CHECK(cause_count(*h.client, c.cause) == 2);
      CHECK_FALSE(h.client->fatal_error());
    }
  }
}

TEST_CASE("client gives up after max_retries with a message naming the endpoint and error") {
  ModelConfig config = fake_config();
  config.max_retries = 3;
  Harness h(config, fail_first(100, status_reply(503, R"({"error":{"message":"overloaded"}})")));
  h.submit(ask("hello"));
  h.run();
  const SampleOutcome& outcome = h.outcome(0);
  REQUIRE_FALSE(outcome);
  CHECK(outcome.error().kind == LlmErrorKind::retries_exhausted);
  CHECK_THAT(outcome.error().message, Catch::Contains("4 attempts") &&
                                          Catch::Contains("HTTP 503") &&
                                          Catch::Contains("http://e0.test/v1") &&
                                          Catch::Contains("overloaded"));
  CHECK(h.transport.request_count() == 4);
  CHECK_FALSE(h.client->fatal_error());  // one sample's bad luck does not stop the run
}

TEST_CASE("client waits a jittered, growing backoff between attempts") {
  Harness h(fake_config(), fail_first(4, status_reply(500)));
  h.submit(ask("hello"));
  std::vector<std::chrono::milliseconds> waits;
  for (int attempt = 0; attempt < 4; ++attempt) {
    REQUIRE(h.transport.deliver() == 1);
    auto wake = h.client->next_wakeup();
    REQUIRE(wake);
    waits.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(*wake - h.clock->now()));
    h.clock->advance_to(*wake - 1ms);
    h.client->pump();
    CHECK(h.transport.queued() == 0);  // not a moment early
    // From the third failure in a row the endpoint itself also pauses (see endpoints.h), so
    // the retry may wait for that too.
    for (int step = 0; step < 10 && h.transport.queued() == 0; ++step) {
      h.clock->advance_to(*h.client->next_wakeup());
      h.client->pump();
    }
    CHECK(h.transport.queued() == 1);
  }
  // Full jitter under base 100 ms, doubling: at most 100, 200, 400, 800 ms.
  CHECK(waits[0] <= 100ms);
  CHECK(waits[1] <= 200ms);
  CHECK(waits[2] <= 400ms);
  CHECK(waits[3] <= 800ms);
  h.run();
  CHECK(h.outcome(0));
}

TEST_CASE("client honours Retry-After in seconds and as an HTTP date") {
  SECTION("seconds") {
    Harness h(fake_config(), fail_first(1, status_reply(429, "{}", {{"retry-after", "7"}})));
    h.submit(ask("hello"));
    auto start = h.clock->now();
    h.transport.deliver();
    h.clock->advance(6900ms);
    h.client->pump();
    CHECK(h.transport.request_count() == 1);
    h.run();
    CHECK(h.outcome(0));
    CHECK(h.clock->now() - start >= 7s);
    CHECK(h.transport.request_count() == 2);
  }
  SECTION("HTTP date") {
    // The FakeClock's wall time starts at 2024-01-01T00:00:00Z.
    Harness h(fake_config(), fail_first(1, status_reply(503, "{}", {{"retry-after", "Mon, 01 Jan 2024 00:00:30 GMT"}})));
    h.submit(ask("hello"));
    auto start = h.clock->now();
    h.run();
    CHECK(h.outcome(0));
    CHECK(h.clock->now() - start >= 30s);
  }
  SECTION("the whole endpoint waits, not only the request that was told") {
    Harness h(fake_config(), fail_first(1, status_reply(429, "{}", {{"retry-after", "5"}})));
    h.submit(ask("first"), 0);
    h.transport.deliver();  // the 429
    h.submit(ask("second"), 1);
    h.client->pump();
    CHECK(h.transport.request_count() == 1);
    h.clock->advance(5s);
    h.client->pump();
    CHECK(h.transport.request_count() == 3);
  }
}

TEST_CASE("client enters a fatal state on errors that retrying cannot fix") {
  for (int status : {400, 401, 403, 404}) {
    DYNAMIC_SECTION("HTTP " << status) {
      ModelConfig config = fake_config();
      config.max_in_flight = 2;
      Harness h(config, [status](const HttpRequest&, std::size_t) {
        return status_reply(status, R"({"error":{"message":"server says no"}})");
      });
      for (std::size_t i = 0; i < 50; ++i) h.submit(ask(numbered("q", i)), i);
      CHECK(h.transport.request_count() == 2);
      h.transport.deliver(1);
      // Every pending sample failed at once with the same message; nothing more was sent.
      CHECK(h.finished() == 50);
      CHECK(h.transport.request_count() == 2);
      auto fatal = h.client->fatal_error();
      REQUIRE(fatal);
      CHECK(fatal->kind == LlmErrorKind::fatal);
      CHECK_THAT(fatal->message, Catch::Contains("http://e0.test/v1") &&
                                     Catch::Contains(numbered("HTTP ", status)) &&
                                     Catch::Contains("server says no") &&
                                     Catch::Contains("test-model"));
      for (std::size_t i = 0; i < 50; ++i) {
        REQUIRE_FALSE(h.outcome(i));
        CHECK(h.outcome(i).error().message == fatal->message);
      }
      // The answer still in flight is ignored; later submits fail at once.
      h.transport.deliver();
      h.submit(ask("late"), 50);
      CHECK(h.finished() == 51);
      CHECK_FALSE(h.outcome(50));
      CHECK(h.transport.request_count() == 2);
      CHECK(h.duplicates == 0);
    }
  }
}

TEST_CASE("client's fatal message for 401 says where the key comes from") {
  ModelConfig config = fake_config();
  config.endpoints[0].api_key_env = "AUTOIF_TEST_KEY_THAT_IS_NEVER_SET";
  Harness h(config, [](const HttpRequest&, std::size_t) { return status_reply(401, "{}"); });
  h.submit(ask("hello"));
  h.run();
  REQUIRE(h.client->fatal_error());
  CHECK_THAT(h.client->fatal_error()->message,
             Catch::Contains("AUTOIF_TEST_KEY_THAT_IS_NEVER_SET") && Catch::Contains("not set"));
  CHECK(h.transport.requests()[0].headers.empty());  // no key, no Authorization header
}

TEST_CASE("client records a truncated answer as such") {
  Harness h(fake_config(), [](const HttpRequest&, std::size_t) {
    return completion_reply({"half an ans"}, "length", 12, 100);
  });
  h.submit(ask("hello"));
  h.run();
  REQUIRE(h.outcome(0));
  CHECK(h.outcome(0)->truncated);
  CHECK(h.outcome(0)->finish_reason == "length");
  CHECK(h.outcome(0)->usage.prompt_tokens == 12);
  CHECK(h.outcome(0)->usage.completion_tokens == 100);
  CHECK(h.client->stats().samples_truncated == 1);
}

TEST_CASE("client goes fatal when every attempt has failed for stall_timeout") {
  ModelConfig config = fake_config();
  config.max_retries = 1000;
  config.stall_timeout = std::chrono::minutes(2);
  Harness h(config, [](const HttpRequest&, std::size_t) {
    return transport_failure(TransportErrorKind::connect_failed, "http://e0.test/v1: Connection refused");
  });
  auto start = h.clock->now();
  for (std::size_t i = 0; i < 3; ++i) h.submit(ask("q"), i);
  h.run();
  CHECK(h.finished() == 3);
  auto fatal = h.client->fatal_error();
  REQUIRE(fatal);
  CHECK_THAT(fatal->message, Catch::Contains("120 s") && Catch::Contains("Connection refused"));
  CHECK(h.clock->now() - start >= std::chrono::minutes(2));
  CHECK(h.clock->now() - start <= std::chrono::minutes(2) + config.retry_max_delay);
}

TEST_CASE("client's stall clock restarts with every success") {
  ModelConfig config = fake_config();
  config.max_retries = 1000;
  config.stall_timeout = std::chrono::seconds(30);
  // Prompt "q" always fails; "ok" succeeds. Failures for 20 s, one success, failures for
  // another 20 s: never 30 s without a success, so never fatal.
  Harness h(config, [](const HttpRequest& request, std::size_t) {
    return body_of(request)["messages"][0]["content"] == "ok" ? completion_reply({"x"}) : status_reply(503);
  });
  auto step_until = [&](auto done) {
    for (int step = 0; step < 1000 && !done(); ++step) {
      if (h.transport.deliver() > 0) continue;
      h.client->pump();
      if (h.transport.queued() > 0) continue;
      auto wake = h.client->next_wakeup();
      REQUIRE(wake);
      h.clock->advance_to(*wake);
    }
  };
  auto start = h.clock->now();
  h.submit(ask("q"), 0);
  step_until([&] { return h.clock->now() - start >= std::chrono::seconds(20); });
  h.submit(ask("ok"), 1);
  step_until([&] { return h.finished() == 1; });
  REQUIRE(h.outcome(1));
  auto second = h.clock->now();
  step_until([&] { return h.clock->now() - second >= std::chrono::seconds(20); });
  CHECK(h.clock->now() - start >= std::chrono::seconds(40));
  CHECK_FALSE(h.client->fatal_error());
  CHECK(h.finished() == 1);
}
