// Reading back-translation and NLI answers (AUTOIF.md stage 5).
//
// Back-translation: the model was asked to state, as one instruction, what a verification
// function checks. The text is taken from, in order: a JSON object's "instruction" value; the
// text after a label such as "Instruction:" or "**Back-translated instruction:**" (on the same
// line or the next paragraph); a fenced block that is not code; otherwise the first paragraph
// left after preambles ("Here is the instruction:", "Sure!") are dropped. Quotes, bold, a
// block-quote '>' and a list marker around the result are removed.
//
// NLI: one of entailment / neutral / contradiction, found case-insensitively as a whole word in
// free text, with their inflections (entails, entailed, contradicts, contradictory...). An
// explicit "label: X" / "answer: X" / "relationship: X" wins; otherwise the first label word
// not negated by one of the two words before it ("not", "no", "isn't", "non-"...) counts.
//
// Contract: pure; never throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace autoif::parse {

enum class BackTranslationStatus { ok, empty };

struct BackTranslation {
  BackTranslationStatus status = BackTranslationStatus::empty;
  std::string instruction;  // empty unless ok
};

BackTranslation extract_back_translation(std::string_view answer);

enum class NliLabel { entailment, neutral, contradiction };
std::string_view to_string(NliLabel label);

enum class NliStatus { ok, unknown };

struct NliAnswer {
  NliStatus status = NliStatus::unknown;
  std::optional<NliLabel> label;  // set iff status == ok
};

NliAnswer parse_nli_label(std::string_view answer);

}  // namespace autoif::parse
