// Writing a run's datasets: `autoif export` and the two files `autoif run` writes at its end.
//
// One export streams the stored rows of its format (sources.h) through, in this order: the
// format's filters, --decontaminate, --limit, then --split into files; so --limit counts rows
// that survived decontamination, and the split files together hold at most --limit rows.
// Nothing is loaded whole: rows go from one SQLite step to the file.
//
// Contract
// - Reads one consistent snapshot of the database (a read transaction), so an export taken
//   while a run commits is still self-consistent; the database is never written.
// - Every output file (and dataset_info.json) is written atomically (atomic_file.h): on any
//   failure no output file changes and no temporary file is left behind.
// - Deterministic: the same database and request give the same bytes (content order, see
//   storage/export_queries.h; splits by a hash of the prompt, see split.h).
// - Nothing to write is not an error: the files are written empty and ExportSummary::note
//   says what the run has not produced yet.
// - Failures come back as a message naming the file or option; export_rows() throws it.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/config/config.h"
#include "pipeline/export/formats.h"
#include "pipeline/export/options.h"
#include "storage/database.h"

namespace autoif::exports {

struct WrittenFile {
  std::string path;
  std::size_t rows = 0;
};

struct ExportSummary {
  std::vector<WrittenFile> files;                              // one, or one per split
  std::vector<std::pair<std::string, std::size_t>> dropped;    // per filter, in filter order
  bool limit_reached = false;
  std::optional<std::string> dataset_info;                     // the dataset_info.json updated
  std::string note;                                            // why nothing was written, if so
  std::size_t rows() const;
};

tl::expected<ExportSummary, std::string> export_dataset(storage::Database& db, const ExportRequest& request);

// The summary for stderr: "export: wrote N rows to FILE[, ...]; dropped: ..." and the note.
std::string summary_text(const ExportSummary& summary);

// What `autoif run` writes at its end: `format` with the run's own thresholds, one file.
// Returns the number of rows; throws std::runtime_error with the message on failure.
std::size_t export_rows(storage::Database& db, const config::Config& config, Format format, const std::string& path);

}  // namespace autoif::exports
