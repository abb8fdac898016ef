#include "sandbox/worker/child.h"

#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

#include "sandbox/worker/python_host.h"
#include "sandbox/worker/state_guard.h"

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
  auto* header = static_cast<SharedHeader*>(plan.region);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // Descriptors: stdin and stdout are already /dev/null in the worker; stderr joins them, the
  // wake-up eventfd becomes fd 3, and every other descriptor (the worker's protocol pipes among
  // them) is closed. The eventfd carries no data: a job writing to it only wakes the worker
  // early, and the worker then reads the shared header, which it does not take on trust.
  if (::dup2(0, 2) < 0) setup_failed(header, "dup2(stderr)");
  if (::dup2(plan.wake_fd, kWakeFd) < 0) setup_failed(header, "dup2(eventfd)");
  if (::syscall(SYS_close_range, kWakeFd + 1u, ~0U, 0) != 0) setup_failed(header, "close_range");
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

// Runs the job the header describes, from input `first` on.
void run_job(const ChildPlan& plan) {
  auto* header = static_cast<SharedHeader*>(plan.region);
  SharedRecord* records = records_of(plan.region);
  const char* base = static_cast<const char*>(plan.region);
  const auto* spans = reinterpret_cast<const InputSpan*>(base + header->table_offset);
  std::string_view source(base + header->source_offset, header->source_length);
  const std::size_t count = header->count;

  begin_job();
  reset_random();
  auto evaluate = compile_function(source);
  if (!evaluate) {
    std::size_t length = utf8_prefix(evaluate.error(), sizeof header->compile_message - 1);
    std::memcpy(header->compile_message, evaluate.error().data(), length);
    header->compile_message[length] = '\0';
    header->compiled.store(2, std::memory_order_release);
    header->started_ns.store(monotonic_ns(), std::memory_order_release);
    header->current.store(kCleaningUp, std::memory_order_release);
    end_job(nullptr);
    return;
  }
  header->compiled.store(1, std::memory_order_release);
  for (std::size_t index = header->first; index < count; ++index) {
    header->started_ns.store(monotonic_ns(), std::memory_order_release);
    header->current.store(static_cast<std::int64_t>(index), std::memory_order_release);
    reset_random();
    std::string_view input(base + spans[index].offset, spans[index].length);
    CallOutcome outcome = call_evaluate(*evaluate, input);
    record(records[index], outcome.status, outcome.result, outcome.message);
    // Memory the function parked in a global would starve every later input: like a timeout,
    // a memory_limit ends this child, and the next input starts in a fresh one.
    if (outcome.status == Status::memory_limit) ::_exit(0);
  }
  header->started_ns.store(monotonic_ns(), std::memory_order_release);
  header->current.store(kCleaningUp, std::memory_order_release);
  end_job(*evaluate);
}

// Why this child should not take another job, or "" if it may.
std::string retirement(const ChildPlan& plan, std::size_t jobs_done, std::int64_t heap_at_start) {
  if (!plan.reusable) return "children are not reused";
  std::string changed = restore_and_verify_state();
  if (!changed.empty()) return changed;
  if (jobs_done >= plan.max_jobs) return "served " + std::to_string(jobs_done) + " jobs";
  if (heap_bytes() - heap_at_start > plan.max_heap_growth) return "its heap grew";
  return {};
}

std::int64_t cpu_ns() {
  timespec used{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &used);
  return static_cast<std::int64_t>(used.tv_sec) * 1'000'000'000 + used.tv_nsec;
}

}  // namespace

void run_child(const ChildPlan& plan) {
  after_fork();
  lock_down(plan);
  // From here on untrusted code runs: nothing it can reach is trusted again.
  auto* header = static_cast<SharedHeader*>(plan.region);
  if (plan.reusable) note_child_start();
  const std::int64_t heap_at_start = heap_bytes();
  std::uint32_t job = header->job_seq.load(std::memory_order_acquire);
  for (std::size_t jobs_done = 1;; ++jobs_done) {
    run_job(plan);
    std::string why = retirement(plan, jobs_done, heap_at_start);
    if (!why.empty()) {
      std::size_t length = utf8_prefix(why, sizeof header->retired_because - 1);
      std::memcpy(header->retired_because, why.data(), length);
      header->retired_because[length] = '\0';
      ::_exit(0);
    }
    header->cpu_ns.store(cpu_ns(), std::memory_order_release);
    header->idle_seq.store(job, std::memory_order_release);
    std::uint64_t one = 1;
    (void)!::write(kWakeFd, &one, sizeof one);
    while (header->job_seq.load(std::memory_order_acquire) == job)
      ::syscall(SYS_futex, &header->job_seq, FUTEX_WAIT, job, nullptr, nullptr, 0);
    job = header->job_seq.load(std::memory_order_acquire);
  }
}

}  // namespace autoif::sandbox::worker
