#include "pipeline/run/monitor.h"

namespace autoif::run {

Monitor::Monitor(EventLoop& loop, RunControl& control, Progress& progress, std::vector<const llm::Client*> clients,
                 std::function<void()> save, MonitorOptions options)
    : loop_(loop),
      control_(control),
      progress_(progress),
      clients_(std::move(clients)),
      save_(std::make_shared<std::function<void()>>(std::move(save))),
      save_queued_(std::make_shared<std::atomic<bool>>(false)),
      options_(options),
      thread_([this] { watch(); }) {}

Monitor::~Monitor() {
  {
    std::lock_guard lock(mutex_);
    quit_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Monitor::watch() {
  std::unique_lock lock(mutex_);
  while (!quit_) {
    wake_.wait_for(lock, options_.period, [this] { return quit_; });
    if (quit_) break;
    lock.unlock();
    step();
    lock.lock();
  }
}

void Monitor::step() {
  RequestCounts counts;
  for (const auto* client : clients_) {
    auto stats = client->stats();
    counts.in_flight += stats.in_flight;
    counts.sent += stats.http_requests - std::min(stats.http_requests, stats.retries_total());
    counts.retried += stats.retries_total();
    counts.failed += stats.samples_failed;
    counts.prompt_tokens += stats.prompt_tokens;
    counts.completion_tokens += stats.completion_tokens;
  }
  progress_.set_client_counts(counts);
  control_.check_deadline();

  if (auto since = control_.stop_requested_at()) {
    if (!announced_) {
      announced_ = true;
      progress_.note("run: stopping: " + control_.reason() + ". Finishing the " + std::to_string(counts.in_flight) +
                     " requests in flight and storing everything (a second Ctrl-C stops at once).");
    }
    if (!abandoned_ && std::chrono::steady_clock::now() - *since > options_.stop_grace && loop_.outstanding() > 0) {
      abandoned_ = true;
      loop_.stop("work still in flight " + std::to_string(options_.stop_grace.count() / 1000) +
                 " s after the stop was abandoned");
    }
  }
  progress_.tick();

  auto now = std::chrono::steady_clock::now();
  if (now - last_save_ >= options_.save_every && !save_queued_->exchange(true)) {
    last_save_ = now;
    loop_.post([save = save_, queued = save_queued_] {
      queued->store(false);
      (*save)();
    });
  }
}

}  // namespace autoif::run
