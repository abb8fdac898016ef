#include "storage/statement.h"

#include <limits>
#include <utility>

#include "storage/connection.h"

namespace autoif::storage {

Statement::Statement(Statement&& other) noexcept
    : conn_(std::move(other.conn_)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_rc_(std::exchange(other.bind_rc_, SQLITE_OK)),
      bind_index_(other.bind_index_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    conn_ = std::move(other.conn_);
    bind_rc_ = std::exchange(other.bind_rc_, SQLITE_OK);
    bind_index_ = other.bind_index_;
  }
  return *this;
}

Statement::~Statement() {
  // Finalize before conn_ is released: the connection must outlive its statements.
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

void Statement::note_bind(int rc, int index) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_index_ = index;
  }
}

Statement& Statement::bind(int index, std::int64_t v) {
  note_bind(sqlite3_bind_int64(stmt_, index, v), index);
  return *this;
}

Statement& Statement::bind(int index, double v) {
  note_bind(sqlite3_bind_double(stmt_, index, v), index);
  return *this;
}

Statement& Statement::bind(int index, std::string_view v) {
  if (v.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    note_bind(SQLITE_TOOBIG, index);
    return *this;
  }
  // A non-null pointer even for "" so that an empty string is stored as '' and not NULL.
  const char* data = v.data() != nullptr ? v.data() : "";
  note_bind(sqlite3_bind_text64(stmt_, index, data, v.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
            index);
  return *this;
}

Statement& Statement::bind(int index, std::nullptr_t) {
  note_bind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Statement& Statement::bind(int index, const Value& v) {
  return std::visit([&](const auto& x) -> Statement& { return bind(index, x); }, v);
}

Statement& Statement::clear_bindings() {
  sqlite3_clear_bindings(stmt_);
  return *this;
}

tl::expected<bool, StorageError> Statement::step() {
  if (stmt_ == nullptr) {  // default-constructed or moved from: a bug in the caller
    StorageError e;
    e.code = SQLITE_MISUSE;
    e.message = "step on a statement that holds no prepared SQL";
    return tl::unexpected(std::move(e));
  }
  if (bind_rc_ != SQLITE_OK) {
    std::string context = "bind parameter " + std::to_string(bind_index_) + " of ";
    context += detail::sql_excerpt(sql());
    StorageError e = conn_->error(context, bind_rc_);
    reset();
    return tl::unexpected(std::move(e));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    sqlite3_reset(stmt_);
    return false;
  }
  StorageError e = conn_->error(detail::sql_excerpt(sql()), rc);
  sqlite3_reset(stmt_);
  return tl::unexpected(std::move(e));
}

tl::expected<void, StorageError> Statement::run() {
  while (true) {
    auto more = step();
    if (!more) return tl::unexpected(std::move(more.error()));
    if (!*more) return {};
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  bind_rc_ = SQLITE_OK;
}

int Statement::column_count() const { return sqlite3_column_count(stmt_); }

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::column_double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string_view Statement::column_text(int column) const {
  // Ask for the text before its length: the conversion may change the byte count.
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(n)};
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_int64(column);
}

std::optional<double> Statement::column_optional_double(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_double(column);
}

std::optional<std::string> Statement::column_optional_string(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_string(column);
}

int Statement::parameter_count() const { return sqlite3_bind_parameter_count(stmt_); }

std::string_view Statement::sql() const {
  const char* s = stmt_ != nullptr ? sqlite3_sql(stmt_) : nullptr;
  return s != nullptr ? std::string_view(s) : std::string_view();
}

}  // namespace autoif::storage
