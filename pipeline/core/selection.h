// Turning verified, scored candidates into training rows (AUTOIF.md stage 10): which
// responses become SFT rows and which (chosen, rejected) pairs become DPO rows. Pure and
// deterministic: the same candidates in any order give the same rows in the same order.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace autoif::core {

struct Candidate {
  std::size_t order = 0;         // stable tie-breaker: sample index, or case position
  std::string text;
  double pass_rate = 0.0;        // fraction of kept functions that returned True
  std::optional<double> score;   // quality score, when scored
  bool truncated = false;        // the model hit its token limit
};

struct SftOptions {
  double min_pass_rate = 0.5;    // kept when pass rate is MORE than this
  double min_score = 8.0;        // and the score is at least this
  bool drop_truncated = true;
};

// Indices of SFT-worthy candidates, in candidate order.
std::vector<std::size_t> select_sft(const std::vector<Candidate>& candidates, const SftOptions& options);

struct PairOptions {
  double chosen_pass_rate = 0.5;   // chosen needs a pass rate of at least this...
  bool chosen_strict = false;      // ...or more than this when strict
  double rejected_pass_rate = 0.0; // rejected needs a pass rate of at most this
  std::optional<double> chosen_min_score;  // when set, chosen must also score this much
  std::size_t max_pairs = 4;       // per prompt; 0 = no pairs
  bool drop_truncated = true;
};

struct PairChoice {
  std::size_t chosen;    // index into candidates
  std::size_t rejected;
  friend bool operator==(const PairChoice&, const PairChoice&) = default;
};

// Pairs for one prompt. Chosen candidates are ranked by pass rate, then score, then order;
// rejected ones by order. Pairs use distinct responses first ((c0, r0), (c1, r1), ...) and
// then the remaining combinations, up to max_pairs; pairs with identical texts are skipped.
std::vector<PairChoice> select_pairs(const std::vector<Candidate>& candidates, const PairOptions& options);

}  // namespace autoif::core
