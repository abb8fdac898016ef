// One sandbox worker process as the pool sees it: started with Boost.Process (empty
// environment, only its two pipes inherited), handshaken, then fed jobs one at a time.
// Every exchange is bounded by a deadline; a worker that misses one is killed, never waited on.
// Not thread-safe: each WorkerProcess is driven by one pool thread.
#pragma once

#include <tl/expected.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "sandbox/pool.h"

namespace autoif::sandbox {

class WorkerProcess {
 public:
  static tl::expected<std::unique_ptr<WorkerProcess>, std::string> start(
      const std::string& path, const std::vector<std::string>& modules,
      const std::vector<std::string>& extras, std::chrono::milliseconds startup_timeout);
  ~WorkerProcess();  // kills the process if it is still running

  const WorkerInfo& info() const { return info_; }

  // Sends the job and waits for its result until `deadline`. On any failure the worker is
  // dead (killed if needed) and must be replaced.
  tl::expected<JobResult, std::string> run(const Job& job,
                                           std::chrono::steady_clock::time_point deadline);

  // The same in two halves, so that a second job can wait in the pipe while the worker runs
  // the first (the worker reads it the moment it is done). Results come back in the order the
  // jobs were sent. Only a job that fits in the pipe may be sent ahead: see can_send_ahead().
  tl::expected<void, std::string> send(const Job& job, std::chrono::steady_clock::time_point deadline);
  tl::expected<JobResult, std::string> receive(std::size_t inputs,
                                               std::chrono::steady_clock::time_point deadline);
  // Whether `next` can be sent while the result of a job of `running_inputs` inputs is still
  // to come without either side ever blocking on a full pipe: the pipes must hold both.
  bool can_send_ahead(const Job& next, std::size_t running_inputs) const;

  struct Handle;

 private:
  explicit WorkerProcess(std::unique_ptr<Handle> handle);
  void kill();

  std::unique_ptr<Handle> handle_;
  std::size_t pipe_bytes_ = 0;  // capacity of each pipe (the smaller of the two)
  // Reused from job to job, so large jobs do not map (and fault in) fresh pages every time.
  std::string outgoing_;
  std::string incoming_;
  WorkerInfo info_;
};

}  // namespace autoif::sandbox
