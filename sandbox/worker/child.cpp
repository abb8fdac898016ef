#include "sandbox/worker/child.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "sandbox/worker/python_host.h"

namespace autoif::sandbox::worker {
namespace {

SharedHeader* g_header = nullptr;

std::int64_t monotonic_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// The filter traps a forbidden call here; record which one and end the child at once, so
// code that would have caught the resulting error never gets the chance.
void on_forbidden_syscall(int, siginfo_t* info, void*) {
  if (g_header) g_header->forbidden_syscall.store(info->si_syscall, std::memory_order_release);
  ::_exit(policy::kForbiddenExit);
}

[[noreturn]] void setup_failed(SharedHeader* header, const char* step) {
  // No untrusted code has run yet, so the header is still ours to write.
  std::snprintf(header->compile_message, sizeof header->compile_message,
                "sandbox setup failed at %s: %s", step, std::strerror(errno));
  ::_exit(kSetupFailedExit);
}

bool set_limit(int resource, rlim_t value) {
  rlimit limit{value, value};
  return ::setrlimit(resource, &limit) == 0;
}

void record(SharedRecord& slot, Status status, bool result, const std::string& message) {
  std::size_t length = utf8_prefix(message, kMessageBytes);
  std::memcpy(slot.message, message.data(), length);
  slot.length = static_cast<std::uint16_t>(length);
  slot.result = result ? 1 : 0;
  slot.status.store(static_cast<std::uint8_t>(status), std::memory_order_release);
}

void lock_down(const ChildPlan& plan) {
  SharedHeader* header = plan.header;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // Descriptors: stdin and stdout are already /dev/null in the worker; stderr joins them, and
  // every other descriptor (the worker's protocol pipes among them) is closed.
  if (::dup2(0, 2) < 0) setup_failed(header, "dup2(stderr)");
  if (::syscall(SYS_close_range, 3u, ~0U, 0) != 0) setup_failed(header, "close_range");
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) setup_failed(header, "prctl(PR_SET_DUMPABLE)");
  const std::pair<int, rlim_t> limits[] = {
      {RLIMIT_AS, plan.address_space_limit},
      {RLIMIT_CPU, plan.cpu_seconds},
      {RLIMIT_FSIZE, 0},
      {RLIMIT_NPROC, 0},
      {RLIMIT_CORE, 0},
      {RLIMIT_MEMLOCK, 0},
      {RLIMIT_MSGQUEUE, 0},
      {RLIMIT_NOFILE, 3},
  };
  for (const auto& [resource, value] : limits)
    if (!set_limit(resource, value)) setup_failed(header, "setrlimit");
  g_header = header;
  struct sigaction action{};
  action.sa_sigaction = on_forbidden_syscall;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  if (::sigaction(SIGSYS, &action, nullptr) != 0) setup_failed(header, "sigaction(SIGSYS)");
  sigset_t unblock;
  sigemptyset(&unblock);
  sigaddset(&unblock, SIGSYS);
  ::sigprocmask(SIG_UNBLOCK, &unblock, nullptr);
  if (int error = policy::install(*plan.program); error != 0) {
    errno = error;
    setup_failed(header, "seccomp");
  }
}

}  // namespace

void run_child(const ChildPlan& plan) {
  after_fork();
  lock_down(plan);
  // From here on untrusted code runs: nothing it can reach is trusted again.
  SharedHeader* header = plan.header;
  reset_random();
  auto evaluate = compile_function(plan.job->source);
  if (!evaluate) {
    std::size_t length = utf8_prefix(evaluate.error(), sizeof header->compile_message - 1);
    std::memcpy(header->compile_message, evaluate.error().data(), length);
    header->compile_message[length] = '\0';
    header->compiled.store(2, std::memory_order_release);
    ::_exit(0);
  }
  header->compiled.store(1, std::memory_order_release);
  const auto& inputs = plan.job->inputs;
  for (std::size_t index = plan.first; index < inputs.size(); ++index) {
    header->started_ns.store(monotonic_ns(), std::memory_order_release);
    header->current.store(static_cast<std::int64_t>(index), std::memory_order_release);
    reset_random();
    CallOutcome outcome = call_evaluate(*evaluate, inputs[index]);
    record(plan.records[index], outcome.status, outcome.result, outcome.message);
    // Memory the function parked in a global would starve every later input: like a timeout,
    // a memory_limit ends this child, and the next input starts in a fresh one.
    if (outcome.status == Status::memory_limit) ::_exit(0);
  }
  ::_exit(0);
}

}  // namespace autoif::sandbox::worker
