#include "storage/transaction.h"

#include <sqlite3.h>

#include <utility>

#include "storage/connection.h"

namespace autoif::storage {
namespace {

// One name for every level: SQLite resolves RELEASE/ROLLBACK TO to the innermost savepoint
// of that name, which is exactly the scope that is ending.
constexpr const char* kSavepoint = "autoif_tx";

int exec_raw(sqlite3* db, const std::string& sql) {
  return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
}

}  // namespace

tl::expected<Transaction, StorageError> Transaction::begin(Database& db, TxKind kind) {
  auto conn = db.conn_;
  bool nested = sqlite3_get_autocommit(conn->db) == 0;
  std::string sql;
  if (nested) {
    sql = std::string("SAVEPOINT ") + kSavepoint;
  } else {
    sql = kind == TxKind::immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED";
  }
  int rc = exec_raw(conn->db, sql);
  if (rc != SQLITE_OK) return tl::unexpected(conn->error(sql, rc));
  return Transaction(std::move(conn), nested);
}

Transaction::Transaction(Transaction&& other) noexcept
    : conn_(std::move(other.conn_)), savepoint_(other.savepoint_) {}

Transaction& Transaction::operator=(Transaction&& other) noexcept {
  if (this != &other) {
    rollback();
    conn_ = std::move(other.conn_);
    savepoint_ = other.savepoint_;
  }
  return *this;
}

Transaction::~Transaction() { rollback(); }

tl::expected<void, StorageError> Transaction::commit() {
  if (!conn_) {
    StorageError e;
    e.message = "commit of a transaction that is no longer active";
    return tl::unexpected(std::move(e));
  }
  std::string sql = savepoint_ ? std::string("RELEASE ") + kSavepoint : "COMMIT";
  int rc = exec_raw(conn_->db, sql);
  if (rc != SQLITE_OK) {
    StorageError e = conn_->error(sql, rc);
    rollback();
    return tl::unexpected(std::move(e));
  }
  conn_.reset();
  return {};
}

void Transaction::rollback() noexcept {
  if (!conn_) return;
  sqlite3* db = conn_->db;
  if (savepoint_) {
    // If an error already rolled back the enclosing transaction, the savepoint is gone.
    if (sqlite3_get_autocommit(db) == 0) {
      exec_raw(db, std::string("ROLLBACK TO ") + kSavepoint);
      exec_raw(db, std::string("RELEASE ") + kSavepoint);
    }
  } else if (sqlite3_get_autocommit(db) == 0) {
    // SQLite rolls back by itself after some errors (SQLITE_FULL, IOERR); only roll back
    // what is still open.
    exec_raw(db, "ROLLBACK");
  }
  conn_.reset();
}

}  // namespace autoif::storage
