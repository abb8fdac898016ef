#include "pipeline/config/loader_checks.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "pipeline/config/keys.h"
#include "pipeline/llm/config.h"
#include "prompts/prompts.h"

namespace autoif::config {
namespace {

namespace fs = std::filesystem;

// The {word} placeholders of a template, by the rule prompts::render applies.
std::set<std::string> placeholders(std::string_view text) {
  std::set<std::string> out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') continue;
    std::size_t end = i + 1;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) ++end;
    if (end < text.size() && text[end] == '}' && end > i + 1) out.emplace(text.substr(i + 1, end - i - 1));
  }
  return out;
}

std::string braced(const std::set<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "{" : ", {") + name + "}";
  return text.empty() ? "none" : text;
}

void missing(const CheckContext& c, const std::string& key, const std::string& how) {
  c.report(c.path, key, "missing required key '" + key + "': " + how);
}

void check_file(const CheckContext& c, const std::string& key, const std::string& file, const std::string& what_it_is) {
  if (file.empty()) return;
  std::error_code ec;
  auto status = fs::status(file, ec);
  if (!fs::exists(status))
    c.report(c.where_of(key), key, key + ": " + file + " does not exist (" + what_it_is + ")");
  else if (fs::is_directory(status))
    c.report(c.where_of(key), key, key + ": " + file + " is a folder; name a file (" + what_it_is + ")");
}

void check_prompt(const CheckContext& c, const std::string& name, const std::string& file) {
  std::string key = "prompts." + name;
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || fs::is_directory(file)) {
    c.report(c.where_of(key), key, key + ": cannot read " + file + ": " +
                                       (fs::is_directory(file) ? std::string("it is a folder") : std::strerror(errno)) +
                                       " (remove the key to use the built-in prompt)");
    return;
  }
  auto builtin = prompts::builtin(name);
  if (!builtin) return;
  std::set<std::string> allowed = placeholders(*builtin);
  std::set<std::string> extra;
  for (const auto& used : placeholders(text.str()))
    if (!allowed.count(used)) extra.insert(used);
  if (!extra.empty())
    c.report(c.where_of(key), key, key + ": " + file + " uses " + braced(extra) +
                                       ", which this prompt does not fill (it fills " + braced(allowed) + ")");
}

void check_chars(const CheckContext& c, const std::string& section, std::size_t min, std::size_t max) {
  if (min <= max) return;
  c.report(c.where_of(section + ".min_chars"), section + ".min_chars",
           section + ".min_chars (" + std::to_string(min) + ") is more than " + section + ".max_chars (" +
               std::to_string(max) + ")");
}

void check_role(const CheckContext& c, const std::string& role, const llm::ModelConfig& model) {
  if (model.model.empty()) {
    if (role == "supervisor")
      missing(c, "llm.model",
              "name the model your server serves under [llm] (model = \"...\"; `curl BASE_URL/models` lists "
              "them) or pass --set llm.model=NAME");
    else
      missing(c, "llm.policy.model", "name the policy model under [llm.policy] (model = \"...\")");
    return;
  }
  // Every single value was range-checked already; this catches combinations the registry
  // cannot see, in the client's own words.
  if (auto problem = llm::validate(model); !problem.empty())
    c.report(c.path, "llm." + role, "llm." + role + ": " + problem);
}

}  // namespace

void check_config(const Config& config, const CheckContext& c) {
  check_role(c, "supervisor", config.supervisor);
  if (config.policy) check_role(c, "policy", *config.policy);

  if (config.queries.file.empty() && c.require_queries)
    missing(c, "queries.file",
            "add file = \"queries.jsonl\" under [queries] (a JSONL pool of user queries, one {\"" +
                config.queries.field + "\": ...} per line; `autoif init DIR` writes a sample) or pass --set "
                "queries.file=PATH");
  check_file(c, "queries.file", config.queries.file, "a JSONL pool of user queries; `autoif init DIR` writes a sample");
  check_file(c, "seeds.file", config.seeds.file,
             "JSONL {\"instruction\": ...} rows or one instruction per line; remove the key to use the built-in seeds");
  for (const auto& [name, file] : config.prompts) check_prompt(c, name, file);

  check_chars(c, "augment", config.augment.min_chars, config.augment.max_chars);
  check_chars(c, "queries", config.queries.min_chars, config.queries.max_chars);

  if (config.back_translation.nli == "http" && config.back_translation.nli_url.empty())
    missing(c, "back_translation.nli_url",
            "back_translation.nli = \"http\" needs the classifier's URL (nli_url = \"http://...\"), or set nli = "
            "\"llm\" to let the supervisor judge");
  if (!(config.select.rejected_pass_rate < config.select.chosen_pass_rate))
    c.report(c.where_of("select.rejected_pass_rate"), "select.rejected_pass_rate",
             "select.rejected_pass_rate must be less than select.chosen_pass_rate, or one response could be "
             "both chosen and rejected");
}

}  // namespace autoif::config
