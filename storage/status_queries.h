// StatusQueries: every statement `autoif status` and `autoif report` run against a run's
// database. They only read, so they work on a read-only connection while a run writes (WAL).
//
// Why a separate class: the status and report code needs counts grouped in ways the pipeline
// never asks for (stage attribution of LLM calls, response fates, histograms, samples), and
// storage owns every SQL statement (ARCHITECTURE.md).
//
// Contract
// - Every method returns rows or a StorageError naming the file and the statement; nothing
//   throws. Results come back in a deterministic order (by key, never by row id).
// - snapshot() opens a deferred read transaction: every query made while the returned
//   Transaction lives sees the same committed state, so the funnel adds up even while a run
//   commits. Dropping it ends the read.
// - Holds a reference to the Database: the caller keeps it alive. One thread, like it.
#pragma once

#include <tl/expected.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/error.h"
#include "storage/transaction.h"

namespace autoif::storage {

struct KeyCount {
  std::string key;
  std::int64_t count = 0;
  bool operator==(const KeyCount&) const = default;
};

// One group of instructions with the same origin, status and drop reason.
struct InstructionGroup {
  std::string origin, status;
  std::optional<std::string> drop_reason;
  std::int64_t count = 0;
};

struct FunctionCounts {
  std::int64_t total = 0, compile_errors = 0, kept = 0;
  std::int64_t cases = 0, kept_cases = 0;
};

struct InputCounts {
  std::int64_t queries = 0;              // query-pool lines sampled
  std::int64_t inputs = 0;               // (instruction, query) prompts
  std::int64_t with_responses = 0;       // inputs answered by the given source
  std::int64_t kept_without_inputs = 0;  // kept instructions not paired with queries yet
};

// What the thresholds make of each response: exactly one fate per response.
struct ResponseThresholds {
  std::string source = "supervisor";
  double min_pass_rate = 0.5;  // kept when the pass rate is MORE than this
  double min_score = 8.0;      // kept at this score or above
  bool drop_truncated = true;  // answers cut by max_tokens never count as kept
};
// Fates, in the order the pipeline applies its filters.
inline constexpr const char* kResponseFates[] = {"truncated",           "pass_rate", "unscored",
                                                 "score_parse_failure", "score",     "kept"};

// LLM calls of one (stage, model): the stage is found from the table that references the
// call's key; "unattributed" when none does (e.g. in flight when a run was killed).
struct CallUsage {
  std::string stage, model;
  std::int64_t calls = 0, prompt_tokens = 0, completion_tokens = 0;
};

struct CallHealth {
  std::string model;
  std::int64_t calls = 0, errors = 0, truncated = 0, retried = 0, extra_attempts = 0;
};

struct ModelLatencies {
  std::string model;
  std::vector<std::int64_t> latency_ms;  // ascending
};

struct TimeRange {
  std::optional<std::string> first, last;  // ISO-8601 UTC as stored
};

struct StageStateRow {
  std::string stage;
  bool done = false;
  std::optional<std::string> updated_at;
};

struct SampleResponse {
  std::string instruction, query, prompt, response, fate;
  std::optional<std::string> finish_reason;
  std::optional<double> pass_rate, score;
  std::int64_t sample_index = 0;
};

struct SampleInstruction {
  std::string text, origin, status;
  std::optional<std::string> drop_reason;
};

class StatusQueries {
 public:
  explicit StatusQueries(Database& db) : db_(db) {}

  tl::expected<Transaction, StorageError> snapshot();

  tl::expected<std::vector<InstructionGroup>, StorageError> instruction_groups();
  tl::expected<std::vector<KeyCount>, StorageError> verifier_answers_by_parse_status();
  tl::expected<FunctionCounts, StorageError> function_counts();
  tl::expected<InputCounts, StorageError> input_counts(const std::string& source);
  // Key: one of kResponseFates; every fate present, zeros included, in that order.
  tl::expected<std::vector<KeyCount>, StorageError> response_fates(const ResponseThresholds& t);
  tl::expected<std::int64_t, StorageError> truncated_responses(const std::string& source);
  tl::expected<std::vector<KeyCount>, StorageError> scores_by_parse_status(const std::string& source);
  tl::expected<std::vector<KeyCount>, StorageError> pairs_by_kind();
  // Sandbox verdicts on responses of `source` and on cross-validation cases, by status.
  tl::expected<std::vector<KeyCount>, StorageError> response_verdicts(const std::string& source);
  tl::expected<std::vector<KeyCount>, StorageError> case_verdicts();

  // Sorted by stage in pipeline order (augment, verifiers, back_translation, nli, responses,
  // scoring, unattributed), then model. A key referenced by two stages counts for the first.
  tl::expected<std::vector<CallUsage>, StorageError> call_usage();
  tl::expected<std::vector<CallHealth>, StorageError> call_health();
  tl::expected<std::vector<ModelLatencies>, StorageError> latencies();
  tl::expected<TimeRange, StorageError> call_time_range();
  tl::expected<std::vector<StageStateRow>, StorageError> stage_states();

  // Histograms as (bin, count) for the bins that have rows. Pass rate: round(rate * 10), so
  // bin 3 holds 0.25..0.35. Score: floor(score) clamped to 0..10, scored responses only.
  tl::expected<std::vector<std::pair<int, std::int64_t>>, StorageError> pass_rate_histogram(
      const std::string& source);
  tl::expected<std::vector<std::pair<int, std::int64_t>>, StorageError> score_histogram(
      const std::string& source);

  // Up to `limit` responses of one fate, spread evenly over that fate's rows in content order
  // (instruction text, query line, sample index), so the choice is deterministic.
  tl::expected<std::vector<SampleResponse>, StorageError> sample_responses(const ResponseThresholds& t,
                                                                          const std::string& fate,
                                                                          std::int64_t limit);
  // Kept instructions (kept = true) or dropped ones: up to `limit` per drop reason, spread
  // evenly in text order; ordered by drop reason, then text.
  tl::expected<std::vector<SampleInstruction>, StorageError> sample_instructions(bool kept,
                                                                                std::int64_t limit);

 private:
  tl::expected<std::vector<KeyCount>, StorageError> key_counts(const std::string& sql,
                                                               const std::optional<std::string>& source);
  Database& db_;
};

}  // namespace autoif::storage
