// Relative paths, the settings snapshot and the generated key documentation.
#include "tests/config/helpers.h"

#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "pipeline/config/keys.h"

using namespace autoif::config;
using namespace autoif::config::testing;
using Catch::Contains;

TEST_CASE("relative paths resolve against the config file's folder, --set ones against the current folder") {
  TempDir dir;
  dir.write("run/data/q.jsonl", "{\"text\": \"How do magnets work, exactly?\"}\n");
  dir.write("shared/seeds.txt", "Answer in French.\n");
  dir.write("elsewhere/my.db", "");
  std::string config_path = dir.write("run/autoif.toml", R"(
[llm]
model = "m"
[run]
db = "state/run.db"
out_dir = "/abs/out"
[seeds]
file = "../shared/seeds.txt"
[queries]
file = "data/q.jsonl"
)");
  ChangeDir here(dir.path() / "elsewhere");
  auto c = load_config(config_path, std::vector<std::string>{"run.out_dir=exports"});
  if (!c) FAIL(c.error().message());
  CHECK(c->source_path == config_path);
  CHECK(c->run.db == dir.file("run/state/run.db"));
  CHECK(c->seeds.file == dir.file("shared/seeds.txt"));
  CHECK(c->queries.file == dir.file("run/data/q.jsonl"));
  CHECK(c->run.out_dir == dir.file("elsewhere/exports"));
}

TEST_CASE("the snapshot has every key once per role, sorted, and is the same on every load") {
  TempDir dir;
  auto first = to_json(must_load(dir, kMinimal + "[llm.policy]\nmodel = \"p\"\n")).dump();
  auto second = to_json(must_load(dir, kMinimal + "[llm.policy]\nmodel = \"p\"\n")).dump();
  CHECK(first == second);
  auto snapshot = nlohmann::json::parse(first);
  std::vector<std::string> names;
  for (const auto& item : snapshot.items()) names.push_back(item.key());
  CHECK(std::is_sorted(names.begin(), names.end()));
  for (const Key& key : keys()) {
    INFO(key.path);
    if (key.model_key) {
      CHECK(snapshot.contains("llm.supervisor." + std::string(key.path.substr(4))));
      CHECK(snapshot.contains("llm.policy." + std::string(key.path.substr(4))));
    } else {
      CHECK(snapshot.contains(std::string(key.path)));
    }
  }
  CHECK(snapshot["llm.policy.model"] == "p");
  CHECK(to_json(must_load(dir, kMinimal))["llm.policy.model"].is_null());
}

TEST_CASE("the snapshot names the API key variable but never holds a key or URL password") {
  TempDir dir;
  ::setenv("AUTOIF_CONFIG_TEST_KEY", "sk-test-5ecret-value", 1);
  Config c = must_load(dir, R"(
[llm]
model = "m"
base_url = "https://user:pa55word@api.example.com/v1"
api_key_env = "AUTOIF_CONFIG_TEST_KEY"
[queries]
file = "q.jsonl"
)");
  ::unsetenv("AUTOIF_CONFIG_TEST_KEY");
  auto text = to_json(c).dump();
  CHECK_THAT(text, Contains("AUTOIF_CONFIG_TEST_KEY"));
  CHECK_THAT(text, !Contains("5ecret"));
  CHECK_THAT(text, !Contains("pa55word"));
  CHECK_THAT(text, Contains("api.example.com"));
  // The config itself keeps the full URL: the client needs it.
  CHECK(c.supervisor.endpoints[0].base_url == "https://user:pa55word@api.example.com/v1");
}

TEST_CASE("a snapshot read back gives the same settings, roles included") {
  TempDir dir;
  Config c = must_load(dir, kMinimal + "[llm.policy]\nmodel = \"p\"\nmax_tokens = 99\n[crossval]\nmin_cases = 4\n",
                       {"llm.extra_body={ top_k = 3 }", "select.instruction_pairs=false"});
  auto back = from_json(to_json(c));
  REQUIRE(back);
  CHECK(to_json(*back) == to_json(c));
  CHECK(back->crossval.min_cases == 4);
  REQUIRE(back->policy);
  CHECK(back->policy->max_tokens == 99);
  CHECK_FALSE(from_json(to_json(must_load(dir, kMinimal)))->policy);
}

TEST_CASE("a snapshot from another version keeps defaults for missing keys and names a bad value") {
  auto old = from_json({{"crossval.min_cases", 5}, {"retired.key", 1}});
  REQUIRE(old);
  CHECK(old->crossval.min_cases == 5);
  CHECK(old->crossval.min_functions == 1);
  auto bad = from_json({{"crossval.min_cases", "five"}});
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error(), Contains("crossval.min_cases"));
}

TEST_CASE("the key table lists every key with its type, default and meaning") {
  auto text = keys_markdown();
  for (const Key& key : keys()) CHECK_THAT(text, Contains("| `" + std::string(key.path) + "` |"));
  CHECK_THAT(text, Contains("| `crossval.case_threshold` | number | `0.5` |"));
  CHECK_THAT(text, Contains("| `llm.base_url` | string | \"http://127.0.0.1:8000/v1\" (the first of endpoints) |"));
  CHECK_THAT(text, Contains("| `queries.file` | string | (required) |"));
  CHECK_THAT(text, Contains("| `select.instruction_pairs` | boolean | `true` |"));
}

TEST_CASE("pipeline/config/KEYS.md is the generated key table") {
  std::ifstream in(AUTOIF_SOURCE_DIR "/pipeline/config/KEYS.md");
  std::ostringstream stored;
  stored << in.rdbuf();
  std::string expected = "# Configuration keys\n\n" + keys_markdown();
  if (stored.str() != expected) {
    std::ofstream(AUTOIF_BINARY_DIR "/KEYS.md") << expected;
    FAIL("pipeline/config/KEYS.md is out of date: cp " AUTOIF_BINARY_DIR "/KEYS.md pipeline/config/KEYS.md");
  }
}

TEST_CASE("prompt_text gives the override file's text, else the built-in prompt") {
  TempDir dir;
  dir.write("nli.txt", "Premise: {premise}\nHypothesis: {hypothesis}\n");
  Config c = must_load(dir, kMinimal + "[prompts]\nnli = \"nli.txt\"\n");
  CHECK(prompt_text(c, "nli").value() == "Premise: {premise}\nHypothesis: {hypothesis}\n");
  CHECK_THAT(prompt_text(c, "score").value(), Contains("{response}"));
  CHECK_FALSE(prompt_text(c, "no_such_prompt"));
}
