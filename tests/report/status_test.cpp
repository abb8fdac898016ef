// `autoif status` numbers on the synthetic run (synthetic_run.cpp spells out where each comes from).
#include <catch2/catch.hpp>

#include "helpers.h"
#include "pipeline/report/status_render.h"

namespace autoif::report::testing {
namespace {

std::int64_t drop(const RunStatus& s, const std::string& stage_name, const std::string& reason) {
  for (const auto& d : s.drops)
    if (d.stage == stage_name && d.reason == reason) return d.count;
  FAIL("no drop " << stage_name << "/" << reason);
  return -1;
}

TEST_CASE("status counts every drop reason exactly on a run where each occurs") {
  TempDir dir;
  auto s = synthetic_status(dir);
  CHECK(drop(s, "instructions", "near_duplicate") == 1);
  CHECK(drop(s, "verifiers", "parse_failure") == 3);
  CHECK(drop(s, "verifiers", "compile_error") == 1);
  CHECK(drop(s, "verifiers", "no_verifier") == 1);
  CHECK(drop(s, "verifiers", "crossval") == 1);
  CHECK(drop(s, "back_translation", "contradiction") == 1);
  CHECK(drop(s, "verification", "truncated") == 2);
  CHECK(drop(s, "verification", "pass_rate") == 2);
  CHECK(drop(s, "scoring", "parse_failure") == 1);
  CHECK(drop(s, "scoring", "score") == 1);
  CHECK(s.drops.size() == 10);
  // The units say what was dropped.
  CHECK(s.drops[1].unit == "verifier answers");
  CHECK(s.drops[2].unit == "functions");
  CHECK(s.drops[8].unit == "scores");
}

TEST_CASE("status funnel gives items in, out and pending for every stage") {
  TempDir dir;
  auto s = synthetic_status(dir);
  REQUIRE(s.funnel.size() == 8);
  auto check = [&](const std::string& name, std::int64_t in, std::int64_t out, std::int64_t pending) {
    INFO(name);
    const auto& f = stage(s, name);
    CHECK(f.in == in);
    CHECK(f.out == out);
    CHECK(f.pending == pending);
  };
  check("instructions", 9, 8, 0);
  check("verifiers", 8, 5, 1);
  check("back_translation", 5, 3, 1);
  check("queries", 3, 4, 0);
  check("responses", 4, 9, 1);
  check("verification", 9, 5, 0);
  check("scoring", 5, 2, 1);
  check("select", 3, 2, 0);
  CHECK(count_of(stage(s, "instructions").details, "seeds") == 2);
  CHECK(count_of(stage(s, "instructions").details, "augmented") == 7);
  CHECK(count_of(stage(s, "verifiers").details, "answers_no_json") == 2);
  CHECK(count_of(stage(s, "verifiers").details, "answers_no_func") == 1);
  CHECK(count_of(stage(s, "verifiers").details, "functions_kept") == 5);
  CHECK(count_of(stage(s, "verifiers").details, "cases_kept") == 3);
  CHECK(count_of(stage(s, "verification").details, "truncated_answers") == 2);
  CHECK(count_of(stage(s, "scoring").details, "scores") == 4);
  CHECK(count_of(stage(s, "select").details, "query_pairs") == 1);
  CHECK(count_of(stage(s, "select").details, "instruction_pairs") == 1);
}

TEST_CASE("status funnel adds up: in = out + pending + dropped where units agree") {
  TempDir dir;
  auto s = synthetic_status(dir);
  for (const auto& f : s.funnel) {
    if (f.in_unit != f.out_unit) continue;
    INFO(f.stage);
    std::int64_t dropped = 0;
    for (const auto& d : f.dropped) dropped += d.count;
    CHECK(f.in == f.out + f.pending + dropped);
  }
}

TEST_CASE("status applies the thresholds of the run's stored configuration") {
  TempDir dir;
  SyntheticOptions options;
  options.min_score = 9.5;  // r1 (score 9) is no longer kept
  auto s = synthetic_status(dir, options);
  CHECK(s.thresholds.from_snapshot);
  CHECK(s.thresholds.responses.min_score == 9.5);
  CHECK(stage(s, "scoring").out == 1);
  CHECK(drop(s, "scoring", "score") == 2);
}

TEST_CASE("status falls back to the default thresholds when no configuration is stored") {
  TempDir dir;
  SyntheticOptions options;
  options.store_config = false;
  auto s = synthetic_status(dir, options);
  CHECK_FALSE(s.thresholds.from_snapshot);
  CHECK(s.thresholds.responses.min_pass_rate == 0.5);
  CHECK(stage(s, "scoring").out == 2);
}

TEST_CASE("status counts only the responses of the run's source") {
  TempDir dir;
  auto s = synthetic_status(dir);
  CHECK(stage(s, "responses").out == 9);  // the policy's response is not among them
  CHECK(count_of(s.response_verdicts, "ok") == 2);
  CHECK(count_of(s.response_verdicts, "runtime_error") == 1);
  CHECK(count_of(s.response_verdicts, "timeout") == 1);
  CHECK(count_of(s.case_verdicts, "ok") == 2);
  CHECK(count_of(s.case_verdicts, "bad_return") == 1);
  CHECK(count_of(s.case_verdicts, "timeout") == 1);
}

TEST_CASE("status attributes each LLM call and its tokens to the stage whose rows reference it") {
  TempDir dir;
  auto s = synthetic_status(dir);
  struct Want {
    std::string stage, model;
    std::int64_t calls, prompt, completion;
  };
  std::vector<Want> want = {
      {"augment", "sup", 1, 100, 50},       {"verifiers", "sup", 9, 180, 270}, {"back_translation", "sup", 2, 30, 20},
      {"nli", "sup", 2, 10, 2},             {"responses", "pol", 1, 40, 300},  {"responses", "sup", 3, 120, 1200},
      {"scoring", "sup", 4, 240, 20},       {"unattributed", "sup", 1, 0, 0},
  };
  REQUIRE(s.usage.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO(i);
    CHECK(s.usage[i].stage == want[i].stage);
    CHECK(s.usage[i].model == want[i].model);
    CHECK(s.usage[i].calls == want[i].calls);
    CHECK(s.usage[i].prompt_tokens == want[i].prompt);
    CHECK(s.usage[i].completion_tokens == want[i].completion);
  }
  auto by_stage = usage_by_stage(s.usage);
  REQUIRE(by_stage.size() == 7);
  CHECK(by_stage[4].stage == "responses");
  CHECK(by_stage[4].calls == 4);
  CHECK(by_stage[4].completion_tokens == 1500);
}

TEST_CASE("status counts errors, truncated answers and retried calls per model") {
  TempDir dir;
  auto s = synthetic_status(dir);
  REQUIRE(s.health.size() == 2);
  CHECK(s.health[0].model == "pol");
  CHECK(s.health[0].errors == 0);
  const auto& sup = s.health[1];
  CHECK(sup.model == "sup");
  CHECK(sup.calls == 22);
  CHECK(sup.errors == 1);
  CHECK(sup.truncated == 1);
  CHECK(sup.retried == 2);
  CHECK(sup.extra_attempts == 3);
}

TEST_CASE("status gives nearest-rank latency percentiles per model") {
  TempDir dir;
  auto s = synthetic_status(dir);
  REQUIRE(s.latency.size() == 2);
  CHECK(s.latency[0].model == "pol");
  CHECK(s.latency[0].p50 == 500);
  // sup: 50 50 100 150 150 200x9 300x4 1000x3 5000 (22 calls)
  const auto& sup = s.latency[1];
  CHECK(sup.count == 22);
  CHECK(sup.p50 == 200);
  CHECK(sup.p90 == 1000);
  CHECK(sup.p99 == 5000);
  CHECK(sup.max == 5000);
}

TEST_CASE("percentile picks the nearest rank, never an interpolated value") {
  std::vector<std::int64_t> hundred;
  for (int i = 1; i <= 100; ++i) hundred.push_back(i * 10);
  CHECK(percentile(hundred, 50) == 500);
  CHECK(percentile(hundred, 90) == 900);
  CHECK(percentile(hundred, 99) == 990);
  CHECK(percentile(hundred, 100) == 1000);
  CHECK(percentile({7}, 50) == 7);
  CHECK(percentile({1, 2}, 50) == 1);
  CHECK(percentile({}, 50) == 0);
  auto summary = summarize_latency("m", {3, 1000});
  CHECK(summary.p50 == 3);
  CHECK(summary.p90 == 1000);
  CHECK(summary.max == 1000);
}

}  // namespace
}  // namespace autoif::report::testing
