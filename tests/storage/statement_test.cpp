// Statement binding and errors, Transaction scopes.
#include <catch2/catch.hpp>

#include "helpers.h"
#include "storage/database.h"
#include "storage/transaction.h"

using namespace autoif::storage;
using autoif::storage::testing::TempDir;

namespace {

std::int64_t count_meta(Database& db) {
  auto stmt = db.prepare("SELECT count(*) FROM meta");
  REQUIRE(stmt);
  REQUIRE(*stmt->step());
  std::int64_t n = stmt->column_int64(0);
  stmt->reset();
  return n;
}

Database open_memory() {
  auto db = Database::open(":memory:", OpenMode::run);
  REQUIRE(db);
  return std::move(*db);
}

}  // namespace

TEST_CASE("a prepared statement is reused with new bindings") {
  Database db = open_memory();
  auto insert = db.prepare("INSERT INTO meta(key, value) VALUES(?1, ?2)");
  REQUIRE(insert);
  for (int i = 0; i < 5; ++i) {
    std::string key = "k";
    key += std::to_string(i);
    REQUIRE(insert->bind_all(key, std::to_string(i * i)).run());
  }
  CHECK(count_meta(db) == 5);
  auto select = db.prepare("SELECT value FROM meta WHERE key = ?1");
  REQUIRE(select);
  REQUIRE(*select->bind(1, "k3").step());
  CHECK(select->column_text(0) == "9");
  select->reset();
  REQUIRE(*select->bind(1, "k4").step());
  CHECK(select->column_text(0) == "16");
  CHECK_FALSE(*select->step());  // one row only; done resets the statement
}

TEST_CASE("typed getters keep NULLs, numbers and text with NUL bytes intact") {
  Database db = open_memory();
  auto stmt = db.prepare("SELECT ?1, ?2, ?3, ?4, ?5");
  REQUIRE(stmt);
  std::string with_nul("a\0b", 3);
  std::optional<std::int64_t> none;
  stmt->bind_all(with_nul, std::int64_t{1} << 40, 0.25, none, std::optional<std::string>("x"));
  REQUIRE(*stmt->step());
  CHECK(stmt->column_string(0) == with_nul);
  CHECK(stmt->column_int64(1) == (std::int64_t{1} << 40));
  CHECK(stmt->column_double(2) == 0.25);
  CHECK(stmt->is_null(3));
  CHECK_FALSE(stmt->column_optional_int64(3).has_value());
  CHECK(stmt->column_optional_string(4) == std::optional<std::string>("x"));
  stmt->reset();
}

TEST_CASE("an empty string is stored as an empty string, not NULL") {
  Database db = open_memory();
  auto stmt = db.prepare("SELECT ?1 IS NULL, length(?1)");
  REQUIRE(stmt);
  REQUIRE(*stmt->bind(1, std::string_view()).step());
  CHECK(stmt->column_int64(0) == 0);
  CHECK(stmt->column_int64(1) == 0);
  stmt->reset();
}

TEST_CASE("a failed bind is reported by the next step with the parameter index") {
  Database db = open_memory();
  auto stmt = db.prepare("SELECT ?1");
  REQUIRE(stmt);
  auto r = stmt->bind(1, 1).bind(5, 2).step();
  REQUIRE_FALSE(r);
  CHECK(r.error().what().find("bind parameter 5") != std::string::npos);
  // The error is not sticky: a correct bind works again.
  REQUIRE(*stmt->bind(1, 7).step());
  CHECK(stmt->column_int64(0) == 7);
  stmt->reset();
}

TEST_CASE("an SQL error names the file and quotes the statement") {
  TempDir dir;
  std::string path = dir.file("run.db");
  auto db = Database::open(path, OpenMode::run);
  REQUIRE(db);
  auto stmt = db->prepare("SELEC value FROM meta");
  REQUIRE_FALSE(stmt);
  std::string what = stmt.error().what();
  CHECK(what.find(path) != std::string::npos);
  CHECK(what.find("'SELEC value FROM meta'") != std::string::npos);
  CHECK(what.find("syntax error") != std::string::npos);
}

TEST_CASE("error messages never contain bound values") {
  Database db = open_memory();
  auto stmt = db.prepare(
      "INSERT INTO instructions(text, norm, origin) VALUES(?1, ?2, 'not-an-origin')");
  REQUIRE(stmt);
  auto r = stmt->bind_all("sk-SECRET-123", "sk-SECRET-123").run();
  REQUIRE_FALSE(r);
  CHECK(r.error().what().find("CHECK") != std::string::npos);
  CHECK(r.error().what().find("SECRET") == std::string::npos);
}

TEST_CASE("a transaction left without commit rolls back") {
  Database db = open_memory();
  {
    auto tx = Transaction::begin(db);
    REQUIRE(tx);
    REQUIRE(db.exec("INSERT INTO meta(key, value) VALUES('a', '1')"));
    CHECK(db.in_transaction());
  }
  CHECK_FALSE(db.in_transaction());
  CHECK(count_meta(db) == 0);
  {
    auto tx = Transaction::begin(db);
    REQUIRE(tx);
    REQUIRE(db.exec("INSERT INTO meta(key, value) VALUES('a', '1')"));
    REQUIRE(tx->commit());
    CHECK_FALSE(tx->active());
  }
  CHECK(count_meta(db) == 1);
}

TEST_CASE("a nested transaction is a savepoint whose rollback keeps the outer writes") {
  Database db = open_memory();
  auto outer = Transaction::begin(db);
  REQUIRE(outer);
  CHECK_FALSE(outer->is_savepoint());
  REQUIRE(db.exec("INSERT INTO meta(key, value) VALUES('outer', '1')"));
  {
    auto inner = Transaction::begin(db);
    REQUIRE(inner);
    CHECK(inner->is_savepoint());
    REQUIRE(db.exec("INSERT INTO meta(key, value) VALUES('inner-dropped', '1')"));
  }
  {
    auto inner = Transaction::begin(db);
    REQUIRE(inner);
    REQUIRE(db.exec("INSERT INTO meta(key, value) VALUES('inner-kept', '1')"));
    REQUIRE(inner->commit());
  }
  CHECK(db.in_transaction());  // the savepoints did not end the outer transaction
  REQUIRE(outer->commit());
  auto stmt = db.prepare("SELECT group_concat(key, ',') FROM (SELECT key FROM meta ORDER BY key)");
  REQUIRE(stmt);
  REQUIRE(*stmt->step());
  CHECK(stmt->column_string(0) == "inner-kept,outer");
  stmt->reset();
}

TEST_CASE("a failed commit is reported and leaves no transaction open") {
  Database db = open_memory();
  REQUIRE(db.exec("CREATE TABLE parent(id INTEGER PRIMARY KEY);"
                  "CREATE TABLE child(p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)"));
  auto tx = Transaction::begin(db);
  REQUIRE(tx);
  REQUIRE(db.exec("INSERT INTO child(p) VALUES(5)"));  // checked only at commit
  auto r = tx->commit();
  REQUIRE_FALSE(r);
  CHECK(r.error().what().find("FOREIGN KEY") != std::string::npos);
  CHECK_FALSE(tx->active());
  CHECK_FALSE(db.in_transaction());
  auto stmt = db.prepare("SELECT count(*) FROM child");
  REQUIRE(*stmt->step());
  CHECK(stmt->column_int64(0) == 0);
  stmt->reset();
}

TEST_CASE("stepping a statement that was moved from is an error, not a crash") {
  Database db = open_memory();
  auto stmt = db.prepare("SELECT 1");
  REQUIRE(stmt);
  Statement taken = std::move(*stmt);
  auto r = stmt->step();
  REQUIRE_FALSE(r);
  CHECK(r.error().what().find("no prepared SQL") != std::string::npos);
  REQUIRE(*taken.step());
  CHECK(taken.column_int64(0) == 1);
  taken.reset();
}
