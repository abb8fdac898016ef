// `autoif status`: where a run stands, read from its database (read-only, so it works while
// the run goes on).
#include <cstdio>
#include <stdexcept>

#include "pipeline/cli/args.h"
#include "pipeline/cli/commands.h"
#include "pipeline/report/status.h"
#include "pipeline/report/status_render.h"
#include "storage/database.h"

namespace autoif::cli {
namespace {

constexpr std::string_view kUsage = R"(usage: autoif status --db FILE [--json]

Prints where a run stands: the funnel (items in and out of every stage and why items were
dropped), LLM calls and tokens per stage and model, latency percentiles, error counts, and
elapsed and estimated remaining time. Opens the database read-only: safe while a run goes on.
Thresholds (pass rate, score, truncation) are those the run was started with.

options:
  --db FILE   the run's database
  --json      one JSON object instead of the table, with these members (in this order):
    database     the file
    thresholds   {source, min_pass_rate, min_score, drop_truncated, from: "config snapshot"|"defaults"}
    run          {state: running|finished|stopped|failed|stale|unknown, reason,
                  source: "run_progress"|"database", started_at, updated_at (ISO-8601 UTC|null),
                  elapsed_s, eta_s, since_update_s (number|null), stage,
                  stages: [{stage, done, total, rate_per_s, eta_s}],
                  requests: {in_flight, sent, cached, retried, failed}, tokens: {prompt, completion},
                  sandbox: {<verdict status>: n}, notes: [text]}
                 "stale": the run says running but has not updated its progress for over a
                 minute (killed or stuck). Source "database": an older run without a progress
                 record; elapsed spans its stored calls and stage updates; no ETA.
    funnel       [{stage, in, in_unit, out, out_unit, pending, dropped: {reason: n},
                   details: {name: n}}] for the stages instructions, verifiers,
                 back_translation, queries, responses, verification, scoring, select;
                 in = out + pending + dropped wherever in_unit = out_unit
    drops        [{stage, reason, unit, count}]: near_duplicate, parse_failure (verifier
                 answers), compile_error (functions), no_verifier, crossval, contradiction,
                 truncated, pass_rate, parse_failure (scores), score
    calls        {by_stage_and_model: [{stage, model, calls, prompt_tokens, completion_tokens}],
                  by_stage: [{stage, calls, prompt_tokens, completion_tokens}],
                  total: {calls, prompt_tokens, completion_tokens}}
                 stages: augment, verifiers, back_translation, nli, responses, scoring,
                 unattributed (calls no stored item refers to, e.g. in flight when killed)
    latency      [{model, calls, p50_ms, p90_ms, p99_ms, max_ms}] (nearest rank)
    errors       [{model, calls, errors, truncated, retried, extra_attempts}]
    verdicts     {responses: {<status>: n}, cases: {<status>: n}} (sandbox verdicts)

Exit status 0; 2 when the database cannot be read.
)";

int run(std::span<const std::string> argv) {
  static const FlagSpec kFlags[] = {{"db"}, {"json", false}};
  auto args = parse_args(argv, kFlags);
  if (!args) throw std::runtime_error(args.error());
  auto db_path = args->get("db");
  if (!db_path) throw std::runtime_error("--db is required (the run's database file)");
  auto db = storage::Database::open(*db_path, storage::OpenMode::read_only);
  if (!db) throw std::runtime_error(db.error().what());
  auto status = report::gather_status(*db);
  if (!status) throw std::runtime_error(status.error());
  std::string out = args->has("json") ? report::status_json(*status).dump(2) + "\n" : report::status_text(*status);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

Command status_command() {
  return {"status", "show a run's funnel, tokens, latency, errors and time left (--json for programs)", kUsage, run};
}

}  // namespace autoif::cli
