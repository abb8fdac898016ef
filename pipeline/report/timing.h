// Where a run is in time: state, elapsed, estimated remaining time, per-stage progress.
//
// `autoif run` records its progress in meta "run_progress" every few seconds and at the end:
//   {"state": "running"|"finished"|"stopped"|"failed", "reason": str, "started_at": ISO,
//    "updated_at": ISO, "elapsed_s": n, "stage": str,
//    "stages": {"<name>": {"done": n, "total": n, "rate_per_s": x, "eta_s": x|null}},
//    "requests": {...counts}, "tokens": {"prompt": n, "completion": n}, "sandbox": {...counts}}
// Databases of older versions have none; their timing is estimated from the stored LLM calls
// and stage updates instead, without an ETA.
//
// Contract
// - timing_from_progress(): a "running" record whose updated_at is older than `stale_after`
//   gives state "stale" with a note: the run no longer runs (killed or stuck). For a run
//   still running, elapsed includes the time since the last update and eta_s is the current
//   stage's. Missing or mistyped fields are left out; a record that is not a JSON object is
//   an error. Stages come in pipeline order (unknown names after, by name).
// - timing_from_database() never fails: what it cannot tell stays empty, with notes.
// - Pure: `now` is the only clock.
#pragma once

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status_queries.h"

namespace autoif::report {

struct StageProgress {
  std::string stage;
  std::int64_t done = 0, total = 0;
  std::optional<double> rate_per_s, eta_s;
};

struct RunTiming {
  std::string source;  // "run_progress" or "database"
  // running, finished, stopped, failed; "stale": says running but stopped updating;
  // "unknown": nothing says.
  std::string state = "unknown";
  std::string reason;
  std::optional<std::string> started_at, updated_at;
  std::optional<double> elapsed_s, eta_s, since_update_s;
  std::string stage;  // the stage running at the last update
  std::vector<StageProgress> stages;
  std::vector<storage::KeyCount> requests, tokens, sandbox;  // as the run recorded them
  std::vector<std::string> notes;
};

using Clock = std::chrono::system_clock;

// "2024-05-01T12:00:00Z", with optional fractional seconds and a "Z" or "+00:00" suffix (UTC).
std::optional<Clock::time_point> parse_iso8601(std::string_view text);

tl::expected<RunTiming, std::string> timing_from_progress(const nlohmann::json& progress, Clock::time_point now,
                                                          std::chrono::seconds stale_after);

RunTiming timing_from_database(const storage::TimeRange& calls, const std::vector<storage::StageStateRow>& stages);

}  // namespace autoif::report
