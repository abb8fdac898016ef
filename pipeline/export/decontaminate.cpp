#include "pipeline/export/decontaminate.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pipeline/export/split.h"

namespace autoif::exports {
namespace {

enum class Kind { letter, space, punctuation };

// Decodes one UTF-8 code point at text[i], advancing i; an invalid byte comes back as itself
// (>= 0x80 and < 0x100 would be ambiguous, so it is reported as 0x110000 + byte).
char32_t next_code_point(std::string_view text, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || i + length > text.size()) return 0x110000 + byte(i++);
  char32_t cp = length == 1 ? lead : lead & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0x110000 + byte(i++);
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += length;
  return cp;
}

Kind kind_of(char32_t c) {
  if (c < 0x80) {
    if (std::isspace(static_cast<int>(c))) return Kind::space;
    if (std::ispunct(static_cast<int>(c))) return Kind::punctuation;
    return Kind::letter;
  }
  if (c == 0xA0 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F || c == 0x3000) return Kind::space;
  if (c == 0xA1 || c == 0xAB || c == 0xB7 || c == 0xBB || c == 0xBF || (c >= 0x2010 && c <= 0x2027) ||
      (c >= 0x2030 && c <= 0x205E) || (c >= 0x3001 && c <= 0x303F) || (c >= 0xFF01 && c <= 0xFF0F) ||
      (c >= 0xFF1A && c <= 0xFF20))
    return Kind::punctuation;
  return Kind::letter;
}

char32_t lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 0x20;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;    // Latin-1
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;  // Greek
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;                // Cyrillic
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}

void append_utf8(std::string& out, char32_t c) {
  if (c >= 0x110000) {
    out += static_cast<char>(c - 0x110000);
  } else if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Calls `ngram` with the hash of every run of n consecutive words; stops when it returns true.
template <typename Visit>
bool for_each_ngram(const std::vector<std::string>& words, std::size_t n, Visit ngram) {
  std::string joined;
  for (std::size_t start = 0; start + n <= words.size(); ++start) {
    joined.clear();
    for (std::size_t k = 0; k < n; ++k) {
      if (k) joined += ' ';
      joined += words[start + k];
    }
    if (ngram(stable_hash(joined))) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> normalized_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (std::size_t i = 0; i < text.size();) {
    char32_t c = next_code_point(text, i);
    switch (kind_of(c)) {
      case Kind::space:
        if (!word.empty()) words.push_back(std::move(word));
        word.clear();
        break;
      case Kind::punctuation: break;
      case Kind::letter: append_utf8(word, lower(c)); break;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

void NgramIndex::add(std::string_view prompt) {
  auto words = normalized_words(prompt);
  ++prompts_;
  if (words.size() < n_) ++short_prompts_;
  for_each_ngram(words, n_, [&](std::uint64_t hash) {
    hashes_.insert(hash);
    return false;
  });
}

bool NgramIndex::shares_ngram(std::string_view text) const {
  if (hashes_.empty()) return false;
  return for_each_ngram(normalized_words(text), n_, [&](std::uint64_t hash) { return hashes_.count(hash) > 0; });
}

tl::expected<NgramIndex, std::string> NgramIndex::load(const std::string& path, std::size_t n) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected(path + ": cannot read the benchmark prompts: " + std::strerror(errno));
  NgramIndex index(n);
  std::string text;
  for (std::size_t line_number = 1; std::getline(in, text); ++line_number) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto value = nlohmann::json::parse(text, nullptr, false);
    const nlohmann::json* prompt = &value;
    if (value.is_object() && value.contains("prompt")) prompt = &value["prompt"];
    if (!prompt->is_string())
      return tl::unexpected(path + ":" + std::to_string(line_number) +
                            ": expected a JSON string or an object with a string \"prompt\" (as in IFEval's rows)");
    index.add(prompt->get_ref<const std::string&>());
  }
  if (in.bad()) return tl::unexpected(path + ": read failed: " + std::strerror(errno));
  if (index.prompts() == 0) return tl::unexpected(path + ": holds no benchmark prompt");
  return index;
}

}  // namespace autoif::exports
