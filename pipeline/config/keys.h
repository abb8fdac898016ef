// The key registry: ONE table naming every configuration key, its type, its default (read
// from a default Config, so docs cannot drift from config.h), its one-line meaning, its valid
// range, and how it is read from and written into Config. The loader, the snapshot
// (to_json), the README's key table (keys_markdown) and the "did you mean" suggestions all
// walk this table, so adding a key here is the whole job of adding a key.
//
// Model keys are listed once as "llm.NAME"; the same NAME is accepted under [llm.supervisor]
// and [llm.policy] (see expand_key). Values travel as nlohmann::json already checked against
// the key's type by the loader; `set` may assume the type, never the range.
//
// Contract: keys() is immutable and lives for the whole program; thread-safe to read.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/config/config.h"

namespace autoif::config {

enum class KeyType { string, integer, number, boolean, string_list, table };

// "a string", "an integer", ... for messages and docs.
std::string_view type_name(KeyType type);

struct Key {
  std::string_view path;  // dotted; model keys as "llm.NAME"
  KeyType type = KeyType::string;
  std::string_view doc;      // one line
  std::string_view example;  // a valid value different from the default, in TOML syntax
  std::string_view default_note;  // shown instead of the computed default when not empty
  bool model_key = false;   // also accepted under [llm.supervisor] and [llm.policy]
  bool path_value = false;  // a relative value resolves against the config file's folder
  bool sensitive = false;   // its value is never echoed in a message
  std::optional<double> min;
  bool min_exclusive = false;
  std::optional<double> max;
  std::vector<std::string_view> choices;  // for strings: the only values allowed
  // A further check of one value: "" when valid, else what is wrong (without the value when
  // the key is sensitive).
  std::string (*check)(const nlohmann::json& value) = nullptr;

  std::function<void(Config&, const nlohmann::json&)> set;  // section keys
  std::function<nlohmann::json(const Config&)> get;
  std::function<void(llm::ModelConfig&, const nlohmann::json&)> set_model;  // model keys
  std::function<nlohmann::json(const llm::ModelConfig&)> get_model;
};

// Every key, in the order the docs list them.
std::span<const Key> keys();

// The dotted name `path` as a registry key: section keys as they are, model keys as
// "llm.NAME" (role ""), "llm.supervisor.NAME" or "llm.policy.NAME" (role "supervisor" or
// "policy"). nullptr when no key has that name.
struct KeyMatch {
  const Key* key = nullptr;
  std::string role;  // "" for [llm] and for section keys
};
KeyMatch expand_key(std::string_view path);

// Every name a user may write, model keys under all three tables.
std::vector<std::string> all_key_names();

// The known key a user most likely meant by `unknown` (small edit distance, or the same last
// part in another table); "" when nothing is close.
std::string nearest_key(std::string_view unknown);

// The candidate closest to `unknown` by edit distance, when close enough to be a typo; "".
std::string nearest_name(std::string_view unknown, const std::vector<std::string>& candidates);

// Range and choice checks of one value (already of the key's type): "" or what is wrong.
std::string check_value(const Key& key, const nlohmann::json& value);

// The configuration before any file is read: config.h's defaults plus the defaults that only
// exist for a role (a local vLLM at kDefaultBaseUrl; temperature 0.8 for the policy, paper).
inline constexpr std::string_view kDefaultBaseUrl = "http://127.0.0.1:8000/v1";
llm::ModelConfig default_model_config(std::string_view role);
Config default_config();

// Builtin prompt names a [prompts] entry may override.
std::span<const std::string_view> prompt_names();

}  // namespace autoif::config
