#include "pipeline/parse/json_extract.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "pipeline/parse/text.h"

namespace autoif::parse {
namespace {

using nlohmann::json;

bool is_hex(char c) {
  return is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool starts_at(std::string_view s, std::size_t i, std::string_view what) {
  return s.compare(i, what.size(), what) == 0;
}

// Length of the string delimiter at i: 3 for ''' or """, 1 for ' or ".
std::size_t quote_len(std::string_view s, std::size_t i) {
  char q = s[i];
  return (i + 2 < s.size() && s[i + 1] == q && s[i + 2] == q) ? 3 : 1;
}

// Whether a double quote at position `i - 1` plausibly closes its string: what follows
// (after spaces) is a JSON delimiter or the end.
bool looks_like_close(std::string_view s, std::size_t i) {
  while (i < s.size() && is_ascii_space(s[i])) ++i;
  return i == s.size() || s[i] == ',' || s[i] == ':' || s[i] == '}' || s[i] == ']';
}

void append_control(std::string& out, char c) {
  switch (c) {
    case '\n': out += "\\n"; return;
    case '\t': out += "\\t"; return;
    case '\r': out += "\\r"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    default: {
      static constexpr char digits[] = "0123456789abcdef";
      out += "\\u00";
      out += digits[(static_cast<unsigned char>(c) >> 4) & 0xF];
      out += digits[static_cast<unsigned char>(c) & 0xF];
    }
  }
}

// Copies the string whose opening delimiter (of length qlen) starts at i into `out` as a
// JSON double-quoted string; returns the position after its closing delimiter.
std::size_t copy_string(std::string_view s, std::size_t i, std::size_t qlen, bool guess,
                        std::string& out) {
  const char q = s[i];
  const std::string_view delim = s.substr(i, qlen);
  out += '"';
  i += qlen;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\\') {
      if (i + 1 >= s.size()) {
        out += "\\\\";
        ++i;
        break;
      }
      char d = s[i + 1];
      if (d == '\'') {
        out += '\'';
        i += 2;
      } else if (d == '"' || d == '\\' || d == '/' || d == 'b' || d == 'f' || d == 'n' ||
                 d == 'r' || d == 't') {
        out += '\\';
        out += d;
        i += 2;
      } else if (d == 'u' && i + 5 < s.size() && is_hex(s[i + 2]) && is_hex(s[i + 3]) &&
                 is_hex(s[i + 4]) && is_hex(s[i + 5])) {
        out.append(s.substr(i, 6));
        i += 6;
      } else {
        // An escape JSON does not know: keep the backslash as a character, the next
        // character is copied on its own (it is usually a regex such as \d or \s).
        out += "\\\\";
        ++i;
      }
    } else if (starts_at(s, i, delim)) {
      if (qlen == 1 && q == '"' && guess && !looks_like_close(s, i + 1)) {
        out += "\\\"";
        ++i;
        continue;
      }
      out += '"';
      return i + qlen;
    } else if (c == '"') {
      out += "\\\"";  // a double quote inside a single- or triple-quoted string
      ++i;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      append_control(out, c);
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  return i;  // unterminated: leave it so that the parse fails
}

void drop_trailing_comma(std::string& out) {
  std::size_t k = out.size();
  while (k > 0 && is_ascii_space(out[k - 1])) --k;
  if (k > 0 && out[k - 1] == ',') out.erase(k - 1, 1);
}

std::size_t skip_line(std::string_view s, std::size_t i) {
  std::size_t nl = s.find('\n', i);
  return nl == std::string_view::npos ? s.size() : nl;
}

std::optional<json> parse_quiet(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// Skips the string starting at i the way the brace matcher sees strings; returns the position
// after it. Single-quoted strings stop at a newline so that a stray apostrophe in a comment or
// in prose cannot swallow the rest of the text.
std::size_t skip_string(std::string_view s, std::size_t i) {
  const char q = s[i];
  const std::size_t qlen = quote_len(s, i);
  const std::string_view delim = s.substr(i, qlen);
  i += qlen;
  while (i < s.size()) {
    if (s[i] == '\\') {
      i += 2;
    } else if (starts_at(s, i, delim)) {
      return i + qlen;
    } else if (q == '\'' && qlen == 1 && s[i] == '\n') {
      return i;
    } else {
      ++i;
    }
  }
  return s.size();
}

// Finds the end (exclusive) of the balanced {...} span that starts at a brace. A scan from
// one brace also settles every brace opened inside it (from an inner brace the scanner is in
// the same state: outside strings, with the same text ahead), so results are remembered and
// reused; a degenerate answer made of thousands of braces costs linear time, not quadratic.
class BraceMatcher {
 public:
  explicit BraceMatcher(std::string_view s) : s_(s), memo_(s.size(), kUnknown) {}

  std::optional<std::size_t> match(std::size_t start) {
    if (memo_[start] != kUnknown) return result(start);
    struct Open {
      std::size_t pos;
      char close;
    };
    std::vector<Open> stack;
    auto fail_all = [&] {
      for (const Open& o : stack)
        if (o.close == '}') memo_[o.pos] = kNone;
      return std::nullopt;
    };
    std::size_t i = start;
    while (i < s_.size()) {
      const char c = s_[i];
      if (c == '"' || c == '\'') {
        i = skip_string(s_, i);
        continue;
      }
      if ((c == '/' && i + 1 < s_.size() && s_[i + 1] == '/') || c == '#') {
        i = skip_line(s_, i);
        continue;
      }
      if (c == '{' && i != start && memo_[i] != kUnknown) {
        if (memo_[i] == kNone) return fail_all();
        i = static_cast<std::size_t>(memo_[i]);  // the inner object is already matched
        continue;
      }
      if (c == '{' || c == '[') {
        stack.push_back({i, c == '{' ? '}' : ']'});
      } else if (c == '}' || c == ']') {
        if (stack.empty() || stack.back().close != c) return fail_all();
        if (c == '}') memo_[stack.back().pos] = static_cast<std::int64_t>(i + 1);
        stack.pop_back();
        if (stack.empty()) return i + 1;
      }
      ++i;
    }
    return fail_all();
  }

 private:
  static constexpr std::int64_t kUnknown = -2, kNone = -1;
  std::optional<std::size_t> result(std::size_t start) const {
    if (memo_[start] == kNone) return std::nullopt;
    return static_cast<std::size_t>(memo_[start]);
  }
  std::string_view s_;
  std::vector<std::int64_t> memo_;
};

// Whether the text after a brace can begin an object: a key, a comment or the closing brace.
bool may_open_object(std::string_view s, std::size_t brace) {
  std::size_t k = brace + 1;
  while (k < s.size() && is_ascii_space(s[k])) ++k;
  if (k >= s.size()) return false;
  const char c = s[k];
  return c == '"' || c == '\'' || c == '}' || c == '/' || c == '#' || c == '_' || is_ascii_alpha(c);
}

std::optional<LenientJson> parse_object(std::string_view text) {
  auto parsed = parse_json_lenient(text);
  if (!parsed || !parsed->value.is_object()) return std::nullopt;
  return std::move(*parsed);
}

// Scans one region (a fence's content or the prose between fences) for objects.
void scan_region(std::string_view answer, std::size_t region_begin, std::size_t region_end,
                 bool fenced, std::vector<JsonCandidate>& out) {
  const std::string_view region = answer.substr(region_begin, region_end - region_begin);
  BraceMatcher matcher(region);
  // Parse attempts cost the length of their span; a bound keeps degenerate answers (a model
  // looping on "{a{a{a...") linear while leaving every ordinary answer far below it.
  std::size_t budget = 32 * region.size() + 65536;
  auto attempt = [&](std::size_t begin, std::size_t end) -> std::optional<LenientJson> {
    if (end - begin > budget) return std::nullopt;
    budget -= end - begin;
    return parse_object(region.substr(begin, end - begin));
  };
  const std::size_t last_close = region.rfind('}');
  std::size_t i = 0;
  while ((i = region.find('{', i)) != std::string_view::npos) {
    if (!may_open_object(region, i)) {
      ++i;
      continue;
    }
    std::optional<LenientJson> found;
    std::size_t end = 0;
    if (auto e = matcher.match(i)) {
      found = attempt(i, *e);
      end = *e;
    }
    if (!found) {
      // Unescaped quotes inside a string throw the matcher off; when this brace opens
      // something that looks like an object, try up to the region's last closing brace.
      std::size_t k = i + 1;
      while (k < region.size() && is_ascii_space(region[k])) ++k;
      if ((region[k] == '"' || region[k] == '\'') && last_close != std::string_view::npos &&
          last_close > i && last_close + 1 != end) {
        found = attempt(i, last_close + 1);
        end = last_close + 1;
      }
    }
    if (found) {
      out.push_back({std::move(found->value), region_begin + i, fenced, found->repaired});
      i = end;
    } else {
      ++i;
    }
  }
}

}  // namespace

std::string repair_json(std::string_view s, bool guess_inner_quotes) {
  std::string out;
  out.reserve(s.size() + 16);
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '"' || c == '\'') {
      i = copy_string(s, i, quote_len(s, i), guess_inner_quotes, out);
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
      i = skip_line(s, i);
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      std::size_t e = s.find("*/", i + 2);
      i = e == std::string_view::npos ? s.size() : e + 2;
    } else if (c == '#') {
      i = skip_line(s, i);
    } else if (is_ascii_alpha(c) || c == '_') {
      std::size_t e = i;
      while (e < s.size() && (is_ascii_alpha(s[e]) || is_ascii_digit(s[e]) || s[e] == '_')) ++e;
      std::string_view word = s.substr(i, e - i);
      std::size_t k = e;
      while (k < s.size() && is_ascii_space(s[k])) ++k;
      if (word == "True") out += "true";
      else if (word == "False") out += "false";
      else if (word == "None") out += "null";
      else if (k < s.size() && s[k] == ':') out.append("\"").append(word).append("\"");
      else out += word;
      i = e;
    } else if (c == '}' || c == ']') {
      drop_trailing_comma(out);
      out += c;
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

tl::expected<LenientJson, std::string> parse_json_lenient(std::string_view text) {
  if (auto j = parse_quiet(text)) return LenientJson{std::move(*j), false};
  const std::string plain = repair_json(text, false);
  if (auto j = parse_quiet(plain)) return LenientJson{std::move(*j), true};
  const std::string guessed = repair_json(text, true);
  if (guessed != plain) {
    if (auto j = parse_quiet(guessed)) return LenientJson{std::move(*j), true};
  }
  try {
    json ignored = json::parse(plain);
  } catch (const json::exception& e) {
    return tl::unexpected(std::string(e.what()));
  }
  return tl::unexpected(std::string("not JSON"));
}

std::vector<JsonCandidate> extract_json_objects(std::string_view answer) {
  std::vector<JsonCandidate> out;
  std::size_t pos = 0;
  for (const Fence& fence : find_fences(answer)) {
    scan_region(answer, pos, fence.begin, false, out);
    const std::size_t content_begin = static_cast<std::size_t>(fence.content.data() - answer.data());
    const std::string_view body = trim(fence.content);
    std::optional<LenientJson> whole;
    if (!body.empty() && body.front() == '{') whole = parse_object(body);
    if (whole) {
      const std::size_t offset = static_cast<std::size_t>(body.data() - answer.data());
      out.push_back({std::move(whole->value), offset, true, whole->repaired});
    } else {
      scan_region(answer, content_begin, content_begin + fence.content.size(), true, out);
    }
    pos = fence.end;
  }
  scan_region(answer, pos, answer.size(), false, out);
  return out;
}

}  // namespace autoif::parse
