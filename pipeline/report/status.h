// The status of a run, read from its database: the funnel with every drop reason, LLM calls
// and tokens per stage and model, latency percentiles, error counts, and where the run is in
// time. `autoif status` prints it (status_render.h); `autoif report` draws it (report.h).
//
// Contract
// - gather_status() only reads: open the database read-only (it works while a run writes;
//   all counts come from one read snapshot, so the funnel adds up). Thresholds come from the
//   run's stored configuration snapshot (meta "config"), else the built-in defaults.
// - Failure: a message naming the database (a storage error, or a stored config or
//   run_progress that cannot be read).
// - Deterministic: for a finished run the result depends only on the database; `now` is used
//   only to tell whether a "running" run is still alive and how long ago it wrote progress.
#pragma once

#include <tl/expected.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/report/funnel.h"
#include "pipeline/report/metrics.h"
#include "pipeline/report/timing.h"
#include "storage/database.h"
#include "storage/status_queries.h"

namespace autoif::report {

struct Thresholds {
  storage::ResponseThresholds responses;
  bool from_snapshot = false;  // false: built-in defaults (no config stored)
};

struct RunStatus {
  std::string database;
  Thresholds thresholds;
  RunTiming run;
  std::vector<StageFlow> funnel;
  std::vector<DropReason> drops;
  std::vector<storage::CallUsage> usage;  // per stage and model
  std::vector<storage::CallHealth> health;
  std::vector<LatencySummary> latency;
  std::vector<storage::KeyCount> response_verdicts, case_verdicts;
};

struct GatherOptions {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  std::chrono::seconds stale_after{60};
};

tl::expected<RunStatus, std::string> gather_status(storage::Database& db, const GatherOptions& options = {});

}  // namespace autoif::report
