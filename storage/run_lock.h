// RunLock: at most one process runs the pipeline on a database at a time.
//
// Why a sidecar file: SQLite's own locks are POSIX record locks, which a process loses when
// it closes *any* descriptor of the file; flock() on a separate "<db>.lock" file cannot
// interfere with them. The lock belongs to the open file description, so the kernel drops
// it when the holder exits however it exits (kill -9 included): there is no stale lock to
// clean up, and the lock file itself is left in place on purpose (unlinking it would let
// two processes lock two different inodes).
//
// Contract
// - acquire() never blocks: if another open file description holds the lock (another
//   process, or another Database in this process) it fails at once with a message naming
//   the database and, when the holder wrote it, the holder's pid.
// - The descriptor is close-on-exec, so programs this process starts never inherit it.
// - Move-only; the lock is released when the owner is destroyed.
#pragma once

#include <tl/expected.hpp>

#include <string>

#include "storage/error.h"

namespace autoif::storage {

class RunLock {
 public:
  static tl::expected<RunLock, StorageError> acquire(const std::string& db_path);

  RunLock() = default;
  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();

  bool held() const { return fd_ >= 0; }
  const std::string& lock_path() const { return lock_path_; }

  static std::string lock_path_for(const std::string& db_path) { return db_path + ".lock"; }

 private:
  RunLock(int fd, std::string lock_path) : fd_(fd), lock_path_(std::move(lock_path)) {}
  void release() noexcept;

  int fd_ = -1;
  std::string lock_path_;
};

}  // namespace autoif::storage
