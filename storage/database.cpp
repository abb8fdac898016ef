#include "storage/database.h"

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "storage/connection.h"
#include "storage/migrations.h"

namespace autoif::storage {

namespace detail {
namespace {

bool disk_errno(int err) { return err == ENOSPC || err == EDQUOT || err == EFBIG; }

int last_errno_of(sqlite3_file* file) {
  int err = 0;
  if (file != nullptr && file->pMethods != nullptr) {
    file->pMethods->xFileControl(file, SQLITE_FCNTL_LAST_ERRNO, &err);
  }
  return err;
}

// sqlite3_system_errno() reads errno after SQLite has cleaned up, by which time a later
// call may have replaced it; each file remembers the errno of its own last failure. The
// write that failed may have been to the database or to its WAL.
int io_errno(sqlite3* db) {
  int err = sqlite3_system_errno(db);
  if (disk_errno(err)) return err;
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK) {
    if (int e = last_errno_of(file); disk_errno(e)) return e;
  }
  file = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &file) == SQLITE_OK) {
    if (int e = last_errno_of(file); disk_errno(e)) return e;
  }
  return err;
}

}  // namespace

StorageError Connection::error(std::string_view context) const {
  return error(context, db != nullptr ? sqlite3_extended_errcode(db) : SQLITE_ERROR);
}

StorageError Connection::error(std::string_view context, int rc) const {
  StorageError e;
  e.code = rc;
  e.path = path;
  int primary = rc & 0xff;
  if (db != nullptr && (primary == SQLITE_IOERR || primary == SQLITE_FULL)) {
    e.sys_errno = io_errno(db);
  } else if (db != nullptr && primary == SQLITE_CANTOPEN) {
    e.sys_errno = sqlite3_system_errno(db);
  }
  // sqlite3_errmsg describes the last failing call on this connection; sqlite3_errstr
  // describes rc itself, which is what we have when the failure was ours (e.g. a bind).
  std::string sqlite_text = db != nullptr && sqlite3_extended_errcode(db) == rc
                                ? sqlite3_errmsg(db)
                                : sqlite3_errstr(rc);
  e.message = std::string(context) + ": " + sqlite_text;
  if (e.disk_full()) {
    e.message += " (disk full";
    if (e.sys_errno != 0) e.message += std::string(": ") + std::strerror(e.sys_errno);
    e.message += "; free space and run again, everything committed so far is kept)";
  } else if (e.sys_errno != 0) {
    e.message += std::string(" (") + std::strerror(e.sys_errno) + ")";
  }
  return e;
}

std::string sql_excerpt(std::string_view sql) {
  std::string out = "'";
  bool space = false;
  for (char c : sql) {
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
      space = out.size() > 1;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
    if (out.size() >= 60) {
      out += "...";
      break;
    }
  }
  out += '\'';
  return out;
}

}  // namespace detail

namespace {

StorageError plain_error(const std::string& path, std::string message) {
  StorageError e;
  e.path = path;
  e.message = std::move(message);
  return e;
}

tl::expected<std::string, StorageError> pragma_text(Database& db, const char* sql) {
  auto stmt = db.prepare(sql);
  if (!stmt) return tl::unexpected(std::move(stmt.error()));
  auto row = stmt->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  std::string v = *row ? stmt->column_string(0) : std::string();
  stmt->reset();
  return v;
}

tl::expected<void, StorageError> configure(Database& db, OpenMode mode, bool in_memory) {
  // foreign_keys is off by default in SQLite and is per connection: set it on every open.
  if (auto r = db.exec("PRAGMA foreign_keys = ON"); !r) return r;
  if (mode == OpenMode::read_only) return db.exec("PRAGMA query_only = ON");
  if (in_memory) return {};
  // WAL: readers (status, export) never block the run and the run never blocks them; with
  // synchronous=NORMAL a commit costs no fsync, and only a power cut (not a crash of the
  // process) can lose the last commits.
  auto journal = pragma_text(db, "PRAGMA journal_mode = WAL");
  if (!journal) return tl::unexpected(std::move(journal.error()));
  if (*journal != "wal") {
    return tl::unexpected(plain_error(
        db.path(), "cannot switch to WAL journal mode (got '" + *journal +
                       "'); is the file on a network filesystem?"));
  }
  return db.exec("PRAGMA synchronous = NORMAL");
}

}  // namespace

// Opens and configures one connection; the caller has taken the run lock if one is needed.
tl::expected<Database, StorageError> Database::connect(const std::string& path, OpenMode mode,
                                                       const OpenOptions& options,
                                                       std::shared_ptr<RunLock> lock) {
  bool in_memory = path == ":memory:";
  auto conn = std::make_shared<detail::Connection>();
  conn->path = path;
  conn->read_only = mode == OpenMode::read_only;
  conn->options = options;
  conn->lock = std::move(lock);
  int flags = mode == OpenMode::read_only ? SQLITE_OPEN_READONLY
                                          : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &conn->db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string what = mode == OpenMode::read_only ? "open for reading" : "open";
    return tl::unexpected(conn->error(what, rc));
  }
  sqlite3_extended_result_codes(conn->db, 1);
  sqlite3_busy_timeout(conn->db, static_cast<int>(options.busy_timeout.count()));

  Database db(std::move(conn));
  if (auto r = configure(db, mode, in_memory); !r) return tl::unexpected(std::move(r.error()));
  return db;
}

tl::expected<Database, StorageError> Database::open(const std::string& path, OpenMode mode,
                                                    const OpenOptions& options) {
  std::shared_ptr<RunLock> lock;
  if (mode == OpenMode::run && path != ":memory:") {
    // Lock before touching the file: migrations and the run itself are single-writer.
    auto acquired = RunLock::acquire(path);
    if (!acquired) return tl::unexpected(std::move(acquired.error()));
    lock = std::make_shared<RunLock>(std::move(*acquired));
  }
  auto db = connect(path, mode, options, std::move(lock));
  if (!db) return db;
  if (mode == OpenMode::read_only) {
    if (auto r = check_schema(*db, latest_schema_version()); !r) {
      return tl::unexpected(std::move(r.error()));
    }
  } else if (auto r = migrate(*db, builtin_migrations()); !r) {
    return tl::unexpected(std::move(r.error()));
  }
  return db;
}

tl::expected<Database, StorageError> Database::another_connection() const {
  if (conn_->path == ":memory:") {
    StorageError e;
    e.path = conn_->path;
    e.message = "an in-memory database cannot be opened a second time";
    return tl::unexpected(std::move(e));
  }
  return connect(conn_->path, conn_->read_only ? OpenMode::read_only : OpenMode::run,
                 conn_->options, conn_->lock);
}

Database::~Database() = default;

const std::string& Database::path() const { return conn_->path; }

bool Database::read_only() const { return conn_->read_only; }

tl::expected<void, StorageError> Database::exec(std::string_view sql) {
  std::string text(sql);
  int rc = sqlite3_exec(conn_->db, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return tl::unexpected(conn_->error(detail::sql_excerpt(sql), rc));
  return {};
}

tl::expected<Statement, StorageError> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(conn_->db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return tl::unexpected(conn_->error("prepare " + detail::sql_excerpt(sql), rc));
  }
  return Statement(conn_, stmt);
}

tl::expected<int, StorageError> Database::schema_version() {
  auto stmt = prepare("PRAGMA user_version");
  if (!stmt) return tl::unexpected(std::move(stmt.error()));
  auto row = stmt->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  int v = *row ? static_cast<int>(stmt->column_int64(0)) : 0;
  stmt->reset();
  return v;
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(conn_->db); }

std::int64_t Database::changes() const { return sqlite3_changes64(conn_->db); }

bool Database::in_transaction() const { return sqlite3_get_autocommit(conn_->db) == 0; }

}  // namespace autoif::storage
