// The registry read back out: the settings snapshot, the README's key table, prompt texts.
#include <fstream>
#include <sstream>

#include "pipeline/config/keys.h"
#include "pipeline/config/loader.h"
#include "prompts/prompts.h"

namespace autoif::config {
namespace {

using json = nlohmann::json;

std::string_view short_type(KeyType type) {
  switch (type) {
    case KeyType::string: return "string";
    case KeyType::integer: return "integer";
    case KeyType::number: return "number";
    case KeyType::boolean: return "boolean";
    case KeyType::string_list: return "list of strings";
    case KeyType::table: return "table";
  }
  return "";
}

// Markdown table cells: a pipe would end the cell.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string default_text(const Key& key) {
  if (!key.default_note.empty()) return cell(key.default_note);
  json value = key.model_key ? key.get_model(default_model_config("supervisor")) : key.get(default_config());
  if (value.is_null()) return "unset";
  const std::string shown = cell(value.dump());  // named: see key_checks.cpp on -Wrestrict
  return "`" + shown + "`";
}

}  // namespace

json to_json(const Config& config) {
  json out = json::object();
  for (const Key& key : keys()) {
    if (!key.model_key) {
      out[std::string(key.path)] = key.get(config);
      continue;
    }
    std::string name(key.path.substr(4));
    out["llm.supervisor." + name] = key.get_model(config.supervisor);
    out["llm.policy." + name] = config.policy ? key.get_model(*config.policy) : json(nullptr);
  }
  return out;
}

tl::expected<Config, std::string> from_json(const json& snapshot) {
  if (!snapshot.is_object()) return tl::unexpected(std::string("the configuration snapshot is not a JSON object"));
  Config config = default_config();
  std::optional<llm::ModelConfig> policy;
  if (auto it = snapshot.find("llm.policy.model"); it != snapshot.end() && !it->is_null())
    policy = default_model_config("policy");
  for (const Key& key : keys()) {
    std::string name = key.model_key ? std::string(key.path.substr(4)) : std::string(key.path);
    try {
      if (!key.model_key) {
        if (auto it = snapshot.find(name); it != snapshot.end() && !it->is_null()) key.set(config, *it);
        continue;
      }
      if (auto it = snapshot.find("llm.supervisor." + name); it != snapshot.end() && !it->is_null())
        key.set_model(config.supervisor, *it);
      if (auto it = snapshot.find("llm.policy." + name); policy && it != snapshot.end() && !it->is_null())
        key.set_model(*policy, *it);
    } catch (const json::exception& error) {
      return tl::unexpected("configuration snapshot: " + name + ": " + error.what());
    }
  }
  config.policy = std::move(policy);
  return config;
}

std::string keys_markdown() {
  std::string text =
      "Keys are written as `table.key`: `crossval.case_threshold` is `case_threshold = ...` under "
      "`[crossval]`. Keys of `[llm]` are the defaults of every model role; `[llm.supervisor]` and "
      "`[llm.policy]` accept the same keys and override them (`llm.supervisor.temperature`). The policy "
      "role exists when `[llm.policy]` is present or `responses.source = \"policy\"`. Relative paths are "
      "relative to the config file's folder (to the current folder for `--set` values). Any key can be "
      "overridden on the command line with `--set key=value` (the value is read as TOML, else as plain "
      "text). `llm.model` and `queries.file` are required when the config is loaded.\n\n"
      "| Key | Type | Default | Meaning |\n|---|---|---|---|\n";
  for (const Key& key : keys())
    text += "| `" + std::string(key.path) + "` | " + std::string(short_type(key.type)) + " | " +
            default_text(key) + " | " + cell(key.doc) + " |\n";
  return text;
}

tl::expected<std::string, std::string> prompt_text(const Config& config, std::string_view name) {
  auto it = config.prompts.find(std::string(name));
  if (it == config.prompts.end()) {
    auto builtin = prompts::builtin(name);
    if (!builtin) return tl::unexpected("no prompt named '" + std::string(name) + "'");
    return std::string(*builtin);
  }
  std::ifstream in(it->second, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in) return tl::unexpected("prompts." + std::string(name) + ": cannot read " + it->second);
  return text.str();
}

}  // namespace autoif::config
