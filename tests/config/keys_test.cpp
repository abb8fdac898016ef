// Every key of the registry, set from TOML and from --set, must land in Config: checked through
// the snapshot for all keys at once, and field by field for the hand-written mapping.
#include "tests/config/helpers.h"

#include <toml++/toml.h>

#include <map>

#include "pipeline/config/keys.h"
#include "pipeline/config/toml_value.h"

using namespace autoif::config;
using namespace autoif::config::testing;
using json = nlohmann::json;

namespace {

std::string parent(std::string_view path) { return std::string(path.substr(0, path.rfind('.'))); }
std::string member(std::string_view path) { return std::string(path.substr(path.rfind('.') + 1)); }

// The example value as the snapshot must show it: TOML read as json, paths made absolute.
json expected_value(const Key& key, const std::filesystem::path& base) {
  toml::table parsed = toml::parse("v = " + std::string(key.example), std::string_view("example"));
  json value = node_to_json(*parsed.get("v"));
  if (key.path_value) value = (base / value.get<std::string>()).lexically_normal().string();
  return value;
}

// Files the examples name, so that the loader's existence checks pass.
void create_example_files(const TempDir& dir) {
  dir.write("my_seeds.jsonl", "{\"instruction\": \"Answer in one word.\"}\n");
  dir.write("pool.jsonl", "{\"text\": \"How do I bake bread at home?\"}\n");
  for (auto name : prompt_names()) dir.write("prompts/" + std::string(name) + ".txt", "Fixed prompt text.\n");
}

// A config with the required keys plus `section.name = example` (and what that example needs).
std::string config_with(const std::string& section, const std::string& name, std::string_view example) {
  std::map<std::string, std::map<std::string, std::string>> tables = {
      {"llm", {{"model", "\"m\""}}}, {"queries", {{"file", "\"q.jsonl\""}}}};
  tables[section][name] = std::string(example);
  if (section == "back_translation" && name == "nli") tables[section]["nli_url"] = "\"http://127.0.0.1:9/nli\"";
  std::string text;
  for (const auto& [table, members] : tables) {
    text += "[" + table + "]\n";
    for (const auto& [key, value] : members) text += key + " = " + value + "\n";
  }
  return text;
}

std::vector<std::string> set_args_with(const std::string& name, const Key& key) {
  std::string value(key.example);
  // Strings go in as plain text when they can, the way people type them on a command line.
  if (key.type == KeyType::string && value.find('\\') == std::string::npos) value = value.substr(1, value.size() - 2);
  std::vector<std::string> args = {name + "=" + value};
  if (name == "back_translation.nli") args.push_back("back_translation.nli_url=http://127.0.0.1:9/nli");
  return args;
}

// Where a key's value shows in the snapshot.
std::string snapshot_name(const Key& key, const std::string& role) {
  if (!key.model_key) return std::string(key.path);
  return "llm." + (role.empty() ? std::string("supervisor") : role) + "." + member(key.path);
}

std::string written_name(const Key& key, const std::string& role) {
  if (!key.model_key || role.empty()) return std::string(key.path);
  return "llm." + role + "." + member(key.path);
}

}  // namespace

TEST_CASE("every key's example differs from its default, so setting it is observable") {
  json defaults = to_json(default_config());
  for (const Key& key : keys()) {
    INFO(key.path);
    CHECK(!key.doc.empty());
    CHECK(expected_value(key, "/base") != defaults[snapshot_name(key, "")]);
  }
}

TEST_CASE("every key can be set from TOML and lands in Config") {
  for (const std::string role : {"", "supervisor", "policy"}) {
    for (const Key& key : keys()) {
      if (!role.empty() && !key.model_key) continue;
      std::string name = written_name(key, role);
      INFO(name);
      TempDir dir;
      create_example_files(dir);
      auto config = load_text(dir, config_with(parent(name), member(name), key.example));
      if (!config) FAIL(config.error().message());
      CHECK(to_json(*config)[snapshot_name(key, role)] == expected_value(key, dir.path()));
    }
  }
}

TEST_CASE("every key can be set with --set and lands in Config") {
  for (const std::string role : {"", "supervisor", "policy"}) {
    for (const Key& key : keys()) {
      if (!role.empty() && !key.model_key) continue;
      std::string name = written_name(key, role);
      INFO(name);
      TempDir dir;
      create_example_files(dir);
      ChangeDir here(dir.path());  // --set paths are relative to the current folder
      auto config = load_text(dir, kMinimal, set_args_with(name, key));
      if (!config) FAIL(config.error().message());
      CHECK(to_json(*config)[snapshot_name(key, role)] == expected_value(key, dir.path()));
    }
  }
}

TEST_CASE("keys land in the Config fields the docs describe") {
  TempDir dir;
  dir.write("s.jsonl", "{\"instruction\": \"Use no commas.\"}\n");
  dir.write("score.txt", "Rate {response} for {query} under {instruction}.\n");
  Config c = must_load(dir, R"(
[run]
db = "r.db"
out_dir = "o"
seed = 7
[llm]
model = "m"
base_url = "http://10.1.1.1:8000/v1"
api_key_env = "MY_KEY"
temperature = 0.3
top_p = 0.9
max_tokens = 512
seed = 11
stop = ["END"]
extra_body = { top_k = 20 }
request_timeout_s = 2.5
max_in_flight = 3
requests_per_minute = 60
tokens_per_minute = 1000
max_retries = 2
n_per_request = "off"
[sandbox]
workers = 2
timeout_ms = 300
memory_mb = 128
extra_modules = ["langdetect"]
[seeds]
file = "s.jsonl"
[augment]
rounds = 4
examples_per_round = 3
per_round = 6
near_duplicate = 0.9
min_chars = 5
max_chars = 50
[verifiers]
samples = 5
[crossval]
case_threshold = 0.6
function_threshold = 0.7
min_functions = 3
min_cases = 10
[back_translation]
functions = 2
nli = "http"
nli_url = "http://127.0.0.1:9000/nli"
[queries]
file = "q.jsonl"
field = "prompt"
min_chars = 1
max_chars = 9
per_instruction = 2
template = "{instruction}: {query}"
[responses]
samples = 3
source = "supervisor"
[verify]
min_pass_rate = 0.6
[score]
min_score = 9
[select]
chosen_pass_rate = 0.9
rejected_pass_rate = 0.1
max_pairs_per_prompt = 7
instruction_pairs = false
drop_truncated = false
[prompts]
score = "score.txt"
)");
  CHECK(c.run.db == dir.file("r.db"));
  CHECK(c.run.out_dir == dir.file("o"));
  CHECK(c.run.seed == 7);
  const auto& s = c.supervisor;
  REQUIRE(s.endpoints.size() == 1);
  CHECK(s.endpoints[0].base_url == "http://10.1.1.1:8000/v1");
  CHECK(s.endpoints[0].api_key_env == "MY_KEY");
  CHECK(s.temperature == 0.3);
  CHECK(s.top_p == 0.9);
  CHECK(s.max_tokens == 512);
  CHECK(s.seed == 11);
  CHECK(s.stop == std::vector<std::string>{"END"});
  CHECK(s.extra_body == json{{"top_k", 20}});
  CHECK(s.request_timeout == std::chrono::milliseconds(2500));
  CHECK(s.max_in_flight == 3);
  CHECK(s.requests_per_minute == 60.0);
  CHECK(s.tokens_per_minute == 1000.0);
  CHECK(s.max_retries == 2);
  CHECK(s.n_per_request == autoif::llm::NPerRequest::off);
  CHECK(c.sandbox.workers == 2);
  CHECK(c.sandbox.timeout_ms == 300);
  CHECK(c.sandbox.memory_mb == 128);
  CHECK(c.sandbox.extra_modules == std::vector<std::string>{"langdetect"});
  CHECK(c.seeds.file == dir.file("s.jsonl"));
  CHECK(c.augment.rounds == 4);
  CHECK(c.augment.examples_per_round == 3);
  CHECK(c.augment.per_round == 6);
  CHECK(c.augment.near_duplicate == 0.9);
  CHECK(c.augment.min_chars == 5);
  CHECK(c.augment.max_chars == 50);
  CHECK(c.verifiers.samples == 5);
  CHECK(c.crossval.case_threshold == 0.6);
  CHECK(c.crossval.function_threshold == 0.7);
  CHECK(c.crossval.min_functions == 3);
  CHECK(c.crossval.min_cases == 10);
  CHECK(c.back_translation.functions == 2);
  CHECK(c.back_translation.nli == "http");
  CHECK(c.back_translation.nli_url == "http://127.0.0.1:9000/nli");
  CHECK(c.queries.file == dir.file("q.jsonl"));
  CHECK(c.queries.field == "prompt");
  CHECK(c.queries.min_chars == 1);
  CHECK(c.queries.max_chars == 9);
  CHECK(c.queries.per_instruction == 2);
  CHECK(c.queries.template_text == "{instruction}: {query}");
  CHECK(c.responses.samples == 3);
  CHECK(c.verify.min_pass_rate == 0.6);
  CHECK(c.score.min_score == 9.0);
  CHECK(c.select.chosen_pass_rate == 0.9);
  CHECK(c.select.rejected_pass_rate == 0.1);
  CHECK(c.select.max_pairs_per_prompt == 7);
  CHECK_FALSE(c.select.instruction_pairs);
  CHECK_FALSE(c.select.drop_truncated);
  CHECK(c.prompts == std::map<std::string, std::string>{{"score", dir.file("score.txt")}});
  CHECK_FALSE(c.policy);
}

TEST_CASE("set overrides read TOML values, and plain text where TOML does not parse") {
  TempDir dir;
  Config c = must_load(dir, kMinimal,
                       {"llm.base_url=http://127.0.0.1:8000/v1", "llm.model=qwen2.5-7b-instruct",
                        "crossval.min_cases=3", "llm.stop=[\"a\", \"b\"]", "llm.extra_body={ top_k = 5 }",
                        "select.drop_truncated=false", "llm.api_key_env="});
  CHECK(c.supervisor.model == "qwen2.5-7b-instruct");
  CHECK(c.supervisor.endpoints[0].base_url == "http://127.0.0.1:8000/v1");
  CHECK(c.supervisor.endpoints[0].api_key_env.empty());  // "": a server without a key
  CHECK(c.crossval.min_cases == 3);
  CHECK(c.supervisor.stop == std::vector<std::string>{"a", "b"});
  CHECK(c.supervisor.extra_body == json{{"top_k", 5}});
  CHECK_FALSE(c.select.drop_truncated);
}

TEST_CASE("a single string is accepted where a list of strings is expected") {
  TempDir dir;
  Config c = must_load(dir, kMinimal + "[sandbox]\nextra_modules = \"nltk\"\n", {"llm.stop=</s>"});
  CHECK(c.sandbox.extra_modules == std::vector<std::string>{"nltk"});
  CHECK(c.supervisor.stop == std::vector<std::string>{"</s>"});
}
