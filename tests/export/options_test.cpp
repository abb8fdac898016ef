// The export options: thresholds per format, --split, --limit, --decontaminate, and the
// combinations that are refused.
#include <catch2/catch.hpp>

#include <set>

#include "pipeline/export/decontaminate.h"
#include "pipeline/export/split.h"
#include "tests/export/fixture.h"

using namespace autoif;
using namespace autoif::testing;
using namespace autoif::testing::fixture;
using exports::Format;

namespace {

struct Run {
  TempDir dir;
  Run() { build_run(dir / "run.db"); }
  exports::ExportRequest request(Format format) const {
    exports::ExportRequest r;
    r.format = format;
    r.out = dir / "out.jsonl";
    return r;
  }
  exports::ExportSummary run(const exports::ExportRequest& r) const { return export_or_fail(dir / "run.db", r); }
  tl::expected<exports::ExportSummary, std::string> try_run(const exports::ExportRequest& r) const {
    auto db = open_read(dir / "run.db");
    return exports::export_dataset(db, r);
  }
};

std::vector<std::string> sft_answers(const std::string& path) {
  std::vector<std::string> answers;
  for (const auto& row : read_rows(path)) answers.push_back(row["messages"][1]["content"]);
  return answers;
}

std::vector<std::string> chosen(const std::string& path) {
  std::vector<std::string> texts;
  for (const auto& row : read_rows(path)) texts.push_back(row["chosen"]);
  return texts;
}

}  // namespace

TEST_CASE("the min-score and min-pass-rate options move the SFT thresholds") {
  Run run;
  auto r = run.request(Format::trl_sft);
  r.min_score = 9;
  run.run(r);
  CHECK(sft_answers(r.out) == std::vector<std::string>{"cats are nice.", "The ocean is vast."});
  r.min_score = 5;
  r.min_pass_rate = 0.4;  // "The sea." passes half the functions: more than 0.4, but unscored
  run.run(r);
  CHECK(sft_answers(r.out) ==
        std::vector<std::string>{"cats are nice.", "cats purr.", kBigSea, "The ocean is vast."});
}

TEST_CASE("min-score on DPO drops query-level pairs whose chosen response scored lower or not at all, never "
          "instruction-level pairs") {
  Run run;
  auto r = run.request(Format::trl_dpo);
  r.min_score = 8;
  auto summary = run.run(r);
  CHECK(chosen(r.out) == std::vector<std::string>{"cats are nice.", kBigSea, "hello", "a b"});
  CHECK(summary.dropped.back() ==
        std::pair<std::string, std::size_t>{"query-level pair whose chosen score is below 8 or unscored", 3});
}

TEST_CASE("min-pass-rate on DPO drops pairs whose chosen response passes no more than it") {
  Run run;
  auto r = run.request(Format::alpaca_dpo);
  r.min_pass_rate = 0.5;
  run.run(r);
  CHECK(chosen(r.out) ==
        std::vector<std::string>{"cats are nice.", "cats purr.", kBigSea, "cats and dogs", "hello", "a b"});
}

TEST_CASE("min-pass-rate on rlvr is the pass threshold written into every ground truth") {
  Run run;
  auto r = run.request(Format::rlvr);
  r.min_pass_rate = 0.75;
  run.run(r);
  auto rows = read_rows(r.out);
  REQUIRE(rows.size() == 4);
  for (const auto& row : rows) CHECK(json::parse(row["ground_truth"].get<std::string>())["min_pass_rate"] == 0.75);
}

TEST_CASE("options that do not apply to a format, or make no sense, are refused before anything is written") {
  Run run;
  auto refused = [&](exports::ExportRequest r, const std::string& needle) {
    auto result = run.try_run(r);
    REQUIRE_FALSE(result);
    INFO(result.error());
    CHECK(result.error().find(needle) != std::string::npos);
    CHECK_FALSE(fs::exists(r.out));
  };
  auto r = run.request(Format::rlvr);
  r.min_score = 8;
  refused(r, "--min-score does not apply to rlvr");
  r = run.request(Format::verifiers);
  r.min_pass_rate = 0.5;
  refused(r, "--min-pass-rate does not apply to verifiers");
  r = run.request(Format::trl_sft);
  r.llamafactory_info = run.dir / "lf";
  refused(r, "--llamafactory-info applies to the alpaca-* and sharegpt-* formats");
  r = run.request(Format::alpaca_sft);
  r.dataset_name = "x";
  refused(r, "--dataset-name");
  r = run.request(Format::trl_sft);
  r.limit = 0;
  refused(r, "--limit");
  r = run.request(Format::trl_sft);
  r.min_pass_rate = 1.5;
  refused(r, "--min-pass-rate");
}

TEST_CASE("parse_split reads NAME:FRACTION lists and refuses fractions that do not add up to 1") {
  auto parts = exports::parse_split("train:0.8, valid:0.1,test:0.1");
  REQUIRE(parts);
  REQUIRE(parts->size() == 3);
  CHECK((*parts)[1].name == "valid");
  CHECK((*parts)[1].fraction == 0.1);
  CHECK(exports::parse_split("a:0.3333333333333,b:0.3333333333333,c:0.3333333333334"));
  auto off = exports::parse_split("train:0.9,test:0.2");
  REQUIRE_FALSE(off);
  CHECK(off.error().find("add up to 1.1") != std::string::npos);
  CHECK_FALSE(exports::parse_split("train:0.9,test:0.1000001"));
  CHECK_FALSE(exports::parse_split("train:1,train:0"));
  CHECK_FALSE(exports::parse_split("train:0.5,train:0.5"));
  CHECK_FALSE(exports::parse_split("train=1"));
  CHECK_FALSE(exports::parse_split("tr/ain:1"));
  CHECK_FALSE(exports::parse_split("train:abc"));
  CHECK_FALSE(exports::parse_split("train:1,test:0"));
  CHECK(exports::split_path("d/sft.jsonl", "train") == "d/sft.train.jsonl");
  CHECK(exports::split_path("sft", "test") == "sft.test");
}

TEST_CASE("split_of sends each prompt to one split by its hash, in about the asked proportions") {
  std::vector<exports::SplitPart> parts{{"train", 0.8}, {"test", 0.2}};
  std::size_t test = 0, unstable = 0;
  for (int i = 0; i < 10000; ++i) {
    auto p = "prompt number " + std::to_string(i);
    auto index = exports::split_of(p, parts);
    unstable += index != exports::split_of(std::string(p), parts);
    test += index;
  }
  CHECK(unstable == 0);
  CHECK(test > 1800);
  CHECK(test < 2200);
}

TEST_CASE("split writes one file per split with the same bytes every time, no prompt in two files and no row lost") {
  Run run;
  auto whole = run.request(Format::trl_kto);
  run.run(whole);
  auto all_rows = read_rows(whole.out);

  auto r = run.request(Format::trl_kto);
  r.out = run.dir / "split.jsonl";
  r.split = {{"train", 0.5}, {"test", 0.5}};
  auto summary = run.run(r);
  REQUIRE(summary.files.size() == 2);
  CHECK(summary.files[0].path == run.dir / "split.train.jsonl");
  CHECK(summary.files[1].path == run.dir / "split.test.jsonl");
  CHECK_FALSE(fs::exists(r.out));
  auto train_bytes = read_text(run.dir / "split.train.jsonl"), test_bytes = read_text(run.dir / "split.test.jsonl");
  run.run(r);
  CHECK(read_text(run.dir / "split.train.jsonl") == train_bytes);
  CHECK(read_text(run.dir / "split.test.jsonl") == test_bytes);

  auto train = read_rows(run.dir / "split.train.jsonl"), test = read_rows(run.dir / "split.test.jsonl");
  CHECK(summary.files[0].rows == train.size());
  CHECK(summary.files[1].rows == test.size());
  CHECK(train.size() + test.size() == all_rows.size());
  std::set<std::string> train_prompts, test_prompts;
  for (const auto& row : train) train_prompts.insert(row["prompt"].get<std::string>());
  for (const auto& row : test) test_prompts.insert(row["prompt"].get<std::string>());
  for (const auto& p : train_prompts) CHECK(test_prompts.count(p) == 0);
  // Each split keeps the content order of the whole export.
  std::vector<json> merged;
  for (const auto& row : all_rows)
    if (train_prompts.count(row["prompt"].get<std::string>())) merged.push_back(row);
  CHECK(merged == train);
}

TEST_CASE("limit writes the first N rows that pass every filter, across all split files") {
  Run run;
  auto r = run.request(Format::trl_dpo);
  r.limit = 3;
  auto summary = run.run(r);
  CHECK(summary.limit_reached);
  CHECK(chosen(r.out) == std::vector<std::string>{"cats are nice.", "cats purr.", kBigSea});
  CHECK(exports::summary_text(summary).find("stopped at --limit") != std::string::npos);

  r.split = {{"a", 0.5}, {"b", 0.5}};
  summary = run.run(r);
  CHECK(summary.rows() == 3);
  r.limit = 100;
  summary = run.run(r);
  CHECK_FALSE(summary.limit_reached);
  CHECK(summary.rows() == 7);
}

TEST_CASE("normalized_words lowercases, deletes punctuation and splits at any space") {
  CHECK(exports::normalized_words("Don't -- STOP!  Now,\tplease…") ==
        std::vector<std::string>{"dont", "stop", "now", "please"});
  CHECK(exports::normalized_words("“Quoted” ÉCOLE\u00a0Straße — ok") ==
        std::vector<std::string>{"quoted", "école", "straße", "ok"});
  CHECK(exports::normalized_words("  ").empty());
}

TEST_CASE("decontamination matches 13 shared words and not 12") {
  exports::NgramIndex index;
  index.add("one two three four five six seven eight nine ten eleven twelve thirteen fourteen");
  CHECK(index.shares_ngram("zero One, two three four five six seven eight nine ten eleven twelve THIRTEEN!"));
  CHECK(index.shares_ngram("two three four five six seven eight nine ten eleven twelve thirteen fourteen end"));
  CHECK_FALSE(index.shares_ngram("one two three four five six seven eight nine ten eleven twelve"));
  CHECK_FALSE(index.shares_ngram("x two three four five six seven eight nine ten eleven twelve thirteen x"));
  CHECK_FALSE(index.shares_ngram("one two three four five six seven eight nine ten eleven twelve fourteen"));
  index.add("too short to ever match");
  CHECK(index.prompts() == 2);
  CHECK(index.short_prompts() == 1);
}

TEST_CASE("decontaminate drops the rows sharing a 13-word sequence with a benchmark prompt and counts them") {
  Run run;
  write_text(run.dir / "bench.jsonl", kBenchmark);
  auto r = run.request(Format::trl_sft);
  r.decontaminate = run.dir / "bench.jsonl";
  auto summary = run.run(r);
  CHECK(sft_answers(r.out) == std::vector<std::string>{"cats are nice.", kBigSea});
  auto reason = "sharing a 13-word sequence with " + run.dir / "bench.jsonl";
  CHECK(summary.dropped.back() == std::pair<std::string, std::size_t>{reason, 1});
  CHECK(exports::summary_text(summary).find("1 " + reason) != std::string::npos);

  // The same prompt with the 13th shared word changed keeps its row.
  write_text(run.dir / "bench12.jsonl",
             "{\"prompt\": \"Write a 300+ word summary of the wikipedia page about the ocean but briefly.\"}\n");
  r.decontaminate = run.dir / "bench12.jsonl";
  run.run(r);
  CHECK(sft_answers(r.out).size() == 3);

  // Response texts are checked too.
  write_text(run.dir / "bench-answer.jsonl", "\"Is the sea is big and blue and deep and full of fish that swim?\"\n");
  r.decontaminate = run.dir / "bench-answer.jsonl";
  run.run(r);
  CHECK(sft_answers(r.out) == std::vector<std::string>{"cats are nice.", "The ocean is vast."});
}

TEST_CASE("a benchmark file that is missing, empty or not JSONL of prompts is an error naming the file and line") {
  Run run;
  auto r = run.request(Format::trl_sft);
  auto error_for = [&](const std::string& text) {
    write_text(run.dir / "bench.jsonl", text);
    r.decontaminate = run.dir / "bench.jsonl";
    auto result = run.try_run(r);
    REQUIRE_FALSE(result);
    CHECK_FALSE(fs::exists(r.out));
    return result.error();
  };
  CHECK(error_for("{\"prompt\": \"ok\"}\n{\"text\": \"no prompt\"}\n").find("bench.jsonl:2: expected a JSON string") !=
        std::string::npos);
  CHECK(error_for("not json\n").find("bench.jsonl:1:") != std::string::npos);
  CHECK(error_for("\n\n").find("holds no benchmark prompt") != std::string::npos);
  r.decontaminate = run.dir / "missing.jsonl";
  auto missing = run.try_run(r);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().find("missing.jsonl: cannot read") != std::string::npos);
}
