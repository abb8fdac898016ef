#include "pipeline/export/options.h"

#include <cmath>

namespace autoif::exports {

Thresholds thresholds_from(const config::Config& config) {
  Thresholds t;
  t.source = config.responses.source;
  t.min_pass_rate = config.verify.min_pass_rate;
  t.min_score = config.score.min_score;
  t.rejected_pass_rate = config.select.rejected_pass_rate;
  t.drop_truncated = config.select.drop_truncated;
  return t;
}

tl::expected<void, std::string> check_request(const ExportRequest& request) {
  auto format = std::string(format_name(request.format));
  auto source = source_of(request.format);
  if (request.out.empty()) return tl::unexpected(std::string("--out: an output file is required"));
  if (request.min_score && (source == Source::inputs || source == Source::instructions))
    return tl::unexpected("--min-score does not apply to " + format + ": its rows carry no scored responses");
  if (request.min_pass_rate && source == Source::instructions)
    return tl::unexpected("--min-pass-rate does not apply to " + format +
                          ": its rows are instructions with their verifiers, not responses");
  if (request.min_pass_rate && !(*request.min_pass_rate >= 0 && *request.min_pass_rate <= 1))
    return tl::unexpected(std::string("--min-pass-rate: a pass rate is between 0 and 1"));
  if (request.min_score && !std::isfinite(*request.min_score))
    return tl::unexpected(std::string("--min-score: not a number"));
  if (request.limit && *request.limit == 0)
    return tl::unexpected(std::string("--limit: at least 1 (leave it out for no limit)"));
  if (request.llamafactory_info && !is_llamafactory(request.format))
    return tl::unexpected("--llamafactory-info applies to the alpaca-* and sharegpt-* formats, not " + format);
  if (request.dataset_name && !request.llamafactory_info)
    return tl::unexpected(
        std::string("--dataset-name names the dataset_info.json entry: give --llamafactory-info DIR with it"));
  if (request.dataset_name && request.dataset_name->empty())
    return tl::unexpected(std::string("--dataset-name: empty"));
  return {};
}

}  // namespace autoif::exports
