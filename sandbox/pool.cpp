#include "sandbox/pool.h"

#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "sandbox/worker_process.h"

namespace autoif::sandbox {

std::vector<std::string> default_modules() {
  return {"re",       "json",      "string",    "math",     "collections", "itertools",
          "functools", "operator",  "unicodedata", "datetime", "statistics",  "textwrap",
          "difflib",  "random",    "fractions", "decimal",  "heapq",       "bisect",
          "copy",     "enum",      "typing",    "html"};
}

namespace {

std::string default_worker_path() {
  std::error_code error;
  auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "autoif-sandbox-worker";
  return (self.parent_path() / "autoif-sandbox-worker").string();
}

// A job may legitimately take this long in the worker: every input could time out, and the
// source is executed again after each one, itself bounded by the same limit.
std::chrono::steady_clock::duration job_budget(const Job& job) {
  auto per_input = 2 * job.limits.timeout + std::chrono::milliseconds(200);
  return per_input * static_cast<long>(job.inputs.size() + 1) + std::chrono::seconds(10);
}

struct Task {
  Job job;
  std::function<void(JobResult)> done;
};

}  // namespace

class Pool::Impl {
 public:
  explicit Impl(PoolOptions options) : options_(std::move(options)) {}

  ~Impl() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) thread.join();
  }

  tl::expected<void, std::string> start() {
    std::size_t count = options_.workers ? options_.workers
                                         : std::max(1u, std::thread::hardware_concurrency());
    // Each serving thread starts its own worker, all at once (a start is mostly the worker's
    // own CPU time, so they overlap). The thread that starts a worker must outlive it: the
    // worker dies with its parent, and for the kernel a thread is the parent. A broken setup
    // (no worker starts at all) is reported to the caller.
    std::unique_lock lock(mutex_);
    for (std::size_t i = 0; i < count; ++i) threads_.emplace_back([this] { serve(); });
    started_.wait(lock, [&] { return starts_reported_ == count; });
    if (workers_up_ == 0) return tl::unexpected(first_start_error_);
    return {};
  }

  void submit(Job job, std::function<void(JobResult)> done) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(Task{std::move(job), std::move(done)});
    }
    wake_.notify_one();
  }

  const WorkerInfo& info() const { return info_; }

  PoolStats stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
  }

 private:
  tl::expected<std::unique_ptr<WorkerProcess>, std::string> launch() {
    std::string path = options_.worker_path.empty() ? default_worker_path() : options_.worker_path;
    return WorkerProcess::start(path, options_.modules, options_.extra_modules,
                                options_.startup_timeout);
  }

  // Runs one job to the end: a worker that dies or hangs is replaced and the job retried once;
  // after a second failure the job is answered with `crashed` verdicts rather than not at all.
  JobResult execute(std::unique_ptr<WorkerProcess>& worker, const Job& job) {
    std::string last_error;
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!worker) {
        auto fresh = launch();
        {
          std::lock_guard lock(mutex_);
          ++stats_.worker_restarts;
        }
        if (!fresh) {
          last_error = fresh.error();
          continue;
        }
        worker = std::move(*fresh);
      }
      auto result = worker->run(job, std::chrono::steady_clock::now() + job_budget(job));
      if (result) return std::move(*result);
      last_error = result.error();
      worker.reset();
    }
    JobResult failed;
    failed.compile_message = "sandbox worker failed twice: " + last_error;
    failed.verdicts.assign(job.inputs.size(), Verdict{Status::crashed, std::nullopt, failed.compile_message});
    return failed;
  }

  void serve() {
    auto started = launch();
    std::unique_ptr<WorkerProcess> worker;
    {
      std::lock_guard lock(mutex_);
      if (started) {
        if (workers_up_++ == 0) info_ = (*started)->info();
        worker = std::move(*started);
      } else if (first_start_error_.empty()) {
        first_start_error_ = started.error();
      }
      ++starts_reported_;
    }
    started_.notify_all();
    // A worker that failed to start when others did is tried again on first use.
    std::optional<Task> task;
    bool task_sent = false;  // already in the worker's pipe, sent ahead during the last job
    for (;;) {
      if (!task) {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        task = std::move(queue_.front());
        queue_.pop_front();
        task_sent = false;
      }
      std::optional<Task> next;
      bool next_sent = false;
      JobResult result = worker ? run_sending_ahead(worker, task->job, task_sent, next, next_sent)
                                : execute(worker, task->job);
      finish(std::move(*task), std::move(result));
      task = std::move(next);
      task_sent = next_sent && worker;
    }
  }

  // Runs `job` on a live worker and, while it runs, sends it the next queued job when the
  // queue holds more jobs than the other workers could take and both fit in the pipes: the
  // worker then finds its next job waiting instead of waiting for it. That job comes back in
  // `next` (`next_sent` says whether it is in this worker's pipe) and runs next on this worker.
  // A worker that fails is replaced and the job retried as execute() does.
  JobResult run_sending_ahead(std::unique_ptr<WorkerProcess>& worker, const Job& job, bool sent,
                              std::optional<Task>& next, bool& next_sent) {
    auto deadline = std::chrono::steady_clock::now() + job_budget(job);
    if (!sent && !worker->send(job, deadline)) {
      worker.reset();
      return execute(worker, job);
    }
    {
      std::lock_guard lock(mutex_);
      if (!queue_.empty() && queue_.size() >= threads_.size() &&
          worker->can_send_ahead(queue_.front().job, job.inputs.size())) {
        next = std::move(queue_.front());
        queue_.pop_front();
      }
    }
    if (next) {
      next_sent = static_cast<bool>(
          worker->send(next->job, std::chrono::steady_clock::now() + job_budget(next->job)));
      if (!next_sent) {
        worker.reset();  // gone: this job and the next start over on a fresh worker
        return execute(worker, job);
      }
    }
    auto result = worker->receive(job.inputs.size(), deadline);
    if (result) return std::move(*result);
    worker.reset();
    next_sent = false;
    return execute(worker, job);
  }

  void finish(Task task, JobResult result) {
    {
      std::lock_guard lock(mutex_);
      ++stats_.jobs;
      stats_.evaluations += task.job.inputs.size();
    }
    task.done(std::move(result));
  }

  PoolOptions options_;
  WorkerInfo info_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable started_;
  std::size_t starts_reported_ = 0;
  std::size_t workers_up_ = 0;
  std::string first_start_error_;
  std::deque<Task> queue_;
  bool stopping_ = false;
  PoolStats stats_;
  std::vector<std::thread> threads_;
};

Pool::Pool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pool::~Pool() = default;

tl::expected<std::unique_ptr<Pool>, std::string> Pool::start(PoolOptions options) {
  // A worker that dies while we write to it must surface as an error, not kill this process.
  std::signal(SIGPIPE, SIG_IGN);
  auto impl = std::make_unique<Impl>(std::move(options));
  if (auto started = impl->start(); !started) return tl::unexpected(started.error());
  return std::unique_ptr<Pool>(new Pool(std::move(impl)));
}

JobResult Pool::run(Job job) { return submit(std::move(job)).get(); }
std::future<JobResult> Pool::submit(Job job) {
  auto promise = std::make_shared<std::promise<JobResult>>();
  auto future = promise->get_future();
  impl_->submit(std::move(job), [promise](JobResult result) { promise->set_value(std::move(result)); });
  return future;
}
void Pool::submit(Job job, std::function<void(JobResult)> done) { impl_->submit(std::move(job), std::move(done)); }
const WorkerInfo& Pool::info() const { return impl_->info(); }
PoolStats Pool::stats() const { return impl_->stats(); }

}  // namespace autoif::sandbox
