#include <catch2/catch.hpp>

#include "pipeline/core/crossval.h"
#include "pipeline/core/selection.h"

using namespace autoif::core;

namespace {
Candidate cand(std::size_t order, std::string text, double pass, std::optional<double> score = std::nullopt,
               bool truncated = false) {
  return Candidate{order, std::move(text), pass, score, truncated};
}

CrossvalInput matrix(std::vector<std::vector<bool>> rows) {
  CrossvalInput input;
  input.cases = rows.empty() ? 0 : rows[0].size();
  input.right = std::move(rows);
  return input;
}
}  // namespace

TEST_CASE("crossval keeps a case only when more than half of the compiled functions agree") {
  // 4 functions; case 0: 3 right (kept), case 1: exactly 2 of 4 (0.5, not more: dropped),
  // case 2: 1 right (dropped).
  auto out = cross_validate(matrix({{true, true, false}, {true, true, false}, {true, false, false}, {false, false, true}}));
  CHECK(out.case_kept == std::vector<bool>{true, false, false});
  CHECK(out.kept_cases == 1);
}

TEST_CASE("crossval keeps a function only when it gets more than half of the kept cases right") {
  // 3 functions, 4 cases all kept by majority; function accuracies 4/4, 2/4 (exactly 0.5), 3/4.
  auto out = cross_validate(matrix({{true, true, true, true}, {true, true, false, false}, {true, false, true, true}}));
  REQUIRE(out.case_kept == std::vector<bool>{true, true, true, true});
  CHECK(out.function_kept == std::vector<bool>{true, false, true});
  CHECK(out.accuracy[0] == Approx(1.0));
  CHECK(out.accuracy[1] == Approx(0.5));
  CHECK(out.accuracy[2] == Approx(0.75));
  CHECK(out.survives);
}

TEST_CASE("crossval measures function accuracy on kept cases only") {
  // Case 2 is rejected by the majority; function 2 is right only there and on case 0.
  auto out = cross_validate(matrix({{true, true, false}, {true, true, false}, {true, false, true}}));
  REQUIRE(out.case_kept == std::vector<bool>{true, true, false});
  CHECK(out.accuracy[2] == Approx(0.5));
  CHECK_FALSE(out.function_kept[2]);
}

TEST_CASE("crossval drops an instruction without a kept function or a kept case") {
  CHECK_FALSE(cross_validate(matrix({})).survives);
  CHECK_FALSE(cross_validate(matrix({{false, false}, {false, false}})).survives);
  CrossvalInput no_cases;
  no_cases.right = {{}, {}};
  CHECK_FALSE(cross_validate(no_cases).survives);
}

TEST_CASE("crossval honours the released scripts' stricter settings") {
  CrossvalOptions strict{0.5, 0.8, 3, 10};
  std::vector<std::vector<bool>> rows(3, std::vector<bool>(10, true));
  CHECK(cross_validate(matrix(rows), strict).survives);
  rows.pop_back();  // only two functions left
  CHECK_FALSE(cross_validate(matrix(rows), strict).survives);
  std::vector<std::vector<bool>> nine(3, std::vector<bool>(9, true));
  CHECK_FALSE(cross_validate(matrix(nine), strict).survives);  // nine cases < 10
}

TEST_CASE("fractions equal to a decimal threshold are not more than it") {
  CHECK_FALSE(more_than(1, 2, 0.5));
  CHECK(more_than(2, 3, 0.5));
  CHECK_FALSE(more_than(7, 10, 0.7));
  CHECK(more_than(8, 10, 0.7));
  CHECK_FALSE(more_than(4, 5, 0.8));
  CHECK_FALSE(more_than(3, 0, 0.0));
}

TEST_CASE("SFT keeps responses that pass more than half the functions and score at least 8") {
  std::vector<Candidate> c{cand(0, "a", 1.0, 9), cand(1, "b", 0.5, 10), cand(2, "c", 0.75, 7.5),
                           cand(3, "d", 0.75, 8), cand(4, "e", 1.0, std::nullopt), cand(5, "f", 1.0, 10.0, true)};
  CHECK(select_sft(c, {}) == std::vector<std::size_t>{0, 3});
}

TEST_CASE("query-level pairs take chosen at pass rate 0.5 or more and rejected at 0") {
  std::vector<Candidate> c{cand(0, "r0", 0.0), cand(1, "c-half", 0.5), cand(2, "mid", 0.25),
                           cand(3, "c-full", 1.0, 9), cand(4, "r1", 0.0)};
  auto pairs = select_pairs(c, {});
  // Best chosen first (c-full), paired with distinct rejected first.
  REQUIRE(pairs.size() == 4);
  CHECK(pairs[0] == PairChoice{3, 0});
  CHECK(pairs[1] == PairChoice{1, 4});
  CHECK(pairs[2] == PairChoice{3, 4});
  CHECK(pairs[3] == PairChoice{1, 0});
}

TEST_CASE("pairs respect the cap, strictness, identical texts and input order") {
  std::vector<Candidate> c{cand(0, "same", 1.0), cand(1, "same", 0.0), cand(2, "x", 0.5), cand(3, "y", 0.0)};
  PairOptions options;
  options.max_pairs = 10;
  auto pairs = select_pairs(c, options);
  CHECK(std::find(pairs.begin(), pairs.end(), PairChoice{0, 1}) == pairs.end());
  options.chosen_strict = true;  // instruction level: pass rate above 0.5
  for (const auto& pair : select_pairs(c, options)) CHECK(pair.chosen == 0);
  options.max_pairs = 1;
  CHECK(select_pairs(c, options).size() == 1);
  options.max_pairs = 0;
  CHECK(select_pairs(c, options).empty());
  auto reversed = c;
  std::reverse(reversed.begin(), reversed.end());
  PairOptions defaults;
  auto forward = select_pairs(c, defaults);
  auto backward = select_pairs(reversed, defaults);
  REQUIRE(forward.size() == backward.size());
  for (std::size_t i = 0; i < forward.size(); ++i) {
    CHECK(c[forward[i].chosen].text == reversed[backward[i].chosen].text);
    CHECK(c[forward[i].rejected].text == reversed[backward[i].rejected].text);
  }
}
