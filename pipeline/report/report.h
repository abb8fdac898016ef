// `autoif report`: one self-contained HTML file about a run (no external assets, no network):
// the funnel chart, pass-rate and score histograms, sandbox verdict breakdowns, drop reasons,
// token use per stage, latency and errors, and a browsable sample of kept and rejected rows
// with the reason each was rejected.
//
// Contract
// - gather_report() reads everything from one read snapshot (see status.h); it works on a
//   read-only connection while a run writes. Samples are deterministic: rows spread evenly
//   over each fate's rows in content order, never random.
// - render_report_html() is pure. Every text that came from a model or a file is escaped
//   (html.h); a Content-Security-Policy allows no network at all and only the report's own
//   script (by its hash), so even a text that escaped escaping could not run or fetch.
//   Charts carry stable ids, classes and data-count attributes (html.h) for DOM checks; the
//   script marks <body data-script-ok="1"> when it ran, and data-script-error on an error.
// - write_report() writes atomically (atomic_write.h). Errors name the database or the file.
#pragma once

#include <tl/expected.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/report/status.h"
#include "storage/database.h"
#include "storage/status_queries.h"

namespace autoif::report {

struct ReportOptions {
  std::int64_t sample_size = 50;             // kept responses shown, and rejected ones
  std::int64_t instructions_per_reason = 10;  // kept instructions, and dropped ones per reason
  std::size_t max_text_bytes = 4000;          // longer texts are clipped (and say so)
  GatherOptions gather;
};

struct ReportData {
  RunStatus status;
  std::vector<std::int64_t> pass_rate_bins;  // 11 bins: round(pass rate * 10)
  std::vector<std::int64_t> score_bins;      // 11 bins: floor(score), 0..10
  std::vector<storage::SampleResponse> kept, rejected;
  std::vector<storage::SampleInstruction> kept_instructions, dropped_instructions;
};

tl::expected<ReportData, std::string> gather_report(storage::Database& db, const ReportOptions& options = {});

std::string render_report_html(const ReportData& data, const ReportOptions& options = {});

tl::expected<void, std::string> write_report(storage::Database& db, const std::string& path,
                                             const ReportOptions& options = {});

// How many rejected rows to show of each fate: the smallest fates get all their rows, the
// rest share what is left evenly, `total` at most in all. Fates with no rows get none.
std::vector<storage::KeyCount> share_sample(const std::vector<storage::KeyCount>& fates, std::int64_t total);

}  // namespace autoif::report
