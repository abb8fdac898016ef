#include <catch2/catch.hpp>

#include <cstdlib>

#include "client_harness.h"
#include "pipeline/llm/secret.h"

using namespace autoif::llm;
using namespace autoif::llm::testing;

namespace {

constexpr const char* kKey = "sk-test-7f3a9c2e-DO-NOT-LEAK";

bool mentions_key(const std::string& text) { return text.find(kKey) != std::string::npos; }

}  // namespace

TEST_CASE("the API key is read once from the environment and removed from it") {
  ::setenv("AUTOIF_LLM_TEST_KEY_A", kKey, 1);
  auto first = take_api_key_from_env("AUTOIF_LLM_TEST_KEY_A");
  REQUIRE(first);
  CHECK(first->reveal() == kKey);
  CHECK(std::getenv("AUTOIF_LLM_TEST_KEY_A") == nullptr);  // children cannot inherit it
  auto again = take_api_key_from_env("AUTOIF_LLM_TEST_KEY_A");
  REQUIRE(again);
  CHECK(again->reveal() == kKey);
  CHECK_FALSE(take_api_key_from_env("AUTOIF_LLM_TEST_KEY_NEVER_SET"));
}

TEST_CASE("the API key goes only into the Authorization header, never into errors or records") {
  ::setenv("AUTOIF_LLM_TEST_KEY_B", kKey, 1);
  ModelConfig config = fake_config();
  config.endpoints[0].api_key_env = "AUTOIF_LLM_TEST_KEY_B";
  config.max_retries = 1;
  std::vector<std::string> observed;
  // A hostile server that echoes the key back in every answer.
  auto echo = [](const HttpRequest& request, std::size_t call) {
    std::string auth;
    for (const auto& [name, value] : request.headers) auth += value;
    nlohmann::json error = {{"error", {{"message", "bad key " + auth}}}};
    return status_reply(call < 2 ? 503 : 401, error.dump());
  };
  Harness h(config, echo, [&](const Exchange& exchange) {
    observed.push_back(exchange.request->dump());
    observed.emplace_back(exchange.response_body);
  });
  CHECK(std::getenv("AUTOIF_LLM_TEST_KEY_B") == nullptr);
  h.submit(ask("first"), 0);
  h.run();
  h.submit(ask("second"), 1);
  h.run();

  auto requests = h.transport.requests();
  REQUIRE(requests.size() == 3);
  for (const HttpRequest& request : requests) {
    REQUIRE(request.headers.size() == 1);
    CHECK(request.headers[0].first == "Authorization");
    CHECK(request.headers[0].second == std::string("Bearer ") + kKey);
    CHECK_FALSE(mentions_key(request.body));
    CHECK_FALSE(mentions_key(request.url));
  }
  REQUIRE_FALSE(h.outcome(0));
  CHECK(h.outcome(0).error().kind == LlmErrorKind::retries_exhausted);
  CHECK_THAT(h.outcome(0).error().message, Catch::Contains("bad key Bearer [redacted]"));
  CHECK_FALSE(mentions_key(h.outcome(0).error().message));
  REQUIRE(h.client->fatal_error());
  CHECK_FALSE(mentions_key(h.client->fatal_error()->message));
  CHECK_FALSE(mentions_key(h.outcome(1).error().message));
  REQUIRE(observed.size() == 6);
  for (const std::string& text : observed) CHECK_FALSE(mentions_key(text));
}

TEST_CASE("URLs in messages lose their credentials and query strings") {
  CHECK(redact_url("https://user:pa55@api.example.com:8443/v1?key=abc#x") ==
        "https://api.example.com:8443/v1");
  CHECK(redact_url("http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1");
  CHECK(redact_url("http://host/v1/path@with-at") == "http://host/v1/path@with-at");
  CHECK(redact("a KEY b KEY", Secret("KEY")) == "a [redacted] b [redacted]");
  CHECK(redact("nothing", Secret()) == "nothing");
}

TEST_CASE("a config error names the URL without its credentials") {
  ModelConfig config = fake_config();
  config.endpoints[0].base_url = "ftp://user:hunter2@host/v1";
  CHECK(validate(config).find("hunter2") == std::string::npos);
  CHECK_THAT(validate(config), Catch::Contains("ftp://host/v1"));
}
