// Prints how the dedup index scales: wall time of Deduplicator::add over n instruction-like
// texts against a brute-force scan of every kept text, measured in the same run.
// Usage: parse_dedup_bench [max_n]   (default 20000; the scan stops at 20000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "pipeline/parse/dedup.h"
#include "instruction_corpus.h"

using namespace autoif::parse;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::size_t brute_force(const std::vector<std::string>& corpus, const DedupOptions& o) {
  std::vector<std::vector<std::uint64_t>> kept;
  std::vector<std::string> kept_norm;
  for (const std::string& text : corpus) {
    const std::string norm = normalise_for_dedup(text);
    const auto sh = shingles(norm, o);
    bool dup = norm.empty();
    for (std::size_t k = 0; k < kept.size() && !dup; ++k)
      dup = kept_norm[k] == norm || jaccard(sh, kept[k]) + 1e-9 >= o.threshold;
    if (!dup) {
      kept.push_back(sh);
      kept_norm.push_back(norm);
    }
  }
  return kept.size();
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t max_n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20000;
  const DedupOptions options;  // the defaults the pipeline uses
  std::printf("%8s %8s %12s %12s %10s %14s\n", "n", "kept", "index_s", "scan_s", "speedup", "comparisons");
  for (std::size_t n = 2500; n <= max_n; n *= 2) {
    const auto corpus = testing::instruction_corpus(n, 7);
    auto t0 = std::chrono::steady_clock::now();
    Deduplicator d(options);
    for (const std::string& text : corpus) d.add(text);
    const double index_s = seconds_since(t0);
    double scan_s = -1;
    if (n <= 20000) {
      t0 = std::chrono::steady_clock::now();
      const std::size_t kept = brute_force(corpus, options);
      scan_s = seconds_since(t0);
      if (kept != d.kept()) {
        std::fprintf(stderr, "mismatch at n=%zu: index kept %zu, scan kept %zu\n", n, d.kept(), kept);
        return 1;
      }
    }
    std::printf("%8zu %8zu %12.4f %12.4f %10.1f %14zu\n", n, d.kept(), index_s, scan_s,
                scan_s > 0 ? scan_s / index_s : 0.0, d.comparisons());
  }
  return 0;
}
