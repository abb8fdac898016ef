// Every reader against damaged and degenerate answers: no exception, no crash, bounded work,
// and results that keep their documented shape.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "instruction_corpus.h"
#include "pipeline/parse/back_translation.h"
#include "pipeline/parse/dedup.h"
#include "pipeline/parse/instructions.h"
#include "pipeline/parse/json_extract.h"
#include "pipeline/parse/score.h"
#include "pipeline/parse/verifier.h"

using namespace autoif::parse;
using autoif::parse::testing::SplitMix;

namespace {

const std::vector<std::string> kAnswers = {
    "Sure!\n```json\n{\"func\": \"import re\\ndef evaluate(response):\\n    return re.search(r'\\d', response) is None\", "
    "\"cases\": [{\"input\": \"It\\'s 5\", \"output\": \"False\"}, {\"input\": \"none\", \"output\": True}]}\n```\nDone.",
    "```python\ndef evaluate(response):\n    return response.count('{') == 2\n```\n{\"cases\": [[\"{a}{b}\", true]]}",
    "1. Answer in lowercase.\n2) **Use no commas.**\n- \"Wrap it in quotes.\"\nHere are more:",
    "<think>draft {\"func\": 1}</think>**Score:** 9/10\nLabel: contradiction\nInstruction: Use three bullet points.",
    "{'func': '''def evaluate(r):\n    return \"\\\\n\" in r''', 'cases': [{'input': 'a\\nb', 'output': True},]}",
};

// Deterministic damage: drop, duplicate or overwrite bytes with the characters the readers
// care about (quotes, braces, backslashes, fence ticks, line breaks, stray UTF-8 bytes).
std::string mutate(const std::string& s, SplitMix& rng) {
  static const std::string specials = "\"'{}[]\\`\n:,#/*\x80\xe2\x28";
  std::string out = s;
  const std::size_t edits = 1 + rng.below(6);
  for (std::size_t e = 0; e < edits && !out.empty(); ++e) {
    const std::size_t at = rng.below(out.size());
    switch (rng.below(4)) {
      case 0: out.erase(at, 1 + rng.below(3)); break;
      case 1: out.insert(at, out.substr(at, 1 + rng.below(8))); break;
      case 2: out[at] = specials[rng.below(specials.size())]; break;
      default: out.resize(at); break;  // truncation, as with max_tokens
    }
  }
  return out;
}

void check_all_readers(const std::string& answer) {
  std::vector<JsonCandidate> found;
  REQUIRE_NOTHROW(found = extract_json_objects(answer));
  for (const JsonCandidate& c : found) {
    REQUIRE(c.value.is_object());
    REQUIRE(c.offset < answer.size());
    REQUIRE(answer[c.offset] == '{');
  }
  VerifierAnswer v;
  REQUIRE_NOTHROW(v = parse_verifier_answer(answer));
  if (v.status == VerifierStatus::ok) REQUIRE_FALSE(v.cases.empty());
  if (v.status == VerifierStatus::no_json || v.status == VerifierStatus::no_func) REQUIRE(v.func.empty());
  InstructionList list;
  REQUIRE_NOTHROW(list = parse_instruction_list(answer));
  for (const std::string& line : list.instructions) REQUIRE(utf8_length(line) >= 10);
  REQUIRE_NOTHROW(extract_back_translation(answer));
  NliAnswer nli;
  REQUIRE_NOTHROW(nli = parse_nli_label(answer));
  REQUIRE((nli.status == NliStatus::ok) == nli.label.has_value());
  ScoreAnswer score;
  REQUIRE_NOTHROW(score = parse_quality_score(answer));
  if (score.score) REQUIRE((*score.score >= 0.0 && *score.score <= 10.0));
  REQUIRE_NOTHROW(Deduplicator().add(answer));
}

}  // namespace

TEST_CASE("robustness: every reader survives thousands of damaged answers") {
  SplitMix rng(2024);
  for (int round = 0; round < 3000; ++round) {
    const std::string& base = kAnswers[rng.below(kAnswers.size())];
    check_all_readers(mutate(base, rng));
  }
}

TEST_CASE("robustness: random bytes and empty input") {
  SplitMix rng(99);
  check_all_readers("");
  for (int round = 0; round < 300; ++round) {
    std::string bytes(rng.below(400), '\0');
    for (char& c : bytes) c = static_cast<char>(rng.below(256));
    check_all_readers(bytes);
  }
}

TEST_CASE("robustness: a model looping on braces still yields the object after the loop") {
  std::string answer;
  for (int i = 0; i < 50000; ++i) answer += "{a";
  answer += "\n{\"func\": \"def evaluate(r):\\n    return True\", \"cases\": [{\"input\": \"x\", \"output\": true}]}";
  auto v = parse_verifier_answer(answer);
  CHECK(v.status == VerifierStatus::ok);
  std::string opens(100000, '{');
  CHECK(extract_json_objects(opens + "{\"a\": 1}").size() == 1);
}

TEST_CASE("robustness: degenerate quote-brace loops end with well-formed results") {
  std::string answer;
  for (int i = 0; i < 20000; ++i) answer += "{\"a";
  answer += "}";
  std::vector<JsonCandidate> found;
  REQUIRE_NOTHROW(found = extract_json_objects(answer));
  for (const JsonCandidate& c : found) CHECK(c.value.is_object());
}

TEST_CASE("robustness: deeply nested JSON is read without exhausting the stack") {
  const std::string deep = "{\"func\": \"def evaluate(r): return True\", \"cases\": [{\"input\": \"a\", \"output\": true}], \"x\": " +
                           std::string(100000, '[') + std::string(100000, ']') + "}";
  auto v = parse_verifier_answer(deep);
  CHECK(v.status == VerifierStatus::ok);
}
