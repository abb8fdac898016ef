#include "pipeline/core/crossval.h"

namespace autoif::core {

bool more_than(std::size_t numerator, std::size_t denominator, double threshold) {
  if (denominator == 0) return false;
  // numerator/denominator is rounded to the nearest double exactly as a decimal threshold
  // literal is, so a fraction equal to the threshold (2/4 vs 0.5, 7/10 vs 0.7) compares equal
  // and is not "more"; real differences are far larger than a double's rounding.
  return static_cast<double>(numerator) / static_cast<double>(denominator) > threshold;
}

CrossvalOutcome cross_validate(const CrossvalInput& input, const CrossvalOptions& options) {
  CrossvalOutcome out;
  const std::size_t functions = input.right.size();
  out.case_kept.assign(input.cases, false);
  out.function_kept.assign(functions, false);
  out.accuracy.assign(functions, std::nullopt);

  for (std::size_t c = 0; c < input.cases; ++c) {
    std::size_t votes = 0;
    for (const auto& row : input.right) votes += row[c] ? 1 : 0;
    out.case_kept[c] = more_than(votes, functions, options.case_threshold);
    out.kept_cases += out.case_kept[c] ? 1 : 0;
  }
  for (std::size_t f = 0; f < functions; ++f) {
    if (out.kept_cases == 0) break;
    std::size_t correct = 0;
    for (std::size_t c = 0; c < input.cases; ++c)
      if (out.case_kept[c] && input.right[f][c]) ++correct;
    out.accuracy[f] = static_cast<double>(correct) / static_cast<double>(out.kept_cases);
    out.function_kept[f] = more_than(correct, out.kept_cases, options.function_threshold);
    out.kept_functions += out.function_kept[f] ? 1 : 0;
  }
  out.survives = out.kept_functions >= options.min_functions && out.kept_cases >= options.min_cases &&
                 out.kept_functions > 0 && out.kept_cases > 0;
  return out;
}

}  // namespace autoif::core
