// Latency summaries of LLM calls: nearest-rank percentiles, so every reported value is one a
// call actually took (no interpolation) and the same data always gives the same numbers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace autoif::report {

struct LatencySummary {
  std::string model;
  std::int64_t count = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;  // milliseconds
};

// The smallest value with at least p% of the values at or below it; 0 for no values.
// `sorted` must be ascending; p in (0, 100].
std::int64_t percentile(const std::vector<std::int64_t>& sorted, double p);

LatencySummary summarize_latency(const std::string& model, const std::vector<std::int64_t>& sorted);

}  // namespace autoif::report
