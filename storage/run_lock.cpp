#include "storage/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace autoif::storage {
namespace {

StorageError lock_error(const std::string& db_path, int err, std::string message) {
  StorageError e;
  e.sys_errno = err;
  e.path = db_path;
  e.message = std::move(message);
  return e;
}

// The holder writes its pid into the file after locking; reading it is best effort (the
// holder may be between flock and write).
std::string read_holder_pid(int fd) {
  char buf[32] = {};
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return {};
  std::string pid;
  for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) pid += buf[i];
  return pid;
}

}  // namespace

tl::expected<RunLock, StorageError> RunLock::acquire(const std::string& db_path) {
  std::string lock_path = lock_path_for(db_path);
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    return tl::unexpected(lock_error(db_path, err,
                                     "cannot open lock file " + lock_path + ": open: " +
                                         std::strerror(err)));
  }
  RunLock lock(fd, lock_path);  // owns fd from here on
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err == EINTR) continue;
    if (err == EWOULDBLOCK) {
      std::string pid = read_holder_pid(fd);
      std::string who = pid.empty() ? "another process" : "another process (pid " + pid + ")";
      return tl::unexpected(lock_error(
          db_path, 0,
          "the database is in use: " + who + " is running on it (lock file " + lock_path +
              "); wait for it to finish or use another run directory; read-only commands "
              "such as status and export can read it meanwhile"));
    }
    return tl::unexpected(lock_error(db_path, err,
                                     "cannot lock " + lock_path + ": flock: " +
                                         std::strerror(err)));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  // The pid is only a courtesy for the message of a refused process; failing to write it
  // does not weaken the lock.
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] ssize_t n = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
  return lock;
}

RunLock::RunLock(RunLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), lock_path_(std::move(other.lock_path_)) {}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    lock_path_ = std::move(other.lock_path_);
  }
  return *this;
}

RunLock::~RunLock() { release(); }

void RunLock::release() noexcept {
  if (fd_ >= 0) {
    // Closing the only descriptor of the open file description drops the flock.
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace autoif::storage
