// Cross-validation of verification functions against test cases (AUTOIF.md stage 1.4): the
// decision alone, as a pure function of who got what right, so the pipeline stage and the
// `autoif crossval` command (the released scripts' format) share one definition.
//
// - Only compiled functions vote. A case is kept when the fraction of compiled functions that
//   get it right is MORE than case_threshold.
// - A function is kept when the fraction of KEPT cases it gets right is MORE than
//   function_threshold; that fraction is its accuracy.
// - The instruction survives with at least min_functions kept functions and min_cases kept
//   cases. "Right" means: evaluate returned a real bool equal to the expected value (errors,
//   timeouts and non-bools are wrong).
// Fractions are compared exactly (0.5 is not more than 0.5), whatever the thresholds.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace autoif::core {

struct CrossvalOptions {
  double case_threshold = 0.5;
  double function_threshold = 0.5;
  std::size_t min_functions = 1;
  std::size_t min_cases = 1;
};

// right[f][c]: did compiled function f get case c right.
struct CrossvalInput {
  std::size_t cases = 0;
  std::vector<std::vector<bool>> right;  // one row per compiled function, `cases` wide
};

struct CrossvalOutcome {
  std::vector<bool> case_kept;                  // per case
  std::vector<bool> function_kept;              // per compiled function
  std::vector<std::optional<double>> accuracy;  // per compiled function; nullopt: no kept case
  std::size_t kept_functions = 0;
  std::size_t kept_cases = 0;
  bool survives = false;
};

CrossvalOutcome cross_validate(const CrossvalInput& input, const CrossvalOptions& options = {});

// Exact "numerator / denominator > threshold" (denominator > 0).
bool more_than(std::size_t numerator, std::size_t denominator, double threshold);

}  // namespace autoif::core
