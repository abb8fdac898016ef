#include "storage/pipeline_store.h"

#include <limits>

namespace autoif::storage {
namespace {

template <typename T>
T check(tl::expected<T, StorageError> value) {
  if (!value) throw StoreFailure(value.error().what());
  return std::move(*value);
}
void check(tl::expected<void, StorageError> value) {
  if (!value) throw StoreFailure(value.error().what());
}

std::optional<std::int64_t> bool_value(std::optional<bool> value) {
  if (!value) return std::nullopt;
  return *value ? 1 : 0;
}

}  // namespace

Statement& PipelineStore::statement(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) it = cache_.emplace(sql, check(db_.prepare(sql))).first;
  return it->second;
}

std::int64_t PipelineStore::count(const std::string& sql) {
  auto& s = statement(sql);
  std::int64_t value = 0;
  if (check(s.step())) value = s.column_int64(0);
  s.reset();
  return value;
}

// Runs an INSERT ... ON CONFLICT DO UPDATE ... RETURNING id: the id of the new row, or of the
// existing row with the same natural key.
std::int64_t PipelineStore::returning_id(Statement& insert) {
  std::int64_t id = check(insert.step()) ? insert.column_int64(0) : 0;
  insert.reset();
  return id;
}

std::int64_t PipelineStore::add_instruction(const std::string& text, const std::string& norm,
                                            const std::string& origin, const std::optional<std::string>& call_key,
                                            const std::string& status, const std::optional<std::string>& drop_reason) {
  return returning_id(statement(
      "INSERT INTO instructions(text, norm, origin, call_key, status, drop_reason) VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
      "ON CONFLICT(text) DO UPDATE SET text = excluded.text RETURNING id")
      .bind_all(text, norm, origin, call_key, status, drop_reason));
}

std::vector<InstructionRow> PipelineStore::instructions(const std::string& status) {
  auto& s = statement("SELECT id, text FROM instructions WHERE status = ?1 ORDER BY text");
  s.bind_all(status);
  std::vector<InstructionRow> rows;
  while (check(s.step())) rows.push_back({s.column_int64(0), s.column_string(1)});
  return rows;
}

void PipelineStore::set_status(std::int64_t instruction, const std::string& status,
                               const std::optional<std::string>& drop_reason) {
  check(statement("UPDATE instructions SET status = ?2, drop_reason = ?3 WHERE id = ?1")
            .bind_all(instruction, status, drop_reason)
            .run());
}

std::int64_t PipelineStore::add_function_sample(std::int64_t instruction, std::int64_t sample_index,
                                                const std::string& call_key, const std::string& parse_status) {
  return returning_id(statement(
      "INSERT INTO function_samples(instruction_id, sample_index, call_key, parse_status) VALUES(?1, ?2, ?3, ?4) "
      "ON CONFLICT(instruction_id, sample_index) DO UPDATE SET sample_index = excluded.sample_index RETURNING id")
      .bind_all(instruction, sample_index, call_key, parse_status));
}

std::int64_t PipelineStore::add_function(std::int64_t instruction, std::optional<std::int64_t> sample,
                                         const std::string& source, bool compiled,
                                         const std::string& compile_message, std::optional<double> accuracy,
                                         bool kept) {
  return returning_id(statement(
      "INSERT INTO functions(instruction_id, sample_id, source, compiled, compile_message, accuracy, kept) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(instruction_id, source) DO UPDATE SET "
      "compiled = excluded.compiled, compile_message = excluded.compile_message, accuracy = excluded.accuracy, "
      "kept = excluded.kept RETURNING id")
      .bind_all(instruction, sample, source, compiled ? 1 : 0, compile_message, accuracy, kept ? 1 : 0));
}

std::int64_t PipelineStore::add_case(std::int64_t instruction, const std::string& input, bool expected, bool kept) {
  return returning_id(statement(
      "INSERT INTO cases(instruction_id, input, expected, kept) VALUES(?1, ?2, ?3, ?4) "
      "ON CONFLICT(instruction_id, input, expected) DO UPDATE SET kept = excluded.kept RETURNING id")
      .bind_all(instruction, input, expected ? 1 : 0, kept ? 1 : 0));
}

void PipelineStore::add_case_result(std::int64_t function, std::int64_t case_id, const std::string& status,
                                    std::optional<bool> result) {
  check(statement("INSERT OR REPLACE INTO case_results(function_id, case_id, status, result) VALUES(?1, ?2, ?3, ?4)")
            .bind_all(function, case_id, status, bool_value(result))
            .run());
}

std::vector<FunctionRow> PipelineStore::kept_functions(std::int64_t instruction) {
  auto& s = statement(
      "SELECT id, source, accuracy FROM functions WHERE instruction_id = ?1 AND kept = 1 "
      "ORDER BY accuracy DESC, source");
  s.bind_all(instruction);
  std::vector<FunctionRow> rows;
  while (check(s.step())) rows.push_back({s.column_int64(0), s.column_string(1), s.column_double(2)});
  return rows;
}

std::vector<CaseRow> PipelineStore::kept_cases(std::int64_t instruction) {
  auto& s = statement("SELECT id, input, expected FROM cases WHERE instruction_id = ?1 AND kept = 1 "
                      "ORDER BY input, expected");
  s.bind_all(instruction);
  std::vector<CaseRow> rows;
  while (check(s.step())) rows.push_back({s.column_int64(0), s.column_string(1), s.column_int64(2) != 0});
  return rows;
}

std::map<std::int64_t, std::int64_t> PipelineStore::case_passes(std::int64_t instruction) {
  auto& s = statement(
      "SELECT c.id, COALESCE(SUM(CASE WHEN r.result = 1 THEN 1 ELSE 0 END), 0) FROM cases c "
      "JOIN case_results r ON r.case_id = c.id JOIN functions f ON f.id = r.function_id AND f.kept = 1 "
      "WHERE c.instruction_id = ?1 AND c.kept = 1 GROUP BY c.id");
  s.bind_all(instruction);
  std::map<std::int64_t, std::int64_t> passes;
  while (check(s.step())) passes[s.column_int64(0)] = s.column_int64(1);
  return passes;
}

void PipelineStore::add_back_translation(std::int64_t instruction, std::int64_t function, const std::string& call_key,
                                         const std::string& text, const std::string& label,
                                         const std::optional<std::string>& nli_call_key) {
  check(statement("INSERT OR REPLACE INTO back_translations(instruction_id, function_id, call_key, text, nli_label, "
                  "nli_call_key) VALUES(?1, ?2, ?3, ?4, ?5, ?6)")
            .bind_all(instruction, function, call_key, text, label, nli_call_key)
            .run());
}

std::vector<InstructionRow> PipelineStore::kept_without_inputs() {
  auto& s = statement("SELECT n.id, n.text FROM instructions n WHERE n.status = 'kept' AND NOT EXISTS "
                      "(SELECT 1 FROM inputs i WHERE i.instruction_id = n.id) ORDER BY n.text");
  std::vector<InstructionRow> rows;
  while (check(s.step())) rows.push_back({s.column_int64(0), s.column_string(1)});
  return rows;
}

std::int64_t PipelineStore::add_query(std::int64_t pool_line, const std::string& text) {
  return returning_id(statement(
      "INSERT INTO queries(pool_line, text) VALUES(?1, ?2) "
      "ON CONFLICT(pool_line) DO UPDATE SET pool_line = excluded.pool_line RETURNING id")
      .bind_all(pool_line, text));
}

void PipelineStore::add_input(std::int64_t instruction, std::int64_t query, const std::string& prompt) {
  check(statement("INSERT OR IGNORE INTO inputs(instruction_id, query_id, prompt) VALUES(?1, ?2, ?3)")
            .bind_all(instruction, query, prompt)
            .run());
}

// Inputs of kept instructions that have (or lack) responses from `source`, in content order.
namespace {
// The inputs a stage walks: those of kept instructions without responses from ?1 (?2 = 0), or
// those with responses (?2 = 1); in content order.
constexpr const char* kInputsFrom =
    " FROM inputs i JOIN instructions n ON n.id = i.instruction_id JOIN queries q ON q.id = i.query_id "
    "WHERE (?2 = 1 OR n.status = 'kept') AND ?2 = EXISTS "
    "(SELECT 1 FROM responses r WHERE r.input_id = i.id AND r.source = ?1)";
}  // namespace

std::vector<InputRow> PipelineStore::inputs_page(const std::string& source, bool with_responses,
                                                 const std::optional<InputCursor>& after, std::size_t limit) {
  // Keyset paging: (instruction text, query line) is unique and is the sort order.
  auto& s = statement(std::string("SELECT i.id, i.instruction_id, i.prompt, n.text, q.pool_line") + kInputsFrom +
                      " AND (?3 IS NULL OR (n.text, q.pool_line) > (?3, ?4)) ORDER BY n.text, q.pool_line LIMIT ?5");
  s.bind_all(source, with_responses ? 1 : 0,
             after ? std::optional<std::string>(after->instruction_text) : std::nullopt,
             after ? after->pool_line : 0, static_cast<std::int64_t>(limit));
  std::vector<InputRow> rows;
  while (check(s.step()))
    rows.push_back({s.column_int64(0), s.column_int64(1), s.column_string(2), {s.column_string(3), s.column_int64(4)}});
  return rows;
}

std::int64_t PipelineStore::count_inputs(const std::string& source, bool with_responses) {
  auto& s = statement(std::string("SELECT count(*)") + kInputsFrom);
  s.bind_all(source, with_responses ? 1 : 0);
  std::int64_t n = check(s.step()) ? s.column_int64(0) : 0;
  s.reset();
  return n;
}

std::vector<InputRow> PipelineStore::inputs_without_responses(const std::string& source) {
  return inputs_page(source, false, std::nullopt, std::numeric_limits<std::int64_t>::max());
}

std::vector<InputRow> PipelineStore::inputs_with_responses(const std::string& source) {
  return inputs_page(source, true, std::nullopt, std::numeric_limits<std::int64_t>::max());
}

std::int64_t PipelineStore::add_response(std::int64_t input, const std::string& source, std::int64_t sample_index,
                                         const std::string& call_key, const std::string& text,
                                         const std::string& finish_reason, double pass_rate) {
  return returning_id(statement(
      "INSERT INTO responses(input_id, source, sample_index, call_key, text, finish_reason, pass_rate) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(input_id, source, sample_index) DO UPDATE SET "
      "pass_rate = excluded.pass_rate RETURNING id")
      .bind_all(input, source, sample_index, call_key, text, finish_reason, pass_rate));
}

void PipelineStore::add_response_verdict(std::int64_t response, std::int64_t function, const std::string& status,
                                         std::optional<bool> result) {
  check(statement("INSERT OR REPLACE INTO response_verdicts(response_id, function_id, status, result) "
                  "VALUES(?1, ?2, ?3, ?4)")
            .bind_all(response, function, status, bool_value(result))
            .run());
}

namespace {
constexpr const char* kScoreWork =
    "SELECT r.id, n.text, q.text, r.text FROM responses r JOIN inputs i ON i.id = r.input_id "
    "JOIN instructions n ON n.id = i.instruction_id JOIN queries q ON q.id = i.query_id "
    "WHERE r.source = ?1 AND r.pass_rate > ?2 AND (?3 = 0 OR r.finish_reason IS NOT 'length') "
    "AND (?4 IS NULL OR r.input_id = ?4) AND NOT EXISTS (SELECT 1 FROM scores s WHERE s.response_id = r.id) "
    "ORDER BY n.text, q.pool_line, r.sample_index";
}  // namespace

std::vector<ScoreWork> PipelineStore::responses_to_score(const std::string& source, double min_pass_rate,
                                                         bool skip_truncated) {
  return score_work(std::nullopt, source, min_pass_rate, skip_truncated);
}

std::vector<ScoreWork> PipelineStore::responses_to_score_for(std::int64_t input, const std::string& source,
                                                             double min_pass_rate, bool skip_truncated) {
  return score_work(input, source, min_pass_rate, skip_truncated);
}

std::vector<ScoreWork> PipelineStore::score_work(std::optional<std::int64_t> input, const std::string& source,
                                                 double min_pass_rate, bool skip_truncated) {
  auto& s = statement(kScoreWork);
  s.bind_all(source, min_pass_rate, skip_truncated ? 1 : 0, input);
  std::vector<ScoreWork> rows;
  while (check(s.step()))
    rows.push_back({s.column_int64(0), s.column_string(1), s.column_string(2), s.column_string(3)});
  return rows;
}

void PipelineStore::add_score(std::int64_t response, const std::string& call_key, std::optional<double> score,
                              const std::string& parse_status) {
  check(statement("INSERT OR REPLACE INTO scores(response_id, call_key, score, parse_status) VALUES(?1, ?2, ?3, ?4)")
            .bind_all(response, call_key, score, parse_status)
            .run());
}

std::vector<ResponseRow> PipelineStore::responses(std::int64_t input, const std::string& source) {
  auto& s = statement(
      "SELECT r.id, r.sample_index, r.text, r.pass_rate, r.finish_reason IS 'length', s.score FROM responses r "
      "LEFT JOIN scores s ON s.response_id = r.id WHERE r.input_id = ?1 AND r.source = ?2 ORDER BY r.sample_index");
  s.bind_all(input, source);
  std::vector<ResponseRow> rows;
  while (check(s.step()))
    rows.push_back({s.column_int64(0), s.column_int64(1), s.column_string(2), s.column_double(3),
                    s.column_int64(4) != 0, s.column_optional_double(5)});
  return rows;
}

void PipelineStore::clear_pairs() { check(statement("DELETE FROM pairs").run()); }

void PipelineStore::add_pair(const PairRow& pair) {
  check(statement("INSERT OR IGNORE INTO pairs(kind, instruction_id, input_id, prompt, chosen, rejected, "
                  "chosen_pass, rejected_pass) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            .bind_all(pair.kind, pair.instruction_id, pair.input_id, pair.prompt, pair.chosen, pair.rejected,
                      pair.chosen_pass, pair.rejected_pass)
            .run());
}

void PipelineStore::for_each_sft(const std::string& source, double min_pass_rate, double min_score,
                                 bool skip_truncated, const std::function<void(const SftRow&)>& row) {
  auto& s = statement(
      "SELECT i.prompt, r.text FROM responses r JOIN scores s ON s.response_id = r.id "
      "JOIN inputs i ON i.id = r.input_id JOIN instructions n ON n.id = i.instruction_id "
      "JOIN queries q ON q.id = i.query_id WHERE r.source = ?1 AND r.pass_rate > ?2 AND s.score >= ?3 "
      "AND (?4 = 0 OR r.finish_reason IS NOT 'length') ORDER BY n.text, q.pool_line, r.sample_index");
  s.bind_all(source, min_pass_rate, min_score, skip_truncated ? 1 : 0);
  while (check(s.step())) row({s.column_string(0), s.column_string(1)});
}

void PipelineStore::for_each_pair(const std::function<void(const PairRow&)>& row) {
  auto& s = statement(
      "SELECT p.kind, p.instruction_id, p.input_id, p.prompt, p.chosen, p.rejected, p.chosen_pass, p.rejected_pass "
      "FROM pairs p JOIN instructions n ON n.id = p.instruction_id LEFT JOIN inputs i ON i.id = p.input_id "
      "LEFT JOIN queries q ON q.id = i.query_id ORDER BY p.kind DESC, n.text, q.pool_line, p.id");
  while (check(s.step()))
    row({s.column_string(0), s.column_int64(1), s.column_optional_int64(2), s.column_string(3), s.column_string(4),
         s.column_string(5), s.column_double(6), s.column_double(7)});
}

Funnel PipelineStore::funnel(const std::string& source, double min_pass_rate, double min_score) {
  Funnel f;
  f.seeds = count("SELECT COUNT(*) FROM instructions WHERE origin = 'seed'");
  f.augmented = count("SELECT COUNT(*) FROM instructions WHERE origin = 'augment'");
  f.near_duplicates = count("SELECT COUNT(*) FROM instructions WHERE drop_reason = 'near_duplicate'");
  f.no_verifier = count("SELECT COUNT(*) FROM instructions WHERE drop_reason = 'no_verifier'");
  f.failed_crossval = count("SELECT COUNT(*) FROM instructions WHERE drop_reason = 'crossval'");
  f.contradictions = count("SELECT COUNT(*) FROM instructions WHERE drop_reason = 'contradiction'");
  f.kept_instructions = count("SELECT COUNT(*) FROM instructions WHERE status = 'kept'");
  f.passed_crossval = count("SELECT COUNT(*) FROM instructions WHERE status IN ('verified', 'kept') "
                            "OR drop_reason = 'contradiction'");
  f.functions = count("SELECT COUNT(*) FROM functions");
  f.compiled_functions = count("SELECT COUNT(*) FROM functions WHERE compiled = 1");
  f.kept_functions = count("SELECT COUNT(*) FROM functions WHERE kept = 1");
  f.cases = count("SELECT COUNT(*) FROM cases");
  f.kept_cases = count("SELECT COUNT(*) FROM cases WHERE kept = 1");
  f.inputs = count("SELECT COUNT(*) FROM inputs");
  auto by_source = [&](const char* sql, auto... extra) {
    auto& s = statement(sql);
    s.bind_all(source, extra...);
    std::int64_t value = check(s.step()) ? s.column_int64(0) : 0;
    s.reset();
    return value;
  };
  f.responses = by_source("SELECT COUNT(*) FROM responses WHERE source = ?1");
  f.passing_responses = by_source("SELECT COUNT(*) FROM responses WHERE source = ?1 AND pass_rate > ?2", min_pass_rate);
  f.scored = by_source("SELECT COUNT(*) FROM responses r JOIN scores s ON s.response_id = r.id "
                       "WHERE r.source = ?1 AND s.score IS NOT NULL");
  f.sft_rows = by_source("SELECT COUNT(*) FROM responses r JOIN scores s ON s.response_id = r.id "
                         "WHERE r.source = ?1 AND r.pass_rate > ?2 AND s.score >= ?3",
                         min_pass_rate, min_score);
  f.query_pairs = count("SELECT COUNT(*) FROM pairs WHERE kind = 'query'");
  f.instruction_pairs = count("SELECT COUNT(*) FROM pairs WHERE kind = 'instruction'");
  return f;
}

std::optional<std::string> PipelineStore::stage_fingerprint(const std::string& stage) {
  auto& s = statement("SELECT fingerprint FROM stage_state WHERE stage = ?1");
  s.bind_all(stage);
  std::optional<std::string> value;
  if (check(s.step())) value = s.column_string(0);
  s.reset();
  return value;
}

bool PipelineStore::stage_done(const std::string& stage) {
  auto& s = statement("SELECT done FROM stage_state WHERE stage = ?1");
  s.bind_all(stage);
  bool done = check(s.step()) && s.column_int64(0) != 0;
  s.reset();
  return done;
}

void PipelineStore::set_stage(const std::string& stage, const std::string& fingerprint, bool done) {
  check(statement("INSERT INTO stage_state(stage, fingerprint, done, updated_at) "
                  "VALUES(?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ','now')) ON CONFLICT(stage) DO UPDATE SET "
                  "fingerprint = excluded.fingerprint, done = excluded.done, updated_at = excluded.updated_at")
            .bind_all(stage, fingerprint, done ? 1 : 0)
            .run());
}

void PipelineStore::reset_stages(const std::vector<std::string>& stages) {
  // Children before parents, so foreign keys hold at every step.
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kDeletes = {
      {"responses", {"DELETE FROM pairs WHERE kind = 'query'", "DELETE FROM scores",
                     "DELETE FROM response_verdicts", "DELETE FROM responses"}},
      {"queries", {"DELETE FROM pairs WHERE kind = 'query'", "DELETE FROM scores", "DELETE FROM response_verdicts",
                   "DELETE FROM responses", "DELETE FROM inputs", "DELETE FROM queries"}},
      {"back_translation", {"DELETE FROM back_translations",
                            "UPDATE instructions SET status = 'verified', drop_reason = NULL "
                            "WHERE status = 'kept' OR drop_reason = 'contradiction'"}},
      {"verifiers", {"DELETE FROM pairs", "DELETE FROM back_translations", "DELETE FROM case_results",
                     "DELETE FROM cases", "DELETE FROM response_verdicts", "DELETE FROM functions",
                     "DELETE FROM function_samples",
                     "UPDATE instructions SET status = 'candidate', drop_reason = NULL "
                     "WHERE status IN ('verified', 'kept') OR drop_reason IN ('contradiction', 'crossval', "
                     "'no_verifier')"}},
      {"instructions", {"DELETE FROM pairs", "DELETE FROM scores", "DELETE FROM response_verdicts",
                        "DELETE FROM responses", "DELETE FROM inputs", "DELETE FROM back_translations",
                        "DELETE FROM case_results", "DELETE FROM cases", "DELETE FROM functions",
                        "DELETE FROM function_samples", "DELETE FROM instructions"}},
  };
  for (const auto& stage : stages) {
    for (const auto& [name, deletes] : kDeletes)
      if (name == stage)
        for (const auto& sql : deletes) check(db_.exec(sql));
    check(statement("DELETE FROM stage_state WHERE stage = ?1").bind_all(stage).run());
  }
}

}  // namespace autoif::storage
