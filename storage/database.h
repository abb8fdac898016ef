// Database: the one SQLite file that holds a whole run.
//
// Contract
// - open(path, OpenMode::run) creates the file if needed, takes the run lock (see
//   run_lock.h), sets WAL, synchronous=NORMAL, foreign_keys=ON and the busy timeout, and
//   brings the schema up to the version this build knows with forward migrations (see
//   migrations.h). It refuses, with a message naming the file:
//     - a database another process is running on (the lock; the other pid when known);
//     - a database whose schema version is newer than this build (both versions named);
//     - a file that is not an autoif database.
// - open(path, OpenMode::read_only) is for status/export while a run goes on: it never
//   takes the lock, never creates the file, never migrates, and refuses a database whose
//   schema is not exactly this build's (older: run once to migrate; newer: upgrade).
//   Every write through it fails with SQLITE_READONLY.
// - another_connection() opens one more connection to the same file in the same mode,
//   sharing this one's run lock (the lock is released when the last of them closes). It is
//   how a second thread of the same run gets its own connection; writers of one process
//   then take turns through the busy timeout.
// - ":memory:" gives a private in-memory database (no lock, no WAL), for tests.
// - Durability: with WAL and synchronous=NORMAL a committed transaction survives a crash of
//   the process (kill -9); a power cut may lose the last transactions but never corrupts
//   the file. A failed write (full disk included) rolls back its transaction and loses
//   nothing committed before it.
// - Move-only; closing happens on destruction. One thread at a time may use a Database
//   and the Statements and Transactions made from it; other threads open their own.
#pragma once

#include <tl/expected.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage/error.h"
#include "storage/run_lock.h"
#include "storage/statement.h"

namespace autoif::storage {

namespace detail {
struct Connection;
}

enum class OpenMode { run, read_only };

struct OpenOptions {
  std::chrono::milliseconds busy_timeout{5000};
};

class Database {
 public:
  static tl::expected<Database, StorageError> open(const std::string& path, OpenMode mode,
                                                   const OpenOptions& options = {});
  tl::expected<Database, StorageError> another_connection() const;

  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  const std::string& path() const;
  bool read_only() const;

  // Runs one or more statements that return no rows (schema, pragmas, BEGIN...).
  tl::expected<void, StorageError> exec(std::string_view sql);
  tl::expected<Statement, StorageError> prepare(std::string_view sql);

  tl::expected<int, StorageError> schema_version();
  std::int64_t last_insert_rowid() const;
  std::int64_t changes() const;  // rows changed by the last INSERT/UPDATE/DELETE
  bool in_transaction() const;

 private:
  explicit Database(std::shared_ptr<detail::Connection> conn) : conn_(std::move(conn)) {}
  static tl::expected<Database, StorageError> connect(const std::string& path, OpenMode mode,
                                                      const OpenOptions& options,
                                                      std::shared_ptr<RunLock> lock);
  // Helpers that outlive a move of the Database they were made from keep an alias that
  // shares the connection instead of a reference to the Database object.
  Database alias() const { return Database(conn_); }
  friend class Transaction;
  friend class BatchWriter;
  friend class LlmCache;
  friend class Meta;

  std::shared_ptr<detail::Connection> conn_;
};

}  // namespace autoif::storage
