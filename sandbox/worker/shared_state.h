// The memory a job child shares with its worker: the child records progress and verdicts here
// with plain stores, so evaluating an input costs no system call; the worker reads it after the
// child exits (or to see which input has run past its deadline). Nothing here is a descriptor
// that untrusted code could write to; tampering would need arbitrary memory writes inside the
// interpreter, and can then only falsify that function's own verdicts.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace autoif::sandbox::worker {

inline constexpr std::size_t kMessageBytes = 252;

struct SharedHeader {
  std::atomic<std::int64_t> current;     // -1 while the source executes, else the input index
  std::atomic<std::int64_t> started_ns;  // CLOCK_MONOTONIC when `current` began
  std::atomic<std::int32_t> compiled;    // 0 unknown, 1 ok, 2 failed (message below)
  std::atomic<std::int32_t> forbidden_syscall;  // set by the SIGSYS handler, -1 if none
  char compile_message[512];
};

struct SharedRecord {
  std::atomic<std::uint8_t> status;  // 0 pending, else a sandbox::Status
  std::uint8_t result;               // 0 false, 1 true
  std::uint16_t length;              // bytes of message used
  char message[kMessageBytes];
};

// The longest prefix of `text` that fits in `room` bytes without splitting a UTF-8 sequence:
// messages are cut to fit the records, and must stay valid text for JSON and SQLite.
inline std::size_t utf8_prefix(std::string_view text, std::size_t room) {
  if (text.size() <= room) return text.size();
  std::size_t length = room;
  while (length > 0 && (static_cast<unsigned char>(text[length]) & 0xC0) == 0x80) --length;
  return length;
}

static_assert(std::atomic<std::int64_t>::is_always_lock_free);
static_assert(sizeof(SharedRecord) == 256);

}  // namespace autoif::sandbox::worker
