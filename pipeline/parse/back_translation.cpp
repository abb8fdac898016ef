#include "pipeline/parse/back_translation.h"

#include <array>
#include <vector>

#include "pipeline/parse/instructions.h"
#include "pipeline/parse/json_extract.h"
#include "pipeline/parse/text.h"

namespace autoif::parse {
namespace {

bool is_chatter_line(std::string_view t) {
  static constexpr std::array<std::string_view, 9> openers = {
      "sure", "certainly", "here is", "here's", "here are", "of course", "okay", "absolutely", "below is"};
  for (std::string_view o : openers)
    if (istarts_with(t, o) && (t.size() == o.size() || !is_ascii_alpha(t[o.size()]))) return true;
  return false;
}

// "**Back-translated instruction:** text" -> (true, "text"); the label names the instruction
// in at most twelve words ("Based on the function, the instruction would be: ...").
bool split_label(std::string_view line, std::string_view& rest) {
  std::string plain;
  for (char c : line)
    if (c != '*' && c != '#') plain += c;
  std::string_view t = trim(plain);
  std::size_t colon = t.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view label = t.substr(0, colon);
  if (to_lower_ascii(label).find("instruction") == std::string::npos) return false;
  std::size_t words = 0;
  for (std::size_t i = 0; i < label.size(); ++i)
    if (!is_ascii_space(label[i]) && (i == 0 || is_ascii_space(label[i - 1]))) ++words;
  if (words > 12) return false;
  // Map the colon back into the original line (only '*' and '#' were removed).
  std::size_t seen = 0, k = 0;
  const std::size_t target = static_cast<std::size_t>(label.data() - plain.data()) + colon;
  for (; k < line.size(); ++k) {
    if (line[k] == '*' || line[k] == '#') continue;
    if (seen++ == target) break;
  }
  rest = trim(line.substr(k + 1));
  return true;
}

std::vector<std::vector<std::string_view>> paragraphs(std::string_view text) {
  std::vector<std::vector<std::string_view>> out(1);
  for (std::string_view line : split_lines(text)) {
    std::string_view t = trim(line);
    if (t.empty()) {
      if (!out.back().empty()) out.emplace_back();
    } else {
      out.back().push_back(t);
    }
  }
  if (out.back().empty()) out.pop_back();
  return out;
}

std::string finish(std::string_view raw) {
  std::string joined;
  for (std::string_view line : split_lines(raw)) {
    std::string_view t = trim(line);
    while (!t.empty() && t.front() == '>') t = trim(t.substr(1));  // Markdown block quote
    if (t.empty()) continue;
    if (!joined.empty()) joined += ' ';
    joined += t;
  }
  std::string prev;
  std::string current = clean_instruction_line(joined).text;
  while (current != prev) {
    prev = current;
    current = clean_instruction_line(strip_enclosing_quotes(current)).text;
  }
  return current;
}

bool is_code_tag(std::string_view info) {
  return iequals(info, "python") || iequals(info, "py") || iequals(info, "json");
}

std::string from_text(std::string_view text) {
  for (const JsonCandidate& c : extract_json_objects(text)) {
    auto it = c.value.find("instruction");
    if (it != c.value.end() && it->is_string()) return it->get<std::string>();
  }
  // A labelled answer, with the text on the label's line or in the paragraph after it.
  const std::vector<std::vector<std::string_view>> paras = paragraphs(text);
  for (std::size_t p = 0; p < paras.size(); ++p) {
    for (std::size_t l = 0; l < paras[p].size(); ++l) {
      std::string_view rest;
      if (!split_label(paras[p][l], rest)) continue;
      if (!rest.empty()) return std::string(rest);
      std::string tail;
      if (l + 1 < paras[p].size()) {
        for (std::size_t k = l + 1; k < paras[p].size(); ++k) tail.append(paras[p][k]).append("\n");
      } else if (p + 1 < paras.size()) {
        for (std::string_view line : paras[p + 1]) tail.append(line).append("\n");
      }
      if (!trim(tail).empty() && !trim(tail).starts_with("```")) return tail;
    }
  }
  for (const Fence& f : find_fences(text))
    if (!is_code_tag(f.info) && !trim(f.content).empty()) return std::string(f.content);
  for (const auto& para : paras) {
    if (para.size() == 1 && (para[0].back() == ':' || is_chatter_line(para[0]))) continue;
    if (para.front().starts_with("```")) continue;
    std::string joined;
    for (std::string_view line : para) {
      if (joined.empty() && (line.back() == ':' || is_chatter_line(line))) continue;
      joined.append(line).append("\n");
    }
    if (!trim(joined).empty()) return joined;
  }
  return {};
}

// Words as lower-case ASCII letter runs (apostrophes kept inside: "isn't"), with the text
// between a word and the next one so that "label: X" can be recognised.
struct Word {
  std::string text;
  std::string_view gap_after;
};

std::vector<Word> words_of(std::string_view s) {
  std::vector<Word> out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t b = i;
    while (i < s.size() && (is_ascii_alpha(s[i]) || (i > b && s[i] == '\'' && i + 1 < s.size() &&
                                                         is_ascii_alpha(s[i + 1]))))
      ++i;
    if (i > b) {
      std::size_t g = i;
      while (g < s.size() && !is_ascii_alpha(s[g])) ++g;
      out.push_back({to_lower_ascii(s.substr(b, i - b)), s.substr(i, g - i)});
      i = g;
    } else {
      ++i;  // text before the first word
    }
  }
  return out;
}

std::optional<NliLabel> label_word(std::string_view w) {
  static constexpr std::array<std::string_view, 6> ent = {"entail", "entails", "entailed", "entailing",
                                                          "entailment", "entailments"};
  static constexpr std::array<std::string_view, 2> neu = {"neutral", "neutrality"};
  static constexpr std::array<std::string_view, 7> con = {"contradict", "contradicts", "contradicted",
                                                          "contradicting", "contradiction",
                                                          "contradictions", "contradictory"};
  for (auto x : ent) if (w == x) return NliLabel::entailment;
  for (auto x : neu) if (w == x) return NliLabel::neutral;
  for (auto x : con) if (w == x) return NliLabel::contradiction;
  return std::nullopt;
}

bool is_negator(std::string_view w) {
  // "isn", "doesn"...: what is left of "isn’t" written with a typographic apostrophe.
  static constexpr std::array<std::string_view, 21> neg = {
      "not", "no", "non", "never", "nor", "neither", "without", "isn't", "doesn't", "don't",
      "aren't", "wasn't", "cannot", "can't", "lacks", "nothing", "isn", "doesn", "don", "aren",
      "wasn"};
  for (auto x : neg) if (w == x) return true;
  return false;
}

bool is_key(std::string_view w) {
  static constexpr std::array<std::string_view, 11> keys = {
      "label", "answer", "relationship", "relation", "verdict", "classification", "judgement",
      "judgment", "prediction", "result", "output"};
  for (auto x : keys) if (w == x) return true;
  return false;
}

}  // namespace

std::string_view to_string(NliLabel label) {
  switch (label) {
    case NliLabel::entailment: return "entailment";
    case NliLabel::neutral: return "neutral";
    case NliLabel::contradiction: return "contradiction";
  }
  return "unknown";
}

BackTranslation extract_back_translation(std::string_view answer) {
  std::string text = finish(from_text(trim(strip_reasoning(answer))));
  if (text.empty()) return {};
  return {BackTranslationStatus::ok, std::move(text)};
}

NliAnswer parse_nli_label(std::string_view answer) {
  const std::vector<Word> words = words_of(strip_reasoning(answer));
  std::optional<NliLabel> explicit_label;
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    if (!is_key(words[i].text)) continue;
    std::size_t j = i + 1;
    if (words[i].gap_after.find(':') == std::string_view::npos) {
      if (words[j].text != "is" || j + 1 >= words.size()) continue;
      ++j;
    }
    if (auto l = label_word(words[j].text)) explicit_label = l;  // the last one is the final word
  }
  if (explicit_label) return {NliStatus::ok, explicit_label};
  for (std::size_t i = 0; i < words.size(); ++i) {
    auto l = label_word(words[i].text);
    if (!l) continue;
    bool negated = (i >= 1 && is_negator(words[i - 1].text)) || (i >= 2 && is_negator(words[i - 2].text));
    if (!negated) return {NliStatus::ok, l};
  }
  return {};
}

}  // namespace autoif::parse
