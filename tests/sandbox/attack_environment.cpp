// Attacks on what the caller holds: its environment (an API key is planted there before the
// pool starts) and its descriptors (a file and a socket pair opened without O_CLOEXEC before
// the pool starts). The functions never embed the secrets themselves, so finding them would
// mean they really leaked.
#include <cstdlib>

#include "tests/sandbox/attack_support.h"

using namespace autoif::attack;

TEST_CASE("the caller's API key is not in os.environ or os.getenv") {
  pool();  // plants the key before the worker starts
  REQUIRE(std::getenv("OPENAI_API_KEY") != nullptr);
  auto result = run(attack_source(R"PY(
def attack():
    prefix = "sk" + "-" + "test"
    name = "OPENAI" + "_API_KEY"
    found = name in os.environ or os.getenv(name) is not None
    found |= any(value.startswith(prefix) for value in os.environ.values())
    found |= any(value.startswith(prefix.encode()) for value in os.environb.values())
    return found or len(os.environ) > 0
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::ok});
}

TEST_CASE("the caller's environment cannot be read through /proc") {
  pool();
  auto result = run(attack_source(R"PY(
def attack():
    prefix = ("sk" + "-" + "test").encode()
    found = False
    for pid in ("self", str(os.getppid()), "1", "thread-self"):
        try:
            found |= prefix in open("/proc/%s/environ" % pid, "rb").read()
        except OSError:
            pass
    return found
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::ok, Status::runtime_error, Status::forbidden});
}

TEST_CASE("scanning the interpreter's objects with gc finds no trace of the API key") {
  pool();
  auto result = run(attack_source(R"PY(
def attack():
    gc = load("gc")
    needle = "".join(["sk", "-te", "st-"])
    name = "".join(["OPENAI", "_API", "_KEY"])
    def suspicious(value):
        if value is needle or value is name:
            return False
        if isinstance(value, str):
            return needle in value or name in value
        if isinstance(value, (bytes, bytearray)):
            return needle.encode() in value or name.encode() in value
        return False
    for obj in gc.get_objects():
        if suspicious(obj):
            return True
        for ref in gc.get_referents(obj):
            if suspicious(ref):
                return True
    return False
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::ok});
  CHECK(result.verdicts[1] == Verdict{Status::ok, false, ""});
}

TEST_CASE("descriptors the caller leaked cannot be stated or read") {
  pool();
  auto result = run(attack_source(R"PY(
def attack():
    reached = False
    for fd in range(3, 65):
        try:
            os.fstat(fd)
            reached = True
        except OSError:
            pass
        for read in (lambda: os.read(fd, 4096), lambda: os.pread(fd, 4096, 0)):
            try:
                read()
                reached = True
            except OSError:
                pass
    return reached
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::ok, Status::forbidden});
  require_inherited_descriptors_untouched();
}

TEST_CASE("descriptors the caller leaked cannot be written to") {
  pool();
  auto result = run(attack_source(R"PY(
def attack():
    for fd in range(3, 65):
        try:
            os.write(fd, b"forged by the sandboxed function")
        except OSError:
            pass
    return False
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::ok, Status::forbidden});
  require_inherited_descriptors_untouched();
}
