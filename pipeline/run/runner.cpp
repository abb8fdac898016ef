#include "pipeline/run/runner.h"

#include <atomic>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "pipeline/config/loader.h"
#include "pipeline/llm/curl_transport.h"
#include "pipeline/export/export.h"
#include "pipeline/run/monitor.h"
#include "pipeline/run/stop_signals.h"
#include "pipeline/stages/stages.h"
#include "pipeline/stub/cassette_writer.h"
#include "storage/database.h"
#include "storage/llm_cache.h"
#include "storage/meta.h"
#include "storage/transaction.h"

namespace autoif::run {
namespace {

// Unwraps an I/O result; a failure is fatal to the run and is reported with `what`.
template <typename T, typename E>
T must(tl::expected<T, E> value, const std::string& what) {
  if (!value) {
    if constexpr (std::is_same_v<E, std::string>)
      throw std::runtime_error(what + ": " + value.error());
    else
      throw std::runtime_error(what + ": " + value.error().what());
  }
  if constexpr (!std::is_void_v<T>) return std::move(*value);
}

// Stops with a message when a changed setting would make stored work wrong, or (when allowed)
// deletes that work so it is redone.
void check_fingerprints(storage::PipelineStore& store, const config::Config& config, bool allow_recompute) {
  std::vector<std::string> invalid;
  for (const auto& stage : stages::all()) {
    auto stored = store.stage_fingerprint(std::string(stage.name));
    bool changed = stored && *stored != stage.fingerprint(config).dump();
    if (changed || (!invalid.empty() && stored)) invalid.emplace_back(stage.name);
  }
  if (invalid.empty()) return;
  std::string list;
  for (const auto& name : invalid) list += (list.empty() ? "" : ", ") + name;
  if (!allow_recompute)
    throw std::runtime_error(
        "the settings changed since this database was last run, which invalidates the stored work of these "
        "stages: " + list + ".\nRun again with --allow-recompute to recompute them (stored model answers are "
        "reused; only new requests are sent), or restore the previous settings.");
  auto tx = must(storage::Transaction::begin(store.db()), "starting a transaction");
  store.reset_stages(invalid);
  must(tx.commit(), "committing the reset");
  std::fprintf(stderr, "run: recomputing %s\n", list.c_str());
}

void print_funnel(const storage::Funnel& f, const std::string& sft, std::size_t sft_rows, const std::string& dpo,
                  std::size_t dpo_rows) {
  std::printf(
      "\nfunnel\n"
      "  instructions   %lld seeds + %lld augmented; %lld near-duplicates dropped\n"
      "  verifiers      %lld functions (%lld compiled, %lld kept), %lld test cases (%lld kept)\n"
      "  cross-valid.   %lld passed; dropped: %lld without a usable verifier, %lld by cross-validation\n"
      "  back-transl.   %lld dropped for contradiction; %lld instructions kept\n"
      "  queries        %lld inputs (instruction x query)\n"
      "  responses      %lld sampled, %lld pass more than half the functions, %lld scored\n"
      "  datasets       %lld SFT rows (score >= min), %lld query-level + %lld instruction-level DPO pairs\n"
      "\nwrote %s (%zu rows)\nwrote %s (%zu rows)\n",
      (long long)f.seeds, (long long)f.augmented, (long long)f.near_duplicates, (long long)f.functions,
      (long long)f.compiled_functions, (long long)f.kept_functions, (long long)f.cases, (long long)f.kept_cases,
      (long long)f.passed_crossval, (long long)f.no_verifier, (long long)f.failed_crossval,
      (long long)f.contradictions, (long long)f.kept_instructions, (long long)f.inputs, (long long)f.responses,
      (long long)f.passing_responses, (long long)f.scored, (long long)f.sft_rows, (long long)f.query_pairs,
      (long long)f.instruction_pairs, sft.c_str(), sft_rows, dpo.c_str(), dpo_rows);
}

}  // namespace

int run_pipeline(const RunOptions& options) {
  auto loaded = config::load_config(options.config_path, options.overrides);
  if (!loaded) throw std::runtime_error("configuration:\n" + loaded.error().message());
  config::Config config = std::move(*loaded);
  if (auto inputs = config::check_input_files(config); !inputs) throw std::runtime_error(inputs.error());
  std::optional<std::string> until;
  if (options.until) {
    until = stages::unit_of(*options.until);
    if (!until) throw std::runtime_error("--until: unknown stage '" + *options.until + "'");
  }

  std::string db_path = options.db_path.value_or(config.run.db);
  auto db = must(storage::Database::open(db_path, storage::OpenMode::run), "opening the run database");
  storage::PipelineStore store(db);
  check_fingerprints(store, config, options.allow_recompute);
  auto meta = must(storage::Meta::open(db), "opening the run database");
  must(meta.set_json("config", config::to_json(config)), "storing the configuration snapshot");

  // Declared first so it outlives everything that posts to it (pool threads, client callbacks).
  EventLoop loop;
  sandbox::PoolOptions pool_options;
  pool_options.workers = config.sandbox.workers;
  pool_options.extra_modules = config.sandbox.extra_modules;
  auto pool = must(sandbox::Pool::start(pool_options), "starting the sandbox");

  std::optional<stub::CassetteWriter> cassette;
  std::mutex cassette_mutex;
  llm::ClientOptions client_options;
  if (options.record_cassette) {
    cassette = must(stub::CassetteWriter::open(*options.record_cassette), "--record-cassette");
    client_options.observer = [&](const llm::Exchange& exchange) {
      if (exchange.status != 200) return;
      auto response = nlohmann::json::parse(exchange.response_body, nullptr, false);
      if (response.is_discarded()) return;
      std::lock_guard lock(cassette_mutex);
      (void)cassette->append(*exchange.request, response);
    };
  }
  auto transport = must(llm::CurlTransport::create(), "starting the HTTP client");
  auto supervisor_client = must(llm::Client::create(config.supervisor, *transport, client_options),
                                "the supervisor model ([llm] / [llm.supervisor])");
  std::unique_ptr<llm::Client> policy_client;
  if (config.policy)
    policy_client = must(llm::Client::create(*config.policy, *transport, client_options), "the policy model ([llm.policy])");

  auto cache = must(storage::LlmCache::open(db), "opening the request cache");
  Gateway supervisor("supervisor", *supervisor_client, cache, db, loop);
  std::unique_ptr<Gateway> policy;
  if (policy_client) policy = std::make_unique<Gateway>("policy", *policy_client, cache, db, loop);
  RunControl control(options.budgets);
  std::vector<std::string> stage_names;
  for (const auto& stage : stages::all()) stage_names.emplace_back(stage.name);
  Progress progress(stage_names, stderr, options.display, options.progress_interval);
  supervisor.attach(&control, &progress);
  if (policy) policy->attach(&control, &progress);
  RunContext ctx{config, store, *pool, loop, supervisor, policy.get(), transport.get(), stderr, &control, &progress};
  // The pool's threads call back into ctx and progress until its jobs are done: on any way out
  // (an error mid-stage included) stop the pool before those are destroyed.
  struct PoolDrain {
    std::unique_ptr<sandbox::Pool>& pool;
    ~PoolDrain() { pool.reset(); }
  } drain{pool};

  const auto started = std::chrono::system_clock::now();
  auto save_progress = [&](std::string_view state, std::string_view reason) {
    auto value = progress_json(progress.snapshot(), state, reason, started, std::chrono::system_clock::now());
    if (auto saved = meta.set_json("run_progress", value); !saved)
      progress.note("run: warning: cannot save the run's progress: " + saved.error().what());
  };
  std::atomic<int> signal_number{0};
  StopSignals signals([&](const std::string& name) {
    signal_number = name == "SIGINT" ? SIGINT : SIGTERM;
    control.request_stop("interrupted by " + name, StopCause::signal);
  });
  std::vector<const llm::Client*> clients{supervisor_client.get()};
  if (policy_client) clients.push_back(policy_client.get());
  auto monitor = std::make_unique<Monitor>(loop, control, progress, clients, [&] { save_progress("running", ""); },
                                           MonitorOptions{.stop_grace = options.stop_grace});

  for (const auto& stage : stages::all()) {
    if (control.stopping()) break;
    ctx.note("run: " + std::string(stage.name) + " (" + std::string(stage.summary) + ")");
    progress.begin(stage.name, 0);
    try {
      stage.run(ctx);
    } catch (const std::exception& error) {
      // A stop that abandoned in-flight work ends the stage early; anything else is fatal.
      if (!control.stopping()) {
        monitor.reset();
        progress.close();
        save_progress("failed", error.what());
        throw;
      }
    }
    if (control.stopping()) break;  // the interrupted stage is not done: the next run resumes it
    progress.finish(stage.name);
    store.set_stage(std::string(stage.name), stage.fingerprint(config).dump(), true);
    if (until && *until == stage.name) {
      monitor.reset();
      progress.close();
      save_progress("stopped", "--until " + *until);
      std::fprintf(stderr, "run: stopped after %s (--until); run again without --until to go on\n", until->c_str());
      return 0;
    }
  }
  monitor.reset();
  progress.close();
  const auto sent = supervisor.stats().sent + (policy ? policy->stats().sent : 0);
  if (control.stopping()) {
    save_progress("stopped", control.reason());
    bool budget = control.cause() == StopCause::budget;
    std::fprintf(stderr,
                 "run: stopped: %s.\n"
                 "run: everything finished so far is stored (%zu requests sent, %llu tokens used by this run).\n"
                 "run: to resume, run the same command again%s; `autoif status --db %s` shows where the run stands.\n",
                 control.reason().c_str(), static_cast<std::size_t>(control.requests()),
                 static_cast<unsigned long long>(control.tokens()),
                 budget ? " (with a larger budget or a later deadline)" : "", db_path.c_str());
    return signal_number ? 128 + signal_number.load() : kExitStoppedEarly;
  }
  // Answers are samples; one request may carry several (n > 1), so both numbers are given.
  std::fprintf(stderr, "run: %zu answers from the database, %zu new answers in %llu requests sent, %zu failed\n",
               supervisor.stats().cached + (policy ? policy->stats().cached : 0), sent,
               static_cast<unsigned long long>(control.requests()),
               supervisor.stats().failed + (policy ? policy->stats().failed : 0));
  save_progress("finished", "");

  std::filesystem::path out = config.run.out_dir;
  std::string sft = (out / "sft.jsonl").string(), dpo = (out / "dpo.jsonl").string();
  auto sft_rows = exports::export_rows(db, config, exports::Format::trl_sft, sft);
  auto dpo_rows = exports::export_rows(db, config, exports::Format::trl_dpo, dpo);
  print_funnel(store.funnel(config.responses.source, config.verify.min_pass_rate, config.score.min_score), sft,
               sft_rows, dpo, dpo_rows);
  return 0;
}

}  // namespace autoif::run
