// Opening, configuration, schema version and migrations.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <fstream>
#include <set>

#include "helpers.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/transaction.h"

using namespace autoif::storage;
using autoif::storage::testing::TempDir;

namespace {

std::string text_of(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  REQUIRE(stmt);
  auto row = stmt->step();
  REQUIRE(row);
  REQUIRE(*row);
  std::string v = stmt->column_string(0);
  stmt->reset();
  return v;
}

std::string schema_dump(Database& db) {
  auto stmt = db.prepare("SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_schema ORDER BY name)");
  REQUIRE(stmt);
  REQUIRE(*stmt->step());
  std::string v = stmt->column_string(0);
  stmt->reset();
  return v;
}

// Writes a header field behind storage's back, the way an older or newer build would.
void raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("opening a new file creates every table at the latest schema version") {
  TempDir dir;
  auto db = Database::open(dir.file("run.db"), OpenMode::run);
  REQUIRE(db);
  CHECK(*db->schema_version() == latest_schema_version());
  CHECK(latest_schema_version() >= 1);
  CHECK(text_of(*db, "PRAGMA application_id") == std::to_string(kApplicationId));

  std::set<std::string> tables;
  auto stmt = db->prepare("SELECT name FROM sqlite_schema WHERE type = 'table'");
  REQUIRE(stmt);
  while (*stmt->step()) tables.insert(stmt->column_string(0));
  for (const char* name :
       {"meta", "llm_calls", "instructions", "function_samples", "functions", "cases",
        "case_results", "back_translations", "queries", "inputs", "responses",
        "response_verdicts", "scores", "pairs", "stage_state"}) {
    INFO(name);
    CHECK(tables.count(name) == 1);
  }
}

TEST_CASE("a run database uses WAL, NORMAL sync, foreign keys and the busy timeout") {
  TempDir dir;
  auto db = Database::open(dir.file("run.db"), OpenMode::run, {.busy_timeout = std::chrono::milliseconds(1234)});
  REQUIRE(db);
  CHECK(text_of(*db, "PRAGMA journal_mode") == "wal");
  CHECK(text_of(*db, "PRAGMA synchronous") == "1");
  CHECK(text_of(*db, "PRAGMA foreign_keys") == "1");
  CHECK(text_of(*db, "PRAGMA busy_timeout") == "1234");
}

TEST_CASE("reopening a migrated database changes neither schema nor data") {
  TempDir dir;
  std::string path = dir.file("run.db");
  std::string before;
  {
    auto db = Database::open(path, OpenMode::run);
    REQUIRE(db);
    REQUIRE(db->exec("INSERT INTO meta(key, value) VALUES('k', 'v')"));
    before = schema_dump(*db);
  }
  auto db = Database::open(path, OpenMode::run);
  REQUIRE(db);
  CHECK(schema_dump(*db) == before);
  CHECK(*db->schema_version() == latest_schema_version());
  CHECK(text_of(*db, "SELECT value FROM meta WHERE key = 'k'") == "v");
  CHECK(text_of(*db, "SELECT count(*) FROM meta") == "1");
}

TEST_CASE("a database from a newer version is refused with the file and both versions named") {
  TempDir dir;
  std::string path = dir.file("run.db");
  { REQUIRE(Database::open(path, OpenMode::run)); }
  raw_exec(path, "PRAGMA user_version = 99");

  for (OpenMode mode : {OpenMode::run, OpenMode::read_only}) {
    auto db = Database::open(path, mode);
    REQUIRE_FALSE(db);
    std::string what = db.error().what();
    INFO(what);
    CHECK(what.find(path) != std::string::npos);
    CHECK(what.find("99") != std::string::npos);
    CHECK(what.find("version " + std::to_string(latest_schema_version())) != std::string::npos);
    CHECK(what.find("newer") != std::string::npos);
  }
  raw_exec(path, "PRAGMA user_version = 1");  // nothing was rewritten meanwhile
  CHECK(Database::open(path, OpenMode::run));
}

TEST_CASE("a file that is not an SQLite database is refused with the file named") {
  TempDir dir;
  std::string path = dir.file("notes.db");
  std::ofstream(path) << "these are not the pages you are looking for, not at all, no.\n"
                      << std::string(200, 'x');
  auto db = Database::open(path, OpenMode::run);
  REQUIRE_FALSE(db);
  CHECK(db.error().what().find(path) != std::string::npos);
  CHECK(db.error().what().find("not a database") != std::string::npos);
}

TEST_CASE("another program's SQLite database is refused and left untouched") {
  TempDir dir;
  std::string path = dir.file("other.db");
  raw_exec(path, "CREATE TABLE theirs(x); INSERT INTO theirs VALUES(1)");
  auto db = Database::open(path, OpenMode::run);
  REQUIRE_FALSE(db);
  CHECK(db.error().what().find("not an autoif database") != std::string::npos);

  raw_exec(path, "PRAGMA application_id = 7");
  auto again = Database::open(path, OpenMode::run);
  REQUIRE_FALSE(again);
  CHECK(again.error().what().find("application_id 7") != std::string::npos);
  raw_exec(path, "SELECT x FROM theirs");  // still there, and no schema of ours added
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  int rc = sqlite3_exec(raw, "SELECT * FROM llm_calls", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  CHECK(rc != SQLITE_OK);
}

TEST_CASE("a failing migration step keeps the previous version and none of its changes") {
  TempDir dir;
  auto db = Database::open(dir.file("run.db"), OpenMode::run);
  REQUIRE(db);
  std::vector<Migration> steps(builtin_migrations().begin(), builtin_migrations().end());
  int next = latest_schema_version() + 1;
  steps.push_back({next, "broken step", "CREATE TABLE extra(x); SELECT * FROM no_such_table;"});

  auto r = migrate(*db, steps);
  REQUIRE_FALSE(r);
  CHECK(r.error().what().find("schema version " + std::to_string(next)) != std::string::npos);
  CHECK(r.error().what().find("broken step") != std::string::npos);
  CHECK(*db->schema_version() == latest_schema_version());
  CHECK_FALSE(db->exec("SELECT * FROM extra"));
  CHECK_FALSE(db->in_transaction());

  steps.back() = {next, "good step", "CREATE TABLE extra(x);"};
  REQUIRE(migrate(*db, steps));
  CHECK(*db->schema_version() == next);
  CHECK(db->exec("SELECT * FROM extra"));
  REQUIRE(migrate(*db, steps));  // applying again is a no-op
  CHECK(*db->schema_version() == next);
}

TEST_CASE("migrate refuses a migration list that skips a version") {
  TempDir dir;
  auto db = Database::open(dir.file("run.db"), OpenMode::run);
  REQUIRE(db);
  std::vector<Migration> steps(builtin_migrations().begin(), builtin_migrations().end());
  steps.push_back({latest_schema_version() + 2, "gap", "CREATE TABLE gap(x);"});
  auto r = migrate(*db, steps);
  REQUIRE_FALSE(r);
  CHECK_FALSE(db->exec("SELECT * FROM gap"));
}

TEST_CASE("foreign keys reject an entity whose parent does not exist") {
  TempDir dir;
  auto db = Database::open(dir.file("run.db"), OpenMode::run);
  REQUIRE(db);
  auto r = db->exec(
      "INSERT INTO function_samples(instruction_id, sample_index, parse_status)"
      " VALUES(42, 0, 'ok')");
  REQUIRE_FALSE(r);
  CHECK(r.error().what().find("FOREIGN KEY") != std::string::npos);
  REQUIRE(db->exec(
      "INSERT INTO instructions(id, text, norm, origin) VALUES(42, 'Answer in French.',"
      " 'answer in french', 'seed')"));
  CHECK(db->exec(
      "INSERT INTO function_samples(instruction_id, sample_index, parse_status)"
      " VALUES(42, 0, 'ok')"));
}

TEST_CASE("a read-only open never creates a missing file") {
  TempDir dir;
  std::string path = dir.file("missing.db");
  auto db = Database::open(path, OpenMode::read_only);
  REQUIRE_FALSE(db);
  CHECK(db.error().what().find(path) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a read-only open does not migrate an empty database") {
  TempDir dir;
  std::string path = dir.file("empty.db");
  raw_exec(path, "PRAGMA user_version = 0");
  auto db = Database::open(path, OpenMode::read_only);
  REQUIRE_FALSE(db);
  CHECK(db.error().what().find("no schema") != std::string::npos);
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  int rc = sqlite3_exec(raw, "SELECT * FROM meta", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  CHECK(rc != SQLITE_OK);
}

TEST_CASE("a read-only open refuses writes with a clear error") {
  TempDir dir;
  std::string path = dir.file("run.db");
  { REQUIRE(Database::open(path, OpenMode::run)); }
  auto db = Database::open(path, OpenMode::read_only);
  REQUIRE(db);
  CHECK(db->read_only());
  auto r = db->exec("INSERT INTO meta(key, value) VALUES('k', 'v')");
  REQUIRE_FALSE(r);
  CHECK(r.error().what().find(path) != std::string::npos);
  CHECK(r.error().what().find("readonly") != std::string::npos);
}

TEST_CASE("an in-memory database gets the schema and needs no lock") {
  auto a = Database::open(":memory:", OpenMode::run);
  auto b = Database::open(":memory:", OpenMode::run);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a->schema_version() == latest_schema_version());
  CHECK(text_of(*a, "PRAGMA foreign_keys") == "1");
}
