// `autoif run`: loads the configuration, opens (or resumes) the run's database, refuses
// settings that would silently invalidate stored work, brings up the sandbox and the model
// clients, runs every stage that still has work up to --until, writes the exports, and prints
// the funnel. Running it again on a finished run asks the model nothing and rewrites the
// same bytes.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/run/progress.h"
#include "pipeline/run/run_control.h"

namespace autoif::run {

struct RunOptions {
  std::string config_path;
  std::optional<std::string> db_path;   // overrides run.db
  std::vector<std::string> overrides;   // --set key=value
  std::optional<std::string> until;     // last stage to run
  bool allow_recompute = false;
  std::optional<std::string> record_cassette;
  Budgets budgets;                      // --max-tokens, --max-requests, --deadline
  Display display = Display::plain;     // live on a terminal
  std::chrono::milliseconds progress_interval{30000};  // between plain status lines
  std::chrono::milliseconds stop_grace{30000};         // in-flight work is abandoned after it
};

// Exit status of a run that stopped early (budget or deadline) and can be resumed; a run
// stopped by a signal exits with 128 + the signal's number.
constexpr int kExitStoppedEarly = 3;

// Returns the process exit status; throws (with a message for people) on fatal errors.
int run_pipeline(const RunOptions& options);

}  // namespace autoif::run
