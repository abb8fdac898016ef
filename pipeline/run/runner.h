// `autoif run`: loads the configuration, opens (or resumes) the run's database, refuses
// settings that would silently invalidate stored work, brings up the sandbox and the model
// clients, runs every stage that still has work up to --until, writes the exports, and prints
// the funnel. Running it again on a finished run asks the model nothing and rewrites the
// same bytes.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace autoif::run {

struct RunOptions {
  std::string config_path;
  std::optional<std::string> db_path;   // overrides run.db
  std::vector<std::string> overrides;   // --set key=value
  std::optional<std::string> until;     // last stage to run
  bool allow_recompute = false;
  std::optional<std::string> record_cassette;
};

// Returns the process exit status; throws (with a message for people) on fatal errors.
int run_pipeline(const RunOptions& options);

}  // namespace autoif::run
