#include "pipeline/config/loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "pipeline/config/keys.h"
#include "pipeline/config/loader_checks.h"
#include "pipeline/config/toml_value.h"

namespace autoif::config {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// One value as the user wrote it, before it is type-checked.
struct Setting {
  const toml::node* node = nullptr;
  std::string where;
  bool from_set = false;
  int source = 0;  // 0: the file; i + 1: the i-th --set
};

// Every table the registry's keys live in ("llm", "llm.supervisor", "crossval"...).
const std::set<std::string>& section_names() {
  static const std::set<std::string> names = [] {
    std::set<std::string> out = {"llm.supervisor", "llm.policy"};
    for (const Key& key : keys()) {
      std::string_view path = key.path;
      for (auto dot = path.find('.'); dot != std::string_view::npos; dot = path.find('.', dot + 1))
        out.emplace(path.substr(0, dot));
    }
    return out;
  }();
  return names;
}

// The members of table `section`, for "[crossval] has: ..." hints.
std::string members_of(const std::string& section) {
  std::string list;
  for (const auto& name : all_key_names()) {
    if (name.size() <= section.size() || name.compare(0, section.size(), section) != 0 ||
        name[section.size()] != '.')
      continue;
    std::string member = name.substr(section.size() + 1);
    if (member.find('.') != std::string::npos) continue;
    list += (list.empty() ? "" : ", ") + member;
  }
  return list;
}

std::string parent_of(const std::string& name) {
  auto dot = name.rfind('.');
  return dot == std::string::npos ? "" : name.substr(0, dot);
}

std::string last_of(const std::string& name) {
  auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

class Loader {
 public:
  Loader(std::string path, const LoadOptions& options) : path_(std::move(path)), options_(options) {}

  tl::expected<Config, ConfigError> run(std::span<const std::string> overrides) {
    if (!read_file()) return fail();
    walk(table_, "");
    for (std::size_t i = 0; i < overrides.size(); ++i) apply_override(i, overrides[i]);

    Config config = default_config();
    config.source_path = fs::absolute(path_).lexically_normal().string();
    for (const Key& key : keys()) {
      if (key.model_key) continue;
      if (auto value = value_of(std::string(key.path), key)) key.set(config, *value);
      else if (key.path_value && !settings_.count(std::string(key.path))) resolve_default(key, config);
    }
    config.supervisor = build_role("supervisor");
    if (wants_policy(config)) config.policy = build_role("policy");

    CheckContext context{path_, options_.require_queries,
                         [this](const std::string& name) { return where_of(name); },
                         [this](std::string where, std::string key, std::string what) {
                           problem(99, 0, 0, std::move(where), std::move(key), std::move(what));
                         }};
    check_config(config, context);
    if (!problems_.empty()) return fail();
    return config;
  }

 private:
  struct Found {
    int source, line, column;
    ConfigProblem problem;
  };

  void problem(int source, int line, int column, std::string where, std::string key, std::string what) {
    problems_.push_back({source, line, column, {std::move(where), std::move(key), std::move(what)}});
  }

  void problem_at(const toml::source_region& region, std::string key, std::string what) {
    problem(0, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column),
            path_ + ":" + position_text(region.begin), std::move(key), std::move(what));
  }

  tl::unexpected<ConfigError> fail() {
    // [llm] values are read once per role; their problems are reported once.
    std::set<std::pair<std::string, std::string>> seen;
    std::erase_if(problems_, [&](const Found& f) { return !seen.insert({f.problem.where, f.problem.what}).second; });
    std::stable_sort(problems_.begin(), problems_.end(), [](const Found& a, const Found& b) {
      return std::tie(a.source, a.line, a.column) < std::tie(b.source, b.line, b.column);
    });
    ConfigError error;
    for (auto& found : problems_) error.problems.push_back(std::move(found.problem));
    return tl::unexpected(std::move(error));
  }

  bool read_file() {
    std::error_code ec;
    auto status = fs::status(path_, ec);
    if (!fs::exists(status)) {
      problem(0, 0, 0, path_, "",
              "config file not found (create a starter one with `autoif init DIR`, then pass "
              "--config DIR/autoif.toml)");
      return false;
    }
    if (fs::is_directory(status)) {
      problem(0, 0, 0, path_, "", "is a folder, not a config file (did you mean " +
                                      (fs::path(path_) / "autoif.toml").string() + "?)");
      return false;
    }
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) {
      problem(0, 0, 0, path_, "", std::string("cannot read the config file: ") + std::strerror(errno));
      return false;
    }
    dir_ = fs::absolute(path_).parent_path();
    try {
      table_ = toml::parse(text.str(), std::string_view(path_));
    } catch (const toml::parse_error& error) {
      problem_at(error.source(), "", "TOML syntax error: " + std::string(error.description()));
      return false;
    }
    return true;
  }

  void walk(const toml::table& table, const std::string& prefix) {
    for (const auto& [k, node] : table) {
      std::string name = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
      if (expand_key(name).key) {
        settings_[name] = {&node, path_ + ":" + position_text(node.source().begin), false, 0};
      } else if (section_names().count(name)) {
        if (const toml::table* sub = node.as_table()) {
          if (name == "llm.policy") policy_table_ = true;
          walk(*sub, name);
        } else {
          problem_at(k.source(), name, "'" + name + "' is a table: write its keys under [" + name + "]");
        }
      } else {
        problem_at(k.source(), name, unknown_key_text(name, node.is_table()));
      }
    }
  }

  static std::string unknown_key_text(const std::string& name, bool is_table) {
    std::string text = "unknown " + std::string(is_table ? "table" : "key") + " '" + name + "'";
    std::string guess;
    if (is_table) guess = nearest_name(name, {section_names().begin(), section_names().end()});
    if (guess.empty()) guess = nearest_key(name);
    if (!guess.empty()) {
      text += "; did you mean '" + guess + "'?";
    } else if (auto members = members_of(parent_of(name)); !members.empty()) {
      text += "; [" + parent_of(name) + "] has: " + members;
    } else {
      text += " (the README's configuration section lists every key)";
    }
    static const std::set<std::string> secret_words = {"api_key", "apikey", "key", "token", "secret", "password"};
    if (secret_words.count(last_of(name)))
      text += "; the API key itself never goes in the config: put it in an environment variable and "
              "set llm.api_key_env to that variable's NAME";
    return text;
  }

  void apply_override(std::size_t index, const std::string& arg) {
    int source = static_cast<int>(index) + 1;
    auto equals = arg.find('=');
    std::string name = arg.substr(0, equals);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    std::string where = "--set " + name;
    if (equals == std::string::npos || name.empty()) {
      problem(source, 0, 0, where, "", "expected KEY=VALUE, e.g. --set llm.model=NAME");
      return;
    }
    std::string raw = arg.substr(equals + 1);
    KeyMatch match = expand_key(name);
    if (!match.key) {
      if (section_names().count(name)) {
        problem(source, 0, 0, where, name, "'" + name + "' is a table; set its keys one by one (--set " + name +
                                               ".KEY=VALUE; it has: " + members_of(name) + ")");
        return;
      }
      if (KeyMatch parent = expand_key(parent_of(name)); parent.key && parent.key->type == KeyType::table) {
        problem(source, 0, 0, where, name, "set the whole table instead: --set '" + parent_of(name) + "={ " +
                                               last_of(name) + " = VALUE }'");
        return;
      }
      problem(source, 0, 0, where, name, unknown_key_text(name, false));
      return;
    }
    if (name.rfind("llm.policy.", 0) == 0) policy_table_ = true;
    // The value is TOML when it parses as one; otherwise, and always for string keys unless
    // quoted, the text as written, so --set llm.base_url=http://... needs no quotes.
    const toml::node* node = nullptr;
    try {
      toml::table parsed = toml::parse("v = " + raw, std::string_view("--set"));
      if (parsed.size() == 1 && parsed.contains("v")) {
        arena_.push_back(std::move(parsed));
        node = arena_.back().get("v");
      }
    } catch (const toml::parse_error&) {
    }
    if (!node || (match.key->type == KeyType::string && !node->is_string())) {
      toml::table plain;
      plain.insert("v", raw);
      arena_.push_back(std::move(plain));
      node = arena_.back().get("v");
    }
    settings_[name] = {node, where, true, source};
  }

  std::string where_of(const std::string& name) const {
    auto it = settings_.find(name);
    return it == settings_.end() ? path_ : it->second.where;
  }

  // The checked, resolved value of `name`, or nullopt when unset or wrong (then a problem
  // has been recorded).
  std::optional<json> value_of(const std::string& name, const Key& key) {
    auto it = settings_.find(name);
    if (it == settings_.end()) return std::nullopt;
    const Setting& setting = it->second;
    auto report = [&](const std::string& text) {
      const auto& begin = setting.node->source().begin;
      problem(setting.source, setting.from_set ? 0 : static_cast<int>(begin.line),
              setting.from_set ? 0 : static_cast<int>(begin.column), setting.where, name, name + ": " + text);
    };
    auto value = read_value(*setting.node, key.type, key.sensitive);
    if (!value) {
      report(value.error());
      return std::nullopt;
    }
    if (auto wrong = check_value(key, *value); !wrong.empty()) {
      report(wrong);
      return std::nullopt;
    }
    if (key.path_value && !value->get<std::string>().empty()) {
      fs::path base = setting.from_set ? fs::current_path() : dir_;
      fs::path given = value->get<std::string>();
      *value = (given.is_absolute() ? given : base / given).lexically_normal().string();
    }
    return *value;
  }

  // Default paths ("autoif.db", "out") live next to the config file, like written ones.
  void resolve_default(const Key& key, Config& config) const {
    auto value = key.get(config).get<std::string>();
    if (!value.empty() && fs::path(value).is_relative()) key.set(config, (dir_ / value).lexically_normal().string());
  }

  bool wants_policy(const Config& config) const {
    return policy_table_ || config.responses.source == "policy";
  }

  // [llm] then [llm.ROLE], each key in registry order: endpoints are set before
  // api_key_env, so the variable name reaches every endpoint whichever level named them.
  llm::ModelConfig build_role(const std::string& role) {
    llm::ModelConfig model = default_model_config(role);
    for (const std::string& level : {std::string("llm"), "llm." + role}) {
      if (settings_.count(level + ".base_url") && settings_.count(level + ".endpoints"))
        problem(99, 0, 0, where_of(level + ".endpoints"), level + ".endpoints",
                "set either " + level + ".base_url or " + level + ".endpoints, not both");
      for (const Key& key : keys()) {
        if (!key.model_key) continue;
        if (auto value = value_of(level + "." + std::string(key.path.substr(4)), key)) key.set_model(model, *value);
      }
    }
    return model;
  }

  std::string path_;
  LoadOptions options_;
  fs::path dir_;
  toml::table table_;
  std::deque<toml::table> arena_;  // --set values; deque keeps node addresses stable
  std::map<std::string, Setting> settings_;
  bool policy_table_ = false;
  std::vector<Found> problems_;
};

}  // namespace

std::string ConfigError::message() const {
  std::string text;
  for (const auto& p : problems) text += (text.empty() ? "" : "\n") + p.where + ": " + p.what;
  return text;
}

tl::expected<Config, ConfigError> load_config(const std::string& path, std::span<const std::string> overrides,
                                              const LoadOptions& options) {
  return Loader(path, options).run(overrides);
}

}  // namespace autoif::config
