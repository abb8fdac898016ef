#include "pipeline/config/line_reader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace autoif::config {
namespace {

constexpr std::size_t kBufferBytes = 64 * 1024;
constexpr std::size_t kLineStartBytes = 64;

std::string hex_byte(unsigned char c) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", c);
  return text;
}

}  // namespace

std::optional<std::size_t> invalid_utf8_at(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  std::size_t i = 0;
  while (i < size) {
    unsigned char c = bytes[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;   // overlong
      if (c == 0xED) high = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;   // overlong
      if (c == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + length > size) return i;
    if (bytes[i + 1] < low || bytes[i + 1] > high) return i;
    for (std::size_t k = 2; k < length; ++k)
      if ((bytes[i + k] & 0xC0) != 0x80) return i;
    i += length;
  }
  return std::nullopt;
}

LineReader::LineReader(std::unique_ptr<std::istream> in, std::size_t max_line)
    : in_(std::move(in)), max_line_(max_line), buffer_(kBufferBytes) {}

tl::expected<LineReader, InputFailure> LineReader::open(const std::string& path, std::size_t max_line) {
  errno = 0;
  auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*in) {
    int error = errno;
    return tl::unexpected(InputFailure{LineFault::open, 0, error ? std::strerror(error) : "cannot open", ""});
  }
  return LineReader(std::move(in), max_line);
}

LineReader LineReader::from_text(std::string text, std::size_t max_line) {
  return LineReader(std::make_unique<std::istringstream>(std::move(text)), max_line);
}

bool LineReader::refill() {
  if (eof_) return false;
  errno = 0;
  in_->read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  end_ = static_cast<std::size_t>(in_->gcount());
  pos_ = 0;
  if (in_->bad()) {
    int error = errno;
    failed_ = InputFailure{LineFault::read, number_ + 1, error ? std::strerror(error) : "read error", ""};
    return false;
  }
  if (in_->eof()) eof_ = true;
  if (at_start_ && end_ > 0) {
    at_start_ = false;
    if (end_ >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
  }
  return end_ > 0;
}

InputFailure LineReader::fail(LineFault fault, std::string detail) {
  failed_ = InputFailure{fault, number_, std::move(detail), line_.substr(0, kLineStartBytes)};
  line_.clear();
  line_.shrink_to_fit();  // a too-long line must not stay held after the error
  return *failed_;
}

tl::expected<std::optional<std::string_view>, InputFailure> LineReader::next() {
  if (failed_) return tl::unexpected(*failed_);
  line_.clear();
  bool started = false;
  for (;;) {
    if (pos_ == end_) {
      if (!refill()) {
        if (failed_) return tl::unexpected(*failed_);
        if (!started) return std::optional<std::string_view>();
        break;  // a last line without "\n"
      }
      continue;
    }
    started = true;
    const char* from = buffer_.data() + pos_;
    const void* newline = std::memchr(from, '\n', end_ - pos_);
    std::size_t take = newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - from) : end_ - pos_;
    if (line_.size() + take > max_line_) {
      ++number_;
      line_.append(from, std::min(take, kLineStartBytes));
      return tl::unexpected(fail(LineFault::too_long, ""));
    }
    line_.append(from, take);
    pos_ += take;
    if (newline) {
      ++pos_;
      break;
    }
  }
  ++number_;
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (auto bad = invalid_utf8_at(line_)) {
    auto byte = static_cast<unsigned char>(line_[*bad]);
    return tl::unexpected(fail(LineFault::bad_utf8, "byte " + std::to_string(*bad + 1) + " of the line (" +
                                                        hex_byte(byte) + ")"));
  }
  return std::optional<std::string_view>(line_);
}

}  // namespace autoif::config
