#include "pipeline/llm/secret.h"

#include <cstdlib>
#include <map>
#include <mutex>

namespace autoif::llm {

std::optional<Secret> take_api_key_from_env(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::optional<Secret>> taken;
  std::lock_guard lock(mutex);
  auto found = taken.find(name);
  if (found != taken.end()) return found->second;
  std::optional<Secret> key;
  if (const char* value = std::getenv(name.c_str()); value != nullptr && *value != '\0') {
    key = Secret(value);
  }
  ::unsetenv(name.c_str());
  taken.emplace(name, key);
  return key;
}

std::string redact_url(std::string_view url) {
  std::string_view rest = url;
  std::string scheme;
  if (auto pos = rest.find("://"); pos != std::string_view::npos) {
    scheme = std::string(rest.substr(0, pos + 3));
    rest.remove_prefix(pos + 3);
  }
  if (auto end = rest.find_first_of("?#"); end != std::string_view::npos) {
    rest = rest.substr(0, end);
  }
  auto authority_end = rest.find('/');
  std::string_view authority = rest.substr(0, authority_end);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    rest.remove_prefix(at + 1);
  }
  return scheme + std::string(rest);
}

std::string redact(std::string text, const Secret& secret) {
  const std::string& value = secret.reveal();
  if (value.empty()) return text;
  static constexpr std::string_view kMark = "[redacted]";
  for (auto pos = text.find(value); pos != std::string::npos;
       pos = text.find(value, pos + kMark.size())) {
    text.replace(pos, value.size(), kMark);
  }
  return text;
}

}  // namespace autoif::llm
