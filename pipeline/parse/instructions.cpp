#include "pipeline/parse/instructions.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "pipeline/parse/json_extract.h"
#include "pipeline/parse/text.h"

namespace autoif::parse {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// Removes one list marker at the front; true if there was one.
bool strip_marker(std::string_view& t) {
  static constexpr std::array<std::string_view, 7> spaced = {"- ", "* ", "+ ", "– ", "— ", "· ", "• "};
  for (std::string_view b : spaced)
    if (starts_with(t, b)) {
      t = trim(t.substr(b.size()));
      return true;
    }
  if (starts_with(t, "•")) {
    t = trim(t.substr(std::string_view("•").size()));
    return true;
  }
  std::size_t i = 0;
  bool paren = false, hash = false;
  if (i < t.size() && t[i] == '(') paren = true, ++i;
  else if (i < t.size() && t[i] == '#') hash = true, ++i;
  std::size_t digits = i;
  while (i < t.size() && is_ascii_digit(t[i])) ++i;
  if (i == digits || i - digits > 4) return false;
  if (paren) {
    if (i >= t.size() || t[i] != ')') return false;
    ++i;
  } else {
    std::size_t k = i;
    while (k < t.size() && t[k] == ' ') ++k;
    if (k < t.size() && (t[k] == '.' || t[k] == ')' || t[k] == ']' || t[k] == ':' || t[k] == '-') &&
        (k == i || t[k] == '-')) {
      i = k + 1;
    } else if (!hash) {
      return false;
    }
  }
  if (i < t.size() && !is_ascii_space(t[i])) return false;
  t = trim(t.substr(i));
  return true;
}

std::string remove_all(std::string_view s, std::string_view what) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    std::size_t k = s.find(what, pos);
    out.append(s.substr(pos, k == std::string_view::npos ? std::string_view::npos : k - pos));
    if (k == std::string_view::npos) return out;
    pos = k + what.size();
  }
}

// "Instruction:", "Instruction 3:", "New instruction #2 -" at the front.
bool strip_label(std::string_view& t) {
  std::string_view rest = t;
  if (istarts_with(rest, "new ")) rest = trim(rest.substr(4));
  if (!istarts_with(rest, "instruction")) return false;
  rest.remove_prefix(std::string_view("instruction").size());
  std::size_t i = 0;
  while (i < rest.size() && rest[i] == ' ') ++i;
  if (i < rest.size() && rest[i] == '#') ++i;
  while (i < rest.size() && is_ascii_digit(rest[i])) ++i;
  while (i < rest.size() && rest[i] == ' ') ++i;
  if (i >= rest.size() || (rest[i] != ':' && rest[i] != '-' && rest[i] != '.' && rest[i] != ')'))
    return false;
  t = trim(rest.substr(i + 1));
  return true;
}

std::size_t word_count(std::string_view t) {
  std::size_t words = 0;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (!is_ascii_space(t[i]) && (i == 0 || is_ascii_space(t[i - 1]))) ++words;
  return words;
}

// "**Word limit**: Your response..." / "**Word limit:** Your response...": a bold category
// name in front of the instruction. Only bold lead-ins of a few words count, so that plain
// instructions containing a colon stay whole.
bool strip_bold_label(std::string_view& t) {
  if (!starts_with(t, "**")) return false;
  const std::size_t close = t.find("**", 2);
  if (close == std::string_view::npos) return false;
  std::string_view label = trim(t.substr(2, close - 2));
  std::string_view after = t.substr(close + 2);
  if (!label.empty() && label.back() == ':') {
    label.remove_suffix(1);
  } else if (!after.empty() && after.front() == ':') {
    after.remove_prefix(1);
  } else {
    return false;
  }
  const std::size_t words = word_count(label);
  if (words == 0 || words > 4 || trim(after).empty()) return false;
  t = trim(after);
  return true;
}

bool is_rule(std::string_view t) {
  if (t.size() < 3) return false;
  for (char c : t)
    if (c != '-' && c != '*' && c != '_' && c != '=' && c != ' ') return false;
  return true;
}

bool is_fence_line(std::string_view t) { return starts_with(t, "```") || starts_with(t, "~~~"); }

bool has_letter(std::string_view t) {
  for (char c : t)
    if (is_ascii_alpha(c) || static_cast<unsigned char>(c) >= 0x80) return true;
  return false;
}

bool is_chatter(std::string_view t) {
  static constexpr std::array<std::string_view, 24> openers = {
      "here are", "here is", "here's", "sure", "certainly", "below are", "below is",
      "the following", "i hope", "i've", "i have", "let me know", "feel free", "these instructions",
      "these are", "this list", "note:", "okay", "of course", "absolutely", "great", "happy to",
      "hope this", "in summary"};
  for (std::string_view o : openers) {
    if (!istarts_with(t, o)) continue;
    if (t.size() == o.size() || !is_ascii_alpha(t[o.size()])) return true;
  }
  return false;
}

// Lines of a JSON array of strings (or of {"instruction": ...} objects), if the answer is one;
// other items are counted in `skipped`.
std::optional<std::vector<std::string>> json_list(std::string_view text, std::size_t& skipped) {
  std::vector<std::string_view> bodies;
  for (const Fence& f : find_fences(text)) bodies.push_back(trim(f.content));
  bodies.push_back(trim(text));
  for (std::string_view body : bodies) {
    if (body.empty() || body.front() != '[') continue;
    auto parsed = parse_json_lenient(body);
    if (!parsed || !parsed->value.is_array() || parsed->value.empty()) continue;
    std::vector<std::string> lines;
    std::size_t other = 0;
    for (const nlohmann::json& item : parsed->value) {
      if (item.is_string()) lines.push_back(item.get<std::string>());
      else if (item.is_object() && item.contains("instruction") && item["instruction"].is_string())
        lines.push_back(item["instruction"].get<std::string>());
      else ++other;
    }
    if (lines.empty()) continue;
    skipped = other;
    return lines;
  }
  return std::nullopt;
}

}  // namespace

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

std::string strip_enclosing_quotes(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> pairs = {{
      {"\"", "\""}, {"'", "'"}, {"“", "”"}, {"‘", "’"}, {"«", "»"}, {"`", "`"}}};
  std::string_view t = trim(text);
  for (bool changed = true; changed;) {
    changed = false;
    for (auto [open, close] : pairs) {
      if (t.size() < open.size() + close.size() || !starts_with(t, open)) continue;
      std::string_view body = t.substr(open.size());
      if (ends_with(body, ",") || ends_with(body, ".")) {
        if (ends_with(body.substr(0, body.size() - 1), close)) body.remove_suffix(1);
      }
      if (!ends_with(body, close)) continue;
      std::string_view inner = body.substr(0, body.size() - close.size());
      // `"Yes" or "No"`: the first inner quote closes rather than opens, so these quotes do
      // not enclose the whole text.
      std::size_t q = inner.find(close);
      if (open == close && q != std::string_view::npos && q > 0 && !is_ascii_space(inner[q - 1]))
        continue;
      t = trim(inner);
      changed = true;
      break;
    }
  }
  return std::string(t);
}

CleanLine clean_instruction_line(std::string_view line) {
  CleanLine out;
  std::string current(trim(line));
  for (int round = 0; round < 4; ++round) {
    std::string_view t = current;
    bool changed = false;
    while (strip_marker(t)) out.had_marker = changed = true;
    if (strip_bold_label(t)) changed = true;
    std::string unbolded = remove_all(t, "**");
    if (unbolded.size() != t.size()) changed = true;
    t = unbolded;
    t = trim(t);
    if (t.size() >= 4 && starts_with(t, "__") && ends_with(t, "__")) t = t.substr(2, t.size() - 4), changed = true;
    if (t.size() >= 2 && t.front() == '*' && t.back() == '*') t = t.substr(1, t.size() - 2), changed = true;
    if (strip_label(t)) changed = true;
    std::string next = strip_enclosing_quotes(t);
    if (next != t) changed = true;
    current = std::move(next);
    if (!changed) break;
  }
  out.text = std::string(trim(current));
  return out;
}

InstructionList parse_instruction_list(std::string_view answer, const InstructionListOptions& options) {
  const std::string_view text = strip_reasoning(answer);
  InstructionList result;

  auto keep = [&](const std::string& s) {
    const std::size_t len = utf8_length(s);
    if (len < options.min_chars || len > options.max_chars) ++result.dropped_length;
    else result.instructions.push_back(s);
  };

  std::size_t skipped = 0;
  if (auto items = json_list(text, skipped)) {
    result.dropped_prose = skipped;
    for (const std::string& item : *items) {
      CleanLine c = clean_instruction_line(item);
      if (!has_letter(c.text)) ++result.dropped_prose;
      else keep(c.text);
    }
    return result;
  }

  struct Line {
    std::string_view text;  // trimmed
    std::size_t indent;
    bool marked;
  };
  std::vector<Line> lines;
  bool any_marked = false;
  std::size_t marked_indent = std::string_view::npos;  // the least indentation of a list item
  for (std::string_view line : split_lines(text)) {
    std::string_view t = trim(line);
    if (t.empty() || is_fence_line(t)) continue;
    std::size_t indent = 0;
    while (indent < line.size() && (line[indent] == ' ' || line[indent] == '\t')) ++indent;
    std::string_view probe = t;
    const bool marked = strip_marker(probe);
    if (marked) {
      any_marked = true;
      marked_indent = std::min(marked_indent, indent);
    }
    lines.push_back({t, indent, marked});
  }
  // Sub-items under a heading item ("1. **Length:**") are the instructions; sub-items under an
  // instruction ("7. Use bullet points like:") are its examples.
  // A heading item with sub-items is itself prose.
  auto is_sub_item = [&](const Line& line) { return line.marked && line.indent > marked_indent + 1; };
  bool parent_is_heading = true;
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const Line& line = lines[n];
    std::string_view t = line.text;
    if (is_sub_item(line)) {
      if (!parent_is_heading) {
        ++result.dropped_prose;
        continue;
      }
    } else if (line.marked) {
      const std::string parent = clean_instruction_line(t).text;
      const std::size_t words = word_count(parent);
      parent_is_heading = words <= 3 || (!parent.empty() && parent.back() == ':' && words <= 5);
      if (parent_is_heading && n + 1 < lines.size() && is_sub_item(lines[n + 1])) {
        ++result.dropped_prose;
        continue;
      }
    }
    std::string_view probe = t;
    if (t.front() == '#' && !strip_marker(probe)) {  // "#1 ..." is a marker, "## Title" is not
      ++result.dropped_prose;
      continue;
    }
    if (is_rule(t)) continue;
    CleanLine c = clean_instruction_line(t);
    const std::string_view body = c.text;
    if (!has_letter(body) || body.back() == ':' || (!c.had_marker && (any_marked || is_chatter(body)))) {
      ++result.dropped_prose;
      continue;
    }
    keep(c.text);
  }
  return result;
}

}  // namespace autoif::parse
