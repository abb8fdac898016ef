// Runs jobs in the worker: writes each job into memory shared with a job child, hands it to
// the child that finished the last job if that child is still clean (see state_guard.h), or
// forks a locked-down child otherwise; watches each input's deadline through the shared
// header, and turns every way a child can end into verdicts. A child that dies on input i is
// replaced by a fresh one that starts at input i+1, so a bad input costs only its own limit.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "sandbox/policy.h"
#include "sandbox/pool.h"
#include "sandbox/protocol.h"
#include "sandbox/unique_fd.h"
#include "sandbox/worker/shared_state.h"

namespace autoif::sandbox::worker {

struct RunnerOptions {
  bool reuse_children = true;  // false without a state snapshot: one fork per job
  std::size_t max_jobs_per_child = 500;
  std::int64_t max_heap_growth = 8 << 20;  // bytes a child may keep before it retires
};

class JobRunner {
 public:
  // `statm_fd` reads the worker's own /proc/self/statm (opened before chroot): the memory
  // limit is set relative to the interpreter's size at fork time.
  JobRunner(const policy::Program& program, int statm_fd, RunnerOptions options);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  JobResult run(const protocol::JobView& job);

 private:
  struct Child {
    pid_t pid = -1;
    UniqueFd pidfd;
    Limits limits;
    std::int64_t cpu_limit_ns = 0;
  };
  struct Attempt;

  bool place(const protocol::JobView& job);
  bool can_take(const protocol::JobView& job) const;
  std::optional<std::string> fork_child(const protocol::JobView& job);
  void retire_child();
  Attempt supervise(const protocol::JobView& job);
  void fill(std::size_t index, const Verdict& verdict);
  std::uint64_t address_space_limit(const protocol::JobView& job) const;

  const policy::Program& program_;
  int statm_fd_;
  RunnerOptions options_;
  UniqueFd wake_;  // eventfd the child writes to when it becomes idle
  void* region_ = nullptr;
  std::size_t region_bytes_ = 0;
  SharedHeader* header_ = nullptr;
  SharedRecord* records_ = nullptr;
  std::optional<Child> child_;
};

}  // namespace autoif::sandbox::worker
