// `autoif run` on a database it must not or cannot use: one from a newer autoif, one another
// run holds, and a disk that fills up (RLIMIT_FSIZE: writes past it fail with EFBIG, which
// storage reports as a full disk). Each ends with exit status 2 and a message naming the file
// and what to do; a run stopped by a full disk keeps what it committed and finishes once
// there is room.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/run_lock.h"
#include "tests/errors/cli_harness.h"

using namespace autoif::errors_test;
using namespace autoif::storage;
using Catch::Contains;

TEST_CASE("autoif run on a database from a newer autoif names both schema versions and refuses to touch it") {
  TempDir dir;
  const int newer = latest_schema_version() + 1;
  {
    auto db = Database::open(dir.file("run.db"), OpenMode::run);
    REQUIRE(db);
    REQUIRE(db->exec("PRAGMA user_version = " + std::to_string(newer)));
  }
  RefusingPort model;
  auto result = run_autoif(quickstart_run(dir, model.base_url()), dir);
  INFO(result.err);
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Contains("autoif run: opening the run database: storage: " + dir.file("run.db") +
                                  ": database schema version " + std::to_string(newer) +
                                  " is newer than this build of autoif supports (version " +
                                  std::to_string(latest_schema_version()) + "); use a newer autoif to open it"));
  auto db = Database::open(dir.file("run.db"), OpenMode::read_only);
  CHECK_FALSE(db);  // still the newer version: nothing migrated it down or rewrote it
}

TEST_CASE("autoif run on a database another run holds names the holder's pid and the lock file") {
  TempDir dir;
  auto lock = RunLock::acquire(dir.file("run.db"));
  REQUIRE(lock);
  RefusingPort model;
  auto result = run_autoif(quickstart_run(dir, model.base_url()), dir);
  INFO(result.err);
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Contains(dir.file("run.db") + ": the database is in use: another process (pid " +
                                  std::to_string(::getpid()) + ") is running on it (lock file " +
                                  dir.file("run.db.lock") + "); wait for it to finish or use another run directory"));
  CHECK_FALSE(fs::exists(dir.file("run.db")));
}

TEST_CASE("autoif run on a full disk when the database is created says so and names the file") {
  TempDir dir;
  RefusingPort model;
  ChildOptions options;
  options.file_size_limit = 64 * 1024;
  auto result = run_autoif(quickstart_run(dir, model.base_url()), dir, options);
  INFO(result.err);
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Contains("autoif run: opening the run database: storage: " + dir.file("run.db")));
  CHECK_THAT(result.err, Contains("(disk full: File too large; free space and run again, everything committed so far is kept)"));
}

TEST_CASE("a run stopped by a full disk keeps what it committed and, with room again, ends with the same exports") {
  auto stub = quickstart_stub();
  TempDir baseline;
  auto whole = run_autoif(quickstart_run(baseline, stub->base_url()), baseline);
  REQUIRE(whole.exit_code == 0);

  TempDir dir;
  ChildOptions options;
  options.file_size_limit = 200 * 1000;  // reached while the first stage stores its answers
  auto stopped = run_autoif(quickstart_run(dir, stub->base_url()), dir, options);
  {
    INFO(stopped.err);
    CHECK(stopped.exit_code == 2);
    auto stop = lines_starting(stopped.err, "autoif run:");
    REQUIRE(stop.size() == 1);
    CHECK_THAT(stop[0], Contains(dir.file("run.db")) && Contains("disk full") &&
                            Contains("free space and run again, everything committed so far is kept"));
  }
  auto resumed = run_autoif(quickstart_run(dir, stub->base_url()), dir);
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(read_file(dir.file("out/sft.jsonl")) == read_file(baseline.file("out/sft.jsonl")));
  CHECK(read_file(dir.file("out/dpo.jsonl")) == read_file(baseline.file("out/dpo.jsonl")));
}

// An error thrown while sandbox jobs are in flight must not let the pool's threads call back
// into the run's destroyed context (it once ended in heap corruption, SIGABRT).
TEST_CASE("a full disk while sandbox jobs are in flight stops with the message, not a crash", "[full-disk-crash]") {
  auto stub = quickstart_stub();
  for (std::uint64_t limit : {500'000u, 600'000u, 1'000'000u}) {
    TempDir dir;
    ChildOptions options;
    options.file_size_limit = limit;
    auto result = run_autoif(quickstart_run(dir, stub->base_url()), dir, options);
    INFO("limit " << limit << "\n" << result.err);
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Contains("disk full"));
  }
}
