// A job child: forked from the worker, it locks itself down (named steps, each checked), then
// runs untrusted code and records progress and verdicts in shared memory. It never returns.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sandbox/policy.h"
#include "sandbox/pool.h"
#include "sandbox/worker/shared_state.h"

namespace autoif::sandbox::worker {

struct ChildPlan {
  const Job* job = nullptr;
  std::size_t first = 0;  // first input to evaluate
  SharedHeader* header = nullptr;
  SharedRecord* records = nullptr;
  const policy::Program* program = nullptr;
  std::uint64_t address_space_limit = 0;  // bytes
  std::uint64_t cpu_seconds = 1;
};

// Exit status of a child whose lockdown failed before any untrusted code ran.
inline constexpr int kSetupFailedExit = 158;

[[noreturn]] void run_child(const ChildPlan& plan);

}  // namespace autoif::sandbox::worker
