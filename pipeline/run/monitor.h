// Watches a run from its own thread, a few times a second: feeds the model clients' counters
// to Progress and lets it redraw or print its status line, starts the stop when the deadline
// passes, announces a stop once, abandons in-flight work when a stop takes longer than the
// grace period, and has the run's progress saved in the database (on the event loop, which owns
// the database) every few seconds, for `autoif status` in another terminal.
//
// Contract: the destructor stops and joins the thread; nothing it posted to the loop touches the
// Monitor itself (the posted task owns what it needs).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "pipeline/llm/client.h"
#include "pipeline/run/event_loop.h"
#include "pipeline/run/progress.h"
#include "pipeline/run/run_control.h"

namespace autoif::run {

struct MonitorOptions {
  std::chrono::milliseconds period{250};
  std::chrono::milliseconds save_every{5000};
  std::chrono::milliseconds stop_grace{30000};  // then in-flight work is abandoned
};

class Monitor {
 public:
  // `save` runs on the event loop.
  Monitor(EventLoop& loop, RunControl& control, Progress& progress, std::vector<const llm::Client*> clients,
          std::function<void()> save, MonitorOptions options = {});
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

 private:
  void watch();
  void step();

  EventLoop& loop_;
  RunControl& control_;
  Progress& progress_;
  std::vector<const llm::Client*> clients_;
  std::shared_ptr<std::function<void()>> save_;
  std::shared_ptr<std::atomic<bool>> save_queued_;
  MonitorOptions options_;
  std::chrono::steady_clock::time_point last_save_ = std::chrono::steady_clock::now();
  bool announced_ = false, abandoned_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace autoif::run
