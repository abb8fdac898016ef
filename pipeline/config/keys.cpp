#include "pipeline/config/keys.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "pipeline/config/key_checks.h"
#include "pipeline/llm/secret.h"

namespace autoif::config {
namespace {

using json = nlohmann::json;

// Checked json value -> field. The loader has already matched the value to the key's type
// and range, so these only convert.
void assign(std::size_t& field, const json& v) { field = static_cast<std::size_t>(v.get<std::int64_t>()); }
void assign(std::int64_t& field, const json& v) { field = v.get<std::int64_t>(); }
void assign(int& field, const json& v) { field = static_cast<int>(v.get<std::int64_t>()); }
void assign(double& field, const json& v) { field = v.get<double>(); }
void assign(bool& field, const json& v) { field = v.get<bool>(); }
void assign(std::string& field, const json& v) { field = v.get<std::string>(); }
void assign(std::vector<std::string>& field, const json& v) { field = v.get<std::vector<std::string>>(); }
void assign(std::optional<double>& field, const json& v) { field = v.get<double>(); }
void assign(std::optional<std::int64_t>& field, const json& v) { field = v.get<std::int64_t>(); }
void assign(json& field, const json& v) { field = v; }

template <class T>
json show(const T& field) { return json(field); }
template <class T>
json show(const std::optional<T>& field) { return field ? json(*field) : json(nullptr); }

// One registry row, written as a chain so each key reads as one sentence in the table below.
struct Def {
  Key k;
  Def(std::string_view path, KeyType type, std::string_view doc, std::string_view example) {
    k.path = path;
    k.type = type;
    k.doc = doc;
    k.example = example;
  }
  template <class S, class T>
  Def& in(S Config::*section, T S::*member) {
    k.set = [=](Config& c, const json& v) { assign(c.*section.*member, v); };
    k.get = [=](const Config& c) { return show(c.*section.*member); };
    return *this;
  }
  template <class T>
  Def& model(T llm::ModelConfig::*member) {
    k.model_key = true;
    k.set_model = [=](llm::ModelConfig& m, const json& v) { assign(m.*member, v); };
    k.get_model = [=](const llm::ModelConfig& m) { return show(m.*member); };
    return *this;
  }
  Def& model(std::function<void(llm::ModelConfig&, const json&)> set,
             std::function<json(const llm::ModelConfig&)> get) {
    k.model_key = true;
    k.set_model = std::move(set);
    k.get_model = std::move(get);
    return *this;
  }
  Def& range(double lo, double hi) { k.min = lo; k.max = hi; return *this; }
  Def& at_least(double lo) { k.min = lo; return *this; }
  Def& above(double lo) { k.min = lo; k.min_exclusive = true; return *this; }
  Def& one_of(std::vector<std::string_view> values) { k.choices = std::move(values); return *this; }
  Def& note(std::string_view text) { k.default_note = text; return *this; }
  Def& path() { k.path_value = true; return *this; }
  Def& sensitive() { k.sensitive = true; return *this; }
  Def& checked(std::string (*check)(const json&)) { k.check = check; return *this; }
  operator Key() const { return k; }
};

// The API key variable applies to every endpoint of a role, whichever key set the endpoints.
std::string key_env_of(const llm::ModelConfig& m) {
  return m.endpoints.empty() ? std::string("OPENAI_API_KEY") : m.endpoints.front().api_key_env;
}

Def prompt_key(std::string_view path, std::string_view name, std::string_view doc,
               std::string_view example) {
  Def def(path, KeyType::string, doc, example);
  std::string key(name);
  def.k.set = [key](Config& c, const json& v) {
    if (v.get<std::string>().empty()) c.prompts.erase(key);
    else c.prompts[key] = v.get<std::string>();
  };
  def.k.get = [key](const Config& c) {
    auto it = c.prompts.find(key);
    return json(it == c.prompts.end() ? std::string() : it->second);
  };
  return def.note("\"\" (built-in)").path();
}

std::vector<Key> build() {
  using M = llm::ModelConfig;
  using K = KeyType;
  std::vector<Key> table = {
      // [llm]: defaults of every model role; [llm.supervisor] and [llm.policy] override them.
      Def("llm.base_url", K::string,
          "OpenAI-compatible base URL (requests go to BASE/chat/completions)",
          "\"http://127.0.0.1:8001/v1\"")
          .model([](M& m, const json& v) { m.endpoints = {{v.get<std::string>(), key_env_of(m)}}; },
                 [](const M& m) {
                   return json(m.endpoints.empty() ? "" : llm::redact_url(m.endpoints.front().base_url));
                 })
          .checked(check_url).note("\"http://127.0.0.1:8000/v1\" (the first of endpoints)"),
      Def("llm.endpoints", K::string_list,
          "several base URLs serving the same model, used together (instead of base_url)",
          "[\"http://10.0.0.1:8000/v1\", \"http://10.0.0.2:8000/v1\"]")
          .model([](M& m, const json& v) {
                   std::string env = key_env_of(m);
                   m.endpoints.clear();
                   for (const auto& url : v) m.endpoints.push_back({url.get<std::string>(), env});
                 },
                 [](const M& m) {
                   json urls = json::array();
                   for (const auto& e : m.endpoints) urls.push_back(llm::redact_url(e.base_url));
                   return urls;
                 })
          .checked(check_url_list).note("[base_url]"),
      Def("llm.model", K::string, "model name the server serves (required)", "\"qwen2.5-72b-instruct\"")
          .model(&M::model).checked(check_not_empty).note("(required)"),
      Def("llm.api_key_env", K::string,
          "NAME of the environment variable holding the API key (\"\" for none); never the key",
          "\"VLLM_API_KEY\"")
          .model([](M& m, const json& v) {
                   for (auto& e : m.endpoints) e.api_key_env = v.get<std::string>();
                 },
                 [](const M& m) { return json(key_env_of(m)); })
          .checked(check_env_name).sensitive(),
      Def("llm.temperature", K::number, "sampling temperature", "0.7")
          .model(&M::temperature).at_least(0).note("unset (server default); policy: 0.8 (paper)"),
      Def("llm.top_p", K::number, "nucleus sampling mass", "0.95").model(&M::top_p).above(0).range(0, 1),
      Def("llm.max_tokens", K::integer, "token limit per answer", "2048").model(&M::max_tokens).at_least(1),
      Def("llm.seed", K::integer, "base seed; sample i of a request sends seed + i", "1234").model(&M::seed),
      Def("llm.stop", K::string_list, "stop sequences", "[\"</answer>\"]").model(&M::stop),
      Def("llm.extra_body", K::table, "extra request fields passed through as they are (inline table)",
          "{ top_k = 20, repetition_penalty = 1.05 }")
          .model(&M::extra_body),
      Def("llm.request_timeout_s", K::number, "seconds one attempt may take", "120")
          .model([](M& m, const json& v) {
                   m.request_timeout = std::chrono::milliseconds(std::llround(v.get<double>() * 1000));
                 },
                 [](const M& m) { return json(static_cast<double>(m.request_timeout.count()) / 1000); })
          .above(0),
      Def("llm.max_in_flight", K::integer, "requests in flight per endpoint", "16")
          .model(&M::max_in_flight).at_least(1),
      Def("llm.requests_per_minute", K::number, "request rate limit over all endpoints of a role", "600")
          .model(&M::requests_per_minute).above(0).note("unset (no limit)"),
      Def("llm.tokens_per_minute", K::number, "token rate limit (prompt estimate + max_tokens)", "200000")
          .model(&M::tokens_per_minute).above(0).note("unset (no limit)"),
      Def("llm.max_retries", K::integer, "retries after the first attempt of a request", "3")
          .model(&M::max_retries).range(0, 1000),
      Def("llm.stall_timeout_s", K::number,
          "seconds every attempt may keep failing (no answer in between) before the run stops; "
          "long enough for a server to restart", "300")
          .model([](M& m, const json& v) {
                   m.stall_timeout = std::chrono::milliseconds(std::llround(v.get<double>() * 1000));
                 },
                 [](const M& m) { return json(static_cast<double>(m.stall_timeout.count()) / 1000); })
          .above(0),
      Def("llm.unreachable_timeout_s", K::number,
          "seconds a server that has never answered may refuse connections before the run stops", "120")
          .model([](M& m, const json& v) {
                   m.unreachable_timeout = std::chrono::milliseconds(std::llround(v.get<double>() * 1000));
                 },
                 [](const M& m) {
                   return m.unreachable_timeout ? json(static_cast<double>(m.unreachable_timeout->count()) / 1000)
                                                : json(nullptr);
                 })
          .at_least(0),
      Def("llm.n_per_request", K::string,
          "ask for several samples per request: \"auto\" (fall back when unsupported), \"on\", \"off\"",
          "\"off\"")
          .model([](M& m, const json& v) {
                   auto s = v.get<std::string>();
                   m.n_per_request = s == "on"    ? llm::NPerRequest::on
                                     : s == "off" ? llm::NPerRequest::off
                                                  : llm::NPerRequest::automatic;
                 },
                 [](const M& m) {
                   return json(m.n_per_request == llm::NPerRequest::on    ? "on"
                               : m.n_per_request == llm::NPerRequest::off ? "off"
                                                                          : "auto");
                 })
          .one_of({"auto", "on", "off"}),

      Def("run.db", K::string, "the run's SQLite database", "\"runs/a.db\"").in(&Config::run, &RunSettings::db).path().checked(check_not_empty),
      Def("run.out_dir", K::string, "folder for the exports of `autoif run`", "\"exports\"").in(&Config::run, &RunSettings::out_dir).path().checked(check_not_empty),
      Def("run.seed", K::integer, "seed of every random choice (query sampling...)", "7").in(&Config::run, &RunSettings::seed),

      Def("sandbox.workers", K::integer, "sandbox worker processes (0: one per CPU)", "2").in(&Config::sandbox, &SandboxSettings::workers).range(0, 1024),
      Def("sandbox.timeout_ms", K::integer, "wall-clock limit of one function on one input", "500").in(&Config::sandbox, &SandboxSettings::timeout_ms).range(1, 3'600'000),
      Def("sandbox.memory_mb", K::integer, "memory limit of one evaluation", "512").in(&Config::sandbox, &SandboxSettings::memory_mb).range(16, 1 << 20),
      Def("sandbox.extra_modules", K::string_list, "Python modules importable besides the standard allowlist", "[\"langdetect\"]").in(&Config::sandbox, &SandboxSettings::extra_modules).checked(check_module_list),

      Def("seeds.file", K::string, "seed instructions, JSONL {\"instruction\"} or one per line", "\"my_seeds.jsonl\"").in(&Config::seeds, &SeedSettings::file).path().note("\"\" (built-in seeds)"),

      Def("augment.rounds", K::integer, "self-instruct rounds K (paper: 100)", "3").in(&Config::augment, &AugmentSettings::rounds).range(0, 1'000'000),
      Def("augment.examples_per_round", K::integer, "seed instructions shown in each round", "5").in(&Config::augment, &AugmentSettings::examples_per_round).range(1, 1000),
      Def("augment.per_round", K::integer, "new instructions asked for in each round", "20").in(&Config::augment, &AugmentSettings::per_round).range(1, 1000),
      Def("augment.near_duplicate", K::number, "word-bigram Jaccard similarity at which two instructions are duplicates", "0.8").in(&Config::augment, &AugmentSettings::near_duplicate).range(0, 1),
      Def("augment.min_chars", K::integer, "shortest instruction kept", "10").in(&Config::augment, &AugmentSettings::min_chars).range(0, 1'000'000),
      Def("augment.max_chars", K::integer, "longest instruction kept", "400").in(&Config::augment, &AugmentSettings::max_chars).range(1, 1'000'000),

      Def("verifiers.samples", K::integer, "answers (function + cases) sampled per instruction (paper: K)", "4").in(&Config::verifiers, &VerifierSettings::samples).range(1, 1000),

      Def("crossval.case_threshold", K::number, "a case is kept when MORE than this fraction of compiled functions get it right", "0.6").in(&Config::crossval, &core::CrossvalOptions::case_threshold).range(0, 1),
      Def("crossval.function_threshold", K::number, "a function is kept when its accuracy on kept cases is MORE than this", "0.8").in(&Config::crossval, &core::CrossvalOptions::function_threshold).range(0, 1),
      Def("crossval.min_functions", K::integer, "kept functions an instruction needs (released scripts: 3)", "3").in(&Config::crossval, &core::CrossvalOptions::min_functions).range(1, 1000),
      Def("crossval.min_cases", K::integer, "kept cases an instruction needs (released scripts: 10)", "10").in(&Config::crossval, &core::CrossvalOptions::min_cases).range(1, 100'000),

      Def("back_translation.functions", K::integer, "kept functions back-translated per instruction (0: skip the check)", "2").in(&Config::back_translation, &BackTranslationSettings::functions).range(0, 1000),
      Def("back_translation.nli", K::string, "who judges entailment: \"llm\" (the supervisor) or \"http\" (a classifier at nli_url)", "\"http\"").in(&Config::back_translation, &BackTranslationSettings::nli).one_of({"llm", "http"}),
      Def("back_translation.nli_url", K::string, "classifier endpoint: POST {\"premise\",\"hypothesis\"} -> {\"label\"}", "\"http://127.0.0.1:9000/nli\"").in(&Config::back_translation, &BackTranslationSettings::nli_url).checked(check_optional_url),

      Def("queries.file", K::string, "JSONL pool of user queries (required; see the docs)", "\"pool.jsonl\"").in(&Config::queries, &QuerySettings::file).path().note("(required)"),
      Def("queries.field", K::string, "field of each row that holds the query text", "\"prompt\"").in(&Config::queries, &QuerySettings::field).checked(check_not_empty),
      Def("queries.min_chars", K::integer, "shortest query used", "10").in(&Config::queries, &QuerySettings::min_chars).range(0, 1'000'000),
      Def("queries.max_chars", K::integer, "longest query used", "500").in(&Config::queries, &QuerySettings::max_chars).range(1, 100'000'000),
      Def("queries.per_instruction", K::integer, "queries paired with each instruction", "4").in(&Config::queries, &QuerySettings::per_instruction).range(1, 1'000'000),
      Def("queries.template", K::string, "model input built from {query} and {instruction}", "\"{instruction}\\n\\n{query}\"").in(&Config::queries, &QuerySettings::template_text).checked(check_query_template),

      Def("responses.samples", K::integer, "responses sampled per input (paper: 8)", "4").in(&Config::responses, &ResponseSettings::samples).range(1, 1000),
      Def("responses.source", K::string, "who answers: \"supervisor\", or \"policy\" (online DPO)", "\"policy\"").in(&Config::responses, &ResponseSettings::source).one_of({"supervisor", "policy"}),

      Def("verify.min_pass_rate", K::number, "a response is kept for SFT when its pass rate is MORE than this", "0.75").in(&Config::verify, &VerifySettings::min_pass_rate).range(0, 1),
      Def("score.min_score", K::number, "lowest quality score (0 to 10) kept", "9").in(&Config::score, &ScoreSettings::min_score).range(0, 10),

      Def("select.chosen_pass_rate", K::number, "a DPO chosen response needs at least this pass rate", "1").in(&Config::select, &SelectSettings::chosen_pass_rate).range(0, 1),
      Def("select.rejected_pass_rate", K::number, "a DPO rejected response has at most this pass rate", "0.25").in(&Config::select, &SelectSettings::rejected_pass_rate).range(0, 1),
      Def("select.max_pairs_per_prompt", K::integer, "DPO pairs per prompt at most (0: none)", "2").in(&Config::select, &SelectSettings::max_pairs_per_prompt).range(0, 1'000'000),
      Def("select.instruction_pairs", K::boolean, "also emit instruction-level pairs from test-case inputs", "false").in(&Config::select, &SelectSettings::instruction_pairs),
      Def("select.drop_truncated", K::boolean, "never use answers cut off by max_tokens", "false").in(&Config::select, &SelectSettings::drop_truncated),

      prompt_key("prompts.augment", "augment", "file replacing the augmentation prompt ({examples}, {count})", "\"prompts/augment.txt\""),
      prompt_key("prompts.verifier", "verifier", "file replacing the verifier prompt ({instruction})", "\"prompts/verifier.txt\""),
      prompt_key("prompts.back_translate", "back_translate", "file replacing the back-translation prompt ({function})", "\"prompts/back_translate.txt\""),
      prompt_key("prompts.nli", "nli", "file replacing the NLI prompt ({premise}, {hypothesis})", "\"prompts/nli.txt\""),
      prompt_key("prompts.score", "score", "file replacing the scoring prompt ({instruction}, {query}, {response})", "\"prompts/score.txt\""),
  };
  return table;
}

constexpr std::string_view kRoles[] = {"supervisor", "policy"};

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string_view last_part(std::string_view path) {
  auto dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

}  // namespace

std::string_view type_name(KeyType type) {
  switch (type) {
    case KeyType::string: return "a string";
    case KeyType::integer: return "an integer";
    case KeyType::number: return "a number";
    case KeyType::boolean: return "a boolean (true or false)";
    case KeyType::string_list: return "a list of strings";
    case KeyType::table: return "a table";
  }
  return "a value";
}

std::span<const Key> keys() {
  static const std::vector<Key> table = build();
  return table;
}

KeyMatch expand_key(std::string_view path) {
  for (const Key& key : keys()) {
    if (!key.model_key) {
      if (key.path == path) return {&key, ""};
      continue;
    }
    std::string_view name = key.path.substr(4);  // after "llm."
    if (path == key.path) return {&key, ""};
    for (std::string_view role : kRoles)
      if (path == "llm." + std::string(role) + "." + std::string(name)) return {&key, std::string(role)};
  }
  return {};
}

std::vector<std::string> all_key_names() {
  std::vector<std::string> names;
  for (const Key& key : keys()) names.emplace_back(key.path);
  for (std::string_view role : kRoles)
    for (const Key& key : keys())
      if (key.model_key) names.push_back("llm." + std::string(role) + "." + std::string(key.path.substr(4)));
  return names;
}

std::string nearest_name(std::string_view unknown, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, unknown.size() / 5) + 1;
  for (const auto& name : candidates) {
    std::size_t distance = edit_distance(unknown, name);
    if (distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  return best;
}

std::string nearest_key(std::string_view unknown) {
  if (auto best = nearest_name(unknown, all_key_names()); !best.empty()) return best;
  // A name cut short ("llm.api_key" for "llm.api_key_env").
  for (const auto& name : all_key_names())
    if (unknown.size() >= 4 && name.size() > unknown.size() && name.compare(0, unknown.size(), unknown) == 0)
      return name;
  // The right name in the wrong table ("case_threshold" at the top level, "model" under [run]).
  for (const auto& name : all_key_names())
    if (last_part(name) == last_part(unknown)) return name;
  return "";
}

std::string check_value(const Key& key, const nlohmann::json& value) {
  if (value.is_number() && (key.min || key.max)) {
    double v = value.get<double>();
    bool low = key.min && (key.min_exclusive ? !(v > *key.min) : v < *key.min);
    bool high = key.max && v > *key.max;
    if (low || high) {
      std::string got = key.sensitive ? "" : " (got " + value.dump() + ")";
      if (key.min && key.max)
        return std::string("must be ") + (key.min_exclusive ? "more than " : "from ") + number_text(*key.min) +
               (key.min_exclusive ? " and at most " : " to ") + number_text(*key.max) + got;
      if (key.min)
        return std::string("must be ") + (key.min_exclusive ? "more than " : "at least ") +
               number_text(*key.min) + got;
      return "must be at most " + number_text(*key.max) + got;
    }
  }
  if (!key.choices.empty() && value.is_string()) {
    auto s = value.get<std::string>();
    if (std::find(key.choices.begin(), key.choices.end(), s) == key.choices.end()) {
      std::string list;
      for (auto choice : key.choices) list += (list.empty() ? "\"" : ", \"") + std::string(choice) + "\"";
      return "must be one of " + list + (key.sensitive ? "" : " (got " + value.dump() + ")");
    }
  }
  if (key.check) return key.check(value);
  return "";
}

llm::ModelConfig default_model_config(std::string_view role) {
  llm::ModelConfig model;
  model.endpoints = {{std::string(kDefaultBaseUrl), "OPENAI_API_KEY"}};
  // A run whose server is not up should say so in seconds, not after stall_timeout.
  model.unreachable_timeout = std::chrono::seconds(30);
  if (role == "policy") model.temperature = 0.8;  // AUTOIF.md: online DPO samples at 0.8 (paper)
  return model;
}

Config default_config() {
  Config config;
  config.supervisor = default_model_config("supervisor");
  return config;
}

std::span<const std::string_view> prompt_names() {
  static constexpr std::string_view names[] = {"augment", "verifier", "back_translate", "nli", "score"};
  return names;
}

}  // namespace autoif::config
