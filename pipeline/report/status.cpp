#include "pipeline/report/status.h"

#include "pipeline/config/loader.h"
#include "storage/meta.h"

namespace autoif::report {
namespace {

// Unwraps a storage result or turns its error into the message gather_status returns.
template <typename T>
tl::expected<T, std::string> checked(tl::expected<T, storage::StorageError> value) {
  if (!value) return tl::unexpected(value.error().what());
  return std::move(*value);
}

#define AUTOIF_TRY(var, expr)                                     \
  auto var##_result = checked(expr);                              \
  if (!var##_result) return tl::unexpected(var##_result.error()); \
  auto var = std::move(*var##_result)

tl::expected<Thresholds, std::string> thresholds(storage::Meta& meta, const std::string& path) {
  Thresholds t;
  auto snapshot = meta.get_json("config");
  if (!snapshot) return tl::unexpected(snapshot.error().what());
  config::Config config;
  if (*snapshot) {
    auto restored = config::from_json(**snapshot);
    if (!restored) return tl::unexpected(path + ": the stored configuration: " + restored.error());
    config = std::move(*restored);
    t.from_snapshot = true;
  }
  t.responses.source = config.responses.source;
  t.responses.min_pass_rate = config.verify.min_pass_rate;
  t.responses.min_score = config.score.min_score;
  t.responses.drop_truncated = config.select.drop_truncated;
  return t;
}

}  // namespace

tl::expected<RunStatus, std::string> gather_status(storage::Database& db, const GatherOptions& options) {
  storage::StatusQueries q(db);
  // One read snapshot: a run committing meanwhile cannot make the funnel disagree with itself.
  AUTOIF_TRY(snapshot, q.snapshot());
  AUTOIF_TRY(meta, storage::Meta::open(db));

  RunStatus status;
  status.database = db.path();
  auto t = thresholds(meta, db.path());
  if (!t) return tl::unexpected(t.error());
  status.thresholds = *t;
  const auto& source = status.thresholds.responses.source;

  FunnelCounts counts;
  AUTOIF_TRY(instructions, q.instruction_groups());
  counts.instructions = std::move(instructions);
  AUTOIF_TRY(answers, q.verifier_answers_by_parse_status());
  counts.verifier_answers = std::move(answers);
  AUTOIF_TRY(functions, q.function_counts());
  counts.functions = functions;
  AUTOIF_TRY(inputs, q.input_counts(source));
  counts.inputs = inputs;
  AUTOIF_TRY(fates, q.response_fates(status.thresholds.responses));
  counts.response_fates = std::move(fates);
  AUTOIF_TRY(truncated, q.truncated_responses(source));
  counts.truncated = truncated;
  AUTOIF_TRY(scores, q.scores_by_parse_status(source));
  counts.scores = std::move(scores);
  AUTOIF_TRY(pairs, q.pairs_by_kind());
  counts.pairs = std::move(pairs);
  auto funnel = build_funnel(counts);
  status.funnel = std::move(funnel.stages);
  status.drops = std::move(funnel.drops);

  AUTOIF_TRY(usage, q.call_usage());
  status.usage = std::move(usage);
  AUTOIF_TRY(health, q.call_health());
  status.health = std::move(health);
  AUTOIF_TRY(latencies, q.latencies());
  for (const auto& model : latencies) status.latency.push_back(summarize_latency(model.model, model.latency_ms));
  AUTOIF_TRY(response_verdicts, q.response_verdicts(source));
  status.response_verdicts = std::move(response_verdicts);
  AUTOIF_TRY(case_verdicts, q.case_verdicts());
  status.case_verdicts = std::move(case_verdicts);

  auto progress = meta.get_json("run_progress");
  if (!progress) return tl::unexpected(progress.error().what());
  if (*progress) {
    auto timing = timing_from_progress(**progress, options.now, options.stale_after);
    if (!timing) return tl::unexpected(db.path() + ": " + timing.error());
    status.run = std::move(*timing);
  } else {
    AUTOIF_TRY(range, q.call_time_range());
    AUTOIF_TRY(stages, q.stage_states());
    status.run = timing_from_database(range, stages);
  }
  return status;
}

#undef AUTOIF_TRY

}  // namespace autoif::report
