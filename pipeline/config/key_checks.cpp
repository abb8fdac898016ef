#include "pipeline/config/key_checks.h"

#include <cctype>

#include "pipeline/llm/secret.h"

namespace autoif::config {
namespace {

bool is_url(const std::string& text) {
  return (text.rfind("http://", 0) == 0 && text.size() > 7) ||
         (text.rfind("https://", 0) == 0 && text.size() > 8);
}

bool is_identifier(std::string_view text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text[0]))) return false;
  for (char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

std::string url_problem(const std::string& url) {
  if (is_url(url)) return "";
  // Named first: "literal" + temporary string trips g++ 12's -Wrestrict false positive.
  const std::string shown = llm::redact_url(url);
  return "\"" + shown +
         "\" is not an http:// or https:// URL (an OpenAI-style base URL looks like "
         "\"http://127.0.0.1:8000/v1\")";
}

}  // namespace

std::string check_not_empty(const nlohmann::json& value) {
  return value.get<std::string>().empty() ? "must not be empty" : "";
}

std::string check_url(const nlohmann::json& value) { return url_problem(value.get<std::string>()); }

std::string check_optional_url(const nlohmann::json& value) {
  return value.get<std::string>().empty() ? "" : url_problem(value.get<std::string>());
}

std::string check_url_list(const nlohmann::json& value) {
  if (value.empty()) return "must name at least one base URL";
  for (const auto& url : value)
    if (auto problem = url_problem(url.get<std::string>()); !problem.empty()) return problem;
  return "";
}

std::string check_env_name(const nlohmann::json& value) {
  auto name = value.get<std::string>();
  if (name.empty() || is_identifier(name)) return "";
  return "must be the NAME of an environment variable (letters, digits, _), such as "
         "\"OPENAI_API_KEY\"; put the key itself in that variable, never in the config";
}

std::string check_module_list(const nlohmann::json& value) {
  for (const auto& item : value) {
    auto name = item.get<std::string>();
    std::size_t start = 0;
    bool ok = !name.empty();
    while (ok) {
      auto dot = name.find('.', start);
      ok = is_identifier(std::string_view(name).substr(start, dot == std::string::npos ? dot : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    if (!ok) return "\"" + name + "\" is not a Python module name (such as \"langdetect\" or \"nltk.corpus\")";
  }
  return "";
}

std::string check_query_template(const nlohmann::json& value) {
  // The same rule as parse::QueryTemplate: each placeholder at least once.
  auto text = value.get<std::string>();
  bool query = text.find("{query}") != std::string::npos;
  bool instruction = text.find("{instruction}") != std::string::npos;
  if (query && instruction) return "";
  if (!query && !instruction) return "must contain the placeholders {query} and {instruction}";
  return std::string("must contain the placeholder ") + (query ? "{instruction}" : "{query}");
}

}  // namespace autoif::config
