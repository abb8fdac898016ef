// Wire format between the pool (trusted, in the autoif process) and a sandbox worker process,
// over the worker's stdin and stdout. Every message is a 4-byte length followed by a payload;
// payloads are flat binary records so that a 10 MB input costs one copy, not a JSON escape.
//
// pool -> worker: one WorkerConfig (JSON text) first, then Job payloads.
// worker -> pool: one Hello (JSON text) after setup, then one JobResult payload per Job.
// Decoders never trust lengths: a truncated or oversized payload is an error, not a crash.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/pool.h"

namespace autoif::sandbox::protocol {

// Largest message either side accepts (a job holding many large inputs fits comfortably).
inline constexpr std::uint32_t kMaxMessage = 1u << 30;
// Longest message text kept per verdict.
inline constexpr std::size_t kMaxVerdictMessage = 300;

std::string encode_job(const Job& job);
// The same into `out`, whose capacity is reused: a 250 kB job then costs no fresh pages.
void encode_job(const Job& job, std::string& out);
std::optional<Job> decode_job(std::string_view payload);

// A decoded job that points into the payload it came from (valid while that lives).
struct JobView {
  Limits limits;
  std::string_view source;
  std::vector<std::string_view> inputs;
};
std::optional<JobView> decode_job_view(std::string_view payload);

std::string encode_result(const JobResult& result);
// The most bytes the result of a job of `inputs` inputs can take on the wire (length prefix
// included): verdict messages are cut to kMaxVerdictMessage, the retirement note to 512.
std::size_t max_result_bytes(std::size_t inputs);
std::optional<JobResult> decode_result(std::string_view payload);

// Blocking message I/O on a pipe, bounded by an optional deadline (poll-based, so a peer that
// stops reading or writing can never hang the caller). Errors name the failing call.
using Deadline = std::optional<std::chrono::steady_clock::time_point>;
tl::expected<void, std::string> send_message(int fd, std::string_view payload, Deadline deadline);
tl::expected<std::string, std::string> receive_message(int fd, Deadline deadline);
// The same into `into`, whose capacity is reused.
tl::expected<void, std::string> receive_message(int fd, Deadline deadline, std::string& into);

}  // namespace autoif::sandbox::protocol
