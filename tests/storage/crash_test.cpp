// Crash safety and full disks: committed calls survive, nothing half-written is visible.
#include <catch2/catch.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "helpers.h"
#include "storage/batch_writer.h"
#include "storage/llm_cache.h"

using namespace autoif::storage;
using namespace autoif::storage::testing;

namespace {

constexpr std::uint64_t kBatch = 50;
constexpr std::size_t kPayload = 2000;

std::string one_text(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  REQUIRE(stmt);
  REQUIRE(*stmt->step());
  std::string v = stmt->column_string(0);
  stmt->reset();
  return v;
}

// Every stored call is exactly the one its key names, and the keys are 0..count-1: whole
// batches only, none missing, none torn.
std::int64_t check_calls(Database& db, std::size_t payload) {
  CHECK(one_text(db, "PRAGMA integrity_check") == "ok");
  auto cache = LlmCache::open(db);
  REQUIRE(cache);
  std::int64_t count = *cache->count();
  for (std::int64_t i = 0; i < count; ++i) {
    auto got = cache->lookup(key_for(static_cast<std::uint64_t>(i)));
    REQUIRE(got);
    REQUIRE(got->has_value());
    if (!(**got == call_for(static_cast<std::uint64_t>(i), payload))) {
      FAIL("call " << i << " differs from what was stored");
    }
  }
  return count;
}

// Runs in the child: stores batches until killed, one byte on `fd` per committed batch.
int write_batches_forever(const std::string& path, int fd, bool through_writer) {
  auto db = Database::open(path, OpenMode::run);
  if (!db) return 10;
  auto cache = LlmCache::open(*db);
  if (!cache) return 11;
  auto start = cache->count();
  if (!start || *start % static_cast<std::int64_t>(kBatch) != 0) return 12;
  BatchWriter writer(*db, {.max_rows = kBatch});
  std::uint64_t first = static_cast<std::uint64_t>(*start);
  for (std::uint64_t b = 0; b < 5000; ++b) {
    std::vector<LlmCall> calls;
    for (std::uint64_t i = 0; i < kBatch; ++i) calls.push_back(call_for(first + b * kBatch + i, kPayload));
    if (through_writer) {
      for (const LlmCall& c : calls) {
        if (!cache->queue(writer, c)) return 13;
      }
      if (writer.stats().batches != b + 1) return 14;
    } else if (!cache->store_batch(calls)) {
      return 15;
    }
    write_all(fd, "+");
  }
  return 0;  // never killed: the parent reports this
}

}  // namespace

TEST_CASE("a writer killed with SIGKILL mid-batch leaves only whole, intact batches") {
  TempDir dir;
  std::string path = dir.file("run.db");
  std::int64_t acknowledged = 0;
  for (int round = 0; round < 6; ++round) {
    std::int64_t before = acknowledged;
    {
      Child writer([&](int fd) { return write_batches_forever(path, fd, round % 2 == 1); });
      // Let a few batches commit, then kill at some point inside a later one.
      std::size_t acks = 2 + static_cast<std::size_t>(round);
      REQUIRE(writer.read(acks).size() == acks);
      ::usleep(static_cast<useconds_t>(round * 700));
      int status = writer.kill_and_wait(SIGKILL);
      INFO("writer exit status " << status);
      REQUIRE(WIFSIGNALED(status));
      acknowledged = before + static_cast<std::int64_t>(acks * kBatch);
    }
    auto db = Database::open(path, OpenMode::run);  // the lock died with the writer
    REQUIRE(db);
    std::int64_t count = check_calls(*db, kPayload);
    CHECK(count % static_cast<std::int64_t>(kBatch) == 0);
    CHECK(count >= acknowledged);
    acknowledged = count;
  }
  CHECK(acknowledged >= 6 * 2 * static_cast<std::int64_t>(kBatch));
}

TEST_CASE("reaching max_page_count reports a full disk and keeps every committed call") {
  TempDir dir;
  std::string path = dir.file("run.db");
  auto db = Database::open(path, OpenMode::run);
  REQUIRE(db);
  auto cache = LlmCache::open(*db);
  REQUIRE(cache);
  std::vector<LlmCall> first;
  for (int i = 0; i < 10; ++i) first.push_back(call_for(i, 100));
  REQUIRE(cache->store_batch(first));

  std::string pages = one_text(*db, "PRAGMA page_count");
  REQUIRE(db->exec("PRAGMA max_page_count = " + std::to_string(std::stoll(pages) + 8)));
  std::vector<LlmCall> big;
  for (int i = 10; i < 20; ++i) big.push_back(call_for(i, 100));
  for (auto& c : big) c.response += std::string(20000, 'z');
  auto r = cache->store_batch(big);
  REQUIRE_FALSE(r);
  INFO(r.error().what());
  CHECK(r.error().disk_full());
  CHECK(r.error().what().find(path) != std::string::npos);
  CHECK(r.error().what().find("disk full") != std::string::npos);
  CHECK_FALSE(db->in_transaction());
  CHECK(check_calls(*db, 100) == 10);

  // Once there is room again the same batch goes through.
  REQUIRE(db->exec("PRAGMA max_page_count = 1000000"));
  REQUIRE(*cache->store_batch(big) == big.size());
  CHECK(*cache->count() == 20);
}

TEST_CASE("a write past the file-size limit reports a full disk and keeps committed calls") {
  TempDir dir;
  std::string path = dir.file("run.db");
  constexpr std::uint64_t kSmall = 10;
  Child writer([&](int fd) {
    ::signal(SIGXFSZ, SIG_IGN);  // get EFBIG from write() instead of dying
    auto db = Database::open(path, OpenMode::run);
    if (!db) return 10;
    auto cache = LlmCache::open(*db);
    if (!cache) return 11;
    std::uint64_t committed = 0;
    auto store = [&](std::size_t payload) {
      std::vector<LlmCall> calls;
      for (std::uint64_t i = 0; i < kSmall; ++i) calls.push_back(call_for(committed + i, payload));
      auto r = cache->store_batch(calls);
      if (r) committed += kSmall;
      return r;
    };
    if (!store(100) || !store(100)) return 12;
    std::uintmax_t biggest = std::max(std::filesystem::file_size(path),
                                      std::filesystem::file_size(path + "-wal"));
    rlim_t limit = static_cast<rlim_t>(biggest + 256 * 1024);
    struct rlimit rl = {limit, limit};
    if (::setrlimit(RLIMIT_FSIZE, &rl) != 0) return 13;
    for (int b = 0; b < 5000; ++b) {
      auto r = store(100);
      if (!r) {
        write_all(fd, std::to_string(committed) + "\n" + (r.error().disk_full() ? "1" : "0") +
                          "\n" + r.error().what());
        return 0;
      }
    }
    return 14;
  });
  std::string report = writer.read_all();
  int status = writer.wait();
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  INFO(report);
  std::size_t nl1 = report.find('\n');
  std::size_t nl2 = report.find('\n', nl1 + 1);
  REQUIRE(nl2 != std::string::npos);
  std::int64_t committed = std::stoll(report.substr(0, nl1));
  CHECK(report.substr(nl1 + 1, nl2 - nl1 - 1) == "1");
  std::string what = report.substr(nl2 + 1);
  CHECK(what.find(path) != std::string::npos);
  CHECK(what.find("disk full") != std::string::npos);

  auto db = Database::open(path, OpenMode::run);
  REQUIRE(db);
  std::int64_t count = check_calls(*db, 100);
  CHECK(count >= committed);
  CHECK(count % static_cast<std::int64_t>(kSmall) == 0);
}
