// Shared by the storage tests: a temporary directory, deterministic LLM calls whose
// fields can be checked against their key, and a forked child that cannot outlive a test.
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include <catch2/catch.hpp>

#include "storage/database.h"
#include "storage/llm_cache.h"

namespace autoif::storage::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "autoif-storage-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Opens or fails the running test with storage's message.
inline Database must_open(const std::string& path, OpenMode mode = OpenMode::run) {
  auto db = Database::open(path, mode);
  if (!db) FAIL(db.error().what());
  return std::move(*db);
}

inline LlmCache must_open_cache(Database& db) {
  auto cache = LlmCache::open(db);
  if (!cache) FAIL(cache.error().what());
  return std::move(*cache);
}

inline std::string key_for(std::uint64_t i) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(i));
  return buf;
}

// Every field is a function of the key, so a torn or mixed-up row is detectable.
inline LlmCall call_for(std::uint64_t i, std::size_t payload = 64) {
  LlmCall c;
  c.key = key_for(i);
  c.role = i % 2 == 0 ? "supervisor" : "policy";
  c.model = "model-" + std::to_string(i % 3);
  c.endpoint = "http://127.0.0.1:8000/v1";
  c.request = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + c.key + "\"}]}";
  c.response = "{\"answer\":\"" + c.key + std::string(payload, static_cast<char>('a' + i % 26)) +
               "\"}";
  c.finish_reason = "stop";
  c.prompt_tokens = static_cast<std::int64_t>(i % 1000);
  c.completion_tokens = static_cast<std::int64_t>(payload);
  c.latency_ms = static_cast<std::int64_t>(i % 97);
  c.attempts = 1 + static_cast<std::int64_t>(i % 3);
  c.status = CallStatus::ok;
  c.created_at = "2024-01-01T00:00:00.000Z";
  return c;
}

// A forked child running `body` (its return value is the exit code), with a pipe from the
// child to the parent. The destructor SIGKILLs and reaps a child still running, so a failed
// assertion never leaves a process behind.
class Child {
 public:
  explicit Child(const std::function<int(int write_fd)>& body) {
    int fds[2];
    if (::pipe(fds) != 0) std::abort();
    pid_ = ::fork();
    if (pid_ < 0) std::abort();
    if (pid_ == 0) {
      ::close(fds[0]);
      int code = body(fds[1]);
      ::_exit(code);
    }
    ::close(fds[1]);
    read_fd_ = fds[0];
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (read_fd_ >= 0) ::close(read_fd_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }

  // Reads until `n` bytes or end of file.
  std::string read(std::size_t n) {
    std::string out;
    char buf[4096];
    while (out.size() < n) {
      ssize_t got = ::read(read_fd_, buf, std::min(sizeof buf, n - out.size()));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      out.append(buf, static_cast<std::size_t>(got));
    }
    return out;
  }
  std::string read_all() { return read(static_cast<std::size_t>(-1)); }

  // The raw wait status.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }
  int kill_and_wait(int sig = SIGKILL) {
    ::kill(pid_, sig);
    return wait();
  }

 private:
  pid_t pid_ = -1;
  int read_fd_ = -1;
  bool reaped_ = false;
};

inline void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace autoif::storage::testing
