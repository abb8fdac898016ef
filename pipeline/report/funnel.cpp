#include "pipeline/report/funnel.h"

#include <algorithm>
#include <map>

namespace autoif::report {
namespace {

std::int64_t count_of(const std::vector<storage::KeyCount>& counts, const std::string& key) {
  auto it = std::find_if(counts.begin(), counts.end(), [&](const storage::KeyCount& k) { return k.key == key; });
  return it == counts.end() ? 0 : it->count;
}

// Instruction drop reasons the stages set, with the stage that sets each.
const std::vector<std::pair<std::string, std::string>>& known_instruction_drops() {
  static const std::vector<std::pair<std::string, std::string>> kDrops = {
      {"near_duplicate", "instructions"},
      {"no_verifier", "verifiers"},
      {"crossval", "verifiers"},
      {"contradiction", "back_translation"},
  };
  return kDrops;
}

bool known_drop(const std::string& reason) {
  for (const auto& [name, stage] : known_instruction_drops())
    if (name == reason) return true;
  return false;
}

}  // namespace

Funnel build_funnel(const FunnelCounts& c) {
  // Instructions by status and by drop reason; a dropped row without a reason counts as "unknown".
  std::int64_t total = 0, seeds = 0, augmented = 0;
  std::map<std::string, std::int64_t> by_status, by_reason;
  for (const auto& g : c.instructions) {
    total += g.count;
    (g.origin == "seed" ? seeds : augmented) += g.count;
    by_status[g.status] += g.count;
    if (g.status == "dropped") by_reason[g.drop_reason.value_or("unknown")] += g.count;
  }
  std::vector<storage::KeyCount> unknown_drops;
  for (const auto& [reason, n] : by_reason)
    if (!known_drop(reason)) unknown_drops.push_back({reason, n});

  Funnel f;
  const std::int64_t unique = total - by_reason["near_duplicate"];
  f.stages.push_back({"instructions", "instructions", "instructions", total, unique, 0,
                      {{"near_duplicate", by_reason["near_duplicate"]}},
                      {{"seeds", seeds}, {"augmented", augmented}}});

  // Cross-validation passed: verified now, or later kept or found contradictory.
  const std::int64_t passed = by_status["verified"] + by_status["kept"] + by_reason["contradiction"];
  std::int64_t parse_failures = 0;
  StageFlow verifiers{"verifiers", "instructions", "instructions", unique, passed, by_status["candidate"],
                      {{"no_verifier", by_reason["no_verifier"]}, {"crossval", by_reason["crossval"]}}, {}};
  for (const auto& d : unknown_drops) verifiers.dropped.push_back(d);
  std::int64_t answers = 0;
  for (const auto& a : c.verifier_answers) answers += a.count;
  verifiers.details.push_back({"verifier_answers", answers});
  for (const auto& a : c.verifier_answers) {
    if (a.key == "ok") continue;
    parse_failures += a.count;
    verifiers.details.push_back({"answers_" + a.key, a.count});
  }
  verifiers.details.push_back({"functions", c.functions.total});
  verifiers.details.push_back({"functions_compile_error", c.functions.compile_errors});
  verifiers.details.push_back({"functions_kept", c.functions.kept});
  verifiers.details.push_back({"cases", c.functions.cases});
  verifiers.details.push_back({"cases_kept", c.functions.kept_cases});
  f.stages.push_back(std::move(verifiers));

  const std::int64_t kept = by_status["kept"];
  f.stages.push_back({"back_translation", "instructions", "instructions", passed, kept, by_status["verified"],
                      {{"contradiction", by_reason["contradiction"]}}, {}});

  f.stages.push_back({"queries", "instructions", "inputs", kept, c.inputs.inputs, c.inputs.kept_without_inputs, {},
                      {{"queries", c.inputs.queries}}});

  std::int64_t responses = 0;
  for (const auto& fate : c.response_fates) responses += fate.count;
  f.stages.push_back({"responses", "inputs", "responses", c.inputs.inputs, responses,
                      c.inputs.inputs - c.inputs.with_responses, {}, {{"inputs_answered", c.inputs.with_responses}}});

  const std::int64_t truncated = count_of(c.response_fates, "truncated");
  const std::int64_t low_pass = count_of(c.response_fates, "pass_rate");
  const std::int64_t passing = responses - truncated - low_pass;
  f.stages.push_back({"verification", "responses", "responses", responses, passing, 0,
                      {{"truncated", truncated}, {"pass_rate", low_pass}},
                      {{"truncated_answers", c.truncated}}});

  const std::int64_t unscored = count_of(c.response_fates, "unscored");
  const std::int64_t bad_score = count_of(c.response_fates, "score_parse_failure");
  const std::int64_t low_score = count_of(c.response_fates, "score");
  const std::int64_t sft = count_of(c.response_fates, "kept");
  StageFlow scoring{"scoring", "responses", "responses", passing, sft, unscored,
                    {{"score_parse_failure", bad_score}, {"score", low_score}}, {}};
  std::int64_t scored = 0, score_parse_failures = 0;
  for (const auto& s : c.scores) {
    scored += s.count;
    if (s.key != "ok") {
      score_parse_failures += s.count;
      scoring.details.push_back({"scores_" + s.key, s.count});
    }
  }
  scoring.details.insert(scoring.details.begin(), {"scores", scored});
  f.stages.push_back(std::move(scoring));

  std::int64_t pairs = 0;
  for (const auto& p : c.pairs) pairs += p.count;
  f.stages.push_back({"select", "inputs", "pairs", c.inputs.with_responses, pairs, 0, {},
                      {{"query_pairs", count_of(c.pairs, "query")},
                       {"instruction_pairs", count_of(c.pairs, "instruction")}}});

  f.drops = {
      {"instructions", "near_duplicate", "instructions", by_reason["near_duplicate"]},
      {"verifiers", "parse_failure", "verifier answers", parse_failures},
      {"verifiers", "compile_error", "functions", c.functions.compile_errors},
      {"verifiers", "no_verifier", "instructions", by_reason["no_verifier"]},
      {"verifiers", "crossval", "instructions", by_reason["crossval"]},
      {"back_translation", "contradiction", "instructions", by_reason["contradiction"]},
      {"verification", "truncated", "responses", truncated},
      {"verification", "pass_rate", "responses", low_pass},
      {"scoring", "parse_failure", "scores", score_parse_failures},
      {"scoring", "score", "responses", low_score},
  };
  for (const auto& d : unknown_drops) f.drops.push_back({"verifiers", d.key, "instructions", d.count});
  return f;
}

}  // namespace autoif::report
