#include <catch2/catch.hpp>

#include <algorithm>

#include "client_harness.h"

using namespace autoif::llm;
using namespace autoif::llm::testing;
using namespace std::chrono_literals;

namespace {

// A server that honours n: as many choices as asked, numbered by seed so samples differ.
HttpOutcome honour_n(const HttpRequest& request, std::size_t) {
  nlohmann::json body = body_of(request);
  std::size_t n = body.value("n", 1);
  std::int64_t seed = body.value("seed", 0);
  std::vector<std::string> contents;
  for (std::size_t i = 0; i < n; ++i) contents.push_back(numbered("seed ", seed) + " choice " + std::to_string(i));
  return completion_reply(contents);
}

// A server that ignores n: always one choice.
HttpOutcome ignore_n(const HttpRequest& request, std::size_t) {
  return completion_reply({numbered("seed ", body_of(request).value("seed", 0))});
}

std::size_t count_to(const FakeTransport& transport, const std::string& host) {
  auto requests = transport.requests();
  return std::count_if(requests.begin(), requests.end(),
                       [&](const HttpRequest& r) { return r.url.find(host) != std::string::npos; });
}

}  // namespace

TEST_CASE("client asks for n samples in one request where the server complies") {
  ModelConfig config = fake_config();
  config.seed = 100;
  Harness h(config, honour_n);
  h.submit(ask("hello"), 4, 3);
  h.run();
  REQUIRE(h.transport.request_count() == 1);
  nlohmann::json body = body_of(h.transport.requests()[0]);
  CHECK(body["n"] == 3);
  CHECK(body["seed"] == 104);
  for (std::size_t i = 4; i < 7; ++i) {
    REQUIRE(h.outcome(i));
    CHECK(h.outcome(i)->sample_index == i);
    CHECK(h.outcome(i)->content == "seed 104 choice " + std::to_string(i - 4));
  }
  // Usage is apportioned so that the samples add up to the request's usage.
  std::int64_t prompt = 0, completion = 0;
  for (std::size_t i = 4; i < 7; ++i) {
    prompt += h.outcome(i)->usage.prompt_tokens;
    completion += h.outcome(i)->usage.completion_tokens;
  }
  CHECK(prompt == 10);
  CHECK(completion == 15);
}

TEST_CASE("client falls back to one request per sample when the server returns fewer choices") {
  ModelConfig config = fake_config();
  config.seed = 100;
  Harness h(config, ignore_n);
  h.submit(ask("hello"), 0, 3);
  h.run();
  REQUIRE(h.transport.request_count() == 3);
  auto requests = h.transport.requests();
  CHECK(body_of(requests[0])["n"] == 3);
  // The answer it gave counts as sample 0; samples 1 and 2 go out alone with their own seeds.
  CHECK(h.outcome(0)->content == "seed 100");
  CHECK(h.outcome(1)->content == "seed 101");
  CHECK(h.outcome(2)->content == "seed 102");
  CHECK_FALSE(body_of(requests[1]).contains("n"));
  CHECK_FALSE(body_of(requests[2]).contains("n"));

  SECTION("and remembers it for the endpoint") {
    h.submit(ask("again"), 10, 2);
    h.run();
    auto later = h.transport.requests();
    REQUIRE(later.size() == 5);
    CHECK_FALSE(body_of(later[3]).contains("n"));
    CHECK_FALSE(body_of(later[4]).contains("n"));
    CHECK(h.outcome(10)->content == "seed 110");
    CHECK(h.outcome(11)->content == "seed 111");
  }
}

TEST_CASE("client falls back to one request per sample when the server rejects n") {
  ModelConfig config = fake_config();
  Harness h(config, [](const HttpRequest& request, std::size_t call) {
    if (body_of(request).contains("n")) {
      return status_reply(400, R"({"error":{"message":"n must be 1"}})");
    }
    return ignore_n(request, call);
  });
  h.submit(ask("hello"), 0, 3);
  h.run();
  CHECK_FALSE(h.client->fatal_error());
  CHECK(h.transport.request_count() == 4);
  for (std::size_t i = 0; i < 3; ++i) CHECK(h.outcome(i));
  CHECK(h.client->stats().retries[static_cast<std::size_t>(RetryCause::n_rejected)] == 1);

  SECTION("but a 400 for a single sample is still fatal") {
    h.transport.set_script([](const HttpRequest&, std::size_t) { return status_reply(400, "{}"); });
    h.submit(ask("bad"), 5, 1);
    h.run();
    CHECK(h.client->fatal_error());
  }
}

TEST_CASE("client with n_per_request on treats a 400 to n as fatal, and off never sends n") {
  SECTION("on") {
    ModelConfig config = fake_config();
    config.n_per_request = NPerRequest::on;
    Harness h(config, [](const HttpRequest&, std::size_t) { return status_reply(400, "{}"); });
    h.submit(ask("hello"), 0, 3);
    h.run();
    CHECK(h.client->fatal_error());
  }
  SECTION("on keeps asking for n from a server that returned fewer, filling the rest singly") {
    ModelConfig config = fake_config();
    config.n_per_request = NPerRequest::on;
    Harness h(config, ignore_n);
    h.submit(ask("hello"), 0, 3);
    h.run();
    h.submit(ask("again"), 10, 3);
    h.run();
    auto requests = h.transport.requests();
    REQUIRE(requests.size() == 6);
    CHECK(body_of(requests[0])["n"] == 3);
    CHECK(body_of(requests[3])["n"] == 3);
    CHECK(h.finished() == 6);
  }
  SECTION("off") {
    ModelConfig config = fake_config();
    config.n_per_request = NPerRequest::off;
    Harness h(config, honour_n);
    h.submit(ask("hello"), 0, 3);
    h.run();
    CHECK(h.transport.request_count() == 3);
    for (const auto& request : h.transport.requests()) CHECK_FALSE(body_of(request).contains("n"));
  }
}

TEST_CASE("client spreads requests round-robin over its endpoints") {
  Harness h(fake_config(3));
  for (std::size_t i = 0; i < 9; ++i) h.submit(ask("q"), i);
  h.run();
  CHECK(count_to(h.transport, "e0.test") == 3);
  CHECK(count_to(h.transport, "e1.test") == 3);
  CHECK(count_to(h.transport, "e2.test") == 3);
  CHECK(h.outcome(4)->endpoint == "http://e1.test/v1");
}

TEST_CASE("client avoids an endpoint that keeps failing and still finishes everything") {
  ModelConfig config = fake_config(2);
  config.max_in_flight = 1;
  config.max_retries = 20;
  Harness h(config, [](const HttpRequest& request, std::size_t) {
    if (request.url.find("e0.test") != std::string::npos) return status_reply(503);
    return completion_reply({"ok"});
  });
  for (std::size_t i = 0; i < 40; ++i) h.submit(ask("q"), i);
  h.run();
  for (std::size_t i = 0; i < 40; ++i) REQUIRE(h.outcome(i));
  CHECK(h.duplicates == 0);
  // Without avoidance the dead endpoint would get about half of all attempts (40+).
  CHECK(count_to(h.transport, "e0.test") < 12);
  CHECK(count_to(h.transport, "e1.test") == 40);
}

TEST_CASE("client keeps to requests_per_minute") {
  ModelConfig config = fake_config();
  config.requests_per_minute = 60;  // one a second, no burst beyond one
  Harness h(config);
  auto start = h.clock->now();
  for (std::size_t i = 0; i < 5; ++i) h.submit(ask("q"), i);
  CHECK(h.transport.request_count() == 1);
  h.transport.deliver();
  h.clock->advance(900ms);
  h.client->pump();
  CHECK(h.transport.request_count() == 1);
  h.run();
  CHECK(h.finished() == 5);
  CHECK(h.clock->now() - start >= 4s);
  CHECK(h.clock->now() - start < 5s);
}

TEST_CASE("client keeps to tokens_per_minute, counting max_tokens until usage is known") {
  ModelConfig config = fake_config();
  config.max_tokens = 1000;
  config.tokens_per_minute = 60'000;  // 1000 a second: one request's estimate
  Harness h(config);  // answers use 15 tokens
  auto start = h.clock->now();
  h.submit(ask("a"), 0);
  h.submit(ask("b"), 1);
  h.submit(ask("c"), 2);
  CHECK(h.transport.request_count() == 1);  // the estimate of 1000+ used up the second
  h.run();
  CHECK(h.finished() == 3);
  // Each answer used 15 tokens and the rest of its estimate came back: without that, three
  // requests would take two seconds.
  CHECK(h.clock->now() - start < 100ms);
  CHECK(h.client->stats().prompt_tokens == 30);
}

TEST_CASE("client counts requests, retries, tokens and latency") {
  Harness h(fake_config(), [](const HttpRequest&, std::size_t call) {
    return call == 0 ? status_reply(500) : completion_reply({"x"}, "stop", 11, 4);
  });
  h.submit(ask("q"), 0);
  h.submit(ask("r"), 1);
  h.run();
  ClientStats stats = h.client->stats();
  CHECK(stats.samples_submitted == 2);
  CHECK(stats.samples_succeeded == 2);
  CHECK(stats.samples_failed == 0);
  CHECK(stats.http_requests == 3);
  CHECK(stats.retries_total() == 1);
  CHECK(stats.retries[static_cast<std::size_t>(RetryCause::status_5xx)] == 1);
  CHECK(stats.prompt_tokens == 22);
  CHECK(stats.completion_tokens == 8);
  CHECK(stats.in_flight == 0);
  CHECK(stats.queued == 0);
}

TEST_CASE("client shows every exchange to the observer") {
  std::vector<std::pair<nlohmann::json, int>> seen;
  Harness h(fake_config(),
            [](const HttpRequest&, std::size_t call) {
              return call == 0 ? status_reply(503, "busy") : completion_reply({"x"});
            },
            [&](const Exchange& exchange) {
              seen.emplace_back(*exchange.request, exchange.status);
              CHECK(exchange.endpoint == "http://e0.test/v1");
              if (exchange.status == 200) {
                REQUIRE(exchange.response != nullptr);
                CHECK(exchange.response->at("choices").size() == 1);
                CHECK(nlohmann::json::parse(exchange.response_body) == *exchange.response);
              } else {
                CHECK(exchange.response == nullptr);
                CHECK(exchange.response_body == "busy");
              }
            });
  h.submit(ask("q"), 0);
  h.run();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].second == 503);
  CHECK(seen[1].second == 200);
  CHECK(seen[1].first["messages"][0]["content"] == "q");
}

TEST_CASE("client fails what is pending with cancelled when it is destroyed") {
  std::vector<LlmErrorKind> kinds;
  {
    FakeTransport transport([](const HttpRequest&, std::size_t) { return completion_reply({"x"}); });
    ClientOptions options;
    options.timer_thread = false;
    auto client = Client::create(fake_config(), transport, options);
    REQUIRE(client);
    (*client)->submit(ChatRequest{ask("q"), 0, 2}, [&](std::size_t, SampleOutcome outcome) {
      kinds.push_back(outcome ? LlmErrorKind::fatal : outcome.error().kind);
    });
    client->reset();
    transport.deliver();  // the late answer is ignored
  }
  CHECK(kinds == std::vector<LlmErrorKind>{LlmErrorKind::cancelled, LlmErrorKind::cancelled});
}

TEST_CASE("client's future collects every sample in order") {
  FakeTransport transport(honour_n);
  ClientOptions options;
  options.timer_thread = false;
  auto client = Client::create(fake_config(), transport, options);
  REQUIRE(client);
  auto future = (*client)->submit(ChatRequest{ask("q"), 2, 3});
  transport.deliver();
  auto outcomes = future.get();
  REQUIRE(outcomes.size() == 3);
  CHECK(outcomes[0]->sample_index == 2);
  CHECK(outcomes[2]->sample_index == 4);
  CHECK((*client)->wait_idle(0ms));
}

TEST_CASE("client refuses a config it cannot use") {
  FakeTransport transport;
  ModelConfig config;
  auto client = Client::create(config, transport);
  REQUIRE_FALSE(client);
  CHECK_THAT(client.error(), Catch::Contains("no endpoint") && Catch::Contains("no model"));
}
