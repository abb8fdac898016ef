// The batched writer: transactions of up to max_rows, in queue order, all or nothing.
#include <catch2/catch.hpp>

#include "helpers.h"
#include "storage/batch_writer.h"
#include "storage/llm_cache.h"

using namespace autoif::storage;
using namespace autoif::storage::testing;

namespace {

constexpr const char* kInsertQuery = "INSERT INTO queries(pool_line, text) VALUES(?1, ?2)";

std::int64_t count_rows(Database& db, const std::string& table) {
  auto stmt = db.prepare("SELECT count(*) FROM " + table);
  REQUIRE(stmt);
  REQUIRE(*stmt->step());
  std::int64_t n = stmt->column_int64(0);
  stmt->reset();
  return n;
}

struct Fixture {
  TempDir dir;
  std::string path = dir.file("run.db");
  Database db = must_open(path);
  // A second connection sees only what is committed.
  Database reader = must_open(path, OpenMode::read_only);
};

}  // namespace

TEST_CASE_METHOD(Fixture, "rows are committed in transactions of max_rows") {
  BatchWriter writer(db, {.max_rows = 4});
  auto insert = writer.add_statement(kInsertQuery);
  REQUIRE(insert);
  for (int i = 0; i < 3; ++i) REQUIRE(writer.queue(*insert, i, "query " + std::to_string(i)));
  CHECK(count_rows(reader, "queries") == 0);
  CHECK(writer.pending_rows() == 3);
  REQUIRE(writer.queue(*insert, 3, "query 3"));
  CHECK(count_rows(reader, "queries") == 4);
  CHECK(writer.pending_rows() == 0);
  for (int i = 4; i < 10; ++i) REQUIRE(writer.queue(*insert, i, "query " + std::to_string(i)));
  CHECK(count_rows(reader, "queries") == 8);
  CHECK(writer.stats().batches == 2);
  CHECK(writer.stats().rows_written == 8);
}

TEST_CASE_METHOD(Fixture, "the destructor writes what is still queued") {
  {
    BatchWriter writer(db, {.max_rows = 1000});
    auto insert = writer.add_statement(kInsertQuery);
    for (int i = 0; i < 5; ++i) REQUIRE(writer.queue(*insert, i, "q"));
    CHECK(count_rows(reader, "queries") == 0);
  }
  CHECK(count_rows(reader, "queries") == 5);
}

TEST_CASE_METHOD(Fixture, "rows of several statements are written in queue order") {
  BatchWriter writer(db, {.max_rows = 3});
  auto cache = LlmCache::open(db);
  REQUIRE(cache);
  auto instruction = writer.add_statement(
      "INSERT INTO instructions(text, norm, origin, call_key) VALUES(?1, ?2, 'augment', ?3)");
  REQUIRE(instruction);
  // Each instruction refers to the call it came from; the foreign key fails if a batch
  // boundary ever let the instruction be written before its call.
  for (int i = 0; i < 10; ++i) {
    REQUIRE(cache->queue(writer, call_for(i)));
    std::string text = "Instruction " + std::to_string(i);
    REQUIRE(writer.queue(*instruction, text, text, key_for(i)));
  }
  REQUIRE(writer.flush());
  auto stmt = db.prepare("SELECT call_key FROM instructions ORDER BY id");
  REQUIRE(stmt);
  for (int i = 0; i < 10; ++i) {
    REQUIRE(*stmt->step());
    CHECK(stmt->column_string(0) == key_for(i));
  }
  CHECK_FALSE(*stmt->step());
}

TEST_CASE_METHOD(Fixture, "adding the same SQL twice gives the same statement") {
  BatchWriter writer(db);
  auto a = writer.add_statement(kInsertQuery);
  auto b = writer.add_statement(kInsertQuery);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a == *b);
}

TEST_CASE_METHOD(Fixture, "a failing row rolls back its whole batch, which stays queued") {
  BatchWriter writer(db, {.max_rows = 100});
  auto insert = writer.add_statement(kInsertQuery);
  REQUIRE(writer.queue(*insert, 1, "one"));
  REQUIRE(writer.queue(*insert, 2, "two"));
  REQUIRE(writer.queue(*insert, 1, "duplicate pool line"));
  auto r = writer.flush();
  REQUIRE_FALSE(r);
  INFO(r.error().what());
  CHECK(r.error().what().find("row 3") != std::string::npos);
  CHECK(r.error().what().find("UNIQUE") != std::string::npos);
  CHECK(count_rows(reader, "queries") == 0);
  CHECK(writer.pending_rows() == 3);
  CHECK_FALSE(db.in_transaction());
  writer.discard();
  REQUIRE(writer.queue(*insert, 1, "one"));
  REQUIRE(writer.flush());
  CHECK(count_rows(reader, "queries") == 1);
}

TEST_CASE_METHOD(Fixture, "a row with the wrong number of values is refused when queued") {
  BatchWriter writer(db);
  auto insert = writer.add_statement(kInsertQuery);
  auto r = writer.queue(*insert, 1);
  REQUIRE_FALSE(r);
  CHECK(r.error().what().find("1 values") != std::string::npos);
  CHECK(writer.pending_rows() == 0);
  CHECK_FALSE(writer.queue(*insert + 7, 1, "x"));
  REQUIRE(writer.queue_row(*insert, {std::int64_t{1}, std::string("one")}));
  CHECK_FALSE(writer.queue_row(*insert, {std::int64_t{2}}));
  CHECK(writer.pending_rows() == 1);
}

TEST_CASE_METHOD(Fixture, "NULLs and optionals are written as NULL") {
  BatchWriter writer(db);
  auto insert = writer.add_statement(
      "INSERT INTO stage_state(stage, fingerprint, done, updated_at) VALUES(?1, ?2, ?3, ?4)");
  REQUIRE(writer.queue(*insert, "augment", "abc", 1, std::optional<std::string>()));
  REQUIRE(writer.queue(*insert, "verify", "def", 0, nullptr));
  REQUIRE(writer.flush());
  auto stmt = db.prepare("SELECT count(*) FROM stage_state WHERE updated_at IS NULL");
  REQUIRE(*stmt->step());
  CHECK(stmt->column_int64(0) == 2);
  stmt->reset();
}
