// What one `autoif export` is asked to do, and which of its options apply to which format.
// FORMATS.md has the table; in short:
//   --min-pass-rate X  SFT/KTO: a response counts as good when its pass rate is MORE than X.
//                      DPO: keeps pairs whose chosen pass rate is more than X (given only).
//                      rlvr: the pass threshold written into every ground truth.
//   --min-score S      SFT/KTO: good responses need a score of at least S.
//                      DPO: keeps query-level pairs whose chosen response scored at least S
//                      (given only; instruction-level pairs have no score and stay).
// Defaults come from the run's configuration (verify.min_pass_rate, score.min_score,
// select.rejected_pass_rate, select.drop_truncated, responses.source), so a plain export
// writes what `autoif run` wrote.
//
// Contract: check_request() returns a message naming the option for every combination that
// makes no sense (an option that does not apply to the format, a limit of 0, a pass rate
// outside [0, 1]...), so nothing is written for a request that would silently ignore one.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/config/config.h"
#include "pipeline/io/atomic_file.h"
#include "pipeline/export/formats.h"
#include "pipeline/export/split.h"

namespace autoif::exports {

// The run's own settings that decide what a good or a failing response is.
struct Thresholds {
  std::string source = "supervisor";  // responses.source
  double min_pass_rate = 0.5;         // verify.min_pass_rate: good when MORE than this
  double min_score = 8.0;             // score.min_score: good at this score or above
  double rejected_pass_rate = 0.0;    // select.rejected_pass_rate: failing at or below this
  bool drop_truncated = true;         // select.drop_truncated
};

Thresholds thresholds_from(const config::Config& config);

struct ExportRequest {
  Format format = Format::trl_sft;
  std::string out;  // with --split, the split name goes before its extension
  Thresholds run;
  std::optional<double> min_pass_rate;  // overrides run.min_pass_rate
  std::optional<double> min_score;      // overrides run.min_score
  std::vector<SplitPart> split;         // empty: one file
  std::optional<std::size_t> limit;     // rows in all files together
  std::optional<std::string> decontaminate;      // JSONL of benchmark prompts
  std::optional<std::string> llamafactory_info;  // folder of dataset_info.json
  std::optional<std::string> dataset_name;       // its entry; default: the out file's stem
  io::FileSystem* fs = nullptr;  // null: the real one (tests inject faults)
};

tl::expected<void, std::string> check_request(const ExportRequest& request);

}  // namespace autoif::exports
