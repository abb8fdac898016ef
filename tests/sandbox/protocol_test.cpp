#include <unistd.h>

#include <catch2/catch.hpp>

#include "sandbox/protocol.h"

using namespace autoif::sandbox;

TEST_CASE("a job survives encoding with binary inputs intact") {
  Job job{"def evaluate(r):\n    return True\n", {"", std::string("a\0b", 3), std::string(1 << 20, 'x')}, {}};
  job.limits.timeout = std::chrono::milliseconds(1234);
  job.limits.memory_mb = 77;
  auto decoded = protocol::decode_job(protocol::encode_job(job));
  REQUIRE(decoded);
  CHECK(decoded->source == job.source);
  CHECK(decoded->inputs == job.inputs);
  CHECK(decoded->limits.timeout.count() == 1234);
  CHECK(decoded->limits.memory_mb == 77);
}

TEST_CASE("a result survives encoding and forged or truncated results are rejected") {
  JobResult result;
  result.compiled = true;
  result.verdicts = {{Status::ok, true, ""}, {Status::timeout, std::nullopt, "slow"}, {Status::ok, false, ""}};
  std::string wire = protocol::encode_result(result);
  auto decoded = protocol::decode_result(wire);
  REQUIRE(decoded);
  CHECK(decoded->verdicts == result.verdicts);
  CHECK(decoded->compiled);

  for (std::size_t cut = 0; cut < wire.size(); ++cut)
    CHECK_FALSE(protocol::decode_result(std::string_view(wire).substr(0, cut)));
  CHECK_FALSE(protocol::decode_result(wire + "x"));

  JobResult inconsistent;
  inconsistent.verdicts = {{Status::timeout, true, ""}};  // a result without ok status
  CHECK_FALSE(protocol::decode_result(protocol::encode_result(inconsistent)));
}

TEST_CASE("a message that never arrives times out instead of hanging") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  auto started = std::chrono::steady_clock::now();
  auto got = protocol::receive_message(fds[0], started + std::chrono::milliseconds(50));
  CHECK_FALSE(got);
  CHECK(got.error() == "timed out");
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("messages round-trip through a pipe and end of stream is reported") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  REQUIRE(protocol::send_message(fds[1], "hello", std::nullopt));
  ::close(fds[1]);
  auto got = protocol::receive_message(fds[0], std::nullopt);
  REQUIRE(got);
  CHECK(*got == "hello");
  auto end = protocol::receive_message(fds[0], std::nullopt);
  REQUIRE_FALSE(end);
  CHECK(end.error() == "end of stream");
  ::close(fds[0]);
}
