#include "sandbox/worker/job_runner.h"

#include <linux/futex.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
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
  bool idle = false;  // the child finished the job and waits for the next one
  int wait_status = 0;
  bool timed_out = false;
};

namespace {


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

namespace {

// Seconds of CPU a job may use in the worst case: every input (and the source) runs to its
// timeout. A child's CPU limit is a backstop behind the deadlines the worker enforces.
std::int64_t worst_case_seconds(const protocol::JobView& job) {
  return static_cast<std::int64_t>(job.inputs.size() + 1) *
         ((job.limits.timeout.count() + 999) / 1000);
}
constexpr std::int64_t kChildCpuAllowance = 1800;  // seconds, on top of the first job's need
constexpr std::size_t kMinRegionBytes = 64u << 20;

}  // namespace

JobRunner::JobRunner(const policy::Program& program, int statm_fd, RunnerOptions options)
    : program_(program),
      statm_fd_(statm_fd),
      options_(options),
      wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

JobRunner::~JobRunner() {
  retire_child();
  if (region_) ::munmap(region_, region_bytes_);
}

// Writes the job into the shared region, growing it (which retires the child, whose mapping
// is the old one) when the job does not fit.
bool JobRunner::place(const protocol::JobView& job) {
  const std::size_t count = job.inputs.size();
  std::size_t needed = kHeaderBytes + count * (sizeof(SharedRecord) + sizeof(InputSpan)) +
                       job.source.size();
  for (const auto& input : job.inputs) needed += input.size();
  if (needed > region_bytes_) {
    retire_child();
    if (region_) ::munmap(region_, region_bytes_);
    region_ = nullptr;
    header_ = nullptr;
    std::size_t bytes = std::max({needed, region_bytes_ * 2, kMinRegionBytes});
    // Shared, and only as large in memory as the pages a job actually uses.
    void* region = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED) {
      region_bytes_ = 0;
      return false;
    }
    region_ = region;
    region_bytes_ = bytes;
    header_ = new (region_) SharedHeader{};
    records_ = records_of(region_);
  }
  char* base = static_cast<char*>(region_);
  std::size_t offset = kHeaderBytes + count * sizeof(SharedRecord);
  header_->count = count;
  header_->first = 0;
  header_->table_offset = offset;
  auto* spans = reinterpret_cast<InputSpan*>(base + offset);
  offset += count * sizeof(InputSpan);
  header_->source_offset = offset;
  header_->source_length = job.source.size();
  std::memcpy(base + offset, job.source.data(), job.source.size());
  offset += job.source.size();
  for (std::size_t i = 0; i < count; ++i) {
    spans[i] = {offset, job.inputs[i].size()};
    std::memcpy(base + offset, job.inputs[i].data(), job.inputs[i].size());
    offset += job.inputs[i].size();
    records_[i].status.store(0, std::memory_order_relaxed);
  }
  return true;
}

std::uint64_t JobRunner::address_space_limit(const protocol::JobView& job) const {
  char text[128] = {};
  std::uint64_t pages = 0;
  ssize_t size = ::pread(statm_fd_, text, sizeof text - 1, 0);
  if (size > 0) pages = std::strtoull(text, nullptr, 10);
  std::uint64_t baseline = pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  // A reused child may keep up to max_heap_growth of earlier jobs' heap: it gets that much more
  // room, so every job has at least its own limit.
  std::uint64_t slack = options_.reuse_children ? static_cast<std::uint64_t>(options_.max_heap_growth) : 0;
  return baseline + static_cast<std::uint64_t>(job.limits.memory_mb) * 1024 * 1024 + slack;
}

bool JobRunner::can_take(const protocol::JobView& job) const {
  if (!child_ || !options_.reuse_children) return false;
  if (child_->limits.timeout != job.limits.timeout || child_->limits.memory_mb != job.limits.memory_mb)
    return false;
  std::int64_t used = header_->cpu_ns.load(std::memory_order_acquire);
  return used + worst_case_seconds(job) * 1'000'000'000 < child_->cpu_limit_ns;
}

void JobRunner::retire_child() {
  if (!child_) return;
  ::kill(child_->pid, SIGKILL);
  int status = 0;
  while (::waitpid(child_->pid, &status, 0) < 0 && errno == EINTR) {
  }
  child_.reset();
}

// Forks a child for the job in the region (from input header_->first on). Returns why not.
std::optional<std::string> JobRunner::fork_child(const protocol::JobView& job) {
  retire_child();
  header_->job_seq.store(header_->job_seq.load() + 1, std::memory_order_release);
  ChildPlan plan;
  plan.region = region_;
  plan.program = &program_;
  plan.address_space_limit = address_space_limit(job);
  plan.cpu_seconds = static_cast<std::uint64_t>(kChildCpuAllowance + worst_case_seconds(job));
  plan.wake_fd = wake_.get();
  plan.reusable = options_.reuse_children;
  plan.max_jobs = options_.max_jobs_per_child;
  plan.max_heap_growth = options_.max_heap_growth;
  pid_t pid = ::fork();
  if (pid == 0) run_child(plan);
  if (pid < 0) return std::string("fork failed: ") + std::strerror(errno);
  Child child;
  child.pid = pid;
  child.pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  child.limits = job.limits;
  child.cpu_limit_ns = static_cast<std::int64_t>(plan.cpu_seconds) * 1'000'000'000;
  child_ = std::move(child);
  return std::nullopt;
}

// Waits until the child has finished the job and is idle, or has ended (then reaped).
JobRunner::Attempt JobRunner::supervise(const protocol::JobView& job) {
  Attempt attempt;
  const std::int64_t budget = static_cast<std::int64_t>(job.limits.timeout.count()) * 1'000'000;
  const std::uint32_t job_seq = header_->job_seq.load(std::memory_order_acquire);
  for (;;) {
    if (header_->idle_seq.load(std::memory_order_acquire) == job_seq) {
      attempt.idle = true;
      return attempt;
    }
    std::int64_t current = header_->current.load(std::memory_order_acquire);
    std::int64_t started = header_->started_ns.load(std::memory_order_acquire);
    std::int64_t left = started + budget - monotonic_ns();
    if (left <= 0) {
      if (header_->current.load(std::memory_order_acquire) != current) continue;
      ::kill(child_->pid, SIGKILL);
      attempt.timed_out = true;
      break;
    }
    pollfd watch[2] = {{child_->pidfd.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    int ms = static_cast<int>((left + 999'999) / 1'000'000);
    if (::poll(watch, 2, ms) < 0 && errno != EINTR) break;
    if (watch[1].revents & POLLIN) {
      std::uint64_t count = 0;
      (void)!::read(wake_.get(), &count, sizeof count);
    }
    if (watch[0].revents & (POLLIN | POLLHUP | POLLERR)) break;
  }
  while (::waitpid(child_->pid, &attempt.wait_status, 0) < 0 && errno == EINTR) {
  }
  child_.reset();
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

JobResult JobRunner::run(const protocol::JobView& job) {
  const std::size_t count = job.inputs.size();
  JobResult result;
  if (!wake_ || !place(job)) {
    Verdict verdict{Status::crashed, std::nullopt,
                    std::string("the worker could not set up the job: ") + std::strerror(errno)};
    result.compile_message = verdict.message;
    result.verdicts.assign(count, verdict);
    return result;
  }

  std::size_t next = 0;
  int stalls = 0;
  for (bool first_attempt = true; first_attempt || next < count; first_attempt = false) {
    header_->first = next;
    header_->current.store(kExecutingSource);
    header_->started_ns.store(monotonic_ns());
    header_->compiled.store(0);
    header_->forbidden_syscall.store(-1);
    header_->compile_message[0] = '\0';
    header_->retired_because[0] = '\0';
    if (first_attempt && can_take(job)) {
      header_->job_seq.store(header_->job_seq.load() + 1, std::memory_order_release);
      ::syscall(SYS_futex, &header_->job_seq, FUTEX_WAKE, 1, nullptr, nullptr, 0);
    } else if (auto failed = fork_child(job)) {
      Verdict verdict{Status::crashed, std::nullopt, *failed};
      if (first_attempt) result.compile_message = verdict.message;
      for (std::size_t i = next; i < count; ++i) fill(i, verdict);
      break;
    } else {
      ++result.forks;
    }
    Attempt attempt = supervise(job);
    std::int64_t current = header_->current.load(std::memory_order_acquire);
    int compiled = header_->compiled.load(std::memory_order_acquire);
    if (!attempt.idle) {
      result.retired = header_->retired_because[0] ? header_->retired_because : "the child ended";
    }

    if (compiled != 1) {
      // The source itself failed (did not execute, or died while executing): every remaining
      // input shares that fate, and running it again would only repeat it.
      Verdict verdict;
      if (compiled == 2) {
        verdict = {Status::compile_error, std::nullopt, header_->compile_message};
      } else {
        verdict = classify(*header_, attempt.wait_status, attempt.timed_out, job.limits.timeout);
        verdict.message = "while executing the source: " + verdict.message;
      }
      if (first_attempt) result.compile_message = verdict.message;
      for (std::size_t i = next; i < count; ++i) fill(i, verdict);
      break;
    }
    if (first_attempt) result.compiled = true;
    if (current == kExecutingSource && !attempt.idle) {
      Verdict verdict{Status::crashed, std::nullopt, "the process ended before evaluating"};
      for (std::size_t i = next; i < count; ++i) fill(i, verdict);
      break;
    }
    if (current >= 0 && static_cast<std::size_t>(current) < count && !attempt.idle &&
        records_[current].status.load(std::memory_order_acquire) == 0)
      fill(static_cast<std::size_t>(current),
           classify(*header_, attempt.wait_status, attempt.timed_out, job.limits.timeout));
    std::size_t before = next;
    while (next < count && records_[next].status.load(std::memory_order_acquire) != 0) ++next;
    if (next == before && next < count && ++stalls > 2) {
      fill(next, {Status::crashed, std::nullopt, "the process ended without evaluating this input"});
      ++next;
    }
    if (attempt.idle) break;
  }
  // A child reported idle has evaluated every input; anything left without a verdict (a
  // record it failed to write) is reported, not invented.
  for (std::size_t i = 0; i < count; ++i)
    if (records_[i].status.load(std::memory_order_acquire) == 0)
      fill(i, {Status::crashed, std::nullopt, "the process ended without evaluating this input"});

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
