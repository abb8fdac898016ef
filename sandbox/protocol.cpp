#include "sandbox/protocol.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace autoif::sandbox::protocol {
namespace {

class Writer {
 public:
  Writer() = default;
  explicit Writer(std::string&& reuse) : out_(std::move(reuse)) { out_.clear(); }
  void reserve(std::size_t bytes) { out_.reserve(bytes); }
  void u8(std::uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void u32(std::uint32_t value) { out_.append(reinterpret_cast<const char*>(&value), sizeof value); }
  void bytes(std::string_view text) {
    u32(static_cast<std::uint32_t>(text.size()));
    out_.append(text);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool u8(std::uint8_t& value) {
    if (in_.size() < 1) return false;
    value = static_cast<std::uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool u32(std::uint32_t& value) {
    if (in_.size() < sizeof value) return false;
    std::memcpy(&value, in_.data(), sizeof value);
    in_.remove_prefix(sizeof value);
    return true;
  }
  bool bytes(std::string_view& text) {
    std::uint32_t size = 0;
    if (!u32(size) || in_.size() < size) return false;
    text = in_.substr(0, size);
    in_.remove_prefix(size);
    return true;
  }
  bool bytes(std::string& text) {
    std::string_view view;
    if (!bytes(view)) return false;
    text.assign(view);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace

void encode_job(const Job& job, std::string& buffer) {
  std::size_t size = 16 + job.source.size() + 4 * job.inputs.size();
  for (const auto& input : job.inputs) size += input.size();
  Writer out(std::move(buffer));
  out.reserve(size);
  out.u32(static_cast<std::uint32_t>(job.limits.timeout.count()));
  out.u32(static_cast<std::uint32_t>(job.limits.memory_mb));
  out.bytes(job.source);
  out.u32(static_cast<std::uint32_t>(job.inputs.size()));
  for (const auto& input : job.inputs) out.bytes(input);
  buffer = out.take();
}

std::string encode_job(const Job& job) {
  std::string out;
  encode_job(job, out);
  return out;
}

std::optional<JobView> decode_job_view(std::string_view payload) {
  Reader in(payload);
  JobView job;
  std::uint32_t timeout_ms = 0, memory_mb = 0, count = 0;
  if (!in.u32(timeout_ms) || !in.u32(memory_mb) || !in.bytes(job.source) || !in.u32(count))
    return std::nullopt;
  if (count > payload.size() / 4) return std::nullopt;
  job.limits.timeout = std::chrono::milliseconds(timeout_ms);
  job.limits.memory_mb = memory_mb;
  job.inputs.resize(count);
  for (auto& input : job.inputs)
    if (!in.bytes(input)) return std::nullopt;
  if (!in.done()) return std::nullopt;
  return job;
}

std::optional<Job> decode_job(std::string_view payload) {
  auto view = decode_job_view(payload);
  if (!view) return std::nullopt;
  Job job{std::string(view->source), {}, view->limits};
  job.inputs.assign(view->inputs.begin(), view->inputs.end());
  return job;
}

std::string encode_result(const JobResult& result) {
  Writer out;
  out.u8(result.compiled ? 1 : 0);
  out.bytes(result.compile_message);
  out.u32(static_cast<std::uint32_t>(result.verdicts.size()));
  for (const auto& verdict : result.verdicts) {
    out.u8(static_cast<std::uint8_t>(verdict.status));
    out.u8(verdict.result ? (*verdict.result ? 1 : 0) : 2);
    out.bytes(verdict.message);
  }
  out.u32(static_cast<std::uint32_t>(result.forks));
  out.bytes(result.retired);
  return out.take();
}

std::size_t max_result_bytes(std::size_t inputs) {
  // Per verdict: status, value, a length and the message (up to "..." past the limit, and
  // compile messages of a source that failed share that limit); then forks and the note.
  constexpr std::size_t kPerVerdict = 1 + 1 + 4 + kMaxVerdictMessage + 3;
  return 4 + 1 + 4 + 512 + 4 + inputs * kPerVerdict + 4 + 4 + 512;
}

std::optional<JobResult> decode_result(std::string_view payload) {
  Reader in(payload);
  JobResult result;
  std::uint8_t compiled = 0;
  std::uint32_t count = 0;
  if (!in.u8(compiled) || !in.bytes(result.compile_message) || !in.u32(count)) return std::nullopt;
  if (count > payload.size() / 6) return std::nullopt;
  result.compiled = compiled == 1;
  result.verdicts.resize(count);
  for (auto& verdict : result.verdicts) {
    std::uint8_t status = 0, value = 0;
    if (!in.u8(status) || !in.u8(value) || !in.bytes(verdict.message)) return std::nullopt;
    if (status < static_cast<std::uint8_t>(Status::ok) ||
        status > static_cast<std::uint8_t>(Status::crashed) || value > 2)
      return std::nullopt;
    verdict.status = static_cast<Status>(status);
    if (value != 2) verdict.result = value == 1;
    if ((verdict.status == Status::ok) != verdict.result.has_value()) return std::nullopt;
  }
  std::uint32_t forks = 0;
  if (!in.u32(forks) || !in.bytes(result.retired)) return std::nullopt;
  result.forks = forks;
  if (!in.done()) return std::nullopt;
  return result;
}

namespace {

// Waits until `fd` is ready for `events` or the deadline passes.
tl::expected<void, std::string> wait_ready(int fd, short events, const Deadline& deadline) {
  for (;;) {
    int ms = -1;
    if (deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return tl::unexpected(std::string("timed out"));
      ms = static_cast<int>(std::min<long long>(left.count() + 1, 1 << 30));
    }
    pollfd watch{fd, events, 0};
    int ready = ::poll(&watch, 1, ms);
    if (ready > 0) return {};
    if (ready < 0 && errno != EINTR) return tl::unexpected("poll: " + std::string(std::strerror(errno)));
  }
}

tl::expected<void, std::string> read_exact(int fd, char* data, std::size_t size,
                                           const Deadline& deadline) {
  while (size > 0) {
    if (auto ready = wait_ready(fd, POLLIN, deadline); !ready) return ready;
    ssize_t got = ::read(fd, data, size);
    if (got == 0) return tl::unexpected(std::string("end of stream"));
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return tl::unexpected("read: " + std::string(std::strerror(errno)));
    }
    data += got;
    size -= static_cast<std::size_t>(got);
  }
  return {};
}

}  // namespace

tl::expected<void, std::string> send_message(int fd, std::string_view payload, Deadline deadline) {
  if (payload.size() > kMaxMessage) return tl::unexpected(std::string("message too large"));
  auto size = static_cast<std::uint32_t>(payload.size());
  std::string head(reinterpret_cast<const char*>(&size), sizeof size);
  for (std::string_view part : {std::string_view(head), payload}) {
    while (!part.empty()) {
      if (auto ready = wait_ready(fd, POLLOUT, deadline); !ready) return ready;
      ssize_t put = ::write(fd, part.data(), part.size());
      if (put < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return tl::unexpected("write: " + std::string(std::strerror(errno)));
      }
      part.remove_prefix(static_cast<std::size_t>(put));
    }
  }
  return {};
}

tl::expected<void, std::string> receive_message(int fd, Deadline deadline, std::string& into) {
  std::uint32_t size = 0;
  if (auto got = read_exact(fd, reinterpret_cast<char*>(&size), sizeof size, deadline); !got)
    return tl::unexpected(got.error());
  if (size > kMaxMessage) return tl::unexpected(std::string("message too large"));
  into.resize(size);
  return read_exact(fd, into.data(), size, deadline);
}

tl::expected<std::string, std::string> receive_message(int fd, Deadline deadline) {
  std::string payload;
  if (auto got = receive_message(fd, deadline, payload); !got) return tl::unexpected(got.error());
  return payload;
}

}  // namespace autoif::sandbox::protocol
