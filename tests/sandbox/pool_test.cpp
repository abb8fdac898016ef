// The pool with legitimate functions (the controls of the attack suite) and its own
// robustness: per-input limits, compile failures, parallel jobs, worker death, start failures.
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <thread>

#include "sandbox/pool.h"

using namespace autoif::sandbox;
using namespace std::chrono_literals;

namespace {

Pool& shared_pool() {
  static std::unique_ptr<Pool> pool = [] {
    PoolOptions options;
    options.worker_path = AUTOIF_WORKER_PATH;
    options.workers = 2;
    auto started = Pool::start(options);
    if (!started) FAIL("pool did not start: " << started.error());
    return std::move(*started);
  }();
  return *pool;
}

JobResult run(std::string source, std::vector<std::string> inputs, Limits limits = {}) {
  return shared_pool().run(Job{std::move(source), std::move(inputs), limits});
}

std::vector<std::string> statuses(const JobResult& result) {
  std::vector<std::string> out;
  for (const auto& verdict : result.verdicts) out.emplace_back(to_string(verdict.status));
  return out;
}

std::vector<bool> results(const JobResult& result) {
  std::vector<bool> out;
  for (const auto& verdict : result.verdicts) out.push_back(verdict.result.value_or(false));
  return out;
}

}  // namespace

TEST_CASE("a function with helper functions resolves them in its own module namespace") {
  auto result = run(R"PY(
import re

WORD = re.compile(r"[A-Za-z']+")

def _words(text):
    return WORD.findall(text)

def _count(text):
    return len(_words(text))

def evaluate(response):
    return _count(response) == 3
)PY",
                    {"one two three", "one two", "it's a test"});
  REQUIRE(result.compiled);
  CHECK(statuses(result) == std::vector<std::string>{"ok", "ok", "ok"});
  CHECK(results(result) == std::vector<bool>{true, false, true});
}

TEST_CASE("self-test blocks under __main__ do not run when the function is loaded") {
  auto result = run("def evaluate(r):\n    return True\n\nif __name__ == '__main__':\n    while True: pass\n",
                    {"x"});
  CHECK(result.compiled);
  CHECK(statuses(result) == std::vector<std::string>{"ok"});
}

TEST_CASE("unicode and NUL bytes reach evaluate intact") {
  // Each input carries the code-point count it should have after the last '|'.
  auto result = run(R"PY(
import unicodedata
def evaluate(response):
    text, _, expected = response.rpartition("|")
    return len(text) == int(expected) and unicodedata.normalize("NFC", text) == text
)PY",
                    {"Ωmega ümlaut|12", "日本語のテキスト|8", "emoji 😀 face|12",
                     std::string("nul\0inside|10", 13), "|0"});
  REQUIRE(result.compiled);
  CHECK(results(result) == std::vector<bool>{true, true, true, true, true});
}

TEST_CASE("an input of 10 MB is evaluated like any other") {
  std::string big(10 * 1024 * 1024, 'a');
  big[5 * 1024 * 1024] = 'Z';
  auto result = run("def evaluate(r):\n    return len(r) == 10 * 1024 * 1024 and r.count('Z') == 1\n",
                    {big, "small"});
  CHECK(statuses(result) == std::vector<std::string>{"ok", "ok"});
  CHECK(results(result) == std::vector<bool>{true, false});
}

TEST_CASE("every default module is importable and works") {
  auto result = run(R"PY(
import re, json, string, math, collections, itertools, functools, operator, unicodedata
import datetime, statistics, textwrap, difflib, random, fractions, decimal, heapq, bisect
import copy, enum, typing, html

class Color(enum.Enum):
    RED = 1

def evaluate(response: typing.Text) -> bool:
    checks = [
        re.search(r"\d+", "abc 42").group() == "42",
        json.loads('{"a": [1, true, null]}') == {"a": [1, True, None]},
        string.ascii_lowercase[0] == "a",
        math.isclose(math.sqrt(2) ** 2, 2.0),
        collections.Counter("aab")["a"] == 2,
        list(itertools.islice(itertools.count(), 3)) == [0, 1, 2],
        functools.reduce(operator.add, [1, 2, 3]) == 6,
        unicodedata.category("A") == "Lu",
        datetime.datetime.strptime("2024-01-02", "%Y-%m-%d").day == 2,
        statistics.mean([1, 2, 3]) == 2,
        textwrap.wrap("a b c d", 3) == ["a b", "c d"],
        difflib.SequenceMatcher(None, "abc", "abd").ratio() > 0.5,
        0.0 <= random.random() < 1.0,
        fractions.Fraction(1, 3) * 3 == 1,
        decimal.Decimal("0.1") + decimal.Decimal("0.2") == decimal.Decimal("0.3"),
        heapq.nsmallest(1, [3, 1, 2]) == [1],
        bisect.bisect([1, 2, 3], 2) == 2,
        copy.deepcopy({"a": [1]}) == {"a": [1]},
        Color.RED.value == 1,
        html.unescape("&amp;&eacute;") == "&\u00e9",
        "ü".encode("latin-1") == b"\xfc",
        "x".encode("utf-16").decode("utf-16") == "x",
        "bücher".encode("idna") == b"xn--bcher-kva",
        json.dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a": 2, "b": 1}',
    ]
    return all(checks) and response == "go"
)PY",
                    {"go", "stop"});
  REQUIRE(result.compiled);
  CHECK(statuses(result) == std::vector<std::string>{"ok", "ok"});
  CHECK(results(result) == std::vector<bool>{true, false});
}

TEST_CASE("each failure mode gets its own status and message") {
  SECTION("a syntax error is a compile error for every input") {
    auto result = run("def evaluate(r)\n    return True\n", {"a", "b"});
    CHECK_FALSE(result.compiled);
    CHECK(statuses(result) == std::vector<std::string>{"compile_error", "compile_error"});
    CHECK_THAT(result.compile_message, Catch::Contains("SyntaxError"));
  }
  SECTION("a source without evaluate is a compile error") {
    auto result = run("def check(r):\n    return True\n", {"a"});
    CHECK_FALSE(result.compiled);
    CHECK_THAT(result.compile_message, Catch::Contains("evaluate"));
  }
  SECTION("a source that raises at load is a compile error naming the exception") {
    auto result = run("raise ValueError('nope')\ndef evaluate(r):\n    return True\n", {"a"});
    CHECK(statuses(result) == std::vector<std::string>{"compile_error"});
    CHECK_THAT(result.verdicts[0].message, Catch::Contains("ValueError: nope"));
  }
  SECTION("an exception is a runtime error naming it") {
    auto result = run("def evaluate(r):\n    return {}[r]\n", {"key"});
    CHECK(statuses(result) == std::vector<std::string>{"runtime_error"});
    CHECK_THAT(result.verdicts[0].message, Catch::StartsWith("KeyError"));
  }
  SECTION("a missing module is a runtime error naming the module") {
    auto result = run("def evaluate(r):\n    import langdetect\n    return True\n", {"x"});
    CHECK(statuses(result) == std::vector<std::string>{"runtime_error"});
    CHECK_THAT(result.verdicts[0].message, Catch::Contains("langdetect"));
  }
  SECTION("returning something other than a bool is a bad return") {
    auto result = run("def evaluate(r):\n    return {'s': 'True', 'i': 1, 'n': None}[r]\n", {"s", "i", "n"});
    CHECK(statuses(result) == std::vector<std::string>{"bad_return", "bad_return", "bad_return"});
    CHECK_THAT(result.verdicts[0].message, Catch::Contains("str"));
  }
}

TEST_CASE("a hang on one input costs only that input") {
  Limits limits;
  limits.timeout = 300ms;
  auto started = std::chrono::steady_clock::now();
  auto result = run("def evaluate(r):\n    while r == 'hang':\n        pass\n    return r == 'yes'\n",
                    {"yes", "hang", "no", "hang", "yes"}, limits);
  auto elapsed = std::chrono::steady_clock::now() - started;
  CHECK(statuses(result) == std::vector<std::string>{"ok", "timeout", "ok", "timeout", "ok"});
  CHECK(results(result) == std::vector<bool>{true, false, false, false, true});
  CHECK(elapsed >= 600ms);  // both hangs were given their full limit
}

TEST_CASE("a memory bomb on one input costs only that input") {
  Limits limits;
  limits.memory_mb = 64;
  auto result = run("def evaluate(r):\n    if r == 'bomb':\n        x = [0] * (200 * 1024 * 1024)\n    return True\n",
                    {"a", "bomb", "b"}, limits);
  CHECK(statuses(result) == std::vector<std::string>{"ok", "memory_limit", "ok"});
}

TEST_CASE("a source that never finishes loading times out every input") {
  Limits limits;
  limits.timeout = 200ms;
  auto result = run("while True:\n    pass\ndef evaluate(r):\n    return True\n", {"a", "b"}, limits);
  CHECK_FALSE(result.compiled);
  CHECK(statuses(result) == std::vector<std::string>{"timeout", "timeout"});
  CHECK_THAT(result.compile_message, Catch::Contains("executing the source"));
}

TEST_CASE("a job without inputs still reports whether the source compiles") {
  CHECK(run("def evaluate(r):\n    return True\n", {}).compiled);
  auto broken = run("def evaluate(:\n", {});
  CHECK_FALSE(broken.compiled);
  CHECK_FALSE(broken.compile_message.empty());
}

TEST_CASE("jobs submitted together get their own verdicts back") {
  std::vector<std::future<JobResult>> futures;
  for (int k = 0; k < 24; ++k)
    futures.push_back(shared_pool().submit(
        Job{"def evaluate(r):\n    return r == '" + std::to_string(k) + "'\n",
            {std::to_string(k), std::to_string(k + 1)}, {}}));
  for (auto& future : futures) {
    auto result = future.get();
    CHECK(results(result) == std::vector<bool>{true, false});
  }
}

TEST_CASE("verdicts do not depend on the worker, the run or hash randomisation") {
  const char* source = R"PY(
import random
def evaluate(r):
    order = "".join(sorted({"alpha", "beta", "gamma", "delta"}, key=hash))
    return r == order + str(random.random())
)PY";
  auto first = run(source, {"probe"});
  REQUIRE(first.compiled);
  // Ask the function what it sees by making it fail with the value in the message.
  auto reveal = run(std::string(source) + "\ndef evaluate(r):\n    raise ValueError(''.join(sorted({'alpha','beta','gamma','delta'}, key=hash)) + str(random.random()))\n",
                    {"x", "y"});
  REQUIRE(reveal.verdicts.size() == 2);
  CHECK(reveal.verdicts[0].message == reveal.verdicts[1].message);
  PoolOptions options;
  options.worker_path = AUTOIF_WORKER_PATH;
  options.workers = 1;
  auto other = Pool::start(options);
  REQUIRE(other);
  auto again = (*other)->run(Job{std::string(source) + "\ndef evaluate(r):\n    raise ValueError(''.join(sorted({'alpha','beta','gamma','delta'}, key=hash)) + str(random.random()))\n", {"z"}, {}});
  CHECK(again.verdicts[0].message == reveal.verdicts[0].message);
}

namespace {

// Worker processes are direct children of this process named after the worker binary.
std::vector<pid_t> worker_pids() {
  std::vector<pid_t> pids;
  DIR* proc = ::opendir("/proc");
  while (dirent* entry = ::readdir(proc)) {
    pid_t pid = std::atoi(entry->d_name);
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::string(entry->d_name) + "/stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');
    if (close == std::string::npos || line.find("(autoif-sandbox") == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    std::sscanf(line.c_str() + close + 1, " %c %d", &state, &ppid);
    if (ppid == ::getpid()) pids.push_back(pid);
  }
  ::closedir(proc);
  return pids;
}

// Sleeps long enough for a test to kill its worker mid-job; true for "a".
constexpr const char* kSlowIsA = "import time\ndef evaluate(r):\n    time.sleep(0.3)\n    return r == 'a'\n";

std::unique_ptr<Pool> start_one_worker() {
  PoolOptions options;
  options.worker_path = AUTOIF_WORKER_PATH;
  options.workers = 1;
  auto pool = Pool::start(options);
  REQUIRE(pool);
  return std::move(*pool);
}

}  // namespace

TEST_CASE("a worker killed in the middle of a job is replaced and the job still gets verdicts") {
  auto pool = start_one_worker();
  auto before = worker_pids();
  REQUIRE(before.size() >= 1);
  auto pending = pool->submit(Job{kSlowIsA, {"a", "b"}, {}});
  std::this_thread::sleep_for(150ms);
  for (pid_t pid : worker_pids()) ::kill(pid, SIGKILL);
  auto result = pending.get();
  CHECK(statuses(result) == std::vector<std::string>{"ok", "ok"});
  CHECK(results(result) == std::vector<bool>{true, false});
  CHECK(pool->stats().worker_restarts >= 1);
  auto next = pool->run(Job{"def evaluate(r):\n    return True\n", {"x"}, {}});
  CHECK(statuses(next) == std::vector<std::string>{"ok"});
}

TEST_CASE("jobs already sent ahead to a worker that dies are run again on its replacement") {
  // With one worker and a queue, the pool sends the next job while the current one runs; a
  // worker killed then takes both with it, and both must still come back right.
  auto pool = start_one_worker();
  const char* quick = "def evaluate(r):\n    return r == 'b'\n";
  std::vector<std::future<JobResult>> pending;
  pending.push_back(pool->submit(Job{kSlowIsA, {"a", "b"}, {}}));
  for (int i = 0; i < 3; ++i) pending.push_back(pool->submit(Job{quick, {"a", "b"}, {}}));
  std::this_thread::sleep_for(150ms);
  for (pid_t pid : worker_pids()) ::kill(pid, SIGKILL);
  CHECK(results(pending[0].get()) == std::vector<bool>{true, false});
  for (std::size_t i = 1; i < pending.size(); ++i) {
    auto result = pending[i].get();
    CHECK(statuses(result) == std::vector<std::string>{"ok", "ok"});
    CHECK(results(result) == std::vector<bool>{false, true});
  }
  CHECK(pool->stats().worker_restarts >= 1);
  CHECK(pool->stats().jobs == 4);
}

TEST_CASE("a pool whose worker cannot start fails with a message naming the problem") {
  PoolOptions options;
  options.workers = 1;
  SECTION("missing binary") {
    options.worker_path = "/nonexistent/autoif-sandbox-worker";
    auto pool = Pool::start(options);
    REQUIRE_FALSE(pool);
    CHECK_THAT(pool.error(), Catch::Contains("/nonexistent/autoif-sandbox-worker"));
  }
  SECTION("a worker that never answers is abandoned at the startup deadline") {
    options.worker_path = "/bin/cat";  // reads the configuration and echoes nothing useful
    options.startup_timeout = 300ms;
    auto started = std::chrono::steady_clock::now();
    auto pool = Pool::start(options);
    REQUIRE_FALSE(pool);
    CHECK(std::chrono::steady_clock::now() - started < 30s);
  }
}

TEST_CASE("the worker reports the protections it set up") {
  const auto& info = shared_pool().info();
  CHECK_FALSE(info.python_version.empty());
  auto has = [&](const std::string& name) {
    return std::find(info.protections.begin(), info.protections.end(), name) != info.protections.end();
  };
  CHECK(has("seccomp"));
  CHECK(has("empty-environment"));
  CHECK(info.missing_modules.empty());
  CHECK(info.loaded_modules.size() == default_modules().size());
}
