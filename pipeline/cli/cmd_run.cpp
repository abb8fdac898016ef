// `autoif run`: the whole pipeline, or what is left of it (see pipeline/run/runner.h).
#include <stdexcept>

#include "pipeline/cli/args.h"
#include "pipeline/cli/commands.h"
#include "pipeline/run/runner.h"

namespace autoif::cli {
namespace {

constexpr std::string_view kUsage = R"(usage: autoif run --config FILE [options]

Runs the AutoIF pipeline, or resumes it: every stage finds in the database what is already
done, and every model answer already stored is reused instead of asked again. A run killed at
any moment and started again produces the same exports as an uninterrupted one.

options:
  --config FILE         the run's TOML configuration (see `autoif init`)
  --db FILE             the run's database (default: run.db of the config)
  --set KEY=VALUE       override any configuration key, e.g.
                        --set llm.base_url=http://127.0.0.1:8000/v1 (repeatable)
  --until STAGE         stop after STAGE: seeds, augment, verifiers, crossval,
                        back_translation, queries, responses, verification, scoring, select
  --allow-recompute     when changed settings invalidate stored work, recompute the affected
                        stages instead of refusing (stored model answers are still reused)
  --record-cassette F   append every request/answer exchanged with the model to F, to replay
                        later with `autoif stub-llm --cassette F`
)";

int run(std::span<const std::string> argv) {
  static const FlagSpec kFlags[] = {{"config"}, {"db"}, {"set", true, true}, {"until"},
                                    {"allow-recompute", false}, {"record-cassette"}};
  auto args = parse_args(argv, kFlags);
  if (!args) throw std::runtime_error(args.error());
  if (!args->positional().empty()) throw std::runtime_error("unexpected argument '" + args->positional()[0] + "'");
  run::RunOptions options;
  auto config = args->get("config");
  if (!config) throw std::runtime_error("--config FILE is required (create one with `autoif init DIR`)");
  options.config_path = *config;
  options.db_path = args->get("db");
  options.overrides = args->all("set");
  options.until = args->get("until");
  options.allow_recompute = args->has("allow-recompute");
  options.record_cassette = args->get("record-cassette");
  return run::run_pipeline(options);
}

}  // namespace

Command run_command() { return {"run", "run or resume the AutoIF pipeline", kUsage, run}; }

}  // namespace autoif::cli
