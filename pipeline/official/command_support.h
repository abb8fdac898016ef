// What `autoif crossval` and `autoif verify` share beyond the row logic: starting the sandbox
// pool from their common flags, sizing the window of rows in flight, and printing warnings
// about skipped rows without flooding the terminal on a badly broken 10^5-row file.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/official/row_stream.h"
#include "sandbox/pool.h"

namespace autoif::official {

struct SandboxSettings {
  std::size_t workers = 0;           // 0: one per CPU
  std::vector<std::string> modules;  // extra importable modules (e.g. nltk)
};

// Starts the pool; the error says that the sandbox could not start and why.
tl::expected<std::unique_ptr<sandbox::Pool>, std::string> start_pool(const SandboxSettings& settings);

// Rows in flight: enough that every worker always has a queued job while finished rows wait
// for an earlier slow one to be written, few enough that memory stays small.
std::size_t window_for(std::size_t workers);

// Prints the first `limit` warnings to `out`, then only counts them.
class WarningPrinter {
 public:
  explicit WarningPrinter(std::FILE* out, std::size_t limit = 20) : out_(out), limit_(limit) {}
  WarningSink sink();
  std::size_t unprinted() const { return seen_ > limit_ ? seen_ - limit_ : 0; }

 private:
  std::FILE* out_;
  std::size_t limit_;
  std::size_t seen_ = 0;
};

}  // namespace autoif::official
