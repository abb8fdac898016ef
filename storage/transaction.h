// Transaction: a scope whose writes become visible together or not at all.
//
// Contract
// - begin() starts BEGIN IMMEDIATE by default: the write lock is taken up front, so a
//   transaction never fails half-way with SQLITE_BUSY on its first write.
// - commit() makes the writes durable (see database.h for what durable means); if it fails
//   the transaction is rolled back and the error returned. Leaving the scope without
//   commit() rolls back; so does a failed statement the caller gives up on.
// - Begun while another transaction is open on the same connection, it becomes a
//   SAVEPOINT: its commit is then only as durable as the enclosing transaction's. This
//   lets helpers that commit on their own (e.g. LlmCache::store) compose inside a larger
//   transaction.
// - Move-only; keeps its connection alive; use from the thread that owns the Database.
#pragma once

#include <tl/expected.hpp>

#include <memory>

#include "storage/database.h"
#include "storage/error.h"

namespace autoif::storage {

enum class TxKind { deferred, immediate };

class Transaction {
 public:
  static tl::expected<Transaction, StorageError> begin(Database& db,
                                                       TxKind kind = TxKind::immediate);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&& other) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  tl::expected<void, StorageError> commit();
  void rollback() noexcept;
  bool active() const { return conn_ != nullptr; }
  bool is_savepoint() const { return savepoint_; }

 private:
  Transaction(std::shared_ptr<detail::Connection> conn, bool savepoint)
      : conn_(std::move(conn)), savepoint_(savepoint) {}

  std::shared_ptr<detail::Connection> conn_;  // null once committed or rolled back
  bool savepoint_ = false;
};

}  // namespace autoif::storage
