#include "pipeline/report/metrics.h"

#include <cmath>

namespace autoif::report {

std::int64_t percentile(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  // Nearest rank: ceil(p/100 * n), 1-based. The small epsilon keeps 0.9 * 10 from becoming 9.000001.
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size()) - 1e-9));
  if (rank < 1) rank = 1;
  if (rank > sorted.size()) rank = sorted.size();
  return sorted[rank - 1];
}

LatencySummary summarize_latency(const std::string& model, const std::vector<std::int64_t>& sorted) {
  LatencySummary s;
  s.model = model;
  s.count = static_cast<std::int64_t>(sorted.size());
  s.p50 = percentile(sorted, 50);
  s.p90 = percentile(sorted, 90);
  s.p99 = percentile(sorted, 99);
  s.max = sorted.empty() ? 0 : sorted.back();
  return s;
}

}  // namespace autoif::report
