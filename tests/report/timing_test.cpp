// Elapsed and remaining time: from the run's progress record when there is one (fresh, stale,
// finished), from the stored calls and stage updates when there is none.
#include <catch2/catch.hpp>

#include "helpers.h"
#include "pipeline/report/status_render.h"
#include "pipeline/report/timing.h"

namespace autoif::report::testing {
namespace {

Clock::time_point at(const char* iso) {
  auto t = parse_iso8601(iso);
  REQUIRE(t);
  return *t;
}

nlohmann::json progress(const char* state, const char* updated_at) {
  return {{"state", state},
          {"reason", state == std::string("stopped") ? "budget: --max-tokens reached" : ""},
          {"started_at", "2024-05-01T10:00:00Z"},
          {"updated_at", updated_at},
          {"elapsed_s", 300.0},
          {"stage", "responses"},
          {"stages",
           {{"instructions", {{"done", 9}, {"total", 9}, {"rate_per_s", 1.5}, {"eta_s", 0}}},
            {"responses", {{"done", 40}, {"total", 100}, {"rate_per_s", 2.0}, {"eta_s", 30.0}}},
            {"verifiers", {{"done", 8}, {"total", 8}, {"rate_per_s", 0.5}, {"eta_s", nullptr}}}}},
          {"requests", {{"in_flight", 3}, {"sent", 120}, {"cached", 7}, {"retried", 2}, {"failed", 1}}},
          {"tokens", {{"prompt", 1000}, {"completion", 5000}}},
          {"sandbox", {{"ok", 50}, {"timeout", 2}}}};
}

TEST_CASE("parse_iso8601 reads UTC stamps with and without fractions") {
  auto a = parse_iso8601("2024-05-01T10:00:00Z");
  auto b = parse_iso8601("2024-05-01T10:00:01.500Z");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(std::chrono::duration<double>(*b - *a).count() == Approx(1.5));
  CHECK(parse_iso8601("2024-05-01T10:00:00+00:00") == a);
  CHECK(parse_iso8601("2024-05-01T10:00:00") == a);
  CHECK_FALSE(parse_iso8601("yesterday"));
  CHECK_FALSE(parse_iso8601("2024-05-01T10:00:00+02:00"));
  CHECK_FALSE(parse_iso8601("2024-13-01T10:00:00Z"));
}

TEST_CASE("a running run's progress record gives elapsed, the current stage's ETA and the counters") {
  auto t = timing_from_progress(progress("running", "2024-05-01T10:05:00Z"), at("2024-05-01T10:05:10Z"),
                                std::chrono::seconds(60));
  REQUIRE(t);
  CHECK(t->source == "run_progress");
  CHECK(t->state == "running");
  CHECK(t->elapsed_s == Approx(310.0));  // recorded 300 s + 10 s since the update
  CHECK(t->since_update_s == Approx(10.0));
  REQUIRE(t->eta_s);
  CHECK(*t->eta_s == Approx(30.0));
  REQUIRE(t->stages.size() == 3);  // pipeline order, not alphabetical
  CHECK(t->stages[0].stage == "instructions");
  CHECK(t->stages[1].stage == "verifiers");
  CHECK_FALSE(t->stages[1].eta_s);
  CHECK(t->stages[2].stage == "responses");
  CHECK(t->stages[2].done == 40);
  REQUIRE(t->requests.size() == 5);
  CHECK(t->requests[0].key == "in_flight");
  CHECK(t->requests[0].count == 3);
  CHECK(count_of(t->tokens, "completion") == 5000);
  CHECK(count_of(t->sandbox, "timeout") == 2);
  CHECK(t->notes.empty());
}

TEST_CASE("a running record not updated for over a minute means the run no longer runs") {
  auto t = timing_from_progress(progress("running", "2024-05-01T10:05:00Z"), at("2024-05-01T10:06:01Z"),
                                std::chrono::seconds(60));
  REQUIRE(t);
  CHECK(t->state == "stale");
  CHECK_FALSE(t->eta_s);
  CHECK(t->elapsed_s == Approx(300.0));  // what the run recorded, not the time since
  CHECK(t->since_update_s == Approx(61.0));
  REQUIRE(t->notes.size() == 1);
  CHECK_THAT(t->notes[0], Catch::Contains("no longer running"));
  CHECK_THAT(t->notes[0], Catch::Contains("autoif run"));
}

TEST_CASE("a finished or stopped record keeps its state and reason, with no ETA, whatever the clock says") {
  auto later = at("2030-01-01T00:00:00Z");
  auto t = timing_from_progress(progress("stopped", "2024-05-01T10:05:00Z"), later, std::chrono::seconds(60));
  REQUIRE(t);
  CHECK(t->state == "stopped");
  CHECK(t->reason == "budget: --max-tokens reached");
  CHECK_FALSE(t->eta_s);
  CHECK_FALSE(t->since_update_s);
  CHECK(t->elapsed_s == Approx(300.0));
  auto again = timing_from_progress(progress("stopped", "2024-05-01T10:05:00Z"), at("2031-01-01T00:00:00Z"),
                                    std::chrono::seconds(60));
  REQUIRE(again);
  RunStatus first, second;
  first.run = *t;
  second.run = *again;
  CHECK(status_json(first) == status_json(second));
}

TEST_CASE("a progress record that is not an object is an error and mistyped fields are left out") {
  CHECK_FALSE(timing_from_progress(nlohmann::json::array(), Clock::now(), std::chrono::seconds(60)));
  auto t = timing_from_progress({{"state", 5}, {"elapsed_s", "long"}, {"stages", 3}}, Clock::now(),
                                std::chrono::seconds(60));
  REQUIRE(t);
  CHECK(t->state == "unknown");
  CHECK_FALSE(t->elapsed_s);
  CHECK(t->stages.empty());
}

TEST_CASE("status reads run_progress from the database and notices a stale run") {
  TempDir dir;
  SyntheticOptions options;
  options.progress = progress("running", "2024-05-01T10:05:00Z");
  GatherOptions gather;
  gather.now = at("2024-05-01T12:00:00Z");
  auto s = synthetic_status(dir, options, gather);
  CHECK(s.run.source == "run_progress");
  CHECK(s.run.state == "stale");
}

TEST_CASE("without run_progress, elapsed spans the stored calls and stage updates and there is no ETA") {
  TempDir dir;
  auto s = synthetic_status(dir);
  CHECK(s.run.source == "database");
  CHECK(s.run.state == "finished");  // the select stage is done
  CHECK(s.run.started_at == "2024-05-01T10:00:00.000Z");
  CHECK(s.run.updated_at == "2024-05-01T10:06:00Z");
  REQUIRE(s.run.elapsed_s);
  CHECK(*s.run.elapsed_s == Approx(360.0));
  CHECK_FALSE(s.run.eta_s);
  REQUIRE(s.run.notes.size() == 1);
  CHECK_THAT(s.run.notes[0], Catch::Contains("no estimate of the remaining time"));
}

TEST_CASE("an empty database has no elapsed time and an unknown state") {
  auto t = timing_from_database({}, {});
  CHECK(t.state == "unknown");
  CHECK_FALSE(t.elapsed_s);
  CHECK_FALSE(t.started_at);
}

}  // namespace
}  // namespace autoif::report::testing
