#include "prompts/prompts.h"

#include <cctype>

namespace autoif::prompts {

std::optional<std::string_view> builtin(std::string_view name) {
  for (const auto& entry : all())
    if (entry.name == name) return entry.text;
  return std::nullopt;
}

tl::expected<std::string, std::string> render(std::string_view text,
                                              const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '{') {
      std::size_t end = i + 1;
      while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_'))
        ++end;
      if (end < text.size() && text[end] == '}' && end > i + 1) {
        std::string key(text.substr(i + 1, end - i - 1));
        auto it = values.find(key);
        if (it == values.end()) return tl::unexpected("the template uses {" + key + "}, which has no value here");
        out += it->second;
        i = end + 1;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

}  // namespace autoif::prompts
