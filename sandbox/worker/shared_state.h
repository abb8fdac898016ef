// The memory a job child shares with its worker. The worker writes each job here (source and
// inputs, so a reused child reads them in place and copies nothing); the child records progress
// and verdicts with plain stores, so evaluating an input costs no system call. Nothing here is
// a descriptor untrusted code could write to; tampering would need arbitrary memory writes
// inside the interpreter, and could then only falsify that function's own verdicts.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace autoif::sandbox::worker {

inline constexpr std::size_t kMessageBytes = 252;

// Values of SharedHeader::current besides an input index.
inline constexpr std::int64_t kExecutingSource = -1;
inline constexpr std::int64_t kCleaningUp = -2;

struct SharedHeader {
  // Written by the worker before it hands a job over.
  std::atomic<std::uint32_t> job_seq;  // futex word: bumped once per job handed to a live child
  std::uint32_t padding = 0;
  std::uint64_t first = 0;          // first input to evaluate
  std::uint64_t count = 0;          // inputs in the job
  std::uint64_t source_offset = 0;  // from the start of the region
  std::uint64_t source_length = 0;
  std::uint64_t table_offset = 0;  // `count` InputSpans
  // Written by the child.
  std::atomic<std::uint32_t> idle_seq;   // the job_seq it finished and is clean after
  std::atomic<std::int64_t> current;     // kExecutingSource, kCleaningUp, or the input index
  std::atomic<std::int64_t> started_ns;  // CLOCK_MONOTONIC when `current` began
  std::atomic<std::int64_t> cpu_ns;      // the child's CPU time when it last became idle
  std::atomic<std::int32_t> compiled;    // 0 unknown, 1 ok, 2 failed (message below)
  std::atomic<std::int32_t> forbidden_syscall;  // set by the SIGSYS handler, -1 if none
  char compile_message[512];
  char retired_because[128];  // why the child ended instead of waiting for another job
};

struct InputSpan {
  std::uint64_t offset;  // from the start of the region
  std::uint64_t length;
};

struct SharedRecord {
  std::atomic<std::uint8_t> status;  // 0 pending, else a sandbox::Status
  std::uint8_t result;               // 0 false, 1 true
  std::uint16_t length;              // bytes of message used
  char message[kMessageBytes];
};

// Where things live in a region: the header, then one record per input, then the job.
inline constexpr std::size_t kHeaderBytes = 4096;
inline SharedRecord* records_of(void* region) {
  return reinterpret_cast<SharedRecord*>(static_cast<char*>(region) + kHeaderBytes);
}

// The longest prefix of `text` that fits in `room` bytes without splitting a UTF-8 sequence:
// messages are cut to fit the records, and must stay valid text for JSON and SQLite.
inline std::size_t utf8_prefix(std::string_view text, std::size_t room) {
  if (text.size() <= room) return text.size();
  std::size_t length = room;
  while (length > 0 && (static_cast<unsigned char>(text[length]) & 0xC0) == 0x80) --length;
  return length;
}

static_assert(sizeof(SharedHeader) <= kHeaderBytes);
static_assert(std::atomic<std::int64_t>::is_always_lock_free);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(sizeof(SharedRecord) == 256);

}  // namespace autoif::sandbox::worker
