// [llm] holds the defaults of every model role; [llm.supervisor] and [llm.policy] override
// them key by key, and --set overrides the file at any level.
#include "tests/config/helpers.h"

using namespace autoif::config;
using namespace autoif::config::testing;

TEST_CASE("each role inherits [llm] and overrides only what its own table sets") {
  TempDir dir;
  Config c = must_load(dir, R"(
[llm]
model = "shared"
base_url = "http://10.0.0.1:8000/v1"
api_key_env = "TEAM_KEY"
temperature = 0.5
max_tokens = 1000
[llm.supervisor]
temperature = 0.2
[llm.policy]
base_url = "http://10.0.0.2:8000/v1"
model = "small"
[queries]
file = "q.jsonl"
)");
  CHECK(c.supervisor.model == "shared");
  CHECK(c.supervisor.temperature == 0.2);
  CHECK(c.supervisor.max_tokens == 1000);
  REQUIRE(c.supervisor.endpoints.size() == 1);
  CHECK(c.supervisor.endpoints[0].base_url == "http://10.0.0.1:8000/v1");
  CHECK(c.supervisor.endpoints[0].api_key_env == "TEAM_KEY");

  REQUIRE(c.policy);
  CHECK(c.policy->model == "small");
  CHECK(c.policy->temperature == 0.5);  // [llm] set it, so the paper's 0.8 gives way
  CHECK(c.policy->max_tokens == 1000);
  REQUIRE(c.policy->endpoints.size() == 1);
  CHECK(c.policy->endpoints[0].base_url == "http://10.0.0.2:8000/v1");
  CHECK(c.policy->endpoints[0].api_key_env == "TEAM_KEY");  // inherited onto its own endpoint
}

TEST_CASE("the policy role exists only with [llm.policy], a policy --set, or source = policy") {
  TempDir dir;
  CHECK_FALSE(must_load(dir, kMinimal).policy);
  CHECK(must_load(dir, kMinimal + "[llm.policy]\n").policy);
  CHECK(must_load(dir, kMinimal, {"llm.policy.max_tokens=64"}).policy->max_tokens == 64);
  CHECK(must_load(dir, kMinimal, {"responses.source=policy"}).policy->model == "m");
}

TEST_CASE("set overrides beat the file at the level they name") {
  TempDir dir;
  std::string text = kMinimal + "[llm.supervisor]\ntemperature = 0.2\n";
  SECTION("a role key beats the file's role key") {
    CHECK(must_load(dir, text, {"llm.supervisor.temperature=0.9"}).supervisor.temperature == 0.9);
  }
  SECTION("an [llm] key does not beat the file's more specific role key") {
    CHECK(must_load(dir, text, {"llm.temperature=0.9"}).supervisor.temperature == 0.2);
  }
  SECTION("the default endpoint of every role") {
    Config c = must_load(dir, kMinimal + "[llm.policy]\n", {"llm.base_url=http://127.0.0.1:9000/v1"});
    CHECK(c.supervisor.endpoints[0].base_url == "http://127.0.0.1:9000/v1");
    CHECK(c.policy->endpoints[0].base_url == "http://127.0.0.1:9000/v1");
  }
  SECTION("the later of two --set of one key wins") {
    CHECK(must_load(dir, kMinimal, {"run.seed=1", "run.seed=2"}).run.seed == 2);
  }
}

TEST_CASE("endpoints spread a role over several servers that share its key variable") {
  TempDir dir;
  Config c = must_load(dir, R"(
[llm]
model = "m"
endpoints = ["http://a:8000/v1", "http://b:8000/v1"]
api_key_env = ""
[llm.policy]
base_url = "http://c:8000/v1"
[queries]
file = "q.jsonl"
)");
  REQUIRE(c.supervisor.endpoints.size() == 2);
  CHECK(c.supervisor.endpoints[1].base_url == "http://b:8000/v1");
  CHECK(c.supervisor.endpoints[0].api_key_env.empty());
  CHECK(c.supervisor.endpoints[1].api_key_env.empty());
  REQUIRE(c.policy->endpoints.size() == 1);  // a role's base_url replaces inherited endpoints
  CHECK(c.policy->endpoints[0].base_url == "http://c:8000/v1");
  CHECK(c.policy->endpoints[0].api_key_env.empty());
}
