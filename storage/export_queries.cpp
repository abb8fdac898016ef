#include "storage/export_queries.h"

namespace autoif::storage {
namespace {

// Resets a statement however the loop over it ends (done, stopped early, error, exception),
// so an abandoned export leaves no read snapshot open on a run's database.
struct ResetOnExit {
  Statement& statement;
  ~ResetOnExit() { statement.reset(); }
};

template <typename Row, typename Read>
tl::expected<void, StorageError> stream(Statement& s, Read read, const std::function<bool(const Row&)>& row) {
  ResetOnExit guard{s};
  while (true) {
    auto more = s.step();
    if (!more) return tl::unexpected(std::move(more.error()));
    if (!*more) return {};
    if (!row(read(s))) return {};
  }
}

template <typename... Args>
tl::expected<std::int64_t, StorageError> one_number(Database& db, std::string_view sql, const Args&... args) {
  auto s = db.prepare(sql);
  if (!s) return tl::unexpected(std::move(s.error()));
  s->bind_all(args...);
  auto more = s->step();
  if (!more) return tl::unexpected(std::move(more.error()));
  std::int64_t value = *more ? s->column_int64(0) : 0;
  s->reset();
  return value;
}

// The order below is the store's content order (see pipeline_store.h): the same as the SFT
// and DPO exports always had, so their bytes do not change.
constexpr std::string_view kResponses =
    "SELECT i.instruction_id, n.status = 'kept', i.prompt, r.text, r.pass_rate, r.finish_reason IS 'length', "
    "s.score FROM responses r JOIN inputs i ON i.id = r.input_id JOIN instructions n ON n.id = i.instruction_id "
    "JOIN queries q ON q.id = i.query_id LEFT JOIN scores s ON s.response_id = r.id WHERE r.source = ?1 "
    "ORDER BY n.text, q.pool_line, r.sample_index";

constexpr std::string_view kPairs =
    "SELECT p.kind, n.status = 'kept', p.prompt, p.chosen, p.rejected, p.chosen_pass, p.rejected_pass, "
    "(SELECT MAX(s.score) FROM responses r JOIN scores s ON s.response_id = r.id "
    " WHERE r.input_id = p.input_id AND r.source = ?1 AND r.text = p.chosen) "
    "FROM pairs p JOIN instructions n ON n.id = p.instruction_id LEFT JOIN inputs i ON i.id = p.input_id "
    "LEFT JOIN queries q ON q.id = i.query_id ORDER BY p.kind DESC, n.text, q.pool_line, p.id";

constexpr std::string_view kInputs =
    "SELECT i.instruction_id, n.text, i.prompt FROM inputs i JOIN instructions n ON n.id = i.instruction_id "
    "JOIN queries q ON q.id = i.query_id WHERE n.status = 'kept' ORDER BY n.text, q.pool_line";

}  // namespace

tl::expected<Transaction, StorageError> ExportQueries::snapshot() {
  return Transaction::begin(db_, TxKind::deferred);
}

tl::expected<void, StorageError> ExportQueries::for_each_response(
    const std::string& source, const std::function<bool(const ExportResponse&)>& row) {
  auto s = db_.prepare(kResponses);
  if (!s) return tl::unexpected(std::move(s.error()));
  s->bind_all(source);
  return stream<ExportResponse>(
      *s,
      [](Statement& r) {
        return ExportResponse{r.column_int64(0),           r.column_int64(1) != 0, r.column_string(2),
                              r.column_string(3),          r.column_optional_double(4), r.column_int64(5) != 0,
                              r.column_optional_double(6)};
      },
      row);
}

tl::expected<void, StorageError> ExportQueries::for_each_pair(const std::string& source,
                                                             const std::function<bool(const ExportPair&)>& row) {
  auto s = db_.prepare(kPairs);
  if (!s) return tl::unexpected(std::move(s.error()));
  s->bind_all(source);
  return stream<ExportPair>(
      *s,
      [](Statement& r) {
        return ExportPair{r.column_string(0), r.column_int64(1) != 0, r.column_string(2),
                          r.column_string(3), r.column_string(4),     r.column_double(5),
                          r.column_double(6), r.column_optional_double(7)};
      },
      row);
}

tl::expected<void, StorageError> ExportQueries::for_each_input(const std::function<bool(const ExportInput&)>& row) {
  auto s = db_.prepare(kInputs);
  if (!s) return tl::unexpected(std::move(s.error()));
  return stream<ExportInput>(
      *s, [](Statement& r) { return ExportInput{r.column_int64(0), r.column_string(1), r.column_string(2)}; }, row);
}

tl::expected<void, StorageError> ExportQueries::for_each_kept_instruction(
    const std::function<bool(const ExportInstruction&)>& row) {
  auto s = db_.prepare("SELECT id, text FROM instructions WHERE status = 'kept' ORDER BY text");
  if (!s) return tl::unexpected(std::move(s.error()));
  return stream<ExportInstruction>(
      *s, [](Statement& r) { return ExportInstruction{r.column_int64(0), r.column_string(1)}; }, row);
}

tl::expected<std::vector<ExportFunction>, StorageError> ExportQueries::kept_functions(std::int64_t instruction) {
  if (!functions_.valid()) {
    auto s = db_.prepare(
        "SELECT source, accuracy FROM functions WHERE instruction_id = ?1 AND kept = 1 ORDER BY accuracy DESC, source");
    if (!s) return tl::unexpected(std::move(s.error()));
    functions_ = std::move(*s);
  }
  functions_.bind_all(instruction);
  std::vector<ExportFunction> rows;
  auto done = stream<ExportFunction>(
      functions_, [](Statement& r) { return ExportFunction{r.column_string(0), r.column_double(1)}; },
      std::function<bool(const ExportFunction&)>([&](const ExportFunction& f) {
        rows.push_back(f);
        return true;
      }));
  if (!done) return tl::unexpected(std::move(done.error()));
  return rows;
}

tl::expected<std::vector<ExportCase>, StorageError> ExportQueries::kept_cases(std::int64_t instruction) {
  if (!cases_.valid()) {
    auto s = db_.prepare(
        "SELECT input, expected FROM cases WHERE instruction_id = ?1 AND kept = 1 ORDER BY input, expected");
    if (!s) return tl::unexpected(std::move(s.error()));
    cases_ = std::move(*s);
  }
  cases_.bind_all(instruction);
  std::vector<ExportCase> rows;
  auto done = stream<ExportCase>(
      cases_, [](Statement& r) { return ExportCase{r.column_string(0), r.column_int64(1) != 0}; },
      std::function<bool(const ExportCase&)>([&](const ExportCase& c) {
        rows.push_back(c);
        return true;
      }));
  if (!done) return tl::unexpected(std::move(done.error()));
  return rows;
}

tl::expected<ExportProgress, StorageError> ExportQueries::progress(const std::string& source) {
  ExportProgress p;
  struct Count {
    std::int64_t* into;
    std::string_view sql;
    bool by_source;
  };
  const Count counts[] = {
      {&p.kept_instructions, "SELECT COUNT(*) FROM instructions WHERE status = 'kept'", false},
      {&p.inputs, "SELECT COUNT(*) FROM inputs", false},
      {&p.responses, "SELECT COUNT(*) FROM responses WHERE source = ?1", true},
      {&p.verified, "SELECT COUNT(*) FROM responses WHERE source = ?1 AND pass_rate IS NOT NULL", true},
      {&p.scored,
       "SELECT COUNT(*) FROM responses r JOIN scores s ON s.response_id = r.id WHERE r.source = ?1 "
       "AND s.score IS NOT NULL",
       true},
      {&p.pairs, "SELECT COUNT(*) FROM pairs", false},
  };
  for (const auto& count : counts) {
    auto value = count.by_source ? one_number(db_, count.sql, source) : one_number(db_, count.sql);
    if (!value) return tl::unexpected(std::move(value.error()));
    *count.into = *value;
  }
  auto s = db_.prepare("SELECT stage, done FROM stage_state ORDER BY stage");
  if (!s) return tl::unexpected(std::move(s.error()));
  auto done = stream<std::pair<std::string, bool>>(
      *s, [](Statement& r) { return std::pair<std::string, bool>{r.column_string(0), r.column_int64(1) != 0}; },
      std::function<bool(const std::pair<std::string, bool>&)>([&](const std::pair<std::string, bool>& stage) {
        p.stages[stage.first] = stage.second;
        return true;
      }));
  if (!done) return tl::unexpected(std::move(done.error()));
  return p;
}

}  // namespace autoif::storage
