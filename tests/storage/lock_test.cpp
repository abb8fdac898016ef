// The run lock: one process runs a database at a time; readers are never locked out.
#include <catch2/catch.hpp>
#include <fcntl.h>

#include <optional>
#include <thread>

#include "helpers.h"
#include "storage/database.h"
#include "storage/llm_cache.h"
#include "storage/migrations.h"

using namespace autoif::storage;
using namespace autoif::storage::testing;

namespace {

// In a forked child: try to open for a run and send back the error (or "opened").
int try_open_in_child(const std::string& path, int fd) {
  auto db = Database::open(path, OpenMode::run);
  write_all(fd, db ? std::string("opened") : db.error().what());
  return 0;
}

}  // namespace

TEST_CASE("a second process opening the database for a run is refused, naming file and pid") {
  TempDir dir;
  std::string path = dir.file("run.db");
  auto db = Database::open(path, OpenMode::run);
  REQUIRE(db);

  Child child([&](int fd) { return try_open_in_child(path, fd); });
  std::string answer = child.read_all();
  CHECK(WEXITSTATUS(child.wait()) == 0);
  INFO(answer);
  CHECK(answer.find(path) != std::string::npos);
  CHECK(answer.find("in use") != std::string::npos);
  CHECK(answer.find("pid " + std::to_string(::getpid())) != std::string::npos);
}

TEST_CASE("a second run open in the same process is refused too") {
  TempDir dir;
  std::string path = dir.file("run.db");
  auto first = Database::open(path, OpenMode::run);
  REQUIRE(first);
  auto second = Database::open(path, OpenMode::run);
  REQUIRE_FALSE(second);
  CHECK(second.error().what().find("in use") != std::string::npos);
}

TEST_CASE("closing the database releases the lock") {
  TempDir dir;
  std::string path = dir.file("run.db");
  { REQUIRE(Database::open(path, OpenMode::run)); }
  CHECK(Database::open(path, OpenMode::run));
}

TEST_CASE("the lock dies with a holder killed by SIGKILL") {
  TempDir dir;
  std::string path = dir.file("run.db");
  Child holder([&](int fd) {
    auto db = Database::open(path, OpenMode::run);
    if (!db) return 1;
    write_all(fd, "ready");
    ::pause();
    return 0;
  });
  REQUIRE(holder.read(5) == "ready");

  auto refused = Database::open(path, OpenMode::run);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().what().find("pid " + std::to_string(holder.pid())) != std::string::npos);

  int status = holder.kill_and_wait(SIGKILL);
  REQUIRE(WIFSIGNALED(status));
  auto db = Database::open(path, OpenMode::run);
  REQUIRE(db);
  CHECK(*db->schema_version() == latest_schema_version());
}

TEST_CASE("a program started by the holder does not inherit the lock") {
  TempDir dir;
  std::string path = dir.file("run.db");
  std::optional<Database> db;
  {
    auto opened = Database::open(path, OpenMode::run);
    REQUIRE(opened);
    db.emplace(std::move(*opened));
  }
  // exec keeps every descriptor not marked close-on-exec; sleep stands for a sandbox
  // worker or any other helper the run starts and that may outlive it. The pipe is made
  // close-on-exec too, so end of file tells the parent that exec has happened.
  Child helper([](int fd) {
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    ::execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
    return 127;
  });
  REQUIRE(helper.read_all().empty());
  db.reset();
  CHECK(Database::open(path, OpenMode::run));
  int status = helper.kill_and_wait(SIGKILL);
  CHECK(WIFSIGNALED(status));  // it was still running while we took the lock
}

TEST_CASE("a read-only open works while another process holds the run lock") {
  TempDir dir;
  std::string path = dir.file("run.db");
  Child writer([&](int fd) {
    auto db = Database::open(path, OpenMode::run);
    if (!db) return 1;
    auto cache = LlmCache::open(*db);
    if (!cache) return 2;
    for (int i = 0; i < 10; ++i) {
      if (!cache->store(call_for(i))) return 3;
    }
    write_all(fd, "ready");
    ::pause();
    return 0;
  });
  REQUIRE(writer.read(5) == "ready");
  REQUIRE_FALSE(Database::open(path, OpenMode::run));

  auto reader = Database::open(path, OpenMode::read_only);
  REQUIRE(reader);
  auto cache = LlmCache::open(*reader);
  REQUIRE(cache);
  CHECK(*cache->count() == 10);
  auto call = cache->lookup(key_for(7));
  REQUIRE(call);
  REQUIRE(call->has_value());
  CHECK(**call == call_for(7));
  writer.kill_and_wait(SIGKILL);
}

TEST_CASE("another connection of a run shares its lock until the last one closes") {
  TempDir dir;
  std::string path = dir.file("run.db");
  std::optional<Database> first(must_open(path));
  auto second = first->another_connection();
  REQUIRE(second);
  CHECK_FALSE(second->read_only());
  REQUIRE(first->exec("INSERT INTO meta(key, value) VALUES('from', 'first')"));
  {
    auto stmt = second->prepare("SELECT value FROM meta WHERE key = 'from'");
    REQUIRE(*stmt->step());
    CHECK(stmt->column_string(0) == "first");
    stmt->reset();
  }  // a statement keeps its connection, and so the lock, alive

  first.reset();
  CHECK_FALSE(Database::open(path, OpenMode::run));  // the second connection still runs
  *second = must_open(":memory:");
  CHECK(Database::open(path, OpenMode::run));
}

TEST_CASE("two threads of one run store calls through their own connections") {
  TempDir dir;
  Database db = must_open(dir.file("run.db"));
  auto store_range = [](Database conn, std::uint64_t from, std::uint64_t to, bool* ok) {
    LlmCache cache = *LlmCache::open(conn);
    for (std::uint64_t i = from; i < to; ++i) {
      if (!cache.store(call_for(i))) return;
    }
    *ok = true;
  };
  bool ok_a = false;
  bool ok_b = false;
  {
    std::thread a(store_range, std::move(*db.another_connection()), 0, 300, &ok_a);
    std::thread b(store_range, std::move(*db.another_connection()), 300, 600, &ok_b);
    a.join();
    b.join();
  }
  CHECK(ok_a);
  CHECK(ok_b);
  CHECK(*must_open_cache(db).count() == 600);
}
