// `autoif crossval` row logic and file streaming with the real sandbox.
#include "answers.h"
#include "pipeline/official/crossval_rows.h"
#include "support.h"

using namespace autoif::official;
using namespace official_test;

namespace {

CrossvalSettings settings() {
  CrossvalSettings s;
  s.limits = test_limits();
  return s;
}

CrossvalInputRow lowercase_row() {
  Row row{{"instruction", "Respond using only lowercase letters."},
          {"gpt-answer", lowercase_answers()}};
  auto input = read_crossval_row(row);
  REQUIRE(input);
  return *input;
}

Row kept_lowercase_functions() {
  return Row::array({Row::array({kHelperSource, 1.0}), Row::array({kRepairedSource, 1.0}),
                     Row::array({kLoopingSource, 1.0})});
}

Row kept_lowercase_cases() {
  return Row::array({Row::array({"hello world", true}), Row::array({"Hello World", false}),
                     Row::array({"HELLO", false})});
}

}  // namespace

TEST_CASE("crossval keeps the functions and cases most compiled functions agree on") {
  CrossvalRowResult result = crossval_row(shared_pool(), lowercase_row(), settings());
  REQUIRE(result.row);
  CHECK((*result.row)["eval_func"] == kept_lowercase_functions());
  CHECK((*result.row)["cases"] == kept_lowercase_cases());

  const CrossvalCounts& c = result.counts;
  CHECK(c.answers == 8);
  CHECK(c.answers_unparsable == 1);      // the refusal
  CHECK(c.unreadable_cases == 1);        // "maybe"
  CHECK(c.functions == 6);               // F1 twice is one function
  CHECK(c.functions_not_compiled == 2);  // missing module, syntax error
  CHECK(c.functions_kept == 3);
  CHECK(c.cases == 5);                   // "hello world" given three times is one case
  CHECK(c.cases_dropped == 2);
  CHECK(c.cases_kept == 3);
  CHECK(c.rows_kept == 1);
}

TEST_CASE("crossval replaces gpt-answer in place and passes every other field through") {
  Row row{{"id", 7},
          {"instruction", "Respond using only lowercase letters."},
          {"gpt-answer", lowercase_answers()},
          {"meta", {{"source", "seed"}, {"round", 2}}}};
  auto input = read_crossval_row(row);
  REQUIRE(input);
  CrossvalRowResult result = crossval_row(shared_pool(), *input, settings());
  REQUIRE(result.row);
  CHECK(keys(*result.row) == std::vector<std::string>{"id", "instruction", "eval_func", "cases", "meta"});
  CHECK((*result.row)["id"] == 7);
  CHECK((*result.row)["meta"] == Row{{"source", "seed"}, {"round", 2}});
}

TEST_CASE("crossval drops an instruction with no compiled function or no agreed case") {
  SECTION("nothing compiles") {
    Row row{{"instruction", "x"}, {"gpt-answer", {kBrokenAnswer, kMissingModuleAnswer, kRefusalAnswer}}};
    auto result = crossval_row(shared_pool(), *read_crossval_row(row), settings());
    CHECK_FALSE(result.row);
    CHECK(result.counts.functions_not_compiled == 2);
    CHECK(result.counts.answers_unparsable == 1);
    CHECK(result.counts.rows_kept == 0);
  }
  SECTION("two functions that disagree on every case") {
    // F2 (lowercase) and F6 (uppercase): each case is right for exactly one of the two.
    Row row{{"instruction", "x"}, {"gpt-answer", {kDoubleEscapedAnswer, kWrongAnswer}}};
    auto result = crossval_row(shared_pool(), *read_crossval_row(row), settings());
    CHECK_FALSE(result.row);
    CHECK(result.counts.cases == 2);
    CHECK(result.counts.cases_dropped == 2);
  }
  SECTION("no answer at all") {
    Row row{{"instruction", "x"}, {"gpt-answer", Row::array()}};
    auto result = crossval_row(shared_pool(), *read_crossval_row(row), settings());
    CHECK_FALSE(result.row);
    CHECK(result.counts.answers == 0);
  }
}

TEST_CASE("crossval rows with the wrong shape are rejected with the field and what it held") {
  CHECK(read_crossval_row(Row::array()).error() == "a row must be a JSON object, got a list");
  CHECK(read_crossval_row(Row{{"gpt-answer", Row::array()}}).error() ==
        "missing field \"instruction\"");
  CHECK(read_crossval_row(Row{{"instruction", 3}, {"gpt-answer", Row::array()}}).error() ==
        "field \"instruction\" must be a string, got a number");
  CHECK(read_crossval_row(Row{{"instruction", "x"}}).error() == "missing field \"gpt-answer\"");
  CHECK(read_crossval_row(Row{{"instruction", "x"}, {"gpt-answer", "one answer"}}).error() ==
        "field \"gpt-answer\" must be a list of strings, got a string");
  CHECK(read_crossval_row(Row{{"instruction", "x"}, {"gpt-answer", {"a", nullptr}}}).error() ==
        "field \"gpt-answer\"[1] must be a string, got null");
}

TEST_CASE("crossval streams a file: surviving rows in input order, bad rows skipped by line") {
  ScratchDir dir;
  std::string in = dir.file("answers.jsonl");
  std::string text;
  text += Row{{"id", "slow"}, {"instruction", "lowercase"}, {"gpt-answer", lowercase_answers()}}.dump() + "\n";
  text += Row{{"id", "dropped"}, {"instruction", "x"}, {"gpt-answer", {kBrokenAnswer}}}.dump() + "\n";
  text += "{\"id\": \"cut\", \"instruction\": \"x\", \"gpt-answ\n";
  text += Row{{"id", "fast"}, {"instruction", "lowercase"}, {"gpt-answer", {kHelperAnswer}}}.dump() + "\n";
  text += Row{{"id", "typed"}, {"instruction", "x"}, {"gpt-answer", 5}}.dump() + "\n";
  write_text(in, text);

  RecordingSink warnings;
  auto summary = crossval_file(shared_pool(), in, dir.file("kept.jsonl"), settings(),
                               {false, 4, warnings.sink()});
  REQUIRE(summary);
  auto rows = read_rows(dir.file("kept.jsonl"));
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["id"] == "slow");
  CHECK(rows[0]["eval_func"] == kept_lowercase_functions());
  CHECK(rows[1]["id"] == "fast");
  CHECK(rows[1]["eval_func"] == Row::array({Row::array({kHelperSource, 1.0})}));
  CHECK(rows[1]["cases"] ==
        Row::array({Row::array({"hello world", true}), Row::array({"Hello World", false})}));

  CHECK(summary->stream.rows_in == 5);
  CHECK(summary->stream.rows_out == 2);
  CHECK(summary->stream.rows_skipped == 2);
  CHECK(summary->counts.rows == 3);
  CHECK(summary->counts.rows_kept == 2);
  CHECK(summary->counts.functions_not_compiled == 3);
  REQUIRE(warnings.messages.size() == 2);
  CHECK_THAT(warnings.messages[0], Catch::StartsWith(in + ":3: not valid JSON"));
  CHECK(warnings.messages[1] ==
        in + ":5: field \"gpt-answer\" must be a list of strings, got a number; row skipped");
}
