// `autoif export` itself: flags, the summary on stderr, the thresholds a run stored, and what
// people will do wrong (a run that produced nothing yet, a wrong database file).
#include <catch2/catch.hpp>

#include "tests/export/fixture.h"

using namespace autoif;
using namespace autoif::testing;
using namespace autoif::testing::fixture;

namespace {

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("autoif export prints one summary line: rows written per file and rows dropped per filter") {
  TempDir dir;
  build_run(dir / "run.db");
  auto result = run_export_command(
      {"--db", dir / "run.db", "--format", "trl-sft", "--out", dir / "sft.jsonl", "--split", "train:0.5,test:0.5"});
  INFO(result.err);
  REQUIRE(result.status == 0);
  auto train = read_rows(dir / "sft.train.jsonl").size(), test = read_rows(dir / "sft.test.jsonl").size();
  CHECK(train + test == 3);
  CHECK(result.err == "export: wrote " + std::to_string(train) + (train == 1 ? " row" : " rows") + " to " +
                          dir / "sft.train.jsonl" + ", " + std::to_string(test) + (test == 1 ? " row" : " rows") +
                          " to " + dir / "sft.test.jsonl" +
                          "; dropped: 1 instruction no longer kept, 1 cut at max_tokens, 4 pass rate <= 0.5, "
                          "2 score below 8 or unscored\n");
}

TEST_CASE("a plain autoif export applies the thresholds the run was started with and flags override them") {
  TempDir dir;
  build_run(dir / "run.db", /*stored_min_score=*/9.0);
  auto result = run_export_command({"--db", dir / "run.db", "--format", "alpaca-sft", "--out", dir / "a.jsonl"});
  INFO(result.err);
  REQUIRE(result.status == 0);
  CHECK(read_rows(dir / "a.jsonl").size() == 2);  // the score-8 answer is out
  CHECK(has(result.err, "score below 9 or unscored"));
  result = run_export_command(
      {"--db", dir / "run.db", "--format", "alpaca-sft", "--out", dir / "a.jsonl", "--min-score", "8"});
  REQUIRE(result.status == 0);
  CHECK(read_rows(dir / "a.jsonl").size() == 3);
}

TEST_CASE("autoif export on a run that has produced nothing yet writes an empty file and says what is missing") {
  TempDir dir;
  build_empty_run(dir / "run.db");
  for (const std::string format : {"trl-sft", "trl-dpo", "rlvr", "verifiers"}) {
    auto out = dir / (format + ".jsonl");
    auto result = run_export_command({"--db", dir / "run.db", "--format", format, "--out", out});
    INFO(format << ": " << result.err);
    CHECK(result.status == 0);
    REQUIRE(fs::exists(out));
    CHECK(fs::file_size(out) == 0);
    CHECK(has(result.err, "export: wrote 0 rows to " + out));
    CHECK(has(result.err, "export: nothing to write: the run has no kept instructions yet"));
    CHECK(has(result.err, "the run may still be going"));
  }
}

TEST_CASE("the note on an empty export names the first thing the run has not produced") {
  TempDir dir;
  build_run(dir / "run.db");
  exports::ExportRequest r;
  r.out = dir / "out.jsonl";
  r.run.source = "nobody";  // a source with no responses
  r.format = exports::Format::trl_sft;
  auto summary = export_or_fail(dir / "run.db", r);
  CHECK(summary.rows() == 0);
  CHECK(has(summary.note, "no responses from the nobody model yet"));
  r.run.source = "supervisor";
  r.min_score = 11;
  summary = export_or_fail(dir / "run.db", r);
  CHECK(summary.rows() == 0);
  CHECK(summary.note == "every candidate row was dropped by the filters listed above");
}

TEST_CASE("autoif export names the file when the database is missing or not an autoif database") {
  TempDir dir;
  auto missing = run_export_command({"--db", dir / "nope.db", "--format", "trl-sft", "--out", dir / "o.jsonl"});
  CHECK(missing.status == 2);
  CHECK(has(missing.err, dir / "nope.db" + ": no such database file"));
  CHECK_FALSE(fs::exists(dir / "nope.db"));

  write_text(dir / "notes.txt", "these are not the rows you are looking for\n");
  auto text = run_export_command({"--db", dir / "notes.txt", "--format", "trl-sft", "--out", dir / "o.jsonl"});
  CHECK(text.status == 2);
  CHECK(has(text.err, dir / "notes.txt"));

  CHECK_FALSE(fs::exists(dir / "o.jsonl"));
}

TEST_CASE("autoif export refuses unknown formats and bad option values, naming the option") {
  TempDir dir;
  build_run(dir / "run.db");
  auto base = std::vector<std::string>{"--db", dir / "run.db", "--out", dir / "o.jsonl"};
  auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return run_export_command(args);
  };
  auto unknown = with({"--format", "jsonl"});
  CHECK(unknown.status == 2);
  CHECK(has(unknown.err, "--format: unknown format 'jsonl' (one of trl-sft, trl-dpo, trl-kto"));
  CHECK(has(with({"--format", "trl-sft", "--min-score", "high"}).err, "--min-score: 'high' is not a number"));
  CHECK(has(with({"--format", "trl-sft", "--limit", "-3"}).err, "--limit"));
  CHECK(has(with({"--format", "trl-sft", "--split", "train:0.7,test:0.2"}).err, "add up to 0.9"));
  CHECK(has(with({"--format", "verifiers", "--min-score", "8"}).err, "--min-score does not apply to verifiers"));
  CHECK(has(with({"--format", "trl-sft", "--unknown", "1"}).err, "--unknown"));
  auto onto_db = run_export_command({"--db", dir / "run.db", "--format", "trl-sft", "--out", dir / "run.db"});
  CHECK(onto_db.status == 2);
  CHECK(has(onto_db.err, "is the run's database"));
  CHECK(open_read(dir / "run.db").path() == dir / "run.db");  // still an autoif database
  CHECK_FALSE(fs::exists(dir / "o.jsonl"));
}
