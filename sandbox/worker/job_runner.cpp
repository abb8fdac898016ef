#include "sandbox/worker/job_runner.h"

#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <new>
#include <seccomp.h>

#include "sandbox/unique_fd.h"
#include "sandbox/worker/child.h"

namespace autoif::sandbox::worker {

struct JobRunner::Attempt {
  int wait_status = 0;
  bool timed_out = false;
};

namespace {

constexpr std::size_t kHeaderBytes = 4096;
static_assert(sizeof(SharedHeader) <= kHeaderBytes);

std::int64_t monotonic_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

std::string syscall_name(int nr) {
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
  if (!name) {
    std::string number = "#";  // built in two steps: g++ 12 warns falsely on "#" + string&&
    number += std::to_string(nr);
    return number;
  }
  std::string out(name);
  std::free(name);
  return out;
}

// What an attempt that did not finish normally amounts to.
Verdict classify(const SharedHeader& header, int wait_status, bool timed_out,
                 std::chrono::milliseconds timeout) {
  if (timed_out)
    return {Status::timeout, std::nullopt,
            "did not finish within " + std::to_string(timeout.count()) + " ms"};
  if (WIFEXITED(wait_status)) {
    int code = WEXITSTATUS(wait_status);
    int syscall = header.forbidden_syscall.load(std::memory_order_acquire);
    if (code == policy::kForbiddenExit && syscall >= 0)
      return {Status::forbidden, std::nullopt,
              "attempted a forbidden system call: " + syscall_name(syscall)};
    if (code == kSetupFailedExit) return {Status::crashed, std::nullopt, header.compile_message};
    return {Status::crashed, std::nullopt,
            "the process exited with status " + std::to_string(code) + " during evaluation"};
  }
  int signal = WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0;
  if (signal == SIGSYS)
    return {Status::forbidden, std::nullopt, "attempted a forbidden system call"};
  if (signal == SIGXCPU)
    return {Status::timeout, std::nullopt, "exceeded its CPU time limit"};
  const char* name = sigabbrev_np(signal);
  return {Status::crashed, std::nullopt,
          std::string("killed by signal SIG") + (name ? name : std::to_string(signal).c_str())};
}

}  // namespace

JobRunner::JobRunner(const policy::Program& program, int statm_fd)
    : program_(program), statm_fd_(statm_fd) {}

JobRunner::~JobRunner() {
  if (region_) ::munmap(region_, region_bytes_);
}

void JobRunner::reserve(std::size_t inputs) {
  std::size_t needed = kHeaderBytes + std::max<std::size_t>(inputs, 64) * sizeof(SharedRecord);
  if (needed <= region_bytes_) return;
  if (region_) ::munmap(region_, region_bytes_);
  std::size_t bytes = std::max(needed, region_bytes_ * 2);
  void* region = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) throw std::bad_alloc();
  region_ = region;
  region_bytes_ = bytes;
  header_ = new (region_) SharedHeader{};
  records_ = reinterpret_cast<SharedRecord*>(static_cast<char*>(region_) + kHeaderBytes);
}

std::uint64_t JobRunner::address_space_limit(const Job& job) const {
  char text[128] = {};
  std::uint64_t pages = 0;
  ssize_t size = ::pread(statm_fd_, text, sizeof text - 1, 0);
  if (size > 0) pages = std::strtoull(text, nullptr, 10);
  std::uint64_t baseline = pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  return baseline + static_cast<std::uint64_t>(job.limits.memory_mb) * 1024 * 1024;
}

JobRunner::Attempt JobRunner::supervise(int pid, const Job& job) {
  Attempt attempt;
  const std::int64_t budget = static_cast<std::int64_t>(job.limits.timeout.count()) * 1'000'000;
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  while (pidfd) {
    std::int64_t current = header_->current.load(std::memory_order_acquire);
    std::int64_t started = header_->started_ns.load(std::memory_order_acquire);
    std::int64_t left = started + budget - monotonic_ns();
    if (left <= 0) {
      if (header_->current.load(std::memory_order_acquire) != current) continue;
      ::kill(pid, SIGKILL);
      attempt.timed_out = true;
      break;
    }
    pollfd watch{pidfd.get(), POLLIN, 0};
    int ms = static_cast<int>((left + 999'999) / 1'000'000);
    if (::poll(&watch, 1, ms) > 0) break;
  }
  while (::waitpid(pid, &attempt.wait_status, 0) < 0 && errno == EINTR) {
  }
  return attempt;
}

void JobRunner::fill(std::size_t index, const Verdict& verdict) {
  SharedRecord& slot = records_[index];
  std::size_t length = utf8_prefix(verdict.message, kMessageBytes);
  std::memcpy(slot.message, verdict.message.data(), length);
  slot.length = static_cast<std::uint16_t>(length);
  slot.result = verdict.result == true ? 1 : 0;
  slot.status.store(static_cast<std::uint8_t>(verdict.status), std::memory_order_release);
}

JobResult JobRunner::run(const Job& job) {
  const std::size_t count = job.inputs.size();
  reserve(count);
  for (std::size_t i = 0; i < count; ++i) records_[i].status.store(0, std::memory_order_relaxed);

  JobResult result;
  std::size_t next = 0;
  int stalls = 0;
  for (bool first_attempt = true; first_attempt || next < count; first_attempt = false) {
    header_->current.store(-1);
    header_->started_ns.store(monotonic_ns());
    header_->compiled.store(0);
    header_->forbidden_syscall.store(-1);
    header_->compile_message[0] = '\0';

    ChildPlan plan{&job, next, header_, records_, &program_, address_space_limit(job), 1};
    plan.cpu_seconds = 1 + (count - next + 1) * (job.limits.timeout.count() + 999) / 1000;
    pid_t pid = ::fork();
    if (pid == 0) run_child(plan);
    if (pid < 0) {
      Verdict verdict{Status::crashed, std::nullopt, std::string("fork failed: ") + std::strerror(errno)};
      if (first_attempt) result.compile_message = verdict.message;
      for (std::size_t i = next; i < count; ++i) fill(i, verdict);
      break;
    }
    Attempt attempt = supervise(pid, job);
    std::int64_t current = header_->current.load(std::memory_order_acquire);
    int compiled = header_->compiled.load(std::memory_order_acquire);

    if (compiled != 1 || current < 0) {
      // The source itself failed (did not execute, or died while executing): every remaining
      // input shares that fate, and running it again would only repeat it.
      bool clean_error = compiled == 2 && WIFEXITED(attempt.wait_status) &&
                         WEXITSTATUS(attempt.wait_status) == 0;
      Verdict verdict;
      if (clean_error) {
        verdict = {Status::compile_error, std::nullopt, header_->compile_message};
      } else if (compiled == 1) {
        verdict = {Status::crashed, std::nullopt, "the process ended before evaluating"};
      } else {
        verdict = classify(*header_, attempt.wait_status, attempt.timed_out, job.limits.timeout);
        verdict.message = "while executing the source: " + verdict.message;
      }
      if (first_attempt) {
        result.compiled = compiled == 1;
        if (!result.compiled) result.compile_message = verdict.message;
      }
      for (std::size_t i = next; i < count; ++i) fill(i, verdict);
      break;
    }
    if (first_attempt) result.compiled = true;
    auto index = static_cast<std::size_t>(current);
    if (index < count && records_[index].status.load(std::memory_order_acquire) == 0)
      fill(index, classify(*header_, attempt.wait_status, attempt.timed_out, job.limits.timeout));
    std::size_t before = next;
    while (next < count && records_[next].status.load(std::memory_order_acquire) != 0) ++next;
    if (next == before && next < count && ++stalls > 2) {
      fill(next, {Status::crashed, std::nullopt, "the process ended without evaluating this input"});
      ++next;
    }
  }

  result.verdicts.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const SharedRecord& slot = records_[i];
    Verdict verdict;
    auto status = slot.status.load(std::memory_order_acquire);
    if (status < static_cast<std::uint8_t>(Status::ok) ||
        status > static_cast<std::uint8_t>(Status::crashed)) {
      verdict = {Status::crashed, std::nullopt, "the verdict record was corrupted"};
    } else {
      verdict.status = static_cast<Status>(status);
      if (verdict.status == Status::ok) verdict.result = slot.result == 1;
      verdict.message.assign(slot.message, std::min<std::size_t>(slot.length, kMessageBytes));
    }
    result.verdicts.push_back(std::move(verdict));
  }
  return result;
}

}  // namespace autoif::sandbox::worker
