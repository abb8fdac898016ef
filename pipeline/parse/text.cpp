#include "pipeline/parse/text.h"

#include <algorithm>

namespace autoif::parse {

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word_byte(char c) {
  return is_ascii_alpha(c) || is_ascii_digit(c) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view text) {
  std::size_t b = 0, e = text.size();
  while (b < e && is_ascii_space(text[b])) ++b;
  while (e > b && is_ascii_space(text[e - 1])) --e;
  return text.substr(b, e - b);
}

std::string to_lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::size_t stop = nl == std::string_view::npos ? text.size() : nl;
    std::size_t e = stop;
    if (e > start && text[e - 1] == '\r') --e;
    lines.push_back(text.substr(start, e - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::string_view strip_reasoning(std::string_view answer) {
  constexpr std::string_view open = "<think>", close = "</think>";
  if (std::size_t c = answer.rfind(close); c != std::string_view::npos)
    return answer.substr(c + close.size());
  if (std::size_t o = answer.find(open); o != std::string_view::npos) return answer.substr(0, o);
  return answer;
}

namespace {

struct FenceLine {
  char marker = 0;
  std::size_t count = 0;
  std::string_view rest;  // after the marker run, trimmed
};

// A line that starts (after indentation) with three or more backticks or tildes.
bool parse_fence_line(std::string_view line, FenceLine& out) {
  std::string_view t = trim(line);
  if (t.size() < 3 || (t[0] != '`' && t[0] != '~')) return false;
  std::size_t n = 0;
  while (n < t.size() && t[n] == t[0]) ++n;
  if (n < 3) return false;
  out = {t[0], n, trim(t.substr(n))};
  return true;
}

bool valid_info(std::string_view info, char marker) {
  return std::none_of(info.begin(), info.end(), [marker](char c) {
    return is_ascii_space(c) || c == '{' || c == '[' || c == marker;
  });
}

}  // namespace

std::vector<Fence> find_fences(std::string_view text) {
  std::vector<Fence> fences;
  std::size_t pos = 0;
  bool open = false;
  Fence current;
  FenceLine opening;
  std::size_t content_begin = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string_view line = text.substr(pos, (nl == std::string_view::npos ? text.size() : nl) - pos);
    FenceLine fl;
    if (parse_fence_line(line, fl)) {
      if (!open && valid_info(fl.rest, fl.marker)) {
        open = true;
        opening = fl;
        current = Fence{};
        current.info = fl.rest;
        current.begin = pos;
        content_begin = next;
      } else if (open && fl.marker == opening.marker && fl.count >= opening.count && fl.rest.empty()) {
        current.content = text.substr(content_begin, pos - content_begin);
        current.end = next;
        current.closed = true;
        fences.push_back(current);
        open = false;
      }
    }
    pos = next;
  }
  if (open) {
    current.content = text.substr(std::min(content_begin, text.size()));
    current.end = text.size();
    current.closed = false;
    fences.push_back(current);
  }
  return fences;
}

std::optional<std::string_view> fenced_body(std::string_view text) {
  std::string_view t = trim(text);
  std::vector<Fence> fences = find_fences(t);
  if (fences.size() == 1 && fences[0].begin == 0 && trim(t.substr(fences[0].end)).empty())
    return fences[0].content;
  return std::nullopt;
}

std::string_view strip_code_fence(std::string_view text) {
  return fenced_body(text).value_or(trim(text));
}

}  // namespace autoif::parse
