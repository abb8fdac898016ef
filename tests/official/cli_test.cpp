// The two commands through their flags, as a user runs them: thresholds at their boundaries,
// --strict, flag errors. The handlers start their own pool with the worker next to this
// test binary (see CMakeLists.txt).
#include "answers.h"
#include "pipeline/cli/commands.h"
#include "support.h"

using namespace autoif::official;
using namespace official_test;

namespace {

int run(const autoif::cli::Command& command, std::vector<std::string> args) {
  args.insert(args.end(), {"--workers", "1", "--timeout-ms", "300"});
  return command.run(args);
}

// Cross-validates the lowercase row with extra flags; the kept row, or null when dropped.
Row crossval_with(std::vector<std::string> flags) {
  ScratchDir dir;
  write_text(dir.file("in.jsonl"),
             jsonl({{{"instruction", "lowercase"}, {"gpt-answer", lowercase_answers()}}}));
  std::vector<std::string> args{"--in", dir.file("in.jsonl"), "--out", dir.file("out.jsonl")};
  args.insert(args.end(), flags.begin(), flags.end());
  REQUIRE(run(autoif::cli::crossval_command(), args) == 0);
  auto rows = read_rows(dir.file("out.jsonl"));
  REQUIRE(rows.size() <= 1);
  return rows.empty() ? Row() : rows[0];
}

std::vector<std::string> kept_inputs(const Row& row) {
  std::vector<std::string> out;
  for (const auto& c : row["cases"]) out.push_back(c[0].get<std::string>());
  return out;
}

std::vector<double> accuracies(const Row& row) {
  std::vector<double> out;
  for (const auto& f : row["eval_func"]) out.push_back(f[1].get<double>());
  return out;
}

}  // namespace

TEST_CASE("crossval --case-threshold keeps a case only when MORE than that share agrees") {
  // "wow!" is right for exactly 2 of the 4 compiled functions.
  CHECK(kept_inputs(crossval_with({"--case-threshold", "0.5"})) ==
        std::vector<std::string>{"hello world", "Hello World", "HELLO"});
  CHECK(kept_inputs(crossval_with({"--case-threshold=0.49"})) ==
        std::vector<std::string>{"hello world", "Hello World", "wow!", "HELLO"});
}

TEST_CASE("crossval --function-threshold keeps a function only above it, exactly 0.75 is not") {
  // With "wow!" kept, the looping function gets 3 of the 4 kept cases right.
  CHECK(accuracies(crossval_with({"--case-threshold", "0.49", "--function-threshold", "0.75"})) ==
        std::vector<double>{1.0, 1.0});
  Row row = crossval_with({"--case-threshold", "0.49", "--function-threshold", "0.74"});
  CHECK(accuracies(row) == std::vector<double>{1.0, 1.0, 0.75});
  CHECK(row["eval_func"][2][0] == kLoopingSource);
}

TEST_CASE("crossval --min-functions and --min-cases are inclusive minimums") {
  // The row keeps 3 functions and 3 cases with the default thresholds.
  CHECK_FALSE(crossval_with({"--min-functions", "3", "--min-cases", "3"}).is_null());
  CHECK(crossval_with({"--min-functions", "4"}).is_null());
  CHECK(crossval_with({"--min-cases", "4"}).is_null());
}

TEST_CASE("crossval --strict fails on the first bad line with FILE:LINE and writes nothing") {
  ScratchDir dir;
  write_text(dir.file("in.jsonl"),
             jsonl({{{"instruction", "lowercase"}, {"gpt-answer", {kHelperAnswer}}}}) +
                 "{\"instruction\": \"x\"}\n");
  std::vector<std::string> args{"--in", dir.file("in.jsonl"), "--out", dir.file("out.jsonl")};
  CHECK(run(autoif::cli::crossval_command(), args) == 0);
  CHECK(read_rows(dir.file("out.jsonl")).size() == 1);

  std::filesystem::remove(dir.file("out.jsonl"));
  args.push_back("--strict");
  CHECK(run(autoif::cli::crossval_command(), args) == 1);
  CHECK(dir.names() == std::vector<std::string>{"in.jsonl"});
}

TEST_CASE("crossval and verify reject bad flags naming the flag") {
  auto crossval = autoif::cli::crossval_command();
  CHECK_THROWS_WITH(run(crossval, {"--in", "a", "--out", "b", "--case-threshold", "1.5"}),
                    Catch::Contains("--case-threshold"));
  CHECK_THROWS_WITH(run(crossval, {"--in", "a", "--out", "b", "--min-cases", "many"}),
                    Catch::Contains("--min-cases"));
  CHECK_THROWS_WITH(run(crossval, {"--out", "b"}), Catch::Contains("--in"));
  CHECK_THROWS_WITH(run(autoif::cli::verify_command(), {"--in", "a", "--out", "b", "--bogus"}),
                    Catch::Contains("--bogus"));
}

TEST_CASE("a missing input file fails the command and names the file") {
  ScratchDir dir;
  CHECK(run(autoif::cli::verify_command(), {"--in", dir.file("none.jsonl"), "--out", dir.file("o.jsonl")}) == 1);
  CHECK(dir.names().empty());
}

TEST_CASE("verify through the command writes pass rates in response order") {
  ScratchDir dir;
  write_text(dir.file("in.jsonl"),
             jsonl({{{"prompt", "p"},
                     {"gpt-answer", {"ABC", "abc", "abc!"}},
                     {"eval_func",
                      Row::array({Row::array({"def evaluate(r):\n    return r.islower()", 1.0}),
                                  Row::array({"def evaluate(r):\n    return '!' not in r", 1.0})})}}}));
  REQUIRE(run(autoif::cli::verify_command(), {"--in", dir.file("in.jsonl"), "--out", dir.file("out.jsonl")}) == 0);
  auto rows = read_rows(dir.file("out.jsonl"));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["response"] == Row::array({Row::array({"ABC", 0.5}), Row::array({"abc", 1.0}),
                                           Row::array({"abc!", 0.5})}));
  CHECK(keys(rows[0]) == std::vector<std::string>{"prompt", "response", "eval_func"});
}
