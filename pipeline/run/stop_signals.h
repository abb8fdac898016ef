// SIGINT and SIGTERM during `autoif run`: the first one asks for a graceful stop (run_control.h),
// a second one ends the process at once. Ending at once is safe for the database: every write is
// a SQLite transaction in WAL mode, which a process death leaves either whole or absent (the same
// guarantee that makes a SIGKILL resumable).
//
// Contract: one StopSignals at a time per process. The handlers only write one byte to a pipe
// (async-signal-safe); a watcher thread turns the first signal into on_signal(name) and the
// destructor restores the previous handlers and joins it.
#pragma once

#include <functional>
#include <string>
#include <thread>

namespace autoif::run {

class StopSignals {
 public:
  explicit StopSignals(std::function<void(const std::string& name)> on_signal);
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  std::function<void(const std::string&)> on_signal_;
  std::thread watcher_;
};

}  // namespace autoif::run
