// Attacks on the host filesystem. The bait directory is world-writable and its canary
// world-writable, so the uid drop would not save it: only seccomp and the chroot stand in the
// way. Writes must be `forbidden` even though every attack swallows the error; reads may fail
// with an error instead, but must never yield the data.
#include "tests/sandbox/attack_support.h"

using namespace autoif::attack;

namespace {

// Runs `code` (which defines attack() using @DIR@, @CANARY@, @EMPTY@) and requires that it was
// forbidden and that nothing in the bait directory changed.
void require_write_forbidden(const std::string& code) {
  BaitDir bait;
  auto before = bait.snapshot();
  auto result = run(attack_source(fill(code, {{"DIR", py_str(bait.path().string())},
                                              {"CANARY", py_str(bait.canary().string())},
                                              {"EMPTY", py_str(bait.empty_dir().string())}})),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  CHECK(bait.snapshot() == before);
}

// Runs a read attack that returns True iff it got at what it was after.
void require_read_fruitless(const std::string& code, const BaitDir& bait) {
  auto result = run(attack_source(fill(code, {{"DIR", py_str(bait.path().string())},
                                              {"CANARY", py_str(bait.canary().string())},
                                              {"DB", py_str(bait.database().string())},
                                              {"SECRET", py_str(bait.db_secret())}})),
                    kBatch);
  require_attack_stopped(result, {Status::ok, Status::runtime_error, Status::forbidden});
  require_not_leaked(result, bait.db_secret());
}

}  // namespace

TEST_CASE("creating a file is forbidden and creates nothing") {
  require_write_forbidden(R"PY(
def attack():
    try:
        with open(@DIR@ + "/planted.txt", "w") as f:
            f.write("planted")
    except BaseException:
        pass
    return True
)PY");
}

TEST_CASE("appending to an existing file is forbidden and leaves it intact") {
  require_write_forbidden(R"PY(
def attack():
    try:
        with open(@CANARY@, "a") as f:
            f.write("appended")
    except BaseException:
        pass
    return True
)PY");
}

TEST_CASE("overwriting a file through os.open with O_TRUNC is forbidden and leaves it intact") {
  require_write_forbidden(R"PY(
def attack():
    try:
        fd = os.open(@CANARY@, os.O_WRONLY | os.O_TRUNC)
        os.write(fd, b"overwritten")
    except BaseException:
        pass
    return True
)PY");
}

TEST_CASE("renaming a file is forbidden and leaves it in place") {
  require_write_forbidden(R"PY(
def attack():
    try:
        os.rename(@CANARY@, @DIR@ + "/moved.txt")
    except BaseException:
        pass
    try:
        os.replace(@CANARY@, @DIR@ + "/replaced.txt")
    except BaseException:
        pass
    return True
)PY");
}

TEST_CASE("deleting a file is forbidden and leaves it in place") {
  require_write_forbidden(R"PY(
def attack():
    try:
        os.remove(@CANARY@)
    except BaseException:
        pass
    try:
        os.unlink(@CANARY@)
    except BaseException:
        pass
    return True
)PY");
}

TEST_CASE("changing a file's mode is forbidden and leaves the mode alone") {
  require_write_forbidden(R"PY(
def attack():
    try:
        os.chmod(@CANARY@, 0o4777)
    except BaseException:
        pass
    return True
)PY");
}

TEST_CASE("changing a file's owner is forbidden and leaves the owner alone") {
  require_write_forbidden(R"PY(
def attack():
    try:
        os.chown(@CANARY@, 65534, 65534)
    except BaseException:
        pass
    try:
        os.lchown(@CANARY@, 65534, 65534)
    except BaseException:
        pass
    return True
)PY");
}

TEST_CASE("changing a file's timestamps is forbidden and leaves them alone") {
  require_write_forbidden(R"PY(
def attack():
    try:
        os.utime(@CANARY@, (0, 0))
    except BaseException:
        pass
    try:
        os.utime(@CANARY@)
    except BaseException:
        pass
    return True
)PY");
}

TEST_CASE("making a directory is forbidden and makes none") {
  require_write_forbidden(R"PY(
def attack():
    try:
        os.mkdir(@DIR@ + "/subdir")
    except BaseException:
        pass
    try:
        os.makedirs(@DIR@ + "/a/b/c")
    except BaseException:
        pass
    return True
)PY");
}

TEST_CASE("removing an empty directory is forbidden and leaves it in place") {
  require_write_forbidden(R"PY(
def attack():
    try:
        os.rmdir(@EMPTY@)
    except BaseException:
        pass
    return True
)PY");
}

TEST_CASE("making a symbolic link is forbidden and makes none") {
  require_write_forbidden(R"PY(
def attack():
    try:
        os.symlink("/etc/shadow", @DIR@ + "/shadow-link")
    except BaseException:
        pass
    return True
)PY");
}

TEST_CASE("making a hard link is forbidden and makes none") {
  require_write_forbidden(R"PY(
def attack():
    try:
        os.link(@CANARY@, @DIR@ + "/hard-link")
    except BaseException:
        pass
    return True
)PY");
}

TEST_CASE("truncating a file by path is forbidden and leaves it intact") {
  require_write_forbidden(R"PY(
def attack():
    try:
        os.truncate(@CANARY@, 0)
    except BaseException:
        pass
    return True
)PY");
}

TEST_CASE("making a FIFO or a device node is forbidden and makes none") {
  require_write_forbidden(R"PY(
def attack():
    try:
        os.mkfifo(@DIR@ + "/fifo")
    except BaseException:
        pass
    try:
        os.mknod(@DIR@ + "/node")
    except BaseException:
        pass
    return True
)PY");
}

TEST_CASE("writing through /proc/self/root to escape a chroot is forbidden") {
  require_write_forbidden(R"PY(
def attack():
    for prefix in ("/proc/self/root", "/proc/1/root", "/proc/self/cwd/../../.."):
        try:
            with open(prefix + @DIR@ + "/escaped.txt", "w") as f:
                f.write("escaped")
        except BaseException:
            pass
    return True
)PY");
}

TEST_CASE("reading /etc/passwd yields nothing") {
  BaitDir bait;
  require_read_fruitless(R"PY(
def attack():
    got = False
    try:
        got |= "root:" in open("/etc/passwd").read()
    except OSError:
        pass
    try:
        fd = os.open("/etc/passwd", os.O_RDONLY)
        got |= b"root:" in os.read(fd, 65536)
    except OSError:
        pass
    return got
)PY",
                         bait);
}

TEST_CASE("reading /proc/self/environ and /proc/1/cmdline yields nothing") {
  BaitDir bait;
  require_read_fruitless(R"PY(
def attack():
    got = False
    for path in ("/proc/self/environ", "/proc/1/cmdline", "/proc/self/maps", "/proc/self/status"):
        try:
            got |= len(open(path, "rb").read()) > 0
        except OSError:
            pass
    return got
)PY",
                         bait);
}

TEST_CASE("reading the home folder yields nothing") {
  BaitDir bait;
  require_read_fruitless(R"PY(
def attack():
    got = False
    for home in (os.path.expanduser("~"), "/root", "/home"):
        try:
            got |= len(os.listdir(home)) > 0
        except OSError:
            pass
    for path in ("/root/.bashrc", "/root/.bash_history", "/root/.ssh/id_rsa", "/root/.netrc"):
        try:
            got |= len(open(path, "rb").read()) > 0
        except OSError:
            pass
    return got
)PY",
                         bait);
}

TEST_CASE("the run's database file cannot be read") {
  BaitDir bait;
  require_read_fruitless(R"PY(
def attack():
    got = False
    try:
        got |= @SECRET@.encode() in open(@DB@, "rb").read()
    except OSError:
        pass
    try:
        fd = os.open(@DB@, os.O_RDONLY)
        got |= @SECRET@.encode() in os.read(fd, 1 << 20)
    except OSError:
        pass
    return got
)PY",
                         bait);
}

TEST_CASE("the run's database cannot be exfiltrated through an error message") {
  BaitDir bait;
  require_read_fruitless(R"PY(
def attack():
    raise ValueError(open(@DB@, "rb").read().decode(errors="replace"))
)PY",
                         bait);
}

TEST_CASE("listing or stating a host directory yields nothing") {
  BaitDir bait;
  require_read_fruitless(R"PY(
def attack():
    got = False
    for call in (lambda: "canary.txt" in os.listdir(@DIR@),
                 lambda: any(e.name == "canary.txt" for e in os.scandir(@DIR@)),
                 lambda: os.stat(@CANARY@).st_size > 0,
                 lambda: os.path.exists(@CANARY@),
                 lambda: len(os.listdir("/")) > 0):
        try:
            got |= bool(call())
        except OSError:
            pass
    return got
)PY",
                         bait);
}
