// The run's one thread of control. LLM callbacks (on the client's transport thread) and
// sandbox completions (on pool threads) only post() closures here; every database write and
// every decision happens on the thread that calls run(), so the pipeline needs no locks and a
// stage's steps happen in a well-defined order.
//
// Work accounting: hold() marks an outstanding piece of asynchronous work and release() (usually
// inside the posted completion) ends it; run() returns once nothing is outstanding and nothing
// is queued, or as soon as stop() was called.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace autoif::run {

class EventLoop {
 public:
  // Thread-safe.
  void post(std::function<void()> task);
  void hold();
  void release();
  // Ends run() early: queued tasks are dropped, outstanding work is abandoned.
  void stop(std::string reason);
  bool stopped() const;
  std::string stop_reason() const;

  // Runs queued tasks on the calling thread until no work is outstanding or queued.
  // Returns false if stop() ended it.
  bool run();
  std::size_t outstanding() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  std::size_t outstanding_ = 0;
  bool stopped_ = false;
  std::string reason_;
};

}  // namespace autoif::run
