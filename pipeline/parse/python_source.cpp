#include "pipeline/parse/python_source.h"

#include <algorithm>
#include <optional>

#include "pipeline/parse/text.h"

namespace autoif::parse {
namespace {

enum class Mode { analyse, code_newlines, newlines_in_strings };

struct Findings {
  bool code_newline = false;            // backslash-n outside strings and comments
  bool code_quote = false;              // backslash-quote outside strings and comments
  bool newline_in_short_string = false; // a real line break inside '...' or "..."
};

std::size_t quote_len(std::string_view s, std::size_t i) {
  char q = s[i];
  return (i + 2 < s.size() && s[i + 1] == q && s[i + 2] == q) ? 3 : 1;
}

// One pass of a small Python lexer that knows strings (all quote styles; a backslash always
// protects the next character, raw or not) and comments. It records what it finds and, in the
// two rewriting modes, applies that mode's repair.
std::string walk(std::string_view s, Mode mode, Findings& found) {
  // With no real line break anywhere, a literal backslash-n is the only thing that can end a
  // comment; otherwise a comment mentioning \n must stay one comment.
  const bool no_real_newline = s.find('\n') == std::string_view::npos;
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    const char c = s[i];
    if (c == '#') {
      std::size_t j = i;
      while (j < n && s[j] != '\n' &&
             !(no_real_newline && s[j] == '\\' && j + 1 < n && s[j + 1] == 'n'))
        ++j;
      out.append(s.substr(i, j - i));
      i = j;
      continue;
    }
    if (c == '"' || c == '\'') {
      const std::size_t qlen = quote_len(s, i);
      const std::string_view delim = s.substr(i, qlen);
      out.append(delim);
      i += qlen;
      while (i < n) {
        if (s[i] == '\\') {
          const std::size_t len = std::min<std::size_t>(2, n - i);
          out.append(s.substr(i, len));
          i += len;
        } else if (s.compare(i, qlen, delim) == 0) {
          out.append(delim);
          i += qlen;
          break;
        } else if (qlen == 1 && s[i] == '\n') {
          found.newline_in_short_string = true;
          if (mode != Mode::newlines_in_strings) break;  // Python ends the token here
          out += "\\n";
          ++i;
        } else {
          out += s[i++];
        }
      }
      continue;
    }
    if (c == '\\' && i + 1 < n) {
      const char d = s[i + 1];
      if (d == 'n') found.code_newline = true;
      if (d == '"' || d == '\'') found.code_quote = true;
      if (mode == Mode::code_newlines && (d == 'n' || d == 't' || d == 'r')) {
        if (d == 'n') out += '\n';
        if (d == 't') out += '\t';
        i += 2;  // a literal \r before \n is dropped
        continue;
      }
      out.append(s.substr(i, 2));
      i += 2;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

std::string full_unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    switch (const char d = s[i + 1]) {
      case 'n': out += '\n'; ++i; break;
      case 't': out += '\t'; ++i; break;
      case 'r': ++i; break;
      case '"': case '\'': case '\\': case '/': out += d; ++i; break;
      default: out += '\\';  // \d and friends stay as they are
    }
  }
  return out;
}

std::string dedent(std::string_view s) {
  std::vector<std::string_view> lines = split_lines(s);
  std::optional<std::string_view> common;
  for (std::string_view line : lines) {
    if (trim(line).empty()) continue;
    std::size_t k = 0;
    while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) ++k;
    std::string_view indent = line.substr(0, k);
    if (!common) {
      common = indent;
    } else {
      std::size_t m = 0;
      while (m < common->size() && m < indent.size() && (*common)[m] == indent[m]) ++m;
      common = common->substr(0, m);
    }
  }
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (common && line.size() >= common->size() && line.substr(0, common->size()) == *common)
      line.remove_prefix(common->size());
    else
      line = trim(line).empty() ? std::string_view{} : line;
    out.append(line);
    if (i + 1 < lines.size()) out += '\n';
  }
  return out;
}

}  // namespace

std::string_view to_string(SourceFix fix) {
  switch (fix) {
    case SourceFix::none: return "none";
    case SourceFix::newlines_in_strings: return "newlines_in_strings";
    case SourceFix::code_newlines: return "code_newlines";
    case SourceFix::full_unescape: return "full_unescape";
  }
  return "unknown";
}

std::string normalise_source(std::string_view raw) {
  // Not strip_code_fence: trimming would hide the first line's indentation from dedent.
  std::string_view body = fenced_body(raw).value_or(raw);
  // Drop leading blank lines (not the first line's indentation) and trailing whitespace.
  while (!body.empty()) {
    std::size_t nl = body.find('\n');
    if (nl == std::string_view::npos || !trim(body.substr(0, nl)).empty()) break;
    body.remove_prefix(nl + 1);
  }
  while (!body.empty() && is_ascii_space(body.back())) body.remove_suffix(1);
  std::string out;
  out.reserve(body.size());
  for (char c : body) {
    if (c == '\b') out += "\\b";
    else out += c;
  }
  if (!out.empty() && (out[0] == ' ' || out[0] == '\t')) out = dedent(out);
  return out;
}

ChosenSource choose_source(std::string_view raw, const CompileCheck& compiles) {
  std::string base = normalise_source(raw);
  Findings found;
  walk(base, Mode::analyse, found);

  std::vector<ChosenSource> candidates;
  candidates.push_back({base, SourceFix::none});
  if (found.newline_in_short_string) {
    Findings ignored;
    candidates.push_back({walk(base, Mode::newlines_in_strings, ignored), SourceFix::newlines_in_strings});
  }
  if (found.code_newline) {
    Findings ignored;
    candidates.push_back({walk(base, Mode::code_newlines, ignored), SourceFix::code_newlines});
  }
  if (found.code_newline || found.code_quote)
    candidates.push_back({full_unescape(base), SourceFix::full_unescape});

  // One candidate is the answer whatever the check says: ask the (costly) check only to choose.
  if (candidates.size() == 1) return std::move(candidates.front());
  if (compiles) {
    for (ChosenSource& c : candidates)
      if (compiles(c.source)) return std::move(c);
    return std::move(candidates.front());
  }
  auto pick = [&](SourceFix fix) {
    for (ChosenSource& c : candidates)
      if (c.fix == fix) return std::move(c);
    return std::move(candidates.front());
  };
  if (found.code_quote) return pick(SourceFix::full_unescape);
  if (found.code_newline) return pick(SourceFix::code_newlines);
  if (found.newline_in_short_string) return pick(SourceFix::newlines_in_strings);
  return std::move(candidates.front());
}

}  // namespace autoif::parse
