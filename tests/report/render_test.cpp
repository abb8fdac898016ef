// The JSON and text forms of `autoif status`: the documented shape, and the same bytes every
// time for a finished run.
#include <catch2/catch.hpp>

#include "helpers.h"
#include "pipeline/report/status_render.h"

namespace autoif::report::testing {
namespace {

std::vector<std::string> keys(const nlohmann::ordered_json& object) {
  std::vector<std::string> out;
  for (const auto& [key, value] : object.items()) out.push_back(key);
  return out;
}

TEST_CASE("status JSON has the documented members, in order, with their types") {
  TempDir dir;
  auto j = status_json(synthetic_status(dir));
  CHECK(keys(j) == std::vector<std::string>{"database", "thresholds", "run", "funnel", "drops", "calls", "latency",
                                            "errors", "verdicts"});
  CHECK(keys(j["thresholds"]) ==
        std::vector<std::string>{"source", "min_pass_rate", "min_score", "drop_truncated", "from"});
  CHECK(j["thresholds"]["from"] == "config snapshot");
  CHECK(keys(j["run"]) == std::vector<std::string>{"state", "reason", "source", "started_at", "updated_at",
                                                   "elapsed_s", "eta_s", "since_update_s", "stage", "stages",
                                                   "requests", "tokens", "sandbox", "notes"});
  CHECK(j["run"]["eta_s"].is_null());
  CHECK(j["run"]["elapsed_s"].is_number());
  REQUIRE(j["funnel"].size() == 8);
  for (const auto& stage : j["funnel"]) {
    CHECK(keys(stage) ==
          std::vector<std::string>{"stage", "in", "in_unit", "out", "out_unit", "pending", "dropped", "details"});
    CHECK(stage["dropped"].is_object());
  }
  CHECK(j["funnel"][5]["stage"] == "verification");
  CHECK(j["funnel"][5]["dropped"]["pass_rate"] == 2);
  REQUIRE(j["drops"].size() == 10);
  CHECK(keys(j["drops"][0]) == std::vector<std::string>{"stage", "reason", "unit", "count"});
  CHECK(keys(j["calls"]) == std::vector<std::string>{"by_stage_and_model", "by_stage", "total"});
  CHECK(j["calls"]["total"]["calls"] == 23);
  CHECK(j["calls"]["total"]["prompt_tokens"] == 100 + 180 + 30 + 10 + 160 + 240);
  CHECK(j["calls"]["by_stage"][6]["stage"] == "unattributed");
  CHECK(keys(j["latency"][0]) == std::vector<std::string>{"model", "calls", "p50_ms", "p90_ms", "p99_ms", "max_ms"});
  CHECK(keys(j["errors"][0]) ==
        std::vector<std::string>{"model", "calls", "errors", "truncated", "retried", "extra_attempts"});
  CHECK(j["verdicts"]["cases"]["bad_return"] == 1);
}

TEST_CASE("status JSON and text are the same bytes on every call for a finished run") {
  TempDir dir;
  build_synthetic_run(dir.file("run.db"));
  auto render = [&] {
    auto db = open_read_only(dir.file("run.db"));
    auto s = gather_status(db);
    REQUIRE(s);
    return status_json(*s).dump(2) + status_text(*s);
  };
  CHECK(render() == render());
}

// Runs of spaces become one, so the checks read like the table rows they look for.
std::string squeezed(const std::string& text) {
  std::string out;
  for (char c : text)
    if (!(c == ' ' && !out.empty() && out.back() == ' ')) out += c;
  return out;
}

TEST_CASE("status text shows the funnel, the drop reasons, calls, latency and errors as tables") {
  TempDir dir;
  auto text = squeezed(status_text(synthetic_status(dir)));
  CHECK_THAT(text, Catch::Contains("state finished"));
  CHECK_THAT(text, Catch::Contains("elapsed 6 min 00 s"));
  CHECK_THAT(text, Catch::Contains("no estimate of the remaining time"));
  CHECK_THAT(text, Catch::Contains("kept when pass rate > 0.50 and score >= 8.0"));
  CHECK_THAT(text, Catch::Contains("verification 9 responses 5 responses 0 truncated 2, pass_rate 2"));
  CHECK_THAT(text, Catch::Contains("verifiers parse_failure 3 verifier answers"));
  CHECK_THAT(text, Catch::Contains("unattributed sup 1 0 0"));
  CHECK_THAT(text, Catch::Contains("total 23 720 1862"));
  CHECK_THAT(text, Catch::Contains("sup 22 200 1000 5000 5000"));
  CHECK_THAT(text, Catch::Contains("sup 22 1 1 2 3"));
  CHECK_THAT(text, Catch::Contains("responses ok 2, runtime_error 1, timeout 1"));
}

}  // namespace
}  // namespace autoif::report::testing
