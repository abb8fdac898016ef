// `autoif run` against a model endpoint that is down, refuses the key, or does not know the
// model: one message naming the URL and what to set, exit status 2, no exports written, and
// never the API key itself.
#include <catch2/catch.hpp>

#include "tests/errors/cli_harness.h"

using namespace autoif::errors_test;
using Catch::Contains;

namespace {

using autoif::stub::Request;
using autoif::stub::Response;

// What every stop for a model error has in common: status 2, one "autoif run:" line, no funnel.
void require_one_stop(const ChildResult& result) {
  INFO(result.err);
  CHECK(result.exit_code == 2);
  CHECK(lines_starting(result.err, "autoif run:").size() == 1);
  CHECK_THAT(result.out, !Contains("wrote"));
}

}  // namespace

TEST_CASE("autoif run against a port where nothing listens stops at once, naming the URL and that no server runs there") {
  TempDir dir;
  RefusingPort port;
  auto result = run_autoif(quickstart_run(dir, port.base_url(), {"--set", "llm.unreachable_timeout_s=1"}), dir);
  require_one_stop(result);
  auto stop = lines_starting(result.err, "autoif run:");
  REQUIRE(stop.size() == 1);
  CHECK_THAT(stop[0], Contains("autoif run: the supervisor model failed: cannot connect to the LLM server of model "
                               "\"quickstart-model\" at " + port.base_url() + " ("));
  CHECK_THAT(stop[0], Contains("no server is running at that address, or llm.base_url names the wrong host or port"));
  CHECK_THAT(stop[0], Contains("curl " + port.base_url() + "/models"));
}

TEST_CASE("autoif run against a server answering 401 names the key's variable and llm.api_key_env, never the key") {
  TempDir dir;
  LoopbackServer server([](const Request&) {
    return Response::json(401, R"({"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}})");
  });
  const std::string secret = "sk-errors-test-5ecret-value";
  SECTION("the variable is set: its key was sent and refused") {
    ChildOptions options;
    options.env = {{"AUTOIF_ERRORS_KEY", secret}};
    auto result = run_autoif(quickstart_run(dir, server.base_url(), {"--set", "llm.api_key_env=AUTOIF_ERRORS_KEY"}), dir,
                             options);
    require_one_stop(result);
    CHECK(server.last_authorization() == "Bearer " + secret);
    CHECK_THAT(result.err, Contains("refused a request with HTTP 401: Incorrect API key provided."));
    CHECK_THAT(result.err, Contains("The server rejected the key in the environment variable AUTOIF_ERRORS_KEY (its "
                                    "value is never printed): check it, or set llm.api_key_env"));
    CHECK_THAT(result.err + result.out, !Contains("5ecret"));
  }
  SECTION("the variable is not set") {
    ChildOptions options;
    options.unset_env = {"AUTOIF_ERRORS_KEY"};
    auto result = run_autoif(quickstart_run(dir, server.base_url(), {"--set", "llm.api_key_env=AUTOIF_ERRORS_KEY"}), dir,
                             options);
    require_one_stop(result);
    CHECK(server.last_authorization().empty());
    CHECK_THAT(result.err, Contains("The API key is read from the environment variable AUTOIF_ERRORS_KEY, which is not "
                                    "set: export AUTOIF_ERRORS_KEY=... before the run, or set llm.api_key_env"));
  }
}

TEST_CASE("autoif run with a model the server does not serve names the model, llm.model and GET /models") {
  TempDir dir;
  SECTION("the stub LLM (OpenAI's model_not_found)") {
    auto stub = quickstart_stub();
    auto result = run_autoif(quickstart_run(dir, stub->base_url(), {"--set", "llm.model=qwen-typo"}), dir);
    require_one_stop(result);
    CHECK_THAT(result.err, Contains("(model \"qwen-typo\") refused a request with HTTP 404"));
    CHECK_THAT(result.err, Contains("The server does not serve a model named \"qwen-typo\" (llm.model in the config): "
                                    "set llm.model to one of the names that GET " + stub->base_url() + "/models lists"));
  }
  SECTION("vLLM's answer") {
    LoopbackServer vllm([](const Request&) {
      return Response::json(404, R"({"object":"error","message":"The model `qwen-typo` does not exist.",)"
                                 R"("type":"NotFoundError","param":null,"code":404})");
    });
    auto result = run_autoif(quickstart_run(dir, vllm.base_url(), {"--set", "llm.model=qwen-typo"}), dir);
    require_one_stop(result);
    CHECK_THAT(result.err, Contains("HTTP 404: The model `qwen-typo` does not exist. Retrying cannot fix this"));
    CHECK_THAT(result.err, Contains("(llm.model in the config)") && Contains("curl " + vllm.base_url() + "/models"));
  }
  SECTION("a base URL without /v1 gets a 404 that names no model: check llm.base_url") {
    LoopbackServer server([](const Request&) { return Response::json(404, R"({"detail":"Not Found"})"); });
    auto result = run_autoif(quickstart_run(dir, server.base_url()), dir);
    require_one_stop(result);
    CHECK_THAT(result.err, Contains("/chat/completions does not exist on that server: check llm.base_url"));
  }
}
