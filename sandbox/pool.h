// The sandbox pool: runs `evaluate(response)` from untrusted Python sources over batches
// of inputs and returns one Verdict per input.
//
// Contract
// - run() and submit() are thread-safe; any number of callers may share one Pool.
// - Every input gets exactly one Verdict, in input order, whatever the code does: a hang,
//   a crash, a forbidden system call or the death of a worker process costs only the input
//   that caused it (and its own time limit); the other inputs still get their real verdicts.
// - run() never hangs: a worker that stops answering is killed and restarted, and the job is
//   retried once; if it fails again its unfinished inputs are reported as `crashed`.
// - Each job runs in a child process forked from a warm interpreter, in a fresh module
//   namespace, behind a default-deny seccomp filter, with no environment, no descriptors of
//   the caller, no network and (where the kernel allows it) no view of the host filesystem.
//   A child takes another job only after the worker's state guard found the interpreter as
//   it was before the first (sandbox/worker/state_guard.h); otherwise the next job gets a
//   fresh fork. Nothing one job does is visible to any other job.
// - start() fails (with a message naming the step) if no worker can be brought up, for
//   example when the worker binary is missing or the seccomp filter cannot be built.
#pragma once

#include <tl/expected.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "sandbox/verdict.h"

namespace autoif::sandbox {

struct Limits {
  std::chrono::milliseconds timeout{1000};  // wall clock, per input
  std::size_t memory_mb = 256;              // address space above the interpreter's baseline
};

struct Job {
  std::string source;               // Python source defining evaluate(response) -> bool
  std::vector<std::string> inputs;  // UTF-8 text, may contain NUL bytes
  Limits limits;
};

struct JobResult {
  bool compiled = false;          // the source executed and defines a callable `evaluate`
  std::string compile_message;    // why not, when !compiled
  std::vector<Verdict> verdicts;  // one per input, in order
  // How the job was run, for tests and benchmarks: child processes forked for it (0 when a
  // clean child from an earlier job took it), and why the child that finished it was not kept
  // for the next job ("" when it was).
  std::size_t forks = 0;
  std::string retired;
};

// The text-processing standard library, importable by every function by default.
std::vector<std::string> default_modules();

struct PoolOptions {
  std::size_t workers = 0;                         // 0: one per online CPU
  std::vector<std::string> modules = default_modules();
  std::vector<std::string> extra_modules;         // e.g. nltk, langdetect; skipped if missing
  std::string worker_path;                         // empty: autoif-sandbox-worker next to this binary
  std::chrono::milliseconds startup_timeout{60'000};  // per worker start, then it is killed
};

// What a worker reported about the protections it managed to set up.
struct WorkerInfo {
  std::string python_version;
  std::vector<std::string> loaded_modules;
  std::vector<std::string> missing_modules;  // listed but not importable on this machine
  std::vector<std::string> protections;      // e.g. "seccomp", "netns", "chroot", "uid=65534"
};

struct PoolStats {
  std::size_t jobs = 0;
  std::size_t evaluations = 0;
  std::size_t worker_restarts = 0;
};

class Pool {
 public:
  static tl::expected<std::unique_ptr<Pool>, std::string> start(PoolOptions options = {});
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  JobResult run(Job job);
  std::future<JobResult> submit(Job job);
  // The same, with `done` called once with the result on one of the pool's threads (it should
  // only hand the result over, e.g. post it to an event loop).
  void submit(Job job, std::function<void(JobResult)> done);

  const WorkerInfo& info() const;
  PoolStats stats() const;

  class Impl;

 private:
  explicit Pool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace autoif::sandbox
