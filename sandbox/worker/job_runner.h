// Runs one job in the worker: forks a locked-down child per attempt, watches each input's
// deadline through shared memory, and turns every way a child can end into verdicts. A child
// that dies on input i is replaced by a fresh one that starts at input i+1, so a bad input
// costs only its own limit.
#pragma once

#include <cstddef>

#include "sandbox/policy.h"
#include "sandbox/pool.h"
#include "sandbox/worker/shared_state.h"

namespace autoif::sandbox::worker {

class JobRunner {
 public:
  // `statm_fd` reads the worker's own /proc/self/statm (opened before chroot): the memory
  // limit is set relative to the interpreter's size at fork time.
  JobRunner(const policy::Program& program, int statm_fd);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  JobResult run(const Job& job);

 private:
  struct Attempt;
  Attempt supervise(int pid, const Job& job);
  void reserve(std::size_t inputs);
  void fill(std::size_t index, const Verdict& verdict);
  std::uint64_t address_space_limit(const Job& job) const;

  const policy::Program& program_;
  int statm_fd_;
  void* region_ = nullptr;
  std::size_t region_bytes_ = 0;
  SharedHeader* header_ = nullptr;
  SharedRecord* records_ = nullptr;
};

}  // namespace autoif::sandbox::worker
