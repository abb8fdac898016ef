// Internal to storage/: the shared owner of one sqlite3 connection.
//
// Statements and transactions hold a shared_ptr to it, so a handle that outlives its
// Database by mistake keeps the connection (and the run lock that guards it) alive instead
// of dangling. Not part of the public surface: include storage/database.h instead.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "storage/database.h"
#include "storage/error.h"
#include "storage/run_lock.h"

namespace autoif::storage::detail {

struct Connection {
  sqlite3* db = nullptr;
  std::string path;
  bool read_only = false;
  OpenOptions options;
  // Shared by the connections of one run (Database::another_connection); released only
  // after the destructor body has closed this connection.
  std::shared_ptr<RunLock> lock;

  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    // Every Statement holds this object, so none is left when we get here and the close
    // is immediate.
    if (db != nullptr) sqlite3_close_v2(db);
  }

  // An error from the connection's current state: SQLite's extended code, its message and
  // the errno behind it, prefixed with what we were doing.
  StorageError error(std::string_view context) const;
  StorageError error(std::string_view context, int rc) const;
};

// A short, single-line excerpt of a statement, in single quotes, for error messages.
std::string sql_excerpt(std::string_view sql);

}  // namespace autoif::storage::detail
