// The real CurlTransport and Client against the stub's HttpServer on 127.0.0.1, with faults
// injected by wrapping its handler. Bounded: fixed request counts, and every wait has a limit
// that only guards against a hang (no assertion on how long anything took).
#include <catch2/catch.hpp>

#include <future>
#include <map>
#include <mutex>

#include "fault_server.h"
#include "pipeline/llm/client.h"
#include "pipeline/llm/curl_transport.h"

using namespace autoif::llm;
using namespace autoif::llm::testing;
using namespace std::chrono_literals;
namespace stub = autoif::stub;

namespace {

constexpr auto kHangGuard = 60s;

std::unique_ptr<stub::HttpServer> start_server(stub::Handler handler) {
  auto server = stub::HttpServer::start(stub::ServerOptions{}, std::move(handler));
  if (!server) FAIL("cannot start the loopback server: " << server.error());
  return std::move(*server);
}

std::unique_ptr<CurlTransport> make_transport() {
  auto transport = CurlTransport::create();
  if (!transport) FAIL(transport.error());
  return std::move(*transport);
}

std::string base_url(const stub::HttpServer& server) {
  return "http://127.0.0.1:" + std::to_string(server.port()) + "/v1";
}

ModelConfig loopback_config(const stub::HttpServer& server) {
  ModelConfig config;
  config.endpoints = {{base_url(server), ""}};
  config.model = "loopback-model";
  config.seed = 0;
  config.request_timeout = 1s;
  config.max_in_flight = 16;
  config.max_retries = 8;
  config.retry_base_delay = 10ms;
  config.retry_max_delay = 100ms;
  return config;
}

// Collects outcomes by sample index and counts callbacks, to catch a sample answered twice.
struct Outcomes {
  std::mutex mutex;
  std::map<std::size_t, SampleOutcome> by_index;
  int callbacks = 0;
  Client::SampleCallback callback() {
    return [this](std::size_t index, SampleOutcome outcome) {
      std::lock_guard lock(mutex);
      ++callbacks;
      by_index.insert_or_assign(index, std::move(outcome));
    };
  }
};

HttpOutcome send_and_wait(Transport& transport, HttpRequest request) {
  auto promise = std::make_shared<std::promise<HttpOutcome>>();
  auto future = promise->get_future();
  transport.send(std::move(request), [promise](HttpOutcome outcome) { promise->set_value(std::move(outcome)); });
  REQUIRE(future.wait_for(kHangGuard) == std::future_status::ready);
  return future.get();
}

}  // namespace

TEST_CASE("client over real HTTP gets every answer exactly once through 429, 5xx, drops, resets, cut bodies and timeouts") {
  FaultInjector faults(completions_handler(), [](const std::string& prompt) -> std::vector<Fault> {
    int i = std::stoi(prompt.substr(1));
    if (i == 7 || i == 57) return {Fault::rate_limited};
    switch (i % 10) {
      case 1: return {Fault::server_error, Fault::unavailable};
      case 2: return {Fault::dropped};
      case 3: return {Fault::reset, Fault::cut_body};
      case 4: return {Fault::cut_body};
      case 5: return {Fault::slow};
      case 6: return {Fault::unavailable, Fault::dropped, Fault::server_error};
      default: return {};
    }
  });
  auto server = start_server(faults.handler());
  auto transport = make_transport();
  auto client = Client::create(loopback_config(*server), *transport);
  REQUIRE(client);

  constexpr std::size_t kPrompts = 120;
  Outcomes outcomes;
  for (std::size_t i = 0; i < kPrompts; ++i) {
    (*client)->submit(ChatRequest{{{"user", numbered("p", i)}}, i, 1}, outcomes.callback());
  }
  // Three samples in one request (n = 3) through the same faults.
  (*client)->submit(ChatRequest{{{"user", "p1003"}}, 1000, 3}, outcomes.callback());
  REQUIRE((*client)->wait_idle(kHangGuard));

  std::lock_guard lock(outcomes.mutex);
  CHECK(outcomes.callbacks == kPrompts + 3);
  for (std::size_t i = 0; i < kPrompts; ++i) {
    const SampleOutcome& outcome = outcomes.by_index.at(i);
    INFO("sample " << i << ": " << (outcome ? "" : outcome.error().message));
    REQUIRE(outcome);
    CHECK(outcome->content == expected_answer(numbered("p", i), static_cast<std::int64_t>(i), 0));
  }
  for (std::size_t k = 0; k < 3; ++k) {
    REQUIRE(outcomes.by_index.at(1000 + k));
    CHECK(outcomes.by_index.at(1000 + k)->content == expected_answer("p1003", 1000, k));
  }
  CHECK_FALSE((*client)->fatal_error());
  ClientStats stats = (*client)->stats();
  auto retries = [&](RetryCause cause) { return stats.retries[static_cast<std::size_t>(cause)]; };
  CHECK(retries(RetryCause::status_429) >= 2);
  CHECK(retries(RetryCause::status_5xx) >= 36);
  CHECK(retries(RetryCause::timeout) >= 12);
  CHECK(retries(RetryCause::connection_reset) >= 36);
  CHECK(stats.samples_succeeded == kPrompts + 3);
  CHECK(stats.samples_failed == 0);
}

TEST_CASE("client over real HTTP stops within one round of requests on a 401, naming the endpoint") {
  FaultInjector faults(completions_handler(),
                       [](const std::string&) { return std::vector<Fault>(50, Fault::unauthorized); });
  auto server = start_server(faults.handler());
  auto transport = make_transport();
  ModelConfig config = loopback_config(*server);
  config.max_in_flight = 8;
  auto client = Client::create(config, *transport);
  REQUIRE(client);
  Outcomes outcomes;
  for (std::size_t i = 0; i < 2000; ++i) {
    (*client)->submit(ChatRequest{{{"user", numbered("p", i)}}, i, 1}, outcomes.callback());
  }
  REQUIRE((*client)->wait_idle(kHangGuard));
  auto fatal = (*client)->fatal_error();
  REQUIRE(fatal);
  CHECK_THAT(fatal->message, Catch::Contains(base_url(*server)) && Catch::Contains("HTTP 401") &&
                                 Catch::Contains("Incorrect API key provided"));
  // Only the first round of requests ever reached the server.
  CHECK(server->stats().requests <= 8);
  std::lock_guard lock(outcomes.mutex);
  CHECK(outcomes.callbacks == 2000);
  for (auto& [index, outcome] : outcomes.by_index) {
    REQUIRE_FALSE(outcome);
    CHECK(outcome.error().kind == LlmErrorKind::fatal);
  }
}

TEST_CASE("curl transport keeps connections alive and holds many requests in flight") {
  auto server = start_server([](const stub::Request& request) {
    return completions_handler()(request).with_delay(200ms);
  });
  auto transport = make_transport();
  ModelConfig config = loopback_config(*server);
  config.max_in_flight = 300;
  config.request_timeout = 30s;
  auto client = Client::create(config, *transport);
  REQUIRE(client);
  Outcomes outcomes;
  for (std::size_t i = 0; i < 900; ++i) {
    (*client)->submit(ChatRequest{{{"user", numbered("p", i)}}, i, 1}, outcomes.callback());
  }
  REQUIRE((*client)->wait_idle(kHangGuard));
  std::lock_guard lock(outcomes.mutex);
  CHECK(outcomes.callbacks == 900);
  for (auto& [index, outcome] : outcomes.by_index) REQUIRE(outcome);
  auto stats = server->stats();
  // 300 at once need 300 connections; later rounds reuse them instead of opening more.
  CHECK(stats.connections_accepted >= 250);
  CHECK(stats.connections_accepted <= 320);
  CHECK(stats.requests == 900);
}

TEST_CASE("curl transport passes status, headers and body through") {
  auto server = start_server([](const stub::Request& request) {
    CHECK(request.method == "POST");
    CHECK(request.header("content-type") == "application/json");
    CHECK(request.header("authorization") == "Bearer k");
    CHECK_FALSE(request.header("expect").has_value());
    return stub::Response::json(418, R"({"teapot":true})" + request.body).with_header("X-Test", "yes");
  });
  auto transport = make_transport();
  std::string big(5000, 'x');  // over 1 KiB: no "Expect: 100-continue" round trip
  auto outcome = send_and_wait(*transport, HttpRequest{base_url(*server) + "/chat/completions",
                                                       {{"Authorization", "Bearer k"}}, big, 10s});
  REQUIRE(outcome);
  CHECK(outcome->status == 418);
  CHECK(outcome->header("x-test") == "yes");
  CHECK(outcome->body == R"({"teapot":true})" + big);
}

TEST_CASE("curl transport reports refused connections, timeouts and cut bodies by kind") {
  SECTION("refused") {
    auto server = start_server(completions_handler());
    std::string url = base_url(*server) + "/chat/completions";
    server->stop();
    server.reset();
    auto transport = make_transport();
    auto outcome = send_and_wait(*transport, HttpRequest{url, {}, "{}", 10s});
    REQUIRE_FALSE(outcome);
    CHECK(outcome.error().kind == TransportErrorKind::connect_failed);
    CHECK_THAT(outcome.error().message, Catch::Contains("127.0.0.1"));
  }
  SECTION("timeout") {
    auto server = start_server([](const stub::Request&) {
      return stub::Response::json(200, "{}").with_delay(5s);
    });
    auto transport = make_transport();
    auto outcome = send_and_wait(*transport, HttpRequest{base_url(*server), {}, "{}", 200ms});
    REQUIRE_FALSE(outcome);
    CHECK(outcome.error().kind == TransportErrorKind::timeout);
  }
  SECTION("cut body") {
    auto server = start_server([](const stub::Request&) {
      return stub::Response::json(200, R"({"choices":[{"message":{"content":"abc"}}]})").cut_after(8);
    });
    auto transport = make_transport();
    auto outcome = send_and_wait(*transport, HttpRequest{base_url(*server), {}, "{}", 10s});
    REQUIRE_FALSE(outcome);
    CHECK(outcome.error().kind == TransportErrorKind::connection_reset);
  }
}

TEST_CASE("curl transport completes outstanding requests with shutdown when destroyed") {
  auto server = start_server([](const stub::Request&) {
    return stub::Response::json(200, "{}").with_delay(30s);
  });
  auto transport = make_transport();
  std::vector<TransportErrorKind> kinds;
  std::mutex mutex;
  for (int i = 0; i < 5; ++i) {
    transport->send(HttpRequest{base_url(*server), {}, "{}", 60s}, [&](HttpOutcome outcome) {
      std::lock_guard lock(mutex);
      kinds.push_back(outcome ? TransportErrorKind::other : outcome.error().kind);
    });
  }
  transport.reset();
  CHECK(kinds == std::vector<TransportErrorKind>(5, TransportErrorKind::shutdown));
}
