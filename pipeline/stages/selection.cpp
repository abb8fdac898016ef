// Stage 10: the DPO pairs, recomputed from what is stored (cheap, so every run redoes it):
// query-level pairs per input (chosen pass rate >= select.chosen_pass_rate, rejected <=
// select.rejected_pass_rate) and instruction-level pairs per instruction from its test-case
// inputs (chosen accepted by more than half the kept functions, rejected by all). SFT rows need
// no table: they are read straight from responses and scores at export time.
#include <stdexcept>

#include "pipeline/core/selection.h"
#include "pipeline/stages/stages.h"
#include "storage/transaction.h"

namespace autoif::stages {
namespace {

nlohmann::json fingerprint(const config::Config&) { return nlohmann::json::object(); }

void run_stage(run::RunContext& ctx) {
  const auto& select = ctx.config.select;
  const auto& source = ctx.config.responses.source;
  auto tx = storage::Transaction::begin(ctx.store.db());
  if (!tx) throw std::runtime_error(tx.error().what());
  ctx.store.clear_pairs();
  std::size_t query_pairs = 0, instruction_pairs = 0;

  core::PairOptions options;
  options.chosen_pass_rate = select.chosen_pass_rate;
  options.rejected_pass_rate = select.rejected_pass_rate;
  options.max_pairs = select.max_pairs_per_prompt;
  options.drop_truncated = select.drop_truncated;
  ctx.begin("select", static_cast<std::size_t>(ctx.store.count_inputs(source, true)));
  InputWalk inputs(ctx.store, source, true);
  while (auto next = inputs.next()) {
    const auto& input = *next;
    ctx.advance("select");
    auto responses = ctx.store.responses(input.id, source);
    std::vector<core::Candidate> candidates;
    for (const auto& r : responses)
      candidates.push_back({static_cast<std::size_t>(r.sample_index), r.text, r.pass_rate, r.score, r.truncated});
    for (const auto& pair : core::select_pairs(candidates, options)) {
      ctx.store.add_pair({"query", input.instruction_id, input.id, input.prompt, candidates[pair.chosen].text,
                          candidates[pair.rejected].text, candidates[pair.chosen].pass_rate,
                          candidates[pair.rejected].pass_rate});
      ++query_pairs;
    }
  }
  if (select.instruction_pairs) {
    core::PairOptions by_case = options;
    by_case.chosen_pass_rate = 0.5;
    by_case.chosen_strict = true;  // "accepted": pass rate above 0.5
    by_case.rejected_pass_rate = 0.0;
    for (const auto& instruction : ctx.store.instructions("kept")) {
      auto functions = ctx.store.kept_functions(instruction.id).size();
      if (functions == 0) continue;
      auto passes = ctx.store.case_passes(instruction.id);
      std::vector<core::Candidate> candidates;
      std::size_t order = 0;
      for (const auto& c : ctx.store.kept_cases(instruction.id))
        candidates.push_back({order++, c.input, static_cast<double>(passes[c.id]) / functions, std::nullopt, false});
      for (const auto& pair : core::select_pairs(candidates, by_case)) {
        ctx.store.add_pair({"instruction", instruction.id, std::nullopt, instruction.text,
                            candidates[pair.chosen].text, candidates[pair.rejected].text,
                            candidates[pair.chosen].pass_rate, candidates[pair.rejected].pass_rate});
        ++instruction_pairs;
      }
    }
  }
  if (auto committed = tx->commit(); !committed) throw std::runtime_error(committed.error().what());
  ctx.note(format("select: %zu query-level and %zu instruction-level pairs", query_pairs, instruction_pairs));
}

}  // namespace

run::Stage select_stage() { return {"select", "SFT rows and DPO pairs", fingerprint, run_stage}; }

}  // namespace autoif::stages
