// What `autoif crossval` and `autoif verify` share on the command line: the input and output
// files, the sandbox flags (--timeout-ms, --memory-mb, --workers, --module), --strict, the pool
// and warning printer they start from them, and the first and last lines of their summaries.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "pipeline/cli/args.h"
#include "pipeline/official/command_support.h"
#include "sandbox/pool.h"

namespace autoif::cli {

// An integer flag in [min, max], `fallback` when absent; a bad value throws naming the flag.
long long integer_flag(const ParsedArgs& args, const std::string& name, long long min, long long max,
                       long long fallback);

// Reads the shared flags (throws on a missing --in/--out or a bad value) and starts the pool.
class OfficialCommand {
 public:
  explicit OfficialCommand(const ParsedArgs& args);
  OfficialCommand(const OfficialCommand&) = delete;  // the warning sink points at this object
  OfficialCommand& operator=(const OfficialCommand&) = delete;

  const std::string& in() const { return in_; }
  const std::string& out() const { return out_; }
  const sandbox::Limits& limits() const { return limits_; }
  sandbox::Pool& pool() { return *pool_; }
  const official::StreamOptions& stream() const { return stream_; }

  // "NAME: R rows in, W rows out, S bad rows skipped[ (warnings...)]"
  std::string first_line(const char* name, const official::StreamCounts& counts) const;
  // "  sandbox: J jobs, E evaluations\n  wrote OUT"
  std::string last_lines() const;

 private:
  std::string in_, out_;
  sandbox::Limits limits_;
  official::SandboxSettings sandbox_;
  std::unique_ptr<sandbox::Pool> pool_;
  official::WarningPrinter warnings_{stderr};
  official::StreamOptions stream_;
};

}  // namespace autoif::cli
