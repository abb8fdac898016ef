// Stage 2: self-instruct augmentation. K rounds each show the supervisor a different handful of
// seeds and ask for new checkable instructions; once every round has answered, seeds and new
// instructions are de-duplicated in a fixed order (seeds first, then rounds in order), so the
// instruction set does not depend on which answer arrived first.
#include <algorithm>
#include <stdexcept>

#include "pipeline/parse/dedup.h"
#include "pipeline/parse/instructions.h"
#include "pipeline/run/throttle.h"
#include "pipeline/stages/stages.h"
#include "storage/transaction.h"

namespace autoif::stages {
namespace {

// A deterministic choice of `count` distinct seeds for one round.
std::vector<std::string> examples_for(const std::vector<std::string>& seeds, std::size_t round,
                                      const config::Config& config) {
  std::vector<std::pair<std::uint64_t, std::size_t>> order;
  for (std::size_t i = 0; i < seeds.size(); ++i)
    order.emplace_back(stable_hash(seeds[i], static_cast<std::uint64_t>(config.run.seed) * 1000003 + round), i);
  std::sort(order.begin(), order.end());
  std::vector<std::string> chosen;
  for (std::size_t i = 0; i < std::min(config.augment.examples_per_round, order.size()); ++i)
    chosen.push_back(seeds[order[i].second]);
  return chosen;
}

nlohmann::json fingerprint(const config::Config& config) {
  return {{"prompt", prompt_digest(config, "augment")},
          {"seeds", load_seeds(config)},
          {"augment", {{"rounds", config.augment.rounds},
                       {"examples_per_round", config.augment.examples_per_round},
                       {"per_round", config.augment.per_round},
                       {"near_duplicate", config.augment.near_duplicate},
                       {"min_chars", config.augment.min_chars},
                       {"max_chars", config.augment.max_chars}}},
          {"model", config.supervisor.model}};
}

void run_stage(run::RunContext& ctx) {
  if (ctx.store.stage_done("instructions")) return;
  const auto& config = ctx.config;
  auto seeds = load_seeds(config);
  const std::size_t rounds = config.augment.rounds;
  std::vector<std::optional<run::Answer>> answers(rounds);
  std::string prompt_error;

  std::size_t next = 0;
  ctx.begin("instructions", rounds);
  run::Throttle throttle(ctx.supervisor.window(1), [&]() -> bool {
    if (next >= rounds) return false;
    std::size_t round = next++;
    std::string examples;
    for (const auto& seed : examples_for(seeds, round, config)) examples += "- " + seed + "\n";
    auto prompt = ctx.render("augment", {{"examples", examples}, {"count", std::to_string(config.augment.per_round)}});
    ctx.supervisor.ask(user_message(prompt), round, 1, [&, round](run::Answers got) {
      answers[round] = got[0];
      if (got[0]) ctx.advance("instructions");
      throttle.finished();
    });
    return true;
  }, ctx.control);
  throttle.start();
  drive(ctx);

  std::size_t failed = std::count(answers.begin(), answers.end(), std::nullopt);
  if (failed > 0)
    throw std::runtime_error(std::to_string(failed) + " augmentation request(s) failed after every retry; "
                             "run again to retry them (answers already received are kept)");

  parse::DedupOptions dedup_options;
  dedup_options.threshold = config.augment.near_duplicate;
  parse::Deduplicator dedup(dedup_options);
  parse::InstructionListOptions list_options{config.augment.min_chars, config.augment.max_chars};
  std::size_t exact = 0;
  auto tx = storage::Transaction::begin(ctx.store.db());
  if (!tx) throw std::runtime_error(tx.error().what());
  auto add = [&](const std::string& text, const std::string& origin, const std::optional<std::string>& key) {
    auto verdict = dedup.add(text);
    std::string norm = parse::normalise_for_dedup(text);
    switch (verdict.kind) {
      case parse::DedupKind::new_text:
        ctx.store.add_instruction(text, norm, origin, key, "candidate");
        break;
      case parse::DedupKind::near:
        ctx.store.add_instruction(text, norm, origin, key, "dropped", "near_duplicate");
        break;
      default:
        ++exact;
    }
  };
  for (const auto& seed : seeds) add(seed, "seed", std::nullopt);
  for (const auto& answer : answers)
    for (const auto& text : parse::parse_instruction_list(answer->content, list_options).instructions)
      add(text, "augment", answer->key);
  ctx.store.set_stage("instructions", fingerprint(config).dump(), true);
  if (auto committed = tx->commit(); !committed) throw std::runtime_error(committed.error().what());
  ctx.note(format("instructions: %zu seeds, %zu rounds, %zu kept, %zu exact duplicates", seeds.size(), rounds,
                  dedup.kept(), exact));
}

}  // namespace

run::Stage instructions_stage() { return {"instructions", "seeds and self-instruct augmentation", fingerprint, run_stage}; }

}  // namespace autoif::stages
