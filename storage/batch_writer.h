// BatchWriter: many small inserts, few transactions.
//
// A commit per row costs a WAL append and lock round-trip each time; grouping rows into
// transactions of up to max_rows makes stores one to two orders of magnitude cheaper (see
// scripts/bench-storage). Rows are queued in memory and written, in queue order, when
// max_rows are pending, on flush() and on destruction.
//
// Contract
// - Order: rows are written in the order queued, and each batch is one transaction. A row
//   queued after another is therefore never committed before it: queue an LLM answer
//   before the rows derived from it and no crash can leave a derived row without its
//   answer. (Derived rows may of course be committed *later* than their answer.)
// - Atomicity: a batch is all or nothing. If writing it fails (constraint, full disk...),
//   the transaction is rolled back, the rows stay queued, and the error is returned by
//   queue()/flush(); call flush() again once the cause is fixed, or discard() them.
// - Nothing queued is visible to readers (lookups included) before it is flushed.
// - Statements are given as SQL once (add_statement, deduplicated by text) and referred to
//   by the returned id. Use INSERT OR IGNORE / ON CONFLICT DO NOTHING for idempotent rows.
// - The destructor flushes; if that fails the error is printed to stderr, since it cannot
//   be returned. Call flush() first to handle it yourself.
// - Move-only; keeps its connection alive; one thread at a time, like its Database.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/database.h"
#include "storage/error.h"
#include "storage/statement.h"
#include "storage/value.h"

namespace autoif::storage {

struct BatchOptions {
  std::size_t max_rows = 1000;
};

struct BatchStats {
  std::uint64_t rows_written = 0;  // rows of committed batches
  std::uint64_t batches = 0;       // committed transactions
};

class BatchWriter {
 public:
  using StatementId = std::size_t;

  explicit BatchWriter(Database& db, BatchOptions options = {});
  BatchWriter(BatchWriter&&) noexcept = default;
  BatchWriter& operator=(BatchWriter&&) = delete;
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;
  ~BatchWriter();

  tl::expected<StatementId, StorageError> add_statement(std::string_view sql);

  // Queues one row for `statement`; the arguments bind to ?1, ?2, ... (see to_value for
  // the accepted types). Flushes when max_rows are pending.
  template <typename... Args>
  tl::expected<void, StorageError> queue(StatementId statement, Args&&... args) {
    if (auto ok = check_row(statement, sizeof...(Args)); !ok) return ok;
    std::size_t first = values_.size();
    (values_.push_back(to_value(std::forward<Args>(args))), ...);
    return commit_row(statement, first, sizeof...(Args));
  }
  tl::expected<void, StorageError> queue_row(StatementId statement, std::vector<Value> row);

  tl::expected<void, StorageError> flush();
  void discard();

  std::size_t pending_rows() const { return rows_.size(); }
  const BatchStats& stats() const { return stats_; }
  const BatchOptions& options() const { return options_; }

 private:
  struct Row {
    StatementId statement;
    std::size_t first;  // index into values_
    std::size_t count;
  };

  tl::expected<void, StorageError> check_row(StatementId statement, std::size_t count);
  tl::expected<void, StorageError> commit_row(StatementId statement, std::size_t first,
                                              std::size_t count);

  Database db_;  // alias sharing the caller's connection
  BatchOptions options_;
  std::vector<Statement> statements_;
  std::unordered_map<std::string, StatementId> by_sql_;
  std::vector<Value> values_;
  std::vector<Row> rows_;
  BatchStats stats_;
};

}  // namespace autoif::storage
