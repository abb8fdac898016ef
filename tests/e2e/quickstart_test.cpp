// The quickstart end to end (issue 4): `autoif run` on examples/quickstart/autoif.toml against
// `autoif stub-llm` replaying examples/quickstart/cassette.jsonl over loopback HTTP. The
// expected numbers below are the funnel of that cassette; regenerating it
// (scripts/make-quickstart-cassette) with different answers means updating them here.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/e2e/e2e_support.h"

namespace autoif::e2e {
namespace {

using json = nlohmann::json;

const std::string kLower = "Write your entire answer in lowercase letters; no capital letters are allowed.";
const std::string kCommas = "Do not use any commas in your answer.";
const std::string kOneWord = "Answer with exactly one word.";
// Dropped on the way: no usable verifier, failed cross-validation, contradicted by its
// back-translation, near duplicate.
const std::vector<std::string> kDropped{
    "Write your answer in Spanish.", "Include a URL in your answer that starts with http:// or https://.",
    "Write at least five sentences in your reply.", "Write the entire response in capital letters only."};

// The integers of the funnel line whose first word is `label`.
std::vector<long> funnel_line(const std::string& out, const std::string& label) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first != label) continue;
    std::vector<long> numbers;
    static const std::regex number("[0-9]+");
    for (std::sregex_iterator it(line.begin(), line.end(), number), end; it != end; ++it)
      numbers.push_back(std::stol(it->str()));
    return numbers;
  }
  FAIL("no funnel line '" << label << "' in:\n" << out);
  return {};
}

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

std::vector<json> rows(const fs::path& path) {
  std::vector<json> parsed;
  for (const auto& line : read_lines(path)) parsed.push_back(json::parse(line));
  return parsed;
}

struct QuickstartRun {
  TempDir dir;
  RunResult result;
  explicit QuickstartRun(const std::vector<std::string>& extra = {}) {
    Stub stub(quickstart_cassette(), dir.path());
    result = run_to_end(run_args(dir / "run.db", dir / "out", stub.base_url(), extra), dir.path());
    stub.stop();
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
  }
};

}  // namespace

TEST_CASE("e2e quickstart: a run over real HTTP against the stub gives the expected funnel") {
  QuickstartRun run;
  const auto& out = run.result.out;
  CHECK(funnel_line(out, "instructions") == std::vector<long>{6, 8, 1});
  CHECK(funnel_line(out, "verifiers") == std::vector<long>{47, 45, 40, 105, 93});
  CHECK(funnel_line(out, "cross-valid.") == std::vector<long>{11, 1, 1});
  CHECK(funnel_line(out, "back-transl.") == std::vector<long>{1, 10});
  CHECK(funnel_line(out, "queries") == std::vector<long>{20});
  CHECK(funnel_line(out, "responses") == std::vector<long>{80, 41, 39});
  CHECK(funnel_line(out, "datasets") == std::vector<long>{29, 74, 40});
  CHECK(read_lines(run.dir / "out/sft.jsonl").size() == 29);
  CHECK(read_lines(run.dir / "out/dpo.jsonl").size() == 114);
}

TEST_CASE("e2e quickstart: the exports hold only verified, well-scored, complete answers of kept instructions") {
  QuickstartRun run;
  auto sft = rows(run.dir / "out/sft.jsonl");
  auto dpo = rows(run.dir / "out/dpo.jsonl");
  REQUIRE(sft.size() == 29);
  REQUIRE(dpo.size() == 114);

  std::size_t lower_rows = 0, comma_rows = 0;
  for (const auto& row : sft) {
    REQUIRE(row["messages"].size() == 2);
    CHECK(row["messages"][0]["role"] == "user");
    CHECK(row["messages"][1]["role"] == "assistant");
    std::string prompt = row["messages"][0]["content"], answer = row["messages"][1]["content"];
    for (const auto& dropped : kDropped) CHECK_FALSE(ends_with(prompt, dropped));
    CHECK_FALSE(ends_with(prompt, kOneWord));  // one-word answers follow the rule but score 2 to 4
    if (ends_with(prompt, kLower)) {
      ++lower_rows;
      std::string lowered = answer;
      for (auto& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      CHECK(answer == lowered);
    }
    if (ends_with(prompt, kCommas)) {
      ++comma_rows;
      CHECK(answer.find(',') == std::string::npos);
      CHECK(ends_with(answer, "."));  // the answers cut by max_tokens are not trained on
    }
  }
  CHECK(lower_rows > 0);
  CHECK(comma_rows > 0);

  std::size_t query_pairs = 0, one_word_pairs = 0;
  for (const auto& row : dpo) {
    REQUIRE(row["prompt"].is_string());
    REQUIRE(row["chosen"].is_string());
    REQUIRE(row["rejected"].is_string());
    CHECK(row["chosen"] != row["rejected"]);
    std::string prompt = row["prompt"];
    for (const auto& dropped : kDropped) CHECK_FALSE(ends_with(prompt, dropped));
    if (prompt.find("\n\n") != std::string::npos) ++query_pairs;
    if (ends_with(prompt, "\n\n" + kOneWord)) ++one_word_pairs;
  }
  CHECK(query_pairs == 74);
  CHECK(one_word_pairs > 0);  // pairs are about the instruction, not the quality score

  // An instruction-level pair from test cases; the case most functions disagreed with
  // ("good morning. I am fine." as lowercase) never becomes a chosen answer.
  auto text = read_file(run.dir / "out/dpo.jsonl");
  CHECK(text.find(R"({"prompt":")" + kLower + R"(","chosen":"hello world","rejected":"Hello World"})") !=
        std::string::npos);
  CHECK(text.find("good morning. I am fine.") == std::string::npos);
}

TEST_CASE("e2e quickstart: two runs from scratch, one sample per request and less concurrency in the second, "
          "give byte-identical exports") {
  QuickstartRun first;
  QuickstartRun second({"--set", "llm.n_per_request=off", "--set", "llm.max_in_flight=3", "--set",
                        "sandbox.workers=1"});
  CHECK(read_file(first.dir / "out/sft.jsonl") == read_file(second.dir / "out/sft.jsonl"));
  CHECK(read_file(first.dir / "out/dpo.jsonl") == read_file(second.dir / "out/dpo.jsonl"));
}

TEST_CASE("e2e quickstart: a finished run run again sends no request, and finishes with the model server gone") {
  QuickstartRun run;
  Stub stub(quickstart_cassette(), run.dir.path());
  auto again = run_to_end(run_args(run.dir / "run.db", run.dir / "again", stub.base_url()), run.dir.path());
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(stub.stop() == 0);  // the stub's served count did not move
  CHECK(again.err.find(" 0 requests sent") != std::string::npos);
  CHECK(read_file(run.dir / "again/sft.jsonl") == read_file(run.dir / "out/sft.jsonl"));
  CHECK(read_file(run.dir / "again/dpo.jsonl") == read_file(run.dir / "out/dpo.jsonl"));

  // Nothing listens on the stopped stub's port any more.
  auto gone = run_to_end(run_args(run.dir / "run.db", run.dir / "gone", stub.base_url()), run.dir.path());
  INFO(gone.err);
  REQUIRE(gone.exit_code == 0);
  CHECK(read_file(run.dir / "gone/sft.jsonl") == read_file(run.dir / "out/sft.jsonl"));
}

TEST_CASE("e2e quickstart: a request the cassette does not hold stops the run with the stub's message") {
  TempDir dir;
  Stub stub(quickstart_cassette(), dir.path());
  // Asking for five instructions per round changes the augmentation prompt.
  auto result = run_to_end(run_args(dir / "run.db", dir / "out", stub.base_url(), {"--set", "augment.per_round=5"}),
                           dir.path(), 60s);
  stub.stop();
  INFO(result.err);
  CHECK(result.exit_code != 0);
  CHECK(result.err.find("no cassette entry for this request") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "out/sft.jsonl"));
}

}  // namespace autoif::e2e
