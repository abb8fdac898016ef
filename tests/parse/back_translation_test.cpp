// Back-translation and NLI answers in the forms models give them.
#include <catch2/catch.hpp>

#include "pipeline/parse/back_translation.h"

using autoif::parse::BackTranslationStatus;
using autoif::parse::extract_back_translation;
using autoif::parse::NliLabel;
using autoif::parse::NliStatus;
using autoif::parse::parse_nli_label;

namespace {
std::string bt(std::string_view answer) {
  auto r = extract_back_translation(answer);
  return r.status == BackTranslationStatus::ok ? r.instruction : "<empty>";
}
NliLabel label(std::string_view answer) {
  auto r = parse_nli_label(answer);
  REQUIRE(r.status == NliStatus::ok);
  REQUIRE(r.label);
  return *r.label;
}
}  // namespace

TEST_CASE("back-translation: a bare instruction is taken as is") {
  CHECK(bt("Respond using only lowercase letters.\n") == "Respond using only lowercase letters.");
}

TEST_CASE("back-translation: preambles and quotes are removed") {
  CHECK(bt("Here is the instruction:\n\n\"Write your entire response in lowercase letters.\"") ==
        "Write your entire response in lowercase letters.");
  CHECK(bt("Sure! Based on the function, the instruction would be:\n“Use no more than 100 words.”") ==
        "Use no more than 100 words.");
}

TEST_CASE("back-translation: a labelled answer gives the text after the label") {
  CHECK(bt("**Instruction:** Your answer must end with a question mark.") ==
        "Your answer must end with a question mark.");
  CHECK(bt("Back-translated instruction: Include at least three bullet points.\n\nExplanation: the "
           "function counts lines starting with '-'.") == "Include at least three bullet points.");
  CHECK(bt("### Instruction\nThe function checks words.\n\nInstruction:\n\n'Avoid using any digits.'") ==
        "Avoid using any digits.");
}

TEST_CASE("back-translation: a long preamble label and a block quote") {
  CHECK(bt("Based on the provided function, the instruction would be: \"Ensure that your response "
           "contains no more than 3 sentences.\"") == "Ensure that your response contains no more than 3 sentences.");
  CHECK(bt("> Respond with a title wrapped in double angular brackets.") ==
        "Respond with a title wrapped in double angular brackets.");
}

TEST_CASE("back-translation: only the first paragraph after the preamble is kept") {
  CHECK(bt("Sure.\n\nAnswer with exactly two paragraphs separated by a blank line.\n\nThis instruction "
           "corresponds to a function that splits on blank lines.") ==
        "Answer with exactly two paragraphs separated by a blank line.");
}

TEST_CASE("back-translation: a fenced instruction and a JSON instruction are read") {
  CHECK(bt("The instruction is below.\n```\nDo not use any commas in your response.\n```") ==
        "Do not use any commas in your response.");
  CHECK(bt("```json\n{\"instruction\": \"Respond in fewer than 20 words.\"}\n```") ==
        "Respond in fewer than 20 words.");
}

TEST_CASE("back-translation: a reasoning block is skipped and an empty answer reported") {
  CHECK(bt("<think>The function checks isupper().</think>\nWrite your whole response in capital letters.") ==
        "Write your whole response in capital letters.");
  CHECK(bt("") == "<empty>");
  CHECK(bt("  \n```\n```\n") == "<empty>");
}

TEST_CASE("nli: bare labels in any case and with decoration") {
  CHECK(label("entailment") == NliLabel::entailment);
  CHECK(label("Neutral.") == NliLabel::neutral);
  CHECK(label("**CONTRADICTION**") == NliLabel::contradiction);
  CHECK(label("\"Entailment\"\n") == NliLabel::entailment);
}

TEST_CASE("nli: inflected label words in sentences") {
  CHECK(label("The hypothesis contradicts the premise.") == NliLabel::contradiction);
  CHECK(label("The premise entails the hypothesis, since both require lowercase.") == NliLabel::entailment);
  CHECK(label("These two are contradictory.") == NliLabel::contradiction);
  CHECK(label("The hypothesis is entailed by the premise.") == NliLabel::entailment);
}

TEST_CASE("nli: an explicit label wins over words earlier in the reasoning") {
  CHECK(label("At first glance this looks like entailment, but the word limits differ (50 vs 100).\n"
              "Label: contradiction") == NliLabel::contradiction);
  CHECK(label("{\"label\": \"neutral\"}") == NliLabel::neutral);
  CHECK(label("Final answer: **Entailment**") == NliLabel::entailment);
  CHECK(label("The relationship is neutral, not a contradiction.") == NliLabel::neutral);
}

TEST_CASE("nli: negated label words are skipped") {
  CHECK(label("There is no contradiction here; the premise entails the hypothesis.") == NliLabel::entailment);
  CHECK(label("This is not entailment. It is neutral.") == NliLabel::neutral);
  CHECK(label("The hypothesis doesn't contradict the premise; it is neutral.") == NliLabel::neutral);
  CHECK(label("It isn\xe2\x80\x99t entailment; it is a contradiction.") == NliLabel::contradiction);
}

TEST_CASE("nli: no label word means unknown") {
  CHECK(parse_nli_label("I cannot determine the relationship.").status == NliStatus::unknown);
  CHECK(parse_nli_label("").status == NliStatus::unknown);
  CHECK(parse_nli_label("The answer neutralizes the claim.").status == NliStatus::unknown);
  CHECK_FALSE(parse_nli_label("Not entailment.").label);
}

TEST_CASE("nli: a label inside a reasoning block does not count") {
  CHECK(label("<think>maybe entailment? no...</think>Contradiction") == NliLabel::contradiction);
}
