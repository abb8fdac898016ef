#include "pipeline/core/selection.h"

#include <algorithm>


namespace autoif::core {

std::vector<std::size_t> select_sft(const std::vector<Candidate>& candidates, const SftOptions& options) {
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& c = candidates[i];
    if (options.drop_truncated && c.truncated) continue;
    if (!(c.pass_rate > options.min_pass_rate)) continue;
    if (!c.score || *c.score < options.min_score) continue;
    kept.push_back(i);
  }
  std::stable_sort(kept.begin(), kept.end(), [&](std::size_t a, std::size_t b) {
    return candidates[a].order < candidates[b].order;
  });
  return kept;
}

std::vector<PairChoice> select_pairs(const std::vector<Candidate>& candidates, const PairOptions& options) {
  std::vector<std::size_t> chosen, rejected;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& c = candidates[i];
    if (options.drop_truncated && c.truncated) continue;
    bool good = options.chosen_strict ? c.pass_rate > options.chosen_pass_rate
                                      : c.pass_rate >= options.chosen_pass_rate;
    if (good && options.chosen_min_score && (!c.score || *c.score < *options.chosen_min_score))
      good = false;
    if (good)
      chosen.push_back(i);
    else if (c.pass_rate <= options.rejected_pass_rate)
      rejected.push_back(i);
  }
  std::stable_sort(chosen.begin(), chosen.end(), [&](std::size_t a, std::size_t b) {
    const auto& x = candidates[a];
    const auto& y = candidates[b];
    if (x.pass_rate != y.pass_rate) return x.pass_rate > y.pass_rate;
    double sx = x.score.value_or(-1), sy = y.score.value_or(-1);
    if (sx != sy) return sx > sy;
    return x.order < y.order;
  });
  std::stable_sort(rejected.begin(), rejected.end(), [&](std::size_t a, std::size_t b) {
    return candidates[a].order < candidates[b].order;
  });

  std::vector<PairChoice> pairs;
  auto add = [&](std::size_t c, std::size_t r) {
    if (pairs.size() >= options.max_pairs) return;
    if (candidates[c].text == candidates[r].text) return;
    PairChoice pair{c, r};
    if (std::find(pairs.begin(), pairs.end(), pair) == pairs.end()) pairs.push_back(pair);
  };
  const std::size_t diagonal = std::min(chosen.size(), rejected.size());
  for (std::size_t k = 0; k < diagonal; ++k) add(chosen[k], rejected[k]);
  for (std::size_t i = 0; i < chosen.size(); ++i)
    for (std::size_t j = 0; j < rejected.size(); ++j) add(chosen[i], rejected[j]);
  return pairs;
}

}  // namespace autoif::core
