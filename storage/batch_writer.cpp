#include "storage/batch_writer.h"

#include <cstdio>
#include <utility>

#include "storage/transaction.h"

namespace autoif::storage {

BatchWriter::BatchWriter(Database& db, BatchOptions options)
    : db_(db.alias()), options_(options) {
  if (options_.max_rows == 0) options_.max_rows = 1;
}

BatchWriter::~BatchWriter() {
  if (rows_.empty()) return;
  std::size_t pending = rows_.size();
  if (auto r = flush(); !r) {
    std::fprintf(stderr, "autoif: %s (%zu queued rows not written)\n", r.error().what().c_str(),
                 pending);
  }
}

tl::expected<BatchWriter::StatementId, StorageError> BatchWriter::add_statement(
    std::string_view sql) {
  std::string key(sql);
  if (auto it = by_sql_.find(key); it != by_sql_.end()) return it->second;
  auto stmt = db_.prepare(sql);
  if (!stmt) return tl::unexpected(std::move(stmt.error()));
  StatementId id = statements_.size();
  statements_.push_back(std::move(*stmt));
  by_sql_.emplace(std::move(key), id);
  return id;
}

tl::expected<void, StorageError> BatchWriter::check_row(StatementId statement,
                                                        std::size_t count) {
  StorageError e;
  e.path = db_.path();
  if (statement >= statements_.size()) {
    e.message = "batch writer: unknown statement id " + std::to_string(statement);
    return tl::unexpected(std::move(e));
  }
  auto expected = static_cast<std::size_t>(statements_[statement].parameter_count());
  if (count != expected) {
    e.message = "batch writer: " + std::to_string(count) + " values for '" +
                std::string(statements_[statement].sql().substr(0, 60)) + "', which takes " +
                std::to_string(expected);
    return tl::unexpected(std::move(e));
  }
  return {};
}

tl::expected<void, StorageError> BatchWriter::commit_row(StatementId statement,
                                                         std::size_t first, std::size_t count) {
  rows_.push_back(Row{statement, first, count});
  if (rows_.size() >= options_.max_rows) return flush();
  return {};
}

tl::expected<void, StorageError> BatchWriter::queue_row(StatementId statement,
                                                        std::vector<Value> row) {
  if (auto ok = check_row(statement, row.size()); !ok) return ok;
  std::size_t first = values_.size();
  for (Value& v : row) values_.push_back(std::move(v));
  return commit_row(statement, first, row.size());
}

tl::expected<void, StorageError> BatchWriter::flush() {
  if (rows_.empty()) return {};
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(std::move(tx.error()));
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    const Row& row = rows_[i];
    Statement& stmt = statements_[row.statement];
    for (std::size_t k = 0; k < row.count; ++k) {
      stmt.bind(static_cast<int>(k + 1), values_[row.first + k]);
    }
    if (auto r = stmt.run(); !r) {
      StorageError e = std::move(r.error());
      e.message = "batch of " + std::to_string(rows_.size()) + " rows, row " +
                  std::to_string(i + 1) + ": " + e.message + " (batch rolled back, still queued)";
      return tl::unexpected(std::move(e));  // tx rolls back on scope exit
    }
  }
  if (auto r = tx->commit(); !r) {
    StorageError e = std::move(r.error());
    e.message = "batch of " + std::to_string(rows_.size()) + " rows: " + e.message +
                " (batch rolled back, still queued)";
    return tl::unexpected(std::move(e));
  }
  stats_.rows_written += rows_.size();
  stats_.batches += 1;
  discard();
  return {};
}

void BatchWriter::discard() {
  rows_.clear();
  values_.clear();
}

}  // namespace autoif::storage
