// The client's rules behind "the model endpoint is down" and its fatal texts, on a FakeTransport
// and a FakeClock (tests/llm/client_harness.h), so the times are exact: a server that has never
// answered and refuses connections stops the client after unreachable_timeout; anything that
// shows a server is there (an error status, one earlier success) leaves it to stall_timeout.
#include <catch2/catch.hpp>

#include "pipeline/llm/messages.h"
#include "tests/llm/client_harness.h"

using namespace autoif::llm;
using namespace autoif::llm::testing;
using namespace std::chrono_literals;
using Catch::Contains;

namespace {

HttpOutcome refused(const HttpRequest& request) {
  return transport_failure(TransportErrorKind::connect_failed,
                           request.url + ": Failed to connect to e0.test port 80: Connection refused");
}

ModelConfig patient(std::chrono::milliseconds unreachable) {
  ModelConfig config = fake_config();
  config.max_retries = 1000;
  config.stall_timeout = 10min;
  config.unreachable_timeout = unreachable;
  return config;
}

}  // namespace

TEST_CASE("a server that never answered and refuses connections stops the client after unreachable_timeout") {
  Harness h(patient(10s), [](const HttpRequest& request, std::size_t) { return refused(request); });
  auto start = h.clock->now();
  for (std::size_t i = 0; i < 3; ++i) h.submit(ask("q"), i);
  h.run();
  REQUIRE(h.finished() == 3);
  auto fatal = h.client->fatal_error();
  REQUIRE(fatal);
  CHECK(h.clock->now() - start >= 10s);
  CHECK(h.clock->now() - start <= 10s + fake_config().retry_max_delay);
  CHECK_THAT(fatal->message, Contains("cannot connect to the LLM server of model \"test-model\" at http://e0.test/v1 "
                                      "(http://e0.test/v1/chat/completions: Failed to connect"));
  CHECK_THAT(fatal->message, Contains("no server is running at that address, or llm.base_url names the wrong host"));
  for (std::size_t i = 0; i < 3; ++i) CHECK(h.outcome(i).error().kind == LlmErrorKind::fatal);
}

TEST_CASE("a request out of retries against a server that never answered stops the client at once") {
  ModelConfig config = patient(10min);
  config.max_retries = 2;
  Harness h(config, [](const HttpRequest& request, std::size_t) { return refused(request); });
  h.submit(ask("q"));
  h.run();
  REQUIRE(h.client->fatal_error());
  CHECK_THAT(h.client->fatal_error()->message, Contains("(3 attempts in "));
  CHECK(h.outcome(0).error().kind == LlmErrorKind::fatal);
  CHECK(h.transport.request_count() == 3);
}

TEST_CASE("a server that answers with an error status is not taken for a missing one") {
  ModelConfig config = patient(1s);
  config.stall_timeout = 30s;
  Harness h(config, [](const HttpRequest&, std::size_t) { return status_reply(503, R"({"error":{"message":"loading"}})"); });
  auto start = h.clock->now();
  h.submit(ask("q"));
  h.run();
  REQUIRE(h.client->fatal_error());
  CHECK(h.clock->now() - start >= 30s);
  CHECK_THAT(h.client->fatal_error()->message, Contains("has answered successfully for 30 s") &&
                                                   Contains("(http://e0.test/v1)") && Contains("loading"));
}

TEST_CASE("after one success, refused connections wait for stall_timeout (a server restarting)") {
  ModelConfig config = patient(1s);
  config.stall_timeout = 30s;
  Harness h(config, [](const HttpRequest& request, std::size_t) {
    return body_of(request)["messages"][0]["content"] == "ok" ? completion_reply({"fine"}) : refused(request);
  });
  h.submit(ask("ok"), 0);
  h.run();
  REQUIRE(h.outcome(0));
  auto start = h.clock->now();
  h.submit(ask("q"), 1);
  h.run();
  REQUIRE(h.client->fatal_error());
  CHECK(h.clock->now() - start >= 30s);
  CHECK_THAT(h.client->fatal_error()->message, Contains("has answered successfully for 30 s"));
}

TEST_CASE("with several endpoints the client stops only when every one of them refuses") {
  SECTION("one refuses, one answers 503: no missing server") {
    ModelConfig config = fake_config(2);
    config.max_retries = 3;
    config.unreachable_timeout = 0s;
    Harness h(config, [](const HttpRequest& request, std::size_t) {
      return request.url.find("e0.test") != std::string::npos ? refused(request) : status_reply(503);
    });
    h.submit(ask("q"));
    h.run();
    CHECK_FALSE(h.client->fatal_error());
    CHECK(h.outcome(0).error().kind == LlmErrorKind::retries_exhausted);
  }
  SECTION("both refuse: both are named") {
    ModelConfig config = fake_config(2);
    config.unreachable_timeout = 0s;
    Harness h(config, [](const HttpRequest& request, std::size_t) { return refused(request); });
    h.submit(ask("q"));
    h.run();
    REQUIRE(h.client->fatal_error());
    CHECK_THAT(h.client->fatal_error()->message, Contains("at http://e0.test/v1, http://e1.test/v1 ("));
    CHECK(h.transport.request_count() == 2);
  }
}

TEST_CASE("refused-request texts say what to set for 401, 403 and 404") {
  ModelConfig config = fake_config();
  config.model = "qwen";
  EndpointState endpoint;
  endpoint.display = "http://gpu:8000/v1";
  endpoint.key_env = "VLLM_KEY";
  SECTION("401 with the key set") {
    CHECK(refused_message(config, endpoint, 401, "bad key") ==
          "the LLM endpoint http://gpu:8000/v1 (model \"qwen\") refused a request with HTTP 401: bad key. Retrying "
          "cannot fix this, so the client stopped. The server rejected the key in the environment variable VLLM_KEY "
          "(its value is never printed): check it, or set llm.api_key_env to the variable that holds the right key.");
  }
  SECTION("401 without a key variable") {
    endpoint.key_env.clear();
    CHECK_THAT(refused_message(config, endpoint, 401, "unauthorized"),
               Contains("No API key was sent, because llm.api_key_env is empty"));
  }
  SECTION("403") {
    CHECK_THAT(refused_message(config, endpoint, 403, "forbidden"),
               Contains("was accepted but lacks access: check that it may use model \"qwen\" on this server"));
  }
  SECTION("404 naming a model, and one that does not") {
    CHECK_THAT(refused_message(config, endpoint, 404, "model 'qwen' not found, try pulling it first"),
               Contains("set llm.model to one of the names that GET http://gpu:8000/v1/models lists") &&
                   Contains("ollama pull qwen"));
    CHECK_THAT(refused_message(config, endpoint, 404, "404 page not found"),
               Contains("http://gpu:8000/v1/chat/completions does not exist on that server: check llm.base_url"));
  }
}
