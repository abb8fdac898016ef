// What every stage gets: the configuration, the run's store, the sandbox, the event loop and
// the model roles. Stages run on the event-loop thread (see event_loop.h).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <string_view>

#include "pipeline/config/config.h"
#include "pipeline/run/event_loop.h"
#include "pipeline/llm/transport.h"
#include "pipeline/run/gateway.h"
#include "pipeline/run/progress.h"
#include "pipeline/run/run_control.h"
#include "sandbox/pool.h"
#include "storage/pipeline_store.h"

namespace autoif::run {

struct RunContext {
  const config::Config& config;
  storage::PipelineStore& store;
  sandbox::Pool& pool;
  EventLoop& loop;
  Gateway& supervisor;
  Gateway* policy = nullptr;  // set when a policy role is configured
  llm::Transport* transport = nullptr;  // for HTTP services other than the models (NLI classifier)
  std::FILE* log = stderr;    // log lines when there is no Progress
  RunControl* control = nullptr;  // budgets and stopping; none: never stops early
  Progress* progress = nullptr;   // live counts; none: only log lines

  sandbox::Limits limits() const {
    sandbox::Limits out;
    out.timeout = std::chrono::milliseconds(config.sandbox.timeout_ms);
    out.memory_mb = static_cast<std::size_t>(config.sandbox.memory_mb);
    return out;
  }
  // The prompt text: the config's override file when set, else the built-in one.
  std::string prompt(std::string_view name) const;
  // Renders prompt `name` with `values`; a bad template is fatal (it names the prompt).
  std::string render(std::string_view name, const std::map<std::string, std::string>& values) const;
  // Hands a sandbox job to the pool; `done` runs on the event loop.
  void evaluate(sandbox::Job job, std::function<void(sandbox::JobResult)> done);
  // False once the run is stopping: a stage starts no new item then.
  bool may_start() const { return !control || !control->stopping(); }
  // Progress of stage `name` (see progress.h); no-ops without a Progress.
  void begin(std::string_view stage, std::size_t total) const;
  void advance(std::string_view stage, std::size_t n = 1) const;
  // A log line (through the live display when there is one).
  void note(const std::string& line) const;
};

// One unit of the pipeline, in run order (see stages.h). `fingerprint` holds the settings
// whose change makes this unit's stored work wrong; `run` does whatever work is left.
struct Stage {
  std::string_view name;
  std::string_view summary;
  nlohmann::json (*fingerprint)(const config::Config&);
  void (*run)(RunContext&);
};

}  // namespace autoif::run
