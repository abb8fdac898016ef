// Resumability (issue 4): a run killed with SIGKILL at any moment and started again produces
// exactly the exports of an uninterrupted run, and asks the model again only for what was in
// flight at the kill. Kill points are reached by watching the run's database grow (and, in the
// second chain, by elapsed time), so they land in every stage whatever the machine's speed.
#include <signal.h>

#include <catch2/catch.hpp>
#include <functional>
#include <thread>

#include "tests/e2e/e2e_support.h"

namespace autoif::e2e {
namespace {

constexpr std::int64_t kMaxInFlight = 8;  // llm.max_in_flight of the quickstart config

struct Baseline {
  std::string sft, dpo;
  std::int64_t served = 0, calls = 0;
};

Baseline uninterrupted(const TempDir& dir) {
  Stub stub(quickstart_cassette(), dir.path());
  auto result = run_to_end(run_args(dir / "base.db", dir / "base-out", stub.base_url()), dir.path());
  REQUIRE(result.exit_code == 0);
  Baseline base{read_file(dir / "base-out/sft.jsonl"), read_file(dir / "base-out/dpo.jsonl"), stub.stop(), 0};
  base.calls = query_int(dir / "base.db", "SELECT count(*) FROM llm_calls").value_or(-1);
  REQUIRE(!base.sft.empty());
  return base;
}

// Starts a run and SIGKILLs it once `reached()` holds; false if the run finished first.
bool run_and_kill(const std::vector<std::string>& argv, const fs::path& dir, const std::function<bool()>& reached) {
  static int counter = 0;
  std::string tag = "killed" + std::to_string(++counter);
  Process run(argv, dir / (tag + ".out"), dir / (tag + ".err"));
  auto deadline = std::chrono::steady_clock::now() + 180s;
  while (!reached()) {
    if (auto code = run.wait_for(2ms)) {
      INFO(read_file(dir / (tag + ".err")));
      REQUIRE(*code == 0);
      return false;
    }
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  }
  run.kill_now();
  return true;
}

void require_same_exports(const fs::path& out, const Baseline& base) {
  CHECK(read_file(out / "sft.jsonl") == base.sft);
  CHECK(read_file(out / "dpo.jsonl") == base.dpo);
}

}  // namespace

TEST_CASE("e2e resume: SIGKILL whenever the database reaches given row counts, then resume, gives the "
          "uninterrupted run's exports and re-asks only what was in flight") {
  TempDir dir;
  auto base = uninterrupted(dir);
  auto db = dir / "killed.db";
  auto count = [&](const char* sql) { return query_int(db, sql).value_or(0); };
  // Points in every stage: first answers, verifiers under way, back-translation, responses,
  // scores (each kill interrupts the run resumed after the previous one).
  std::vector<std::function<bool()>> points{
      [&] { return count("SELECT count(*) FROM llm_calls") >= 1; },
      [&] { return count("SELECT count(*) FROM llm_calls") >= 20; },
      [&] { return count("SELECT count(*) FROM back_translations") >= 3; },
      [&] { return count("SELECT count(*) FROM responses") >= 8; },
      [&] { return count("SELECT count(*) FROM scores") >= 10; },
      [&] { return count("SELECT count(*) FROM scores") >= 40; },
  };
  Stub stub(quickstart_cassette(), dir.path());
  auto argv = run_args(db, dir / "killed-out", stub.base_url());
  std::int64_t kills = 0;
  for (const auto& point : points) kills += run_and_kill(argv, dir.path(), point) ? 1 : 0;
  CHECK(kills >= 4);  // the run outlived most kill points (it is not over before it starts)
  auto final_run = run_to_end(argv, dir.path());
  REQUIRE(final_run.exit_code == 0);
  auto served = stub.stop();

  require_same_exports(dir / "killed-out", base);
  CHECK(query_int(db, "SELECT count(*) FROM llm_calls") == base.calls);
  INFO("served " << served << " requests over " << kills << " kills; an uninterrupted run needs " << base.served);
  CHECK(served <= base.served + kills * kMaxInFlight);
}

TEST_CASE("e2e resume: SIGKILL after a few hundred milliseconds, again and again, then resume, gives the "
          "uninterrupted run's exports") {
  TempDir dir;
  auto base = uninterrupted(dir);
  auto db = dir / "killed.db";
  // 10 ms latency stretches the run so that the time-based kills land in its middle.
  Stub stub(quickstart_cassette(), dir.path(), 10);
  auto argv = run_args(db, dir / "killed-out", stub.base_url());
  for (auto after : {100ms, 300ms, 600ms, 1000ms, 1500ms}) {
    auto start = std::chrono::steady_clock::now();
    run_and_kill(argv, dir.path(), [&] { return std::chrono::steady_clock::now() - start >= after; });
  }
  auto final_run = run_to_end(argv, dir.path());
  REQUIRE(final_run.exit_code == 0);
  stub.stop();
  require_same_exports(dir / "killed-out", base);
  CHECK(query_int(db, "SELECT count(*) FROM llm_calls") == base.calls);
}

}  // namespace autoif::e2e
