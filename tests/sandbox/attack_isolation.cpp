// Attacks on other functions: job A tampers with the interpreter (builtins, modules, types,
// the random generator, exit hooks), then job B runs on the same worker (the pool has one) and
// must behave exactly as on a fresh one.
#include "tests/sandbox/attack_support.h"

using namespace autoif::attack;

namespace {

// A function that exercises what the tamperers go after; on a clean interpreter it returns
// True for "hello world" and False for anything else.
constexpr const char* kVictim = R"PY(
import builtins, json, re, random, sys

def evaluate(response):
    checks = [
        len(response) == 11,
        isinstance(response, str),
        bool(response) is True,
        re.match(r"hello", response) is not None,
        json.loads('{"a": [1, 2]}') == {"a": [1, 2]},
        response.upper() == "HELLO WORLD",
        response.split() == ["hello", "world"],
        not hasattr(str, "planted"),
        not hasattr(json, "planted"),
        not hasattr(builtins, "planted"),
        "planted" not in sys.modules,
        sys.getrecursionlimit() == 1000,
        sys.gettrace() is None and sys.getprofile() is None,
    ]
    if not all(isinstance(check, bool) for check in checks):
        raise TypeError("a check did not produce a bool")
    return all(checks)
)PY";

// Runs the tamperer, then the victim, on the same worker; the victim must give its real
// verdicts and the worker must not have been replaced in between.
void require_victim_unaffected(const std::string& tamperer) {
  auto restarts = pool().stats().worker_restarts;
  auto tampered = run(tamperer, {"hello world", "x"});
  INFO("tamperer: " << describe(tampered));
  require_host_untouched();
  auto victim = run(kVictim, {"hello world", "goodbye"});
  INFO("victim: " << describe(victim));
  REQUIRE(victim.verdicts.size() == 2);
  CHECK(victim.verdicts[0] == Verdict{Status::ok, true, ""});
  CHECK(victim.verdicts[1] == Verdict{Status::ok, false, ""});
  CHECK(pool().stats().worker_restarts == restarts);
}

}  // namespace

TEST_CASE("the reference victim passes on a fresh worker") {
  auto victim = run(kVictim, {"hello world", "goodbye"});
  INFO(describe(victim));
  REQUIRE(victim.verdicts.size() == 2);
  CHECK(victim.verdicts[0] == Verdict{Status::ok, true, ""});
  CHECK(victim.verdicts[1] == Verdict{Status::ok, false, ""});
}

TEST_CASE("builtins replaced by one job are intact in the next") {
  require_victim_unaffected(R"PY(
import builtins
builtins.len = lambda obj: 0
builtins.isinstance = lambda obj, kind: False
builtins.bool = lambda obj: False
builtins.all = lambda items: True
builtins.planted = True

def evaluate(response):
    builtins.len = lambda obj: -1
    return True
)PY");
}

TEST_CASE("re.match and json.loads replaced by one job are intact in the next") {
  require_victim_unaffected(R"PY(
import re, json
re.match = lambda *args, **kwargs: None
json.loads = lambda *args, **kwargs: {}
json.planted = True

def evaluate(response):
    re.compile = None
    return True
)PY");
}

TEST_CASE("str methods changed through gc by one job are intact in the next") {
  require_victim_unaffected(R"PY(
import sys
gc = sys.__loader__.load_module("gc")
str_dict = gc.get_referents(str.__dict__)[0]
str_dict["planted"] = True
str_dict["split"] = lambda self, *args: ["forged"]

def evaluate(response):
    return "a b".split() == ["forged"]
)PY");
}

TEST_CASE("sys.modules entries replaced by one job are intact in the next") {
  require_victim_unaffected(R"PY(
import sys, types
fake = types.ModuleType("json")
fake.loads = lambda *args, **kwargs: None
sys.modules["json"] = fake
sys.modules["re"] = fake
sys.modules["planted"] = fake
del sys.modules["random"]

def evaluate(response):
    return True
)PY");
}

TEST_CASE("interpreter settings changed by one job are intact in the next") {
  require_victim_unaffected(R"PY(
import sys
sys.setrecursionlimit(50)
sys.settrace(lambda *args: None)
sys.setprofile(lambda *args: None)
sys.addaudithook(lambda event, args: None)

def evaluate(response):
    return True
)PY");
}

TEST_CASE("random.seed in one job does not change the numbers of the next") {
  constexpr const char* kDraw =
      "import random\ndef evaluate(response):\n    raise ValueError(repr([random.random() for _ in range(4)]))\n";
  auto reference = run(kDraw, {"x"});
  run("import random\nrandom.seed(1234)\ndef evaluate(response):\n    random.seed(99)\n    "
      "return random.random() < 2\n",
      {"a", "b"});
  auto after = run(kDraw, {"x"});
  INFO(describe(reference) << "\n" << describe(after));
  REQUIRE(reference.verdicts.size() == 1);
  CHECK(reference.verdicts[0].status == Status::runtime_error);
  CHECK(after.verdicts == reference.verdicts);
}

TEST_CASE("__del__ and atexit hooks of one job touch nothing and leave the next job alone") {
  Sleeper sleeper;
  BaitDir bait;
  auto before = bait.snapshot();
  auto tamperer = fill(R"PY(
import os, sys
atexit = sys.__loader__.load_module("atexit")

def strike():
    try:
        open(@DIR@ + "/from-exit", "w").close()
    except BaseException:
        pass
    try:
        os.kill(@SLEEPER@, 9)
    except BaseException:
        pass

class Landmine:
    def __del__(self):
        strike()

_mine = Landmine()
atexit.register(strike)

def evaluate(response):
    Landmine()  # dropped at once: its __del__ runs inside this evaluation
    return True
)PY",
                       {{"DIR", py_str(bait.path().string())},
                        {"SLEEPER", std::to_string(sleeper.pid())}});
  auto result = run(tamperer, {"a", "b"});
  INFO(describe(result));
  // The finaliser that ran during evaluation attempted forbidden calls; the ones left for exit
  // never run at all.
  REQUIRE(result.verdicts.size() == 2);
  for (const auto& verdict : result.verdicts) CHECK(verdict.status == Status::forbidden);
  CHECK(sleeper.alive());
  CHECK(bait.snapshot() == before);
  require_host_untouched();
  require_victim_unaffected("def evaluate(response):\n    return True\n");
}

TEST_CASE("attackers running at the same time on other workers cannot disturb a victim") {
  autoif::sandbox::PoolOptions options;
  options.workers = 2;
  options.worker_path = AUTOIF_WORKER_PATH;
  auto started = autoif::sandbox::Pool::start(options);
  REQUIRE(started);
  auto& shared = **started;
  using autoif::sandbox::Job;
  // One attacker hogs a worker; the other guesses the pids of the victim's processes.
  auto hog = shared.submit(Job{attack_source("def attack():\n    while True:\n        pass\n"), kBatch, kHang});
  auto killer = shared.submit(Job{attack_source(R"PY(
def attack():
    for pid in list(range(1, 64)) + [-1]:
        try:
            os.kill(pid, 9)
        except BaseException:
            pass
    return True
)PY"),
                                  kBatch, kQuick});
  auto victim = shared.submit(Job{kVictim, {"hello world", "goodbye"}, kQuick});
  auto victim_result = await_guarded(victim);
  INFO("victim: " << describe(victim_result));
  REQUIRE(victim_result.verdicts.size() == 2);
  CHECK(victim_result.verdicts[0] == Verdict{Status::ok, true, ""});
  CHECK(victim_result.verdicts[1] == Verdict{Status::ok, false, ""});
  auto hog_result = await_guarded(hog);
  auto killer_result = await_guarded(killer);
  INFO("hog: " << describe(hog_result) << "\nkiller: " << describe(killer_result));
  REQUIRE(hog_result.verdicts.size() == 3);
  REQUIRE(killer_result.verdicts.size() == 3);
  CHECK(hog_result.verdicts[1].status == Status::timeout);
  CHECK(killer_result.verdicts[1].status == Status::forbidden);
  // Both workers were started with the pool; neither had to be replaced.
  CHECK(shared.stats().worker_restarts == 0);
}
