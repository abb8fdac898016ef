#include "storage/status_queries.h"

#include <algorithm>
#include <string_view>

namespace autoif::storage {
namespace {

// Prepares `sql`, binds `args` to ?1, ?2..., and turns every row into a Row with `read`.
template <typename Row, typename Read, typename... Args>
tl::expected<std::vector<Row>, StorageError> rows(Database& db, std::string_view sql, Read read,
                                                  const Args&... args) {
  auto stmt = db.prepare(sql);
  if (!stmt) return tl::unexpected(std::move(stmt.error()));
  stmt->bind_all(args...);
  std::vector<Row> out;
  while (true) {
    auto more = stmt->step();
    if (!more) return tl::unexpected(std::move(more.error()));
    if (!*more) break;
    out.push_back(read(*stmt));
  }
  return out;
}

template <typename... Args>
tl::expected<std::int64_t, StorageError> one_number(Database& db, std::string_view sql, const Args&... args) {
  auto got = rows<std::int64_t>(db, sql, [](Statement& s) { return s.column_int64(0); }, args...);
  if (!got) return tl::unexpected(std::move(got.error()));
  return got->empty() ? 0 : got->front();
}

KeyCount key_count(Statement& s) { return {s.column_string(0), s.column_int64(1)}; }

// The fate of response r (joined with its score s) under ?1 min_pass_rate, ?2 min_score,
// ?3 drop_truncated: the first filter of the pipeline that removes it, in the order the
// pipeline applies them (scoring only sees passing, untruncated responses; SFT needs a score).
constexpr std::string_view kFate =
    "CASE WHEN ?3 = 1 AND r.finish_reason IS 'length' THEN 'truncated' "
    "WHEN r.pass_rate IS NULL OR r.pass_rate <= ?1 THEN 'pass_rate' "
    "WHEN s.response_id IS NULL THEN 'unscored' "
    "WHEN s.parse_status IS NOT 'ok' OR s.score IS NULL THEN 'score_parse_failure' "
    "WHEN s.score < ?2 THEN 'score' ELSE 'kept' END";

// Every call key a stage stored, ranked in pipeline order; the rank names the stage.
constexpr std::string_view kCallStages =
    "WITH refs(key, rank) AS ("
    " SELECT call_key, 1 FROM instructions WHERE call_key IS NOT NULL"
    " UNION ALL SELECT call_key, 2 FROM function_samples WHERE call_key IS NOT NULL"
    " UNION ALL SELECT call_key, 3 FROM back_translations WHERE call_key IS NOT NULL"
    " UNION ALL SELECT nli_call_key, 4 FROM back_translations WHERE nli_call_key IS NOT NULL"
    " UNION ALL SELECT call_key, 5 FROM responses WHERE call_key IS NOT NULL"
    " UNION ALL SELECT call_key, 6 FROM scores WHERE call_key IS NOT NULL),"
    " stage_of(key, rank) AS (SELECT key, MIN(rank) FROM refs GROUP BY key) ";

}  // namespace

tl::expected<Transaction, StorageError> StatusQueries::snapshot() {
  return Transaction::begin(db_, TxKind::deferred);
}

tl::expected<std::vector<KeyCount>, StorageError> StatusQueries::key_counts(
    const std::string& sql, const std::optional<std::string>& source) {
  if (source) return rows<KeyCount>(db_, sql, key_count, *source);
  return rows<KeyCount>(db_, sql, key_count);
}

tl::expected<std::vector<InstructionGroup>, StorageError> StatusQueries::instruction_groups() {
  return rows<InstructionGroup>(
      db_,
      "SELECT origin, status, drop_reason, COUNT(*) FROM instructions GROUP BY origin, status, drop_reason "
      "ORDER BY origin, status, drop_reason",
      [](Statement& s) {
        return InstructionGroup{s.column_string(0), s.column_string(1), s.column_optional_string(2),
                                s.column_int64(3)};
      });
}

tl::expected<std::vector<KeyCount>, StorageError> StatusQueries::verifier_answers_by_parse_status() {
  return key_counts("SELECT parse_status, COUNT(*) FROM function_samples GROUP BY parse_status ORDER BY parse_status",
                    std::nullopt);
}

tl::expected<FunctionCounts, StorageError> StatusQueries::function_counts() {
  auto got = rows<FunctionCounts>(
      db_,
      "SELECT (SELECT COUNT(*) FROM functions), (SELECT COUNT(*) FROM functions WHERE compiled = 0), "
      "(SELECT COUNT(*) FROM functions WHERE kept = 1), (SELECT COUNT(*) FROM cases), "
      "(SELECT COUNT(*) FROM cases WHERE kept = 1)",
      [](Statement& s) {
        return FunctionCounts{s.column_int64(0), s.column_int64(1), s.column_int64(2), s.column_int64(3),
                              s.column_int64(4)};
      });
  if (!got) return tl::unexpected(std::move(got.error()));
  return got->empty() ? FunctionCounts{} : got->front();
}

tl::expected<InputCounts, StorageError> StatusQueries::input_counts(const std::string& source) {
  auto got = rows<InputCounts>(
      db_,
      "SELECT (SELECT COUNT(*) FROM queries), (SELECT COUNT(*) FROM inputs), "
      "(SELECT COUNT(*) FROM inputs i WHERE EXISTS "
      " (SELECT 1 FROM responses r WHERE r.input_id = i.id AND r.source = ?1)), "
      "(SELECT COUNT(*) FROM instructions n WHERE n.status = 'kept' AND NOT EXISTS "
      " (SELECT 1 FROM inputs i WHERE i.instruction_id = n.id))",
      [](Statement& s) {
        return InputCounts{s.column_int64(0), s.column_int64(1), s.column_int64(2), s.column_int64(3)};
      },
      source);
  if (!got) return tl::unexpected(std::move(got.error()));
  return got->empty() ? InputCounts{} : got->front();
}

tl::expected<std::vector<KeyCount>, StorageError> StatusQueries::response_fates(const ResponseThresholds& t) {
  auto got = rows<KeyCount>(db_,
                            "SELECT " + std::string(kFate) +
                                " AS fate, COUNT(*) FROM responses r LEFT JOIN scores s ON s.response_id = r.id "
                                "WHERE r.source = ?4 GROUP BY fate",
                            key_count, t.min_pass_rate, t.min_score, t.drop_truncated ? 1 : 0, t.source);
  if (!got) return got;
  std::vector<KeyCount> all;
  for (const char* fate : kResponseFates) {
    auto it = std::find_if(got->begin(), got->end(), [&](const KeyCount& k) { return k.key == fate; });
    all.push_back({fate, it == got->end() ? 0 : it->count});
  }
  return all;
}

tl::expected<std::int64_t, StorageError> StatusQueries::truncated_responses(const std::string& source) {
  return one_number(db_, "SELECT COUNT(*) FROM responses WHERE source = ?1 AND finish_reason IS 'length'", source);
}

tl::expected<std::vector<KeyCount>, StorageError> StatusQueries::scores_by_parse_status(const std::string& source) {
  return key_counts(
      "SELECT s.parse_status, COUNT(*) FROM scores s JOIN responses r ON r.id = s.response_id "
      "WHERE r.source = ?1 GROUP BY s.parse_status ORDER BY s.parse_status",
      source);
}

tl::expected<std::vector<KeyCount>, StorageError> StatusQueries::pairs_by_kind() {
  return key_counts("SELECT kind, COUNT(*) FROM pairs GROUP BY kind ORDER BY kind", std::nullopt);
}

tl::expected<std::vector<KeyCount>, StorageError> StatusQueries::response_verdicts(const std::string& source) {
  return key_counts(
      "SELECT v.status, COUNT(*) FROM response_verdicts v JOIN responses r ON r.id = v.response_id "
      "WHERE r.source = ?1 GROUP BY v.status ORDER BY v.status",
      source);
}

tl::expected<std::vector<KeyCount>, StorageError> StatusQueries::case_verdicts() {
  return key_counts("SELECT status, COUNT(*) FROM case_results GROUP BY status ORDER BY status", std::nullopt);
}

tl::expected<std::vector<CallUsage>, StorageError> StatusQueries::call_usage() {
  return rows<CallUsage>(
      db_,
      std::string(kCallStages) +
          "SELECT CASE s.rank WHEN 1 THEN 'augment' WHEN 2 THEN 'verifiers' WHEN 3 THEN 'back_translation' "
          "WHEN 4 THEN 'nli' WHEN 5 THEN 'responses' WHEN 6 THEN 'scoring' ELSE 'unattributed' END AS stage, "
          "c.model, COUNT(*), COALESCE(SUM(c.prompt_tokens), 0), COALESCE(SUM(c.completion_tokens), 0) "
          "FROM llm_calls c LEFT JOIN stage_of s ON s.key = c.key "
          "GROUP BY stage, c.model ORDER BY MIN(COALESCE(s.rank, 7)), c.model",
      [](Statement& s) {
        return CallUsage{s.column_string(0), s.column_string(1), s.column_int64(2), s.column_int64(3),
                         s.column_int64(4)};
      });
}

tl::expected<std::vector<CallHealth>, StorageError> StatusQueries::call_health() {
  return rows<CallHealth>(
      db_,
      "SELECT model, COUNT(*), SUM(status = 'error'), SUM(status = 'truncated'), SUM(attempts > 1), "
      "SUM(MAX(attempts - 1, 0)) FROM llm_calls GROUP BY model ORDER BY model",
      [](Statement& s) {
        return CallHealth{s.column_string(0), s.column_int64(1), s.column_int64(2), s.column_int64(3),
                          s.column_int64(4), s.column_int64(5)};
      });
}

tl::expected<std::vector<ModelLatencies>, StorageError> StatusQueries::latencies() {
  struct Row {
    std::string model;
    std::int64_t ms;
  };
  auto got = rows<Row>(db_,
                       "SELECT model, latency_ms FROM llm_calls WHERE latency_ms IS NOT NULL "
                       "ORDER BY model, latency_ms",
                       [](Statement& s) { return Row{s.column_string(0), s.column_int64(1)}; });
  if (!got) return tl::unexpected(std::move(got.error()));
  std::vector<ModelLatencies> out;
  for (auto& row : *got) {
    if (out.empty() || out.back().model != row.model) out.push_back({row.model, {}});
    out.back().latency_ms.push_back(row.ms);
  }
  return out;
}

tl::expected<TimeRange, StorageError> StatusQueries::call_time_range() {
  auto got = rows<TimeRange>(db_, "SELECT MIN(created_at), MAX(created_at) FROM llm_calls", [](Statement& s) {
    return TimeRange{s.column_optional_string(0), s.column_optional_string(1)};
  });
  if (!got) return tl::unexpected(std::move(got.error()));
  return got->empty() ? TimeRange{} : got->front();
}

tl::expected<std::vector<StageStateRow>, StorageError> StatusQueries::stage_states() {
  return rows<StageStateRow>(db_, "SELECT stage, done, updated_at FROM stage_state ORDER BY stage",
                             [](Statement& s) {
                               return StageStateRow{s.column_string(0), s.column_int64(1) != 0,
                                                    s.column_optional_string(2)};
                             });
}

namespace {
std::pair<int, std::int64_t> bin_count(Statement& s) {
  return {static_cast<int>(s.column_int64(0)), s.column_int64(1)};
}
}  // namespace

tl::expected<std::vector<std::pair<int, std::int64_t>>, StorageError> StatusQueries::pass_rate_histogram(
    const std::string& source) {
  return rows<std::pair<int, std::int64_t>>(
      db_,
      "SELECT MIN(MAX(CAST(ROUND(pass_rate * 10) AS INTEGER), 0), 10) AS bin, COUNT(*) FROM responses "
      "WHERE source = ?1 AND pass_rate IS NOT NULL GROUP BY bin ORDER BY bin",
      bin_count, source);
}

tl::expected<std::vector<std::pair<int, std::int64_t>>, StorageError> StatusQueries::score_histogram(
    const std::string& source) {
  return rows<std::pair<int, std::int64_t>>(
      db_,
      "SELECT MIN(MAX(CAST(s.score AS INTEGER), 0), 10) AS bin, COUNT(*) FROM scores s "
      "JOIN responses r ON r.id = s.response_id WHERE r.source = ?1 AND s.score IS NOT NULL "
      "GROUP BY bin ORDER BY bin",
      bin_count, source);
}

tl::expected<std::vector<SampleResponse>, StorageError> StatusQueries::sample_responses(const ResponseThresholds& t,
                                                                                       const std::string& fate,
                                                                                       std::int64_t limit) {
  if (limit <= 0) return std::vector<SampleResponse>{};
  // Every stride-th row of the fate's rows in content order, stride = ceil(total / limit).
  std::string sql =
      "WITH fated AS (SELECT n.text AS instruction, q.text AS query, i.prompt, r.text AS response, "
      "r.finish_reason, r.pass_rate, s.score, r.sample_index, q.pool_line, " +
      std::string(kFate) +
      " AS fate FROM responses r JOIN inputs i ON i.id = r.input_id JOIN instructions n ON n.id = i.instruction_id "
      "JOIN queries q ON q.id = i.query_id LEFT JOIN scores s ON s.response_id = r.id WHERE r.source = ?4), "
      "numbered AS (SELECT *, ROW_NUMBER() OVER (ORDER BY instruction, pool_line, sample_index) AS rn, "
      "COUNT(*) OVER () AS total FROM fated WHERE fate = ?5) "
      "SELECT instruction, query, prompt, response, finish_reason, pass_rate, score, sample_index, fate "
      "FROM numbered WHERE (rn - 1) % MAX(1, (total + ?6 - 1) / ?6) = 0 ORDER BY rn LIMIT ?6";
  return rows<SampleResponse>(
      db_, sql,
      [](Statement& s) {
        SampleResponse r;
        r.instruction = s.column_string(0);
        r.query = s.column_string(1);
        r.prompt = s.column_string(2);
        r.response = s.column_string(3);
        r.finish_reason = s.column_optional_string(4);
        r.pass_rate = s.column_optional_double(5);
        r.score = s.column_optional_double(6);
        r.sample_index = s.column_int64(7);
        r.fate = s.column_string(8);
        return r;
      },
      t.min_pass_rate, t.min_score, t.drop_truncated ? 1 : 0, t.source, fate, limit);
}

tl::expected<std::vector<SampleInstruction>, StorageError> StatusQueries::sample_instructions(bool kept,
                                                                                             std::int64_t limit) {
  if (limit <= 0) return std::vector<SampleInstruction>{};
  return rows<SampleInstruction>(
      db_,
      "WITH numbered AS (SELECT text, origin, status, drop_reason, "
      "ROW_NUMBER() OVER (PARTITION BY drop_reason ORDER BY text) AS rn, "
      "COUNT(*) OVER (PARTITION BY drop_reason) AS total FROM instructions "
      "WHERE status = CASE WHEN ?1 = 1 THEN 'kept' ELSE 'dropped' END) "
      "SELECT text, origin, status, drop_reason FROM numbered "
      "WHERE (rn - 1) % MAX(1, (total + ?2 - 1) / ?2) = 0 "
      "ORDER BY drop_reason, text",
      [](Statement& s) {
        return SampleInstruction{s.column_string(0), s.column_string(1), s.column_string(2),
                                 s.column_optional_string(3)};
      },
      kept ? 1 : 0, limit);
}

}  // namespace autoif::storage
