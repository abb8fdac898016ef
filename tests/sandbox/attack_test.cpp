// Attacks on the kernel's less travelled interfaces, and attacks made while the source loads.
// io_uring, bpf, keyctl, perf_event_open, userfaultfd and the 32-bit/x32 entry points need raw
// system calls, which Python offers only through ctypes (the policy's own tests issue those
// calls directly): here it is enough that ctypes and its relatives do not load. What the
// interpreter has compiled in is reachable behind the import seal, so its calls are tried.
#include "tests/sandbox/attack_support.h"

using namespace autoif::attack;

TEST_CASE("ctypes, _ctypes, mmap, _posixsubprocess and _socket cannot be imported") {
  const std::vector<std::string> modules = {"ctypes", "_ctypes", "mmap", "_posixsubprocess",
                                            "_socket", "ctypes.util", "_multiprocessing"};
  auto result = run("def evaluate(response):\n    __import__(response)\n    return True\n", modules);
  INFO(describe(result));
  REQUIRE(result.verdicts.size() == modules.size());
  for (std::size_t i = 0; i < modules.size(); ++i) {
    INFO(modules[i]);
    CHECK(result.verdicts[i].status == Status::runtime_error);
    CHECK_THAT(result.verdicts[i].message, Catch::Contains("No module named") &&
                                               Catch::Contains(modules[i].substr(0, modules[i].find('.'))));
  }
  require_host_untouched();
}

TEST_CASE("ctypes cannot be loaded from its shared library behind the import seal") {
  auto result = run(attack_source(R"PY(
def attack():
    machinery = sys.modules["importlib.machinery"]
    for directory in ("/usr/lib/python3.11/lib-dynload", "/usr/local/lib/python3.11/lib-dynload"):
        path = directory + "/_ctypes.cpython-311-x86_64-linux-gnu.so"
        try:
            loader = machinery.ExtensionFileLoader("_ctypes", path)
            spec = sys.modules["importlib.util"].spec_from_loader("_ctypes", loader)
            module = sys.modules["importlib._bootstrap"]._load(spec)
            return module is not None
        except OSError:
            pass
    return False
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::ok, Status::runtime_error, Status::forbidden});
}

TEST_CASE("epoll, poll and select from the compiled-in select module are forbidden") {
  auto result = run(attack_source(R"PY(
def attack():
    select = load("select")
    for call in (lambda: select.epoll(), lambda: select.poll().poll(0),
                 lambda: select.select([0], [], [], 0)):
        try:
            call()
        except BaseException:
            pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
}

TEST_CASE("file locks and descriptor flags from the compiled-in fcntl module are forbidden") {
  auto result = run(attack_source(R"PY(
def attack():
    fcntl = load("fcntl")
    for call in (lambda: fcntl.flock(0, fcntl.LOCK_EX), lambda: fcntl.fcntl(0, fcntl.F_SETFL, 0),
                 lambda: fcntl.fcntl(0, fcntl.F_DUPFD, 10)):
        try:
            call()
        except BaseException:
            pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
}

TEST_CASE("pipes, eventfds and memfds are forbidden") {
  for (const char* call : {"os.pipe()", "os.eventfd(0)", "os.memfd_create('x')", "os.openpty()"}) {
    INFO(call);
    auto result = run(attack_source(fill(R"PY(
def attack():
    try:
        @CALL@
    except BaseException:
        pass
    return True
)PY",
                                         {{"CALL", call}})),
                      kBatch);
    require_attack_stopped(result, {Status::forbidden});
  }
}

TEST_CASE("a forbidden operation while the source loads is forbidden for every input and does nothing") {
  BaitDir bait;
  auto before = bait.snapshot();
  auto result = run(fill(R"PY(
import os
try:
    open(@DIR@ + "/planted-at-load", "w").close()
except BaseException:
    pass

def evaluate(response):
    return True
)PY",
                         {{"DIR", py_str(bait.path().string())}}),
                    {"a", "b", "c"});
  INFO(describe(result));
  CHECK_FALSE(result.compiled);
  REQUIRE(result.verdicts.size() == 3);
  for (const auto& verdict : result.verdicts) CHECK(verdict.status == Status::forbidden);
  CHECK(bait.snapshot() == before);
  require_host_untouched();
}
