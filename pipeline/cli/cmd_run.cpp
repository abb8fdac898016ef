// `autoif run`: the whole pipeline, or what is left of it (see pipeline/run/runner.h).
#include <unistd.h>

#include <cstdlib>
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

budgets (this invocation only; answers served from the database are free):
  --max-tokens N        stop starting new work once the answers received used N tokens
                        (prompt + completion; requests in flight then still finish)
  --max-requests N      stop starting new work after N model requests
  --deadline TIME       stop starting new work at TIME: 06:30 (the next time the local clock
                        shows it), 2026-11-27T06:30 (local; ...Z for UTC), or 90m, 8h, 2h30m
  --stop-grace SECONDS  how long a stop waits for requests in flight before abandoning them
                        (default 30; abandoned requests are asked again by the next run)

progress:
  --progress MODE       auto (default: live on a terminal, plain otherwise), live, plain, off
  --progress-interval S seconds between plain status lines (default 30)

stopping: SIGINT (Ctrl-C) or SIGTERM stops gracefully, like a spent budget: nothing new is
started, requests in flight finish and everything is stored. A second SIGINT stops at once
(the database stays consistent). Run the same command again to resume.

exit status: 0 done (or --until reached), 2 error, 3 stopped by a budget or the deadline,
130/143 stopped by SIGINT/SIGTERM.
)";

std::uint64_t positive(const ParsedArgs& args, const std::string& name) {
  auto value = args.get_int(name, 1, 1'000'000'000'000'000LL);
  if (!value) throw std::runtime_error(value.error());
  return static_cast<std::uint64_t>(**value);
}

run::Display display_mode(const std::string& mode) {
  if (mode == "live") return run::Display::live;
  if (mode == "plain") return run::Display::plain;
  if (mode == "off") return run::Display::off;
  if (mode != "auto") throw std::runtime_error("--progress: '" + mode + "' is not one of auto, live, plain, off");
  const char* term = std::getenv("TERM");
  bool terminal = ::isatty(STDERR_FILENO) && !(term && std::string_view(term) == "dumb");
  return terminal ? run::Display::live : run::Display::plain;
}

int run(std::span<const std::string> argv) {
  static const FlagSpec kFlags[] = {{"config"}, {"db"}, {"set", true, true}, {"until"},
                                    {"allow-recompute", false}, {"record-cassette"}, {"max-tokens"},
                                    {"max-requests"}, {"deadline"}, {"stop-grace"}, {"progress"},
                                    {"progress-interval"}};
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
  if (args->has("max-tokens")) options.budgets.max_tokens = positive(*args, "max-tokens");
  if (args->has("max-requests")) options.budgets.max_requests = positive(*args, "max-requests");
  if (auto deadline = args->get("deadline")) {
    std::string error;
    options.budgets.deadline = run::parse_deadline(*deadline, std::chrono::system_clock::now(), error);
    if (!options.budgets.deadline) throw std::runtime_error(error);
  }
  if (args->has("stop-grace")) options.stop_grace = std::chrono::seconds(positive(*args, "stop-grace"));
  options.display = display_mode(args->get("progress").value_or("auto"));
  if (auto interval = args->get("progress-interval")) {
    char* end = nullptr;
    double seconds = std::strtod(interval->c_str(), &end);
    if (end == interval->c_str() || *end != '\0' || !(seconds > 0) || seconds > 86400)
      throw std::runtime_error("--progress-interval: '" + *interval + "' is not a number of seconds in (0, 86400]");
    options.progress_interval = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  }
  return run::run_pipeline(options);
}

}  // namespace

Command run_command() { return {"run", "run or resume the AutoIF pipeline", kUsage, run}; }

}  // namespace autoif::cli
