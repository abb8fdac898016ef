// Stage 6: pairing kept instructions with real user queries. The pool is read twice as a
// stream (never loaded): the first pass counts the queries that pass the length filter, the
// second stores just the ones drawn. Each instruction draws its queries from a generator
// seeded by the run seed and its own text, so the pairing does not depend on the order of
// instructions or on how many there are.
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "pipeline/config/input_files.h"
#include "pipeline/parse/query_template.h"
#include "pipeline/stages/stages.h"
#include "storage/transaction.h"

namespace autoif::stages {
namespace {

nlohmann::json fingerprint(const config::Config& config) {
  return {{"file", config.queries.file},       {"field", config.queries.field},
          {"min_chars", config.queries.min_chars}, {"max_chars", config.queries.max_chars},
          {"per_instruction", config.queries.per_instruction}, {"template", config.queries.template_text},
          {"seed", config.run.seed}};
}

// Calls `eligible(line_number, text)` for every query of the pool that passes the filter; a
// bad pool is fatal (check_input_files has normally refused it before the run began).
template <typename Fn>
std::int64_t scan_pool(const config::QuerySettings& settings, Fn&& eligible) {
  auto summary = config::scan_query_pool(settings, std::forward<Fn>(eligible));
  if (!summary) throw std::runtime_error(summary.error());
  return summary->eligible;
}

void run_stage(run::RunContext& ctx) {
  const auto& settings = ctx.config.queries;
  auto query_template = parse::QueryTemplate::parse(settings.template_text);
  if (!query_template) throw std::runtime_error("queries.template: " + query_template.error());
  // Only instructions without inputs yet: a resumed run pairs what it has not paired before.
  auto instructions = ctx.store.kept_without_inputs();
  if (instructions.empty()) return;
  ctx.begin("queries", instructions.size());

  std::int64_t eligible = scan_pool(settings, [](std::int64_t, std::string) {});
  if (eligible == 0 && !instructions.empty())
    throw std::runtime_error(settings.file + ": no query of " + std::to_string(settings.min_chars) + " to " +
                             std::to_string(settings.max_chars) + " characters in field \"" + settings.field + "\"");

  // Draw per instruction: distinct positions among the eligible queries.
  std::unordered_map<std::int64_t, std::vector<std::size_t>> wanted;  // position -> instruction indexes
  const std::size_t draws = std::min<std::size_t>(settings.per_instruction, static_cast<std::size_t>(eligible));
  for (std::size_t i = 0; i < instructions.size(); ++i) {
    std::set<std::int64_t> chosen;
    std::uint64_t state = stable_hash(instructions[i].text, static_cast<std::uint64_t>(ctx.config.run.seed));
    while (chosen.size() < draws) {
      state = stable_hash(std::string_view(reinterpret_cast<const char*>(&state), sizeof state), 7);
      chosen.insert(static_cast<std::int64_t>(state % static_cast<std::uint64_t>(eligible)));
    }
    for (auto position : chosen) wanted[position].push_back(i);
  }

  auto tx = storage::Transaction::begin(ctx.store.db());
  if (!tx) throw std::runtime_error(tx.error().what());
  std::int64_t position = 0, pairs = 0;
  scan_pool(settings, [&](std::int64_t line, std::string text) {
    auto it = wanted.find(position++);
    if (it == wanted.end()) return;
    auto query = ctx.store.add_query(line, text);
    for (auto index : it->second) {
      ctx.store.add_input(instructions[index].id, query, query_template->render(text, instructions[index].text));
      ++pairs;
    }
  });
  if (auto committed = tx->commit(); !committed) throw std::runtime_error(committed.error().what());
  ctx.advance("queries", instructions.size());
  ctx.note(format("queries: %lld eligible in the pool, %lld inputs for %zu instructions", static_cast<long long>(eligible),
                  static_cast<long long>(pairs), instructions.size()));
}

}  // namespace

run::Stage queries_stage() {
  return {"queries", "pairing instructions with queries from the pool", fingerprint, run_stage};
}

}  // namespace autoif::stages
