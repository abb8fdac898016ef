// Quality-score answers: the many ways models write "Score: 9".
#include <catch2/catch.hpp>

#include "pipeline/parse/score.h"

using autoif::parse::parse_quality_score;
using autoif::parse::ScoreOptions;
using autoif::parse::ScoreStatus;

namespace {
double score(std::string_view answer) {
  auto r = parse_quality_score(answer);
  REQUIRE(r.status == ScoreStatus::ok);
  REQUIRE(r.score);
  return *r.score;
}
}  // namespace

TEST_CASE("score: a plain last line") {
  CHECK(score("The response answers the query and uses only lowercase letters.\n\nScore: 9") == 9.0);
}

TEST_CASE("score: markdown, fractions, decimals and other separators") {
  CHECK(score("**Score:** 8") == 8.0);
  CHECK(score("**Score: 7**") == 7.0);
  CHECK(score("Score: **10**") == 10.0);
  CHECK(score("Score: 9/10") == 9.0);
  CHECK(score("Score: 9 / 10") == 9.0);
  CHECK(score("score = 8.5") == 8.5);
  CHECK(score("Final Score - 6") == 6.0);
  CHECK(score("I would give this response a score of 8 out of 10.") == 8.0);
  CHECK(score("The score is 7.") == 7.0);
  CHECK(score("### Score\n9") == 9.0);
  CHECK(score("Score (0-10): 8") == 8.0);
  CHECK(score("Rating: 9/10") == 9.0);
  CHECK(score("SCORE:9") == 9.0);
  CHECK(score("Rating: [[8]]") == 8.0);
  CHECK(score("Score: [9]") == 9.0);
  CHECK(score("Score: 7\r\n") == 7.0);
}

TEST_CASE("score: other scales are rescaled to 0..10") {
  CHECK(score("Score: 4/5") == 8.0);
  CHECK(score("Score: 85/100") == Approx(8.5));
  CHECK(score("Score: 90%") == Approx(9.0));
}

TEST_CASE("score: text after the score on the same line and on later lines") {
  CHECK(score("Score: 9 (the response follows both the query and the instruction)") == 9.0);
  CHECK(score("Score: 8\n\nThe response is good, but slightly verbose.\nOverall a solid answer.") == 8.0);
}

TEST_CASE("score: the last score in the answer wins") {
  CHECK(score("My first impression was Score: 4.\nOn reflection the format is right.\nScore: 9") == 9.0);
  CHECK(score("Score: 9\n...wait, the instruction asked for three bullets and there are four.\nCorrected score: 3") == 3.0);
}

TEST_CASE("score: a score stated at a line start outranks a later one inside a sentence") {
  CHECK(score("Score: 8\n\nA score of 10 would need the answer to also cite a source.") == 8.0);
  CHECK(score("**Final score:** 9\nIt could reach a score of 10 with a shorter intro.") == 9.0);
  CHECK(score("I considered a score of 5, but I would give it a score of 7.") == 7.0);
}

TEST_CASE("score: a bare number on the last line counts when no score is named") {
  CHECK(score("The response is relevant and follows the instruction.\n\n9") == 9.0);
  CHECK(score("Good answer.\n**8/10**") == 8.0);
  CHECK(parse_quality_score("It has 3 paragraphs and follows the rule.\nI think it deserves praise.").status ==
        ScoreStatus::no_score);
}

TEST_CASE("score: out of range is an error, the range ends are not") {
  CHECK(score("Score: 0") == 0.0);
  CHECK(score("Score: 10") == 10.0);
  auto high = parse_quality_score("Score: 11");
  CHECK(high.status == ScoreStatus::out_of_range);
  CHECK_FALSE(high.score);
  CHECK(high.raw == 11.0);
  CHECK(parse_quality_score("Score: 10.5").status == ScoreStatus::out_of_range);
  CHECK(parse_quality_score("Score: -1").status == ScoreStatus::out_of_range);
  CHECK(parse_quality_score("Score: 12/10").status == ScoreStatus::out_of_range);
}

TEST_CASE("score: a configured range is honoured") {
  ScoreOptions five;
  five.min = 1;
  five.max = 5;
  auto r = parse_quality_score("Score: 4/5", five);
  REQUIRE(r.status == ScoreStatus::ok);
  CHECK(*r.score == 4.0);
  CHECK(parse_quality_score("Score: 9", five).status == ScoreStatus::out_of_range);
  CHECK(parse_quality_score("Score: 0", five).status == ScoreStatus::out_of_range);
}

TEST_CASE("score: no score at all") {
  CHECK(parse_quality_score("").status == ScoreStatus::no_score);
  CHECK(parse_quality_score("The score depends on many things.").status == ScoreStatus::no_score);
  CHECK(parse_quality_score("Score: N/A").status == ScoreStatus::no_score);
}

TEST_CASE("score: scores inside a reasoning block are ignored") {
  CHECK(score("<think>Maybe Score: 3? No, it is fine.</think>\nScore: 8") == 8.0);
  CHECK(parse_quality_score("<think>Score: 3</think>\nThe answer is acceptable.").status == ScoreStatus::no_score);
}
