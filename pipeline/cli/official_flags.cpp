#include "pipeline/cli/official_flags.h"

#include <stdexcept>

namespace autoif::cli {

long long integer_flag(const ParsedArgs& args, const std::string& name, long long min, long long max,
                       long long fallback) {
  auto value = args.get_int(name, min, max);
  if (!value) throw std::runtime_error(value.error());
  return value->value_or(fallback);
}

OfficialCommand::OfficialCommand(const ParsedArgs& args) {
  if (!args.positional().empty()) throw std::runtime_error("unexpected argument '" + args.positional()[0] + "'");
  auto in = args.get("in");
  auto out = args.get("out");
  if (!in || !out) throw std::runtime_error("--in and --out are required (see --help)");
  in_ = *in;
  out_ = *out;
  limits_.timeout = std::chrono::milliseconds(integer_flag(args, "timeout-ms", 1, 3'600'000, 1000));
  limits_.memory_mb = static_cast<std::size_t>(integer_flag(args, "memory-mb", 1, 1 << 20, 256));
  sandbox_ = {static_cast<std::size_t>(integer_flag(args, "workers", 1, 256, 0)), args.all("module")};
  auto pool = official::start_pool(sandbox_);
  if (!pool) throw std::runtime_error(pool.error());
  pool_ = std::move(*pool);
  stream_ = {args.has("strict"), official::window_for(sandbox_.workers), warnings_.sink()};
}

std::string OfficialCommand::first_line(const char* name, const official::StreamCounts& counts) const {
  return std::string(name) + ": " + std::to_string(counts.rows_in) + " rows in, " + std::to_string(counts.rows_out) +
         " rows out, " + std::to_string(counts.rows_skipped) + " bad rows skipped" +
         (warnings_.unprinted() ? " (warnings after the first 20 not shown)" : "");
}

std::string OfficialCommand::last_lines() const {
  auto stats = pool_->stats();
  return "  sandbox: " + std::to_string(stats.jobs) + " jobs, " + std::to_string(stats.evaluations) +
         " evaluations\n  wrote " + out_;
}

}  // namespace autoif::cli
