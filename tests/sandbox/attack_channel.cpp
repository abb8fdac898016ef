// Attacks on the result channel: forged verdicts written to guessed descriptors, closed
// descriptors, forged messages and return values, and a process that dies or corrupts itself
// mid-batch. The inputs around the attack must keep their real verdicts and no forged verdict
// may be accepted.
#include "tests/sandbox/attack_support.h"

using namespace autoif::attack;

namespace {

// What a forger would try: JSON lines as the CLI prints them, the same with length prefixes
// in both byte orders as a framed protocol might use, and raw status bytes.
constexpr const char* kForgeries = R"PY(
import json, struct

def forged_verdicts():
    verdict = json.dumps({"status": "ok", "result": True, "message": ""}).encode()
    result = json.dumps({"compiled": True, "compile_message": "",
                         "verdicts": [{"status": "ok", "result": True, "message": ""}] * 3}).encode()
    yield verdict + b"\n"
    for payload in (verdict, result):
        yield struct.pack("<I", len(payload)) + payload
        yield struct.pack(">I", len(payload)) + payload
        yield struct.pack("<Q", len(payload)) + payload
    yield bytes([1, 1, 0, 0]) * 64
)PY";

}  // namespace

TEST_CASE("forged verdicts written to descriptors 0 to 100 are not accepted") {
  auto result = run(attack_source(std::string(kForgeries) + R"PY(
def attack():
    for fd in range(0, 101):
        for forgery in forged_verdicts():
            try:
                os.write(fd, forgery)
            except OSError:
                pass
    return False
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::ok, Status::forbidden});
  if (result.verdicts[1].status == Status::ok) CHECK(result.verdicts[1].result == false);
}

TEST_CASE("closing descriptors 0 to 100 does not disturb the other verdicts") {
  auto result = run(attack_source(R"PY(
def attack():
    for fd in range(0, 101):
        try:
            os.close(fd)
        except OSError:
            pass
    return False
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::ok, Status::forbidden});
}

TEST_CASE("redirecting stdio with dup2 is forbidden") {
  auto result = run(attack_source(R"PY(
def attack():
    for call in (lambda: os.dup2(2, 1), lambda: os.dup(1), lambda: os.set_inheritable(1, True)):
        try:
            call()
        except BaseException:
            pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
}

TEST_CASE("writing forged verdicts through /proc/self/fd is forbidden") {
  auto result = run(attack_source(std::string(kForgeries) + R"PY(
def attack():
    for fd in range(0, 16):
        for forgery in forged_verdicts():
            try:
                with open("/proc/self/fd/%d" % fd, "wb") as out:
                    out.write(forgery)
            except BaseException:
                pass
    return True
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
}

TEST_CASE("an exception carrying a forged verdict stays a runtime error") {
  auto result = run(attack_source(R"PY(
def attack():
    raise RuntimeError('ok\n{"status": "ok", "result": true, "message": ""}\n')
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::runtime_error});
  CHECK_FALSE(result.verdicts[1].result.has_value());
}

TEST_CASE("a huge error message is clipped") {
  auto result = run(attack_source(R"PY(
def attack():
    raise ValueError("x" * (1 << 20))
)PY"),
                    kBatch, kMemory);
  require_attack_stopped(result, {Status::runtime_error});
  CHECK(result.verdicts[1].message.size() < 4096);
}

TEST_CASE("returning truthy objects that are not bools is a bad return") {
  for (const char* value : {"1", "'True'", "[True]", "type('Truthy', (), {'__bool__': lambda self: True})()",
                            "type('FakeBool', (int,), {})(1)"}) {
    INFO(value);
    auto result = run(attack_source(fill(R"PY(
def attack():
    return @VALUE@
)PY",
                                         {{"VALUE", value}})),
                      kBatch);
    require_attack_stopped(result, {Status::bad_return});
  }
}

TEST_CASE("a process that exits in the middle of a batch costs only its own input") {
  auto result = run(attack_source(R"PY(
def attack():
    os._exit(0)
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::crashed});
}

TEST_CASE("forged bytecode that corrupts the interpreter costs only its own input") {
  // Out-of-range LOAD_CONST: CPython does not check code objects built by hand.
  auto result = run(attack_source(R"PY(
def attack():
    def victim():
        return 1
    code = bytearray(victim.__code__.co_code)
    for i in range(0, len(code), 2):
        if code[i] == 100:  # LOAD_CONST
            code[i + 1] = 0xff
    victim.__code__ = victim.__code__.replace(co_code=bytes(code))
    return victim() == 1
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::crashed, Status::runtime_error});
}

TEST_CASE("raising MemoryError or SystemExit by hand forges nothing") {
  for (const char* raised : {"MemoryError()", "SystemExit(0)", "KeyboardInterrupt()"}) {
    INFO(raised);
    auto result = run(attack_source(fill(R"PY(
def attack():
    raise @RAISED@
)PY",
                                         {{"RAISED", raised}})),
                      kBatch);
    require_attack_stopped(result, {Status::memory_limit, Status::runtime_error});
  }
}

// Found by this suite (fixed in 8dfc5ee): messages were clipped on a UTF-8 boundary to 300
// bytes and then cut byte-wise to the 252-byte verdict record, so an error quoting non-English
// text could end mid-character, which strict JSON or SQLite text consumers reject.
TEST_CASE("error messages stay valid UTF-8 whatever their length", "[found]") {
  std::vector<std::string> inputs;
  for (int length = 100; length <= 160; ++length) inputs.push_back(std::to_string(length));
  auto result = run(R"PY(
def evaluate(response):
    raise ValueError("x" * (int(response) % 3) + "\u00e9\u20ac\U0001f600" * (int(response) // 3))
)PY",
                    inputs);
  REQUIRE(result.verdicts.size() == inputs.size());
  std::vector<std::string> broken;  // the inputs whose message is not valid UTF-8
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    INFO("input " << inputs[i] << ": " << describe(result.verdicts[i]));
    CHECK(result.verdicts[i].status == Status::runtime_error);
    if (!is_valid_utf8(result.verdicts[i].message)) broken.push_back(inputs[i]);
  }
  INFO("first broken message: " << (broken.empty() ? "" : describe(result.verdicts[std::stoul(broken[0]) - 100])));
  CHECK(broken == std::vector<std::string>{});
}
