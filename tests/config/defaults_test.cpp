#include "tests/config/helpers.h"

#include "pipeline/config/keys.h"

using namespace autoif::config;
using namespace autoif::config::testing;

TEST_CASE("a minimal config gets AUTOIF.md's numbers as defaults") {
  TempDir dir;
  Config c = must_load(dir, kMinimal);
  CHECK(c.augment.rounds == 100);
  CHECK(c.verifiers.samples == 8);
  CHECK(c.crossval.case_threshold == 0.5);
  CHECK(c.crossval.function_threshold == 0.5);
  CHECK(c.crossval.min_functions == 1);
  CHECK(c.crossval.min_cases == 1);
  CHECK(c.back_translation.functions == 3);
  CHECK(c.back_translation.nli == "llm");
  CHECK(c.queries.min_chars == 20);
  CHECK(c.queries.max_chars == 300);
  CHECK(c.queries.per_instruction == 16);
  CHECK(c.responses.samples == 8);
  CHECK(c.responses.source == "supervisor");
  CHECK(c.verify.min_pass_rate == 0.5);
  CHECK(c.score.min_score == 8.0);
  CHECK(c.select.chosen_pass_rate == 0.5);
  CHECK(c.select.rejected_pass_rate == 0.0);
  CHECK(c.seeds.file.empty());
  CHECK(c.prompts.empty());
}

TEST_CASE("the model roles default to a local vLLM with the key in OPENAI_API_KEY") {
  TempDir dir;
  Config c = must_load(dir, kMinimal);
  REQUIRE(c.supervisor.endpoints.size() == 1);
  CHECK(c.supervisor.endpoints[0].base_url == "http://127.0.0.1:8000/v1");
  CHECK(c.supervisor.endpoints[0].api_key_env == "OPENAI_API_KEY");
  CHECK(c.supervisor.model == "m");
  CHECK_FALSE(c.supervisor.temperature);  // unset: the server's default applies
  CHECK_FALSE(c.policy);
}

TEST_CASE("the policy role samples at temperature 0.8 unless told otherwise (paper)") {
  TempDir dir;
  Config c = must_load(dir, kMinimal + "\n[responses]\nsource = \"policy\"\n");
  REQUIRE(c.policy);
  CHECK(c.policy->temperature == 0.8);
  CHECK(c.policy->model == "m");
  CHECK_FALSE(c.supervisor.temperature);
}

TEST_CASE("a minimal config equals the registry's defaults except for the keys it sets") {
  TempDir dir;
  Config loaded = must_load(dir, kMinimal);
  nlohmann::json expected = to_json(default_config());
  expected["llm.supervisor.model"] = "m";
  expected["queries.file"] = dir.file("q.jsonl");
  expected["run.db"] = dir.file("autoif.db");  // default paths live next to the config file
  expected["run.out_dir"] = dir.file("out");
  CHECK(to_json(loaded) == expected);
  CHECK(loaded.source_path == dir.file("autoif.toml"));
}
