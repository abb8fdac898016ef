// Statement: one prepared SQL statement, prepared once and reused (bind, step, reset).
//
// Contract
// - Parameters are 1-based, as in SQL's ?1. Text and blobs are copied at bind time, so the
//   caller's buffers may go away right after bind(). A bind that fails (index out of range,
//   value too big) is remembered and reported by the next step()/run(), which lets binds
//   chain: stmt.bind(1, a).bind(2, b).run().
// - step() returns true while a row is available and false once done; when done, or on an
//   error, the statement resets itself so it holds no read snapshot or lock afterwards.
//   Callers that stop iterating early call reset() for the same reason.
// - Column getters are valid only while step() has just returned true; column_text's view
//   lives until the next step()/reset().
// - Errors name the database file and quote the start of the SQL, never bound values.
// - Move-only; finalized on destruction. Keeps its connection alive. Use from one thread at
//   a time, like the Database it came from.
#pragma once

#include <sqlite3.h>
#include <tl/expected.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "storage/error.h"
#include "storage/value.h"

namespace autoif::storage {

namespace detail {
struct Connection;
}

class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t v);
  template <typename T>
    requires std::is_integral_v<T>
  Statement& bind(int index, T v) {
    return bind(index, static_cast<std::int64_t>(v));
  }
  Statement& bind(int index, double v);
  Statement& bind(int index, std::string_view v);
  Statement& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, std::nullptr_t);
  Statement& bind(int index, const Value& v);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& v) {
    return v ? bind(index, *v) : bind(index, nullptr);
  }
  // Binds args to ?1, ?2, ... in order.
  template <typename... Args>
  Statement& bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
    return *this;
  }
  Statement& clear_bindings();

  tl::expected<bool, StorageError> step();
  // Steps until done (for statements that return no rows, or whose rows are not needed),
  // then resets.
  tl::expected<void, StorageError> run();
  void reset();

  int column_count() const;
  bool is_null(int column) const;
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string_view column_text(int column) const;
  std::string column_string(int column) const { return std::string(column_text(column)); }
  std::optional<std::int64_t> column_optional_int64(int column) const;
  std::optional<double> column_optional_double(int column) const;
  std::optional<std::string> column_optional_string(int column) const;

  int parameter_count() const;
  bool valid() const { return stmt_ != nullptr; }
  std::string_view sql() const;

 private:
  friend class Database;
  Statement(std::shared_ptr<detail::Connection> conn, sqlite3_stmt* stmt)
      : conn_(std::move(conn)), stmt_(stmt) {}
  void note_bind(int rc, int index);

  std::shared_ptr<detail::Connection> conn_;
  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = SQLITE_OK;  // first failed bind since the last step/reset
  int bind_index_ = 0;
};

}  // namespace autoif::storage
