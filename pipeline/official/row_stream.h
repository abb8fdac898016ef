// The streaming engine behind `autoif crossval` and `autoif verify`: reads a JSONL file one
// row at a time, hands each row's work to its own thread so that several rows keep the
// sandbox busy at once, and writes the results in input order to an atomically replaced
// output file.
//
// Memory is bounded by `window` rows in flight, whatever the size of the file. A line that
// is not JSON, or a row that `prepare` rejects, is reported as "FILE:LINE: problem": with
// `strict` the run stops there (no output file is written); otherwise the row is skipped, the
// sink hears about it and the count goes up. Blank lines are not rows and are ignored.
//
// Contract: `prepare` runs on the calling thread, in input order; the work it returns runs on
// another thread (any number at once) and must be safe to run concurrently with other rows'
// work. An exception thrown by the work stops the run with an error naming the row's line.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace autoif::official {

using Row = nlohmann::ordered_json;

// Receives one line per skipped row (stderr in the CLI, a recorder in tests).
using WarningSink = std::function<void(const std::string& message)>;

struct StreamOptions {
  bool strict = false;     // a bad row stops the run instead of being skipped
  std::size_t window = 8;  // rows in flight at most (at least 1)
  WarningSink warn;        // may be empty
};

struct StreamCounts {
  std::size_t rows_in = 0;       // non-blank lines read
  std::size_t rows_out = 0;      // rows written
  std::size_t rows_skipped = 0;  // bad rows (only without strict)
};

// A row's work: the output row, or nullopt when the row produces none.
using RowWork = std::function<std::optional<Row>()>;
// Checks a parsed row and returns its work, or a one-line description of what is wrong.
using PrepareRow = std::function<tl::expected<RowWork, std::string>(Row row)>;

tl::expected<StreamCounts, std::string> stream_rows(const std::string& in_path,
                                                    const std::string& out_path,
                                                    const StreamOptions& options,
                                                    const PrepareRow& prepare);

}  // namespace autoif::official
