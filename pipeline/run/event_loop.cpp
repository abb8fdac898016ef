#include "pipeline/run/event_loop.h"

namespace autoif::run {

void EventLoop::post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void EventLoop::hold() {
  std::lock_guard lock(mutex_);
  ++outstanding_;
}

void EventLoop::release() {
  {
    std::lock_guard lock(mutex_);
    if (outstanding_ > 0) --outstanding_;
  }
  wake_.notify_one();
}

void EventLoop::stop(std::string reason) {
  {
    std::lock_guard lock(mutex_);
    if (!stopped_) reason_ = std::move(reason);
    stopped_ = true;
  }
  wake_.notify_all();
}

bool EventLoop::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

std::string EventLoop::stop_reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

std::size_t EventLoop::outstanding() const {
  std::lock_guard lock(mutex_);
  return outstanding_;
}

bool EventLoop::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopped_ || !queue_.empty() || outstanding_ == 0; });
      if (stopped_) return false;
      if (queue_.empty()) return true;  // nothing queued and nothing outstanding
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace autoif::run
