// Attacks on the machine's resources: memory, CPU, time, processes, output volume, the stack.
// Each must end with the right status within its own limit, and the benign inputs before and
// after it in the same batch must still get their real verdicts.
#include "tests/sandbox/attack_support.h"

using namespace autoif::attack;

TEST_CASE("a huge string is stopped by the memory limit") {
  auto result = run(attack_source(R"PY(
def attack():
    return len("x" * (1 << 32)) > 0
)PY"),
                    kBatch, kMemory);
  require_attack_stopped(result, {Status::memory_limit});
}

TEST_CASE("a list that grows without end is stopped by the memory limit") {
  auto result = run(attack_source(R"PY(
def attack():
    items = []
    while True:
        items.append([0] * 10000)
)PY"),
                    kBatch, kMemory);
  require_attack_stopped(result, {Status::memory_limit});
}

TEST_CASE("a bytearray that grows without end is stopped by the memory limit") {
  auto result = run(attack_source(R"PY(
def attack():
    buffer = bytearray()
    while True:
        buffer += b"x" * (1 << 20)
)PY"),
                    kBatch, kMemory);
  require_attack_stopped(result, {Status::memory_limit});
}

// Found by this suite (fixed in 8dfc5ee): after a MemoryError the child went on with the next
// inputs, so memory a bomb parked in a global starved every later input (memory_limit instead
// of its real verdict). Real functions do this innocently too (a module-level cache).
TEST_CASE("memory a bomb keeps in a global does not starve the inputs after it", "[found]") {
  auto result = run(R"PY(
_kept = []

def evaluate(response):
    if response == "attack":
        while True:
            _kept.append("x" * 100000)
    # Real functions copy their input around (lower(), split(), joins): give it 250 kB to do.
    text = (response + " ") * 20000
    return text.split()[1] == "true"
)PY",
                    kBatch, kMemory);
  require_attack_stopped(result, {Status::memory_limit});
}

TEST_CASE("a CPU loop is stopped by the timeout") {
  auto result = run(attack_source(R"PY(
def attack():
    n = 0
    while True:
        n += 1
)PY"),
                    kBatch, kHang);
  require_attack_stopped(result, {Status::timeout});
}

TEST_CASE("sleeping forever is stopped by the timeout") {
  auto result = run(attack_source(R"PY(
import time

def attack():
    time.sleep(3600)
    return True
)PY"),
                    kBatch, kHang);
  require_attack_stopped(result, {Status::timeout});
}

TEST_CASE("a fork bomb is forbidden at its first fork") {
  pool();
  auto before = descendants();
  auto result = run(attack_source(R"PY(
def attack():
    while True:
        try:
            os.fork()
        except BaseException:
            pass
)PY"),
                    kBatch, kHang);
  require_attack_stopped(result, {Status::forbidden});
  CHECK(descendants() == before);
}

TEST_CASE("endless output to stdout and stderr times out and reaches neither the caller nor the worker's stderr") {
  // A pool of its own, started while this process's stderr is a file: everything the worker
  // or its children could write to the caller's terminal lands there and is measured.
  StderrToFile captured;
  auto started = autoif::sandbox::Pool::start([] {
    autoif::sandbox::PoolOptions options;
    options.workers = 1;
    options.worker_path = AUTOIF_WORKER_PATH;
    return options;
  }());
  captured.restore();
  REQUIRE(started);
  auto result = run_on(**started, attack_source(R"PY(
def attack():
    chunk = "x" * 65536
    while True:
        print(chunk)
        sys.stdout.write(chunk)
        sys.stderr.write(chunk)
        for fd in (1, 2):
            try:
                os.write(fd, chunk.encode())
            except OSError:
                pass
)PY"),
                       kBatch, kHang);
  started->reset();
  require_attack_stopped(result, {Status::timeout});
  CHECK(captured.captured_bytes() < 4096);
}

TEST_CASE("deep recursion ends as a runtime error naming RecursionError") {
  auto result = run(attack_source(R"PY(
def down(n):
    return down(n + 1) + 1

def attack():
    return down(0) > 0
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::runtime_error});
  CHECK_THAT(result.verdicts[1].message, Catch::Contains("RecursionError"));
}

TEST_CASE("unbounded recursion after setrecursionlimit ends within its limits") {
  auto result = run(attack_source(R"PY(
def down(n):
    return down(n + 1) + 1

def attack():
    sys.setrecursionlimit(10 ** 9)
    return down(0) > 0
)PY"),
                    kBatch, kHang);
  require_attack_stopped(result, {Status::timeout, Status::memory_limit, Status::crashed});
}

// Found by this suite (fixed in 8dfc5ee): CPython 3.11 reports an exhausted frame stack as
// "SystemError: error return without exception set", which came out as runtime_error although
// the evaluation ran out of its memory budget.
TEST_CASE("unbounded recursion that runs out of memory is reported as memory_limit", "[found]") {
  auto result = run(attack_source(R"PY(
def down(n):
    return down(n + 1) + 1

def attack():
    sys.setrecursionlimit(10 ** 9)
    return down(0) > 0
)PY"),
                    kBatch, Limits{20000ms, 16});
  require_attack_stopped(result, {Status::memory_limit});
}

TEST_CASE("recursion in C through a deeply nested structure ends within its limits") {
  auto result = run(attack_source(R"PY(
def attack():
    sys.setrecursionlimit(10 ** 9)
    nested = []
    for _ in range(10 ** 6):
        nested = [nested]
    return len(repr(nested)) > 0
)PY"),
                    kBatch, kMemory);
  require_attack_stopped(result, {Status::memory_limit, Status::crashed, Status::timeout,
                                  Status::runtime_error});
}

TEST_CASE("swallowing the timeout with except BaseException does not prolong the evaluation") {
  auto result = run(attack_source(R"PY(
import time

def attack():
    while True:
        try:
            while True:
                time.sleep(0.01)
        except BaseException:
            pass
)PY"),
                    kBatch, kHang);
  require_attack_stopped(result, {Status::timeout});
}

TEST_CASE("ignoring SIGALRM, SIGTERM and SIGXCPU does not prolong the evaluation") {
  // Loading the signal module already probes the SIGSYS handler, which is forbidden; if it
  // ever loads, the loop must still end with the timeout.
  auto result = run(attack_source(R"PY(
def attack():
    signal = load("_signal")
    for name in ("SIGALRM", "SIGTERM", "SIGXCPU", "SIGINT", "SIGHUP"):
        try:
            signal.signal(getattr(signal, name), signal.SIG_IGN)
        except BaseException:
            pass
    while True:
        pass
)PY"),
                    kBatch, kHang);
  require_attack_stopped(result, {Status::timeout, Status::forbidden});
}

TEST_CASE("catastrophic regex backtracking is stopped by the timeout") {
  auto result = run(attack_source(R"PY(
import re

def attack():
    return re.match(r"^(a+)+$", "a" * 64 + "b") is not None
)PY"),
                    kBatch, kHang);
  require_attack_stopped(result, {Status::timeout});
}

TEST_CASE("an exception whose message never finishes rendering is stopped by the timeout") {
  auto result = run(attack_source(R"PY(
class Endless(Exception):
    def __str__(self):
        while True:
            pass

def attack():
    raise Endless()
)PY"),
                    kBatch, kHang);
  require_attack_stopped(result, {Status::timeout});
}

TEST_CASE("a batch where every input hangs gets a timeout for each and returns") {
  auto result = run("def evaluate(response):\n    while True:\n        pass\n",
                    {"a", "b", "c", "d"}, kHang);
  INFO(describe(result));
  REQUIRE(result.verdicts.size() == 4);
  for (const auto& verdict : result.verdicts) CHECK(verdict.status == Status::timeout);
  require_host_untouched();
}
