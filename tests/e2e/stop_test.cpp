// Stopping a run early (issue 5): budgets, the deadline, SIGINT/SIGTERM. A stopped run stores
// everything it finished, leaves a consistent database, says how to resume, and the resumed run
// produces exactly the exports of an uninterrupted one.
#include <signal.h>

#include <catch2/catch.hpp>
#include <thread>

#include "tests/e2e/e2e_support.h"

namespace autoif::e2e {
namespace {

struct Exports {
  std::string sft, dpo;
};

Exports uninterrupted(const TempDir& dir) {
  Stub stub(quickstart_cassette(), dir.path());
  auto result = run_to_end(run_args(dir / "base.db", dir / "base-out", stub.base_url()), dir.path());
  REQUIRE(result.exit_code == 0);
  Exports base{read_file(dir / "base-out/sft.jsonl"), read_file(dir / "base-out/dpo.jsonl")};
  REQUIRE(!base.sft.empty());
  return base;
}

bool consistent(const fs::path& db) {
  return query_int(db, "SELECT (SELECT integrity_check FROM pragma_integrity_check) = 'ok'").value_or(0) == 1 &&
         query_int(db, "SELECT count(*) FROM pragma_foreign_key_check").value_or(-1) == 0;
}

std::int64_t saved_state_is(const fs::path& db, const std::string& state) {
  return query_int(db, "SELECT json_extract(value, '$.state') = '" + state + "' FROM meta WHERE key = 'run_progress'")
      .value_or(0);
}

void resume_gives(const Exports& base, const std::vector<std::string>& argv, const TempDir& dir,
                  const fs::path& out) {
  auto resumed = run_to_end(argv, dir.path());
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(read_file(out / "sft.jsonl") == base.sft);
  CHECK(read_file(out / "dpo.jsonl") == base.dpo);
}

// Starts `argv` and waits until `db` has at least `rows` rows in `table` (REQUIREs it gets there).
void wait_for_rows(Process& run, const fs::path& db, const std::string& table, std::int64_t rows,
                   const fs::path& err) {
  auto deadline = std::chrono::steady_clock::now() + 120s;
  while (query_int(db, "SELECT count(*) FROM " + table).value_or(0) < rows) {
    if (auto code = run.wait_for(5ms)) FAIL("the run ended (" << *code << ") too early:\n" << read_file(err));
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  }
}

}  // namespace

TEST_CASE("e2e stop: a request budget stops early with exit 3 and resume gives the uninterrupted exports") {
  TempDir dir;
  auto base = uninterrupted(dir);
  Stub stub(quickstart_cassette(), dir.path());
  auto db = dir / "budget.db";
  auto argv = run_args(db, dir / "budget-out", stub.base_url());
  auto limited = argv;
  limited.insert(limited.end(), {"--max-requests", "25"});
  auto stopped = run_to_end(limited, dir.path());
  INFO(stopped.err);
  CHECK(stopped.exit_code == 3);
  CHECK_THAT(stopped.err, Catch::Contains("--max-requests 25") && Catch::Contains("run the same command again"));
  CHECK(saved_state_is(db, "stopped") == 1);
  CHECK(consistent(db));
  CHECK_FALSE(fs::exists(dir / "budget-out/sft.jsonl"));  // no half-made dataset
  // Requests, not samples, are counted; at most the budget went out.
  auto calls = query_int(db, "SELECT count(DISTINCT json_extract(request, '$.messages')) FROM llm_calls");
  CHECK(calls.value_or(99) <= 25);
  resume_gives(base, argv, dir, dir / "budget-out");
  CHECK(saved_state_is(db, "finished") == 1);
}

TEST_CASE("e2e stop: token budget and deadline stop early and each resume completes the same exports") {
  TempDir dir;
  auto base = uninterrupted(dir);
  Stub stub(quickstart_cassette(), dir.path(), 100);
  auto db = dir / "tokens.db";
  auto argv = run_args(db, dir / "tokens-out", stub.base_url());
  auto by_tokens = argv;
  by_tokens.insert(by_tokens.end(), {"--max-tokens", "4000"});
  auto stopped = run_to_end(by_tokens, dir.path());
  INFO(stopped.err);
  CHECK(stopped.exit_code == 3);
  CHECK_THAT(stopped.err, Catch::Contains("--max-tokens 4000"));
  auto by_deadline = argv;
  by_deadline.insert(by_deadline.end(), {"--deadline", "1s"});
  auto late = run_to_end(by_deadline, dir.path());
  INFO(late.err);
  CHECK(late.exit_code == 3);
  CHECK_THAT(late.err, Catch::Contains("deadline"));
  CHECK(consistent(db));
  resume_gives(base, argv, dir, dir / "tokens-out");
}

TEST_CASE("e2e stop: Ctrl-C (SIGINT to the process group) stops gracefully and sandbox workers survive it") {
  TempDir dir;
  auto base = uninterrupted(dir);
  auto crashed_in_base = query_int(dir / "base.db", "SELECT count(*) FROM response_verdicts WHERE status = 'crashed'");
  Stub stub(quickstart_cassette(), dir.path(), 50);
  auto db = dir / "int.db";
  auto argv = run_args(db, dir / "int-out", stub.base_url());
  {
    Process run(argv, dir / "int.out", dir / "int.err");
    wait_for_rows(run, db, "responses", 8, dir / "int.err");
    run.signal_group(SIGINT);
    auto code = run.wait_for(60s);
    INFO(read_file(dir / "int.err"));
    REQUIRE(code);
    CHECK(*code == 130);
    CHECK_THAT(read_file(dir / "int.err"), Catch::Contains("interrupted by SIGINT") &&
                                               Catch::Contains("run the same command again"));
  }
  CHECK(saved_state_is(db, "stopped") == 1);
  CHECK(consistent(db));
  resume_gives(base, argv, dir, dir / "int-out");
  // Workers that died of the Ctrl-C would have turned verdicts into `crashed`.
  CHECK(query_int(db, "SELECT count(*) FROM response_verdicts WHERE status = 'crashed'") == crashed_in_base);
}

TEST_CASE("e2e stop: a second SIGINT stops at once, SIGTERM stops gracefully, and the database stays consistent") {
  TempDir dir;
  auto base = uninterrupted(dir);
  Stub stub(quickstart_cassette(), dir.path(), 3000);  // requests stay in flight for a while
  auto db = dir / "twice.db";
  auto argv = run_args(db, dir / "twice-out", stub.base_url());
  {
    Process run(argv, dir / "twice.out", dir / "twice.err");
    wait_for_rows(run, db, "llm_calls", 2, dir / "twice.err");  // augmentation answered
    std::this_thread::sleep_for(500ms);                          // verifier requests out
    run.signal(SIGINT);
    std::this_thread::sleep_for(200ms);
    REQUIRE(run.running());  // waiting for the requests in flight
    run.signal(SIGINT);
    auto code = run.wait_for(5s);  // at once, not after the 3 s answers
    REQUIRE(code);
    CHECK(*code == 130);
    CHECK_THAT(read_file(dir / "twice.err"), Catch::Contains("stopped at once"));
  }
  CHECK(consistent(db));
  {
    Process run(argv, dir / "term.out", dir / "term.err");
    std::this_thread::sleep_for(1500ms);
    run.signal(SIGTERM);
    auto code = run.wait_for(60s);
    INFO(read_file(dir / "term.err"));
    REQUIRE(code);
    CHECK(*code == 143);
    CHECK_THAT(read_file(dir / "term.err"), Catch::Contains("interrupted by SIGTERM"));
  }
  CHECK(consistent(db));
  Stub fast(quickstart_cassette(), dir.path());
  resume_gives(base, run_args(db, dir / "twice-out", fast.base_url()), dir, dir / "twice-out");
}

TEST_CASE("e2e progress: without a terminal the run prints plain status lines at the interval") {
  TempDir dir;
  Stub stub(quickstart_cassette(), dir.path(), 20);
  auto result = run_to_end(run_args(dir / "p.db", dir / "p-out", stub.base_url(), {"--progress-interval", "0.2"}),
                           dir.path());
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.find('\x1b') == std::string::npos);  // no redrawing into a file
  std::size_t status_lines = 0;
  for (std::size_t at = 0; (at = result.err.find("\n[", at)) != std::string::npos; ++at) ++status_lines;
  CHECK(status_lines >= 3);
  CHECK_THAT(result.err, Catch::Contains("in flight") && Catch::Contains("tokens"));
  // Verdict counts follow "sandbox", by status name: "ok" need not come first.
  bool ok_counted = false;
  for (std::size_t at = 0; (at = result.err.find("| sandbox ", at)) != std::string::npos; ++at) {
    std::string line = result.err.substr(at, result.err.find('\n', at) - at);
    ok_counted |= line.find(" ok ") != std::string::npos;
  }
  CHECK(ok_counted);
  CHECK(saved_state_is(dir / "p.db", "finished") == 1);
}

}  // namespace autoif::e2e
