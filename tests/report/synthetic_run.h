// A small run database written through the real storage API (PipelineStore, LlmCache, Meta),
// in which every drop reason of the funnel occurs a known number of times. The numbers the
// tests expect are spelled out next to the rows in synthetic_run.cpp.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace autoif::report::testing {

struct SyntheticOptions {
  bool store_config = true;          // meta "config" (the defaults, with the overrides below)
  std::optional<double> min_score;   // score.min_score in the stored config
  std::optional<nlohmann::json> progress;  // meta "run_progress"
  // Written into one kept response, one rejected response and one dropped instruction.
  std::string hostile;
};

// Creates the database at `path` (which must not exist) and closes it.
void build_synthetic_run(const std::string& path, const SyntheticOptions& options = {});

// A script in a response that marks the page if it ever runs.
inline const char* kHostileText =
    "<script>document.body.setAttribute('data-pwned','1')</script>"
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','2')\">"
    "</td></tr></table><a href=\"https://example.invalid/x\">x</a> \" ' & done";

}  // namespace autoif::report::testing
