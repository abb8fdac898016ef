// A job child: forked from the worker, it locks itself down once (named steps, each checked),
// then runs jobs the worker writes into the shared region, recording progress and verdicts
// there. After each job it releases the job's objects and asks the state guard whether the
// interpreter is as the worker left it: if so it reports itself idle and waits for the next
// job; if not (or it has served its share, or its heap has grown) it exits, and the worker
// forks a fresh child for the next job. It never returns.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sandbox/policy.h"
#include "sandbox/worker/shared_state.h"

namespace autoif::sandbox::worker {

struct ChildPlan {
  void* region = nullptr;  // SharedHeader, records and the job (see shared_state.h)
  const policy::Program* program = nullptr;
  std::uint64_t address_space_limit = 0;  // bytes
  std::uint64_t cpu_seconds = 1;
  int wake_fd = -1;          // eventfd: the child writes to it when it becomes idle
  bool reusable = false;     // false: exit after the first job (no state guard)
  std::size_t max_jobs = 1;  // then retire
  std::int64_t max_heap_growth = 0;  // bytes; beyond this, retire
};

// Exit status of a child whose lockdown failed before any untrusted code ran.
inline constexpr int kSetupFailedExit = 158;
// The descriptor number the wake-up eventfd has in a child.
inline constexpr int kWakeFd = 3;

[[noreturn]] void run_child(const ChildPlan& plan);

}  // namespace autoif::sandbox::worker
