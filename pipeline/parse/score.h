// Reading a quality-score answer (AUTOIF.md stage 9): the supervisor rates an (instruction,
// query, response) triple from 0 to 10 and ends with a line such as "Score: 9".
//
// Recognised: "Score: 9", "score = 8.5", "Score - 7", "score of 8", "Score is 9",
// "**Score:** 9", "**Score: 9**", "Final score: 9/10", "Score (0-10): 8", "Rating: [[8]]", with text
// after the number on the same line or on later lines. "x/d" and "x out of d" are rescaled to
// the range when d differs from its top ("4/5" -> 8); "x%" likewise. Every match in the answer
// is read and the last one wins (models restate and correct themselves), except that a score
// stated at the start of a line ("Score: 9", "Final score: 9") outranks one inside a sentence
// ("...a score of 10 would need more detail"). With no "score" or "rating" at all, a last line
// that is only a number ("9", "**9/10**") is taken.
//
// Contract: pure; never throws.
#pragma once

#include <optional>
#include <string_view>

namespace autoif::parse {

struct ScoreOptions {
  double min = 0.0;
  double max = 10.0;
};

enum class ScoreStatus { ok, no_score, out_of_range };
std::string_view to_string(ScoreStatus status);

struct ScoreAnswer {
  ScoreStatus status = ScoreStatus::no_score;
  std::optional<double> score;  // set iff status == ok
  std::optional<double> raw;    // the last value read, also when out of range (diagnostics)
};

ScoreAnswer parse_quality_score(std::string_view answer, const ScoreOptions& options = {});

}  // namespace autoif::parse
