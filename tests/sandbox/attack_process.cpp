// Attacks through processes, threads, signals, credentials and limits. The targets live on the
// host: a sleeper process this test starts (it must survive), the bait directory (a process
// that got out would write there) and this process's own descendants (an escaped fork would
// stay behind; pool() makes this process a subreaper so that orphans come back to it).
#include "tests/sandbox/attack_support.h"

using namespace autoif::attack;

namespace {

std::set<pid_t> descendants_with_pool() {
  pool();  // its worker is part of the picture from the start
  return descendants();
}

struct Targets {
  Sleeper sleeper;
  BaitDir bait;
  BaitDir::Snapshot bait_before = bait.snapshot();
  std::set<pid_t> processes_before = descendants_with_pool();

  std::string source(std::string_view code) const {
    return attack_source(fill(std::string(code),
                              {{"SLEEPER", std::to_string(sleeper.pid())},
                               {"DIR", py_str(bait.path().string())}}));
  }

  // Nothing the attack aimed at was touched and no process was left behind.
  void require_untouched() {
    CHECK(sleeper.alive());
    CHECK(bait.snapshot() == bait_before);
    CHECK(descendants() == processes_before);
  }
};

}  // namespace

TEST_CASE("os.fork is forbidden and leaves no process behind") {
  Targets targets;
  auto result = run(targets.source(R"PY(
def attack():
    try:
        pid = os.fork()
    except BaseException:
        return False
    if pid == 0:
        open(@DIR@ + "/from-the-fork", "w").close()
        os.kill(@SLEEPER@, 9)
        os._exit(0)
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  targets.require_untouched();
}

TEST_CASE("os.system is forbidden and its command never runs") {
  Targets targets;
  auto result = run(targets.source(R"PY(
def attack():
    try:
        os.system("touch " + @DIR@ + "/from-the-shell; kill -9 @SLEEPER@")
    except BaseException:
        pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  targets.require_untouched();
}

TEST_CASE("subprocess is not importable and a command through it never runs") {
  Targets targets;
  auto result = run(targets.source(R"PY(
def attack():
    import subprocess
    subprocess.run(["kill", "-9", "@SLEEPER@"])
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::runtime_error});
  CHECK_THAT(result.verdicts[1].message, Catch::Contains("subprocess"));
  targets.require_untouched();
}

TEST_CASE("os.posix_spawn is forbidden and its program never runs") {
  Targets targets;
  auto result = run(targets.source(R"PY(
def attack():
    try:
        os.posix_spawn("/bin/kill", ["kill", "-9", "@SLEEPER@"], {})
    except BaseException:
        pass
    try:
        os.posix_spawnp("touch", ["touch", @DIR@ + "/spawned"], {})
    except BaseException:
        pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  targets.require_untouched();
}

TEST_CASE("os.execv is forbidden and its program never runs") {
  Targets targets;
  auto result = run(targets.source(R"PY(
def attack():
    try:
        os.execv("/bin/sh", ["sh", "-c", "kill -9 @SLEEPER@; touch " + @DIR@ + "/execed"])
    except BaseException:
        pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  targets.require_untouched();
}

TEST_CASE("_posixsubprocess.fork_exec behind the import seal is forbidden") {
  // `import _posixsubprocess` fails, but Debian compiles it into the interpreter, so the
  // builtin importer still hands it out; the system call must be what stops it.
  Targets targets;
  auto result = run(targets.source(R"PY(
def attack():
    ps = load("_posixsubprocess")
    try:
        # Python 3.11's signature; the error pipe need not exist for the fork to happen.
        ps.fork_exec([b"/bin/kill", b"-9", b"@SLEEPER@"], [b"/bin/kill"], False, (), None, None,
                     -1, -1, -1, -1, -1, -1, 98, 99, False, False, -1, None, None, None, -1, None,
                     False)
    except BaseException:
        pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  targets.require_untouched();
}

TEST_CASE("starting a thread with _thread is forbidden") {
  Targets targets;
  auto result = run(targets.source(R"PY(
import _thread

def attack():
    try:
        _thread.start_new_thread(os.kill, (@SLEEPER@, 9))
    except BaseException:
        pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  targets.require_untouched();
}

TEST_CASE("threading is not importable so no thread can be started with it") {
  auto result = run(attack_source(R"PY(
def attack():
    import threading
    threading.Thread(target=lambda: None).start()
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::runtime_error, Status::forbidden});
}

TEST_CASE("killing a host process is forbidden and it stays alive") {
  Targets targets;
  auto result = run(targets.source(R"PY(
def attack():
    try:
        os.kill(@SLEEPER@, 9)
    except BaseException:
        pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  targets.require_untouched();
}

TEST_CASE("kill(-1, SIGKILL) is forbidden and every other process survives") {
  Targets targets;
  auto result = run(targets.source(R"PY(
def attack():
    try:
        os.kill(-1, 9)
    except BaseException:
        pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  targets.require_untouched();
  // The worker survived too: the next job runs on it without a restart.
  auto restarts = pool().stats().worker_restarts;
  CHECK(run("def evaluate(r):\n    return True\n", {"x"}).verdicts[0].passed());
  CHECK(pool().stats().worker_restarts == restarts);
}

TEST_CASE("signalling the worker or the process group is forbidden") {
  Targets targets;
  auto result = run(targets.source(R"PY(
def attack():
    for call in (lambda: os.kill(os.getppid(), 9), lambda: os.killpg(0, 9),
                 lambda: os.killpg(os.getpgrp(), 9), lambda: os.kill(1, 9)):
        try:
            call()
        except BaseException:
            pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  targets.require_untouched();
}

TEST_CASE("signal.pthread_kill and raise_signal are forbidden") {
  auto result = run(attack_source(R"PY(
def attack():
    signal = load("_signal")
    try:
        signal.pthread_kill(load("_thread").get_ident(), signal.SIGKILL)
    except BaseException:
        pass
    try:
        signal.raise_signal(signal.SIGTERM)
    except BaseException:
        pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
}

TEST_CASE("becoming root with setuid or setgid is forbidden") {
  auto result = run(attack_source(R"PY(
def attack():
    for call in (lambda: os.setuid(0), lambda: os.setgid(0), lambda: os.setgroups([0]),
                 lambda: os.setresuid(0, 0, 0), lambda: os.seteuid(0)):
        try:
            call()
        except BaseException:
            pass
    return os.getuid() == 0
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
}

TEST_CASE("chroot is forbidden") {
  auto result = run(attack_source(R"PY(
def attack():
    try:
        os.chroot("/")
    except BaseException:
        pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
}

TEST_CASE("raising its own priority with setpriority or nice is forbidden") {
  auto result = run(attack_source(R"PY(
def attack():
    for call in (lambda: os.setpriority(os.PRIO_PROCESS, 0, -20), lambda: os.nice(-10),
                 lambda: os.sched_setaffinity(0, {0})):
        try:
            call()
        except BaseException:
            pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
}

TEST_CASE("raising its own limits is out of reach: resource does not load") {
  // resource is a shared library on Debian, not compiled in, so not even the builtin importer
  // has it; os offers no setrlimit.
  auto result = run(attack_source(R"PY(
def attack():
    resource = load("resource")
    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    resource.prlimit(0, resource.RLIMIT_CPU, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::runtime_error, Status::forbidden});
  if (result.verdicts[1].status == Status::runtime_error)
    CHECK_THAT(result.verdicts[1].message, Catch::Contains("resource"));
}

TEST_CASE("writing another process's memory through /proc/pid/mem is forbidden") {
  Targets targets;
  auto result = run(targets.source(R"PY(
def attack():
    for path in ("/proc/@SLEEPER@/mem", "/proc/self/mem", "/proc/1/mem"):
        try:
            with open(path, "r+b", buffering=0) as mem:
                mem.seek(0x400000)
                mem.write(b"\xcc" * 4096)
        except BaseException:
            pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  targets.require_untouched();
}

TEST_CASE("reading another process's memory through /proc/pid/mem yields nothing") {
  Targets targets;
  auto result = run(targets.source(R"PY(
def attack():
    got = False
    for path in ("/proc/@SLEEPER@/mem", "/proc/@SLEEPER@/maps", "/proc/1/mem"):
        try:
            got |= len(open(path, "rb").read(4096)) > 0
        except OSError:
            pass
    return got
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::ok, Status::runtime_error, Status::forbidden});
  targets.require_untouched();
}
