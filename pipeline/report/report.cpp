#include "pipeline/report/report.h"

#include <algorithm>

#include "pipeline/report/atomic_write.h"

namespace autoif::report {
namespace {

std::vector<std::int64_t> bins(const std::vector<std::pair<int, std::int64_t>>& counts) {
  std::vector<std::int64_t> out(11, 0);
  for (const auto& [bin, n] : counts)
    if (bin >= 0 && bin <= 10) out[static_cast<std::size_t>(bin)] += n;
  return out;
}

}  // namespace

std::vector<storage::KeyCount> share_sample(const std::vector<storage::KeyCount>& fates, std::int64_t total) {
  std::vector<storage::KeyCount> order;
  for (const auto& f : fates)
    if (f.count > 0) order.push_back(f);
  std::stable_sort(order.begin(), order.end(),
                   [](const storage::KeyCount& a, const storage::KeyCount& b) { return a.count < b.count; });
  std::int64_t left = std::max<std::int64_t>(total, 0);
  std::vector<storage::KeyCount> shares;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto fates_left = static_cast<std::int64_t>(order.size() - i);
    std::int64_t share = std::min(order[i].count, left / fates_left);
    shares.push_back({order[i].key, share});
    left -= share;
  }
  // Back in the caller's order.
  std::vector<storage::KeyCount> out;
  for (const auto& f : fates)
    for (const auto& s : shares)
      if (s.key == f.key) out.push_back(s);
  return out;
}

tl::expected<ReportData, std::string> gather_report(storage::Database& db, const ReportOptions& options) {
  storage::StatusQueries q(db);
  auto snapshot = q.snapshot();
  if (!snapshot) return tl::unexpected(snapshot.error().what());
  ReportData data;
  auto status = gather_status(db, options.gather);
  if (!status) return tl::unexpected(status.error());
  data.status = std::move(*status);
  const auto& t = data.status.thresholds.responses;

  auto pass = q.pass_rate_histogram(t.source);
  if (!pass) return tl::unexpected(pass.error().what());
  data.pass_rate_bins = bins(*pass);
  auto score = q.score_histogram(t.source);
  if (!score) return tl::unexpected(score.error().what());
  data.score_bins = bins(*score);

  auto fates = q.response_fates(t);
  if (!fates) return tl::unexpected(fates.error().what());
  std::vector<storage::KeyCount> rejected;
  for (const auto& f : *fates)
    if (f.key != "kept" && f.key != "unscored") rejected.push_back(f);
  auto kept = q.sample_responses(t, "kept", options.sample_size);
  if (!kept) return tl::unexpected(kept.error().what());
  data.kept = std::move(*kept);
  for (const auto& share : share_sample(rejected, options.sample_size)) {
    auto rows = q.sample_responses(t, share.key, share.count);
    if (!rows) return tl::unexpected(rows.error().what());
    data.rejected.insert(data.rejected.end(), rows->begin(), rows->end());
  }

  auto kept_instructions = q.sample_instructions(true, options.instructions_per_reason);
  if (!kept_instructions) return tl::unexpected(kept_instructions.error().what());
  data.kept_instructions = std::move(*kept_instructions);
  auto dropped = q.sample_instructions(false, options.instructions_per_reason);
  if (!dropped) return tl::unexpected(dropped.error().what());
  data.dropped_instructions = std::move(*dropped);
  return data;
}

tl::expected<void, std::string> write_report(storage::Database& db, const std::string& path,
                                             const ReportOptions& options) {
  auto data = gather_report(db, options);
  if (!data) return tl::unexpected(data.error());
  return write_file_atomically(path, render_report_html(*data, options));
}

}  // namespace autoif::report
