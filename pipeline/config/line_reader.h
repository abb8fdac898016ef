// Reading a run's input file (query pool, seed file) one line at a time through a fixed
// buffer, so that a file with a huge line (a JSON array written on one line, a binary file)
// costs at most the line limit in memory and fails with a message instead of a crash or a
// silent multi-gigabyte allocation.
//
// Contract
//   - next() returns each line without its end ("\n" or "\r\n"), then nullopt at the end of
//     the file. A last line without "\n" is still a line. A UTF-8 byte-order mark at the very
//     start of the file is dropped.
//   - Failure (an InputFailure, line number included): the file cannot be opened or read, a
//     line is longer than the limit (found after reading limit + 1 bytes of it, never more), or a
//     line is not valid UTF-8 (byte offset within the line and the byte shown). After a failure
//     the reader is done: further calls return the same failure.
//   - The view next() returns stays valid until the next call. Move-only; owns its stream.
//     Not thread-safe.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoif::config {

// 8 MiB: far above any real query or instruction row, far below what would hurt to hold.
inline constexpr std::size_t kMaxLineBytes = std::size_t{8} << 20;

enum class LineFault { open, read, too_long, bad_utf8 };

struct InputFailure {
  LineFault fault = LineFault::read;
  std::int64_t line = 0;    // 1-based; 0 when the failure concerns the whole file
  std::string detail;       // errno text, or which byte is not UTF-8
  std::string line_start;   // the first bytes of the offending line (for hints)
};

class LineReader {
 public:
  static tl::expected<LineReader, InputFailure> open(const std::string& path,
                                                     std::size_t max_line = kMaxLineBytes);
  // The same over text already in memory (the built-in seeds, tests).
  static LineReader from_text(std::string text, std::size_t max_line = kMaxLineBytes);

  LineReader(LineReader&&) noexcept = default;
  LineReader& operator=(LineReader&&) noexcept = default;
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  ~LineReader() = default;

  tl::expected<std::optional<std::string_view>, InputFailure> next();
  // The number of the line next() returned last (1-based; 0 before the first).
  std::int64_t line_number() const { return number_; }
  std::size_t max_line() const { return max_line_; }

 private:
  LineReader(std::unique_ptr<std::istream> in, std::size_t max_line);
  bool refill();
  InputFailure fail(LineFault fault, std::string detail);

  std::unique_ptr<std::istream> in_;
  std::size_t max_line_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  bool at_start_ = true;
  std::int64_t number_ = 0;
  std::string line_;
  std::optional<InputFailure> failed_;
};

// The byte offset (0-based) of the first byte of `text` that is not well-formed UTF-8
// (overlong forms, surrogates and code points above U+10FFFF included); nullopt when valid.
std::optional<std::size_t> invalid_utf8_at(std::string_view text);

}  // namespace autoif::config
