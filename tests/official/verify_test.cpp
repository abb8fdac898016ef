// `autoif verify` row logic and file streaming with the real sandbox.
#include "pipeline/official/verify_rows.h"
#include "support.h"

using namespace autoif::official;
using namespace official_test;

namespace {

// One eval_func entry. (A braced {source, score} would read as a JSON object.)
Row fn(const std::string& source, double score) { return Row::array({source, score}); }

const std::string kLowercase = "def evaluate(response):\n    return response == response.lower()";
const std::string kNoExclamation =
    "def _has(text, ch):\n    return ch in text\n\ndef evaluate(response):\n    return not _has(response, '!')";
const std::string kBroken = "def evaluate(response) return True";
const std::string kLoopsOnExclamation =
    "def evaluate(response):\n    while response.endswith('!'):\n        pass\n    return True";
const std::string kNotABool = "def evaluate(response):\n    return len(response)";
const std::string kRaises = "def evaluate(response):\n    return response.split()[5] == 'x'";

Row haiku_row() {
  return Row{{"prompt", "Write a haiku about a pond."},
             {"gpt-answer", {"a quiet pond", "A Quiet Pond!", "wow!"}},
             {"instruction", "Use only lowercase letters."},
             {"eval_func",
              Row::array({fn(kLowercase, 1.0), fn(kNoExclamation, 0.9), fn(kBroken, 1.0),
                          fn(kLoopsOnExclamation, 1.0), fn(kNotABool, 0.8)})},
             {"id", 3}};
}

}  // namespace

TEST_CASE("verify gives each response the fraction of functions that returned True") {
  auto input = read_verify_row(haiku_row());
  REQUIRE(input);
  VerifyRowResult result = verify_row(shared_pool(), *input, test_limits());
  // "a quiet pond": lowercase, no '!', loop returns True; broken and non-bool never pass.
  // "A Quiet Pond!": nothing passes (the loop times out). "wow!": only lowercase passes.
  CHECK(result.pass_rates == std::vector<double>{3.0 / 5, 0.0, 1.0 / 5});
  CHECK(result.row["response"] == Row::array({Row::array({"a quiet pond", 3.0 / 5}),
                                              Row::array({"A Quiet Pond!", 0.0}),
                                              Row::array({"wow!", 1.0 / 5})}));
  CHECK(result.counts.functions == 5);
  CHECK(result.counts.functions_not_compiled == 1);
  CHECK(result.counts.responses == 3);
  CHECK(result.counts.responses_passing == 1);  // only 0.6 is above 0.5
  CHECK(result.counts.evaluations == 12);       // four compiled functions, three responses
  CHECK(result.counts.evaluation_errors == 5);  // two timeouts, three non-bools
}

TEST_CASE("verify replaces gpt-answer in place and keeps every other field and its order") {
  VerifyRowResult result = verify_row(shared_pool(), *read_verify_row(haiku_row()), test_limits());
  CHECK(keys(result.row) ==
        std::vector<std::string>{"prompt", "response", "instruction", "eval_func", "id"});
  CHECK(result.row["eval_func"] == haiku_row()["eval_func"]);
  CHECK(result.row["prompt"] == "Write a haiku about a pond.");
  CHECK(result.row["id"] == 3);
}

TEST_CASE("verify counts a function listed twice twice, and an exception as not passing") {
  Row row{{"eval_func", Row::array({fn(kLowercase, 1), kLowercase, fn(kRaises, 1)})},
          {"gpt-answer", {"one two three four five x", "UPPER"}}};
  auto input = read_verify_row(row);
  REQUIRE(input);
  VerifyRowResult result = verify_row(shared_pool(), *input, test_limits());
  CHECK(result.pass_rates == std::vector<double>{3.0 / 3, 0.0});
  CHECK(result.counts.evaluation_errors == 1);  // "UPPER" has no sixth word
}

TEST_CASE("verify without functions gives every response 0 and says so") {
  Row row{{"eval_func", Row::array()}, {"gpt-answer", {"a", "b"}}};
  VerifyRowResult result = verify_row(shared_pool(), *read_verify_row(row), test_limits());
  CHECK(result.pass_rates == std::vector<double>{0.0, 0.0});
  CHECK(result.counts.rows_without_functions == 1);
}

TEST_CASE("verify rows with the wrong shape are rejected with the field and what it held") {
  CHECK(read_verify_row(Row{{"gpt-answer", {"a"}}}).error() == "missing field \"eval_func\"");
  CHECK(read_verify_row(Row{{"eval_func", "def evaluate(r): return True"}, {"gpt-answer", {"a"}}})
            .error() == "field \"eval_func\" must be a list of [source, score], got a string");
  CHECK(read_verify_row(Row{{"eval_func", Row::array({fn(kLowercase, 1), Row::array({3, 1})})}, {"gpt-answer", {"a"}}}).error() ==
        "field \"eval_func\"[1] must be [source, score] with a string source, got a number");
  CHECK(read_verify_row(Row{{"eval_func", Row::array({fn(kLowercase, 1)})}}).error() == "missing field \"gpt-answer\"");
  CHECK(read_verify_row(Row{{"eval_func", Row::array({fn(kLowercase, 1)})}, {"gpt-answer", {1}}}).error() ==
        "field \"gpt-answer\"[0] must be a string, got a number");
}

TEST_CASE("verify streams a file: every good row in input order, bad rows skipped by line") {
  ScratchDir dir;
  std::string in = dir.file("responses.jsonl");
  std::string text;
  // The first row is the slowest (two timeouts); the rest must still come after it.
  text += haiku_row().dump() + "\n";
  for (int id = 10; id < 16; ++id)
    text += Row{{"id", id}, {"eval_func", Row::array({fn(kLowercase, 1.0)})}, {"gpt-answer", {"ok", "NO"}}}.dump() + "\n";
  text += "\n";
  text += Row{{"id", 99}, {"gpt-answer", {"no functions field"}}}.dump() + "\n";
  write_text(in, text);

  RecordingSink warnings;
  auto summary = verify_file(shared_pool(), in, dir.file("scored.jsonl"), test_limits(),
                             {false, 3, warnings.sink()});
  REQUIRE(summary);
  auto rows = read_rows(dir.file("scored.jsonl"));
  REQUIRE(rows.size() == 7);
  CHECK(rows[0]["id"] == 3);
  for (int i = 1; i < 7; ++i) {
    CHECK(rows[i]["id"] == 9 + i);
    CHECK(rows[i]["response"] == Row::array({Row::array({"ok", 1.0}), Row::array({"NO", 0.0})}));
  }
  CHECK(summary->stream.rows_skipped == 1);
  CHECK(summary->counts.rows == 7);
  CHECK(warnings.messages ==
        std::vector<std::string>{in + ":9: missing field \"eval_func\"; row skipped"});
}
