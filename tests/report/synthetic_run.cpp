#include "synthetic_run.h"

#include <catch2/catch.hpp>

#include "pipeline/config/loader.h"
#include "storage/database.h"
#include "storage/llm_cache.h"
#include "storage/meta.h"
#include "storage/pipeline_store.h"

namespace autoif::report::testing {
namespace {

struct Call {
  const char* key;
  const char* model;
  std::optional<std::int64_t> prompt, completion;
  std::int64_t latency;
  storage::CallStatus status = storage::CallStatus::ok;
  std::int64_t attempts = 1;
};

// Stage attribution the tests expect (model "sup" unless said):
//   augment 1 call (100/50), verifiers 9 (20/30 each), back_translation 2 (15/10), nli 2 (5/1),
//   responses 3 on sup (40/400) + 1 on "pol" (40/300), scoring 4 (60/5), unattributed 1 (error).
const Call kCalls[] = {
    {"aug", "sup", 100, 50, 100},
    {"v-S1-0", "sup", 20, 30, 200}, {"v-S1-1", "sup", 20, 30, 200}, {"v-S2-0", "sup", 20, 30, 200},
    {"v-S2-1", "sup", 20, 30, 200}, {"v-A1-0", "sup", 20, 30, 200}, {"v-A3-0", "sup", 20, 30, 200},
    {"v-A4-0", "sup", 20, 30, 200}, {"v-A5-0", "sup", 20, 30, 200}, {"v-A7-0", "sup", 20, 30, 200},
    {"bt-A1", "sup", 15, 10, 150}, {"bt-A5", "sup", 15, 10, 150},
    {"nli-A1", "sup", 5, 1, 50}, {"nli-A5", "sup", 5, 1, 50},
    {"resp-S1q1", "sup", 40, 400, 1000, storage::CallStatus::ok, 2},
    {"resp-S1q2", "sup", 40, 400, 1000},
    {"resp-S2q1", "sup", 40, 400, 1000, storage::CallStatus::truncated},
    {"pol-S2q1", "pol", 40, 300, 500},
    {"score-r1", "sup", 60, 5, 300}, {"score-r5", "sup", 60, 5, 300},
    {"score-r6", "sup", 60, 5, 300}, {"score-r8", "sup", 60, 5, 300},
    {"orphan", "sup", std::nullopt, std::nullopt, 5000, storage::CallStatus::error, 3},
};

template <typename T>
T must(tl::expected<T, storage::StorageError> v) {
  if (!v) FAIL(v.error().what());
  return std::move(*v);
}

}  // namespace

void build_synthetic_run(const std::string& path, const SyntheticOptions& options) {
  auto db = must(storage::Database::open(path, storage::OpenMode::run));
  auto cache = must(storage::LlmCache::open(db));
  int second = 0;
  for (const Call& c : kCalls) {
    storage::LlmCall call;
    call.key = c.key;
    call.role = std::string(c.model) == "pol" ? "policy" : "supervisor";
    call.model = c.model;
    call.endpoint = "http://127.0.0.1:9/v1";
    call.request = "{}";
    call.response = "{}";
    call.prompt_tokens = c.prompt;
    call.completion_tokens = c.completion;
    call.latency_ms = c.latency;
    call.attempts = c.attempts;
    call.status = c.status;
    char stamp[40];
    std::snprintf(stamp, sizeof stamp, "2024-05-01T10:%02d:%02d.%03dZ", second / 60, second % 60, second % 7);
    call.created_at = stamp;
    second += 13;  // the last call at 10:04:46.001
    must(cache.store(call));
  }

  storage::PipelineStore store(db);
  const std::string& hostile = options.hostile;
  // Instructions: 2 seeds + 7 augmented = 9. near_duplicate 1 -> 8 unique. Verifiers: A6 pending,
  // A3 no_verifier, A4 crossval -> 5 passed (A7 verified, S1 S2 A1 kept, A5 contradiction).
  // Back-translation: A7 pending, A5 contradiction -> 3 kept.
  auto S1 = store.add_instruction("S1 write in lowercase", "s1", "seed", std::nullopt, "kept");
  auto S2 = store.add_instruction("S2 use no commas", "s2", "seed", std::nullopt, "kept");
  auto A1 = store.add_instruction("A1 end with a question", "a1", "augment", "aug", "kept");
  store.add_instruction("A2 write in lowercase please", "a2", "augment", "aug", "dropped", "near_duplicate");
  auto A3 = store.add_instruction("A3 rhyme every line", "a3", "augment", "aug", "dropped", "no_verifier");
  auto A4 = store.add_instruction("A4 be funny " + hostile, "a4", "augment", "aug", "dropped", "crossval");
  auto A5 = store.add_instruction("A5 use three bullets", "a5", "augment", "aug", "dropped", "contradiction");
  store.add_instruction("A6 mention a colour", "a6", "augment", "aug", "candidate");
  auto A7 = store.add_instruction("A7 answer in French", "a7", "augment", "aug", "verified");

  // Verifier answers: 9, of which no_json 2, no_func 1. Functions: 7, compile errors 1, kept 5.
  auto s10 = store.add_function_sample(S1, 0, "v-S1-0", "ok");
  store.add_function_sample(S1, 1, "v-S1-1", "no_json");
  auto s20 = store.add_function_sample(S2, 0, "v-S2-0", "ok");
  store.add_function_sample(S2, 1, "v-S2-1", "no_func");
  auto a10 = store.add_function_sample(A1, 0, "v-A1-0", "ok");
  store.add_function_sample(A3, 0, "v-A3-0", "no_json");
  auto a40 = store.add_function_sample(A4, 0, "v-A4-0", "ok");
  auto a50 = store.add_function_sample(A5, 0, "v-A5-0", "ok");
  auto a70 = store.add_function_sample(A7, 0, "v-A7-0", "ok");
  auto f1 = store.add_function(S1, s10, "def evaluate(r): return r.islower()", true, "", 1.0, true);
  auto f2 = store.add_function(S1, s10, "def evaluate(r) return", false, "SyntaxError", std::nullopt, false);
  auto f3 = store.add_function(S2, s20, "def evaluate(r): return ',' not in r", true, "", 1.0, true);
  auto f4 = store.add_function(A1, a10, "def evaluate(r): return r.endswith('?')", true, "", 1.0, true);
  store.add_function(A4, a40, "def evaluate(r): return False", true, "", 0.0, false);
  auto f6 = store.add_function(A5, a50, "def evaluate(r): return r.count('*') == 3", true, "", 1.0, true);
  store.add_function(A7, a70, "def evaluate(r): return 'le' in r", true, "", 1.0, true);
  (void)f2;
  // Cases: 4, kept 3. Case verdicts: ok 2, bad_return 1, timeout 1.
  auto c1 = store.add_case(S1, "abc", true, true);
  auto c2 = store.add_case(S1, "ABC", false, false);
  auto c3 = store.add_case(S2, "a b", true, true);
  auto c4 = store.add_case(A1, "why?", true, true);
  store.add_case_result(f1, c1, "ok", true);
  store.add_case_result(f1, c2, "bad_return", std::nullopt);
  store.add_case_result(f3, c3, "ok", true);
  store.add_case_result(f4, c4, "timeout", std::nullopt);
  store.add_back_translation(A1, f4, "bt-A1", "end with a question mark", "entailment", "nli-A1");
  store.add_back_translation(A5, f6, "bt-A5", "use two bullets", "contradiction", "nli-A5");

  // Queries 3; inputs 4 (A1 x q3 unanswered).
  auto q1 = store.add_query(1, "What is rain?");
  auto q2 = store.add_query(2, "Name a fruit.");
  auto q3 = store.add_query(3, "Why is the sky blue?");
  store.add_input(S1, q1, "What is rain?\n\nS1 write in lowercase");
  store.add_input(S1, q2, "Name a fruit.\n\nS1 write in lowercase");
  store.add_input(S2, q1, "What is rain?\n\nS2 use no commas");
  store.add_input(A1, q3, "Why is the sky blue?\n\nA1 end with a question");
  auto inputs = store.inputs_without_responses("supervisor");  // content order: A1q3, S1q1, S1q2, S2q1
  REQUIRE(inputs.size() == 4);
  auto i11 = inputs[1].id, i12 = inputs[2].id, i21 = inputs[3].id;

  // Supervisor responses: 9. Fates: truncated 2 (r2, r9), pass_rate 2 (r3 at exactly 0.5, r4),
  // unscored 1 (r7), score_parse_failure 1 (r5), score 1 (r6 = 7), kept 2 (r1 = 9, r8 = 10).
  auto r1 = store.add_response(i11, "supervisor", 0, "resp-S1q1", "rain is water " + hostile, "stop", 1.0);
  store.add_response(i11, "supervisor", 1, "resp-S1q1", "rain is", "length", 1.0);
  auto r3 = store.add_response(i11, "supervisor", 2, "resp-S1q1", "Rain Is Water", "stop", 0.5);
  auto r4 = store.add_response(i11, "supervisor", 3, "resp-S1q1", "RAIN " + hostile, "stop", 0.0);
  auto r5 = store.add_response(i12, "supervisor", 0, "resp-S1q2", "an apple", "stop", 1.0);
  auto r6 = store.add_response(i12, "supervisor", 1, "resp-S1q2", "a pear", "stop", 1.0);
  store.add_response(i12, "supervisor", 2, "resp-S1q2", "a plum", "stop", 1.0);
  auto r8 = store.add_response(i21, "supervisor", 0, "resp-S2q1", "water from clouds", "stop", 1.0);
  store.add_response(i21, "supervisor", 1, "resp-S2q1", "water, from", "length", 0.0);
  // Another source: never counted while the run's source is the supervisor.
  auto p1 = store.add_response(i21, "policy", 0, "pol-S2q1", "water", "stop", 1.0);
  store.add_score(r1, "score-r1", 9.0, "ok");
  store.add_score(r5, "score-r5", std::nullopt, "no_score");
  store.add_score(r6, "score-r6", 7.0, "ok");
  store.add_score(r8, "score-r8", 10.0, "ok");
  // Supervisor verdicts: ok 2, runtime_error 1, timeout 1.
  store.add_response_verdict(r1, f1, "ok", true);
  store.add_response_verdict(r3, f1, "runtime_error", std::nullopt);
  store.add_response_verdict(r4, f1, "timeout", std::nullopt);
  store.add_response_verdict(r8, f3, "ok", true);
  store.add_response_verdict(p1, f3, "ok", true);

  // Pairs: 1 query pair, 1 instruction pair.
  store.add_pair({"query", S1, i11, "What is rain?\n\nS1 write in lowercase", "rain is water", "RAIN", 1.0, 0.0});
  store.add_pair({"instruction", S1, std::nullopt, "S1 write in lowercase", "abc", "ABC", 1.0, 0.0});

  // Stage updates at fixed times (set_stage would stamp the current time).
  if (auto r = db.exec("INSERT INTO stage_state(stage, fingerprint, done, updated_at) VALUES "
                       "('instructions', '{}', 1, '2024-05-01T10:00:30Z'), ('select', '{}', 1, '2024-05-01T10:06:00Z')");
      !r)
    FAIL(r.error().what());

  auto meta = must(storage::Meta::open(db));
  if (options.store_config) {
    config::Config config;
    if (options.min_score) config.score.min_score = *options.min_score;
    if (auto r = meta.set_json("config", config::to_json(config)); !r) FAIL(r.error().what());
  }
  if (options.progress)
    if (auto r = meta.set_json("run_progress", *options.progress); !r) FAIL(r.error().what());
}

}  // namespace autoif::report::testing
