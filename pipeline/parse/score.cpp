#include "pipeline/parse/score.h"

#include <array>
#include <charconv>
#include <string>

#include "pipeline/parse/text.h"

namespace autoif::parse {
namespace {

bool is_decoration(char c) { return c == '*' || c == '_' || c == '#' || c == '`' || c == '~'; }

std::size_t skip_decoration(std::string_view s, std::size_t i) {
  while (i < s.size() && (is_ascii_space(s[i]) || is_decoration(s[i]))) ++i;
  return i;
}

bool word_at(std::string_view s, std::size_t i, std::string_view w) {
  return s.compare(i, w.size(), w) == 0 && (i + w.size() == s.size() || !is_ascii_alpha(s[i + w.size()]));
}

// A number at i ("8", "8.5", "-1", "+7"); returns its value and moves i past it.
std::optional<double> read_number(std::string_view s, std::size_t& i) {
  std::size_t b = i;
  if (b < s.size() && (s[b] == '-' || s[b] == '+')) ++b;
  std::size_t e = b;
  while (e < s.size() && is_ascii_digit(s[e])) ++e;
  if (e == b) return std::nullopt;
  if (e + 1 < s.size() && s[e] == '.' && is_ascii_digit(s[e + 1])) {
    ++e;
    while (e < s.size() && is_ascii_digit(s[e])) ++e;
  }
  double v = 0;
  std::string digits(s.substr(b, e - b));
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  if (s[i] == '-') v = -v;
  i = e;
  return v;
}

// The number (and optional scale) after a separator, rescaled to the options' range.
std::optional<double> read_value(std::string_view s, std::size_t i, const ScoreOptions& options,
                                 std::size_t* end = nullptr) {
  i = skip_decoration(s, i);
  while (i < s.size() && s[i] == '[') i = skip_decoration(s, i + 1);  // "Rating: [[8]]"
  std::optional<double> v = read_number(s, i);
  if (!v) return std::nullopt;
  std::size_t k = i;
  while (k < s.size() && (s[k] == ' ' || is_decoration(s[k]))) ++k;
  std::optional<double> denominator;
  if (i < s.size() && s[i] == '%') {
    denominator = 100.0;
    ++i;
  } else if (k < s.size() && s[k] == '/') {
    std::size_t d = k + 1;
    while (d < s.size() && s[d] == ' ') ++d;
    if (auto den = read_number(s, d)) denominator = den, i = d;
  } else if (word_at(s, k, "out of")) {
    std::size_t d = k + 6;
    while (d < s.size() && s[d] == ' ') ++d;
    if (auto den = read_number(s, d)) denominator = den, i = d;
  }
  if (denominator && *denominator > 0 && *denominator != options.max)
    *v = *v * options.max / *denominator;
  if (end) *end = i;
  return v;
}

// Whether the keyword at i opens its line, after at most two words ("Score:", "**Final
// score:**", "Corrected score:"), as opposed to sitting in a sentence ("a score of 10 would
// need...").
bool opens_line(std::string_view s, std::size_t i) {
  std::size_t b = s.rfind('\n', i == 0 ? 0 : i - 1);
  b = (b == std::string_view::npos || i == 0) ? 0 : b + 1;
  std::size_t words = 0;
  for (std::size_t k = b; k < i; ++k)
    if (is_ascii_alpha(s[k]) && (k == b || !is_ascii_alpha(s[k - 1]))) ++words;
  return words <= 2;
}

// The last score stated at the start of a line; failing that, the last one anywhere.
std::optional<double> last_keyword_score(std::string_view lower, const ScoreOptions& options) {
  static constexpr std::array<std::string_view, 2> keys = {"score", "rating"};
  std::optional<double> last, last_opening;
  for (std::size_t i = 0; i < lower.size(); ++i) {
    std::string_view key;
    for (std::string_view k : keys)
      if ((i == 0 || !is_ascii_alpha(lower[i - 1])) && word_at(lower, i, k)) key = k;
    if (key.empty()) continue;
    std::size_t j = skip_decoration(lower, i + key.size());
    if (j < lower.size() && lower[j] == '(') {  // "Score (0-10): 8"
      std::size_t close = lower.find(')', j);
      if (close != std::string_view::npos && close - j <= 16) j = skip_decoration(lower, close + 1);
    }
    bool worded = false;  // "score of 8", "score is 8": a sentence rather than a label
    if (j < lower.size() && (lower[j] == ':' || lower[j] == '=' || lower[j] == '-')) {
      ++j;
    } else if (word_at(lower, j, "is") || word_at(lower, j, "of")) {
      j += 2;
      worded = true;
    }
    if (auto v = read_value(lower, j, options)) {
      last = v;
      if (!worded && opens_line(lower, i)) last_opening = v;
    }
  }
  return last_opening ? last_opening : last;
}

// "9", "**9/10**" alone on the last non-empty line.
std::optional<double> bare_last_line(std::string_view text, const ScoreOptions& options) {
  std::vector<std::string_view> lines = split_lines(text);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    std::string_view t = trim(*it);
    if (t.empty()) continue;
    std::size_t end = 0;
    std::optional<double> v = read_value(t, 0, options, &end);
    if (!v) return std::nullopt;
    std::size_t rest = skip_decoration(t, end);
    if (rest < t.size() && t[rest] == '.') rest = skip_decoration(t, rest + 1);
    return rest == t.size() ? v : std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(ScoreStatus status) {
  switch (status) {
    case ScoreStatus::ok: return "ok";
    case ScoreStatus::no_score: return "no_score";
    case ScoreStatus::out_of_range: return "out_of_range";
  }
  return "unknown";
}

ScoreAnswer parse_quality_score(std::string_view answer, const ScoreOptions& options) {
  const std::string_view text = strip_reasoning(answer);
  const std::string lower = to_lower_ascii(text);
  std::optional<double> v = last_keyword_score(lower, options);
  if (!v) v = bare_last_line(lower, options);
  ScoreAnswer out;
  if (!v) return out;
  out.raw = v;
  if (*v < options.min || *v > options.max) {
    out.status = ScoreStatus::out_of_range;
    return out;
  }
  out.status = ScoreStatus::ok;
  out.score = v;
  return out;
}

}  // namespace autoif::parse
