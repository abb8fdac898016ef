// Keeps a bounded number of items in flight on the event loop: dispatch() starts one item and
// returns false when there is none left; finished() is called by the item's completion.
// Memory stays flat however long the list of work is, and the model server stays busy.
// Once the run is stopping (run_control.h) it starts nothing more; items in flight finish.
#pragma once

#include <cstddef>
#include <functional>

#include "pipeline/run/run_control.h"

namespace autoif::run {

class Throttle {
 public:
  Throttle(std::size_t window, std::function<bool()> dispatch, const RunControl* control = nullptr)
      : window_(window == 0 ? 1 : window), dispatch_(std::move(dispatch)), control_(control) {}
  void start() { refill(); }
  void finished() {
    if (active_ > 0) --active_;
    refill();
  }
  std::size_t active() const { return active_; }

 private:
  void refill() {
    while (!exhausted_ && active_ < window_) {
      if ((control_ && control_->stopping()) || !dispatch_()) {
        exhausted_ = true;
        break;
      }
      ++active_;
    }
  }
  std::size_t window_;
  std::function<bool()> dispatch_;
  const RunControl* control_;
  std::size_t active_ = 0;
  bool exhausted_ = false;
};

}  // namespace autoif::run
