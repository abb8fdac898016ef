// Keeps a bounded number of items in flight on the event loop: dispatch() starts one item and
// returns false when there is none left; finished() is called by the item's completion.
// Memory stays flat however long the list of work is, and the model server stays busy.
//
// An item whose requests are all answered and that now only waits for the sandbox (or for a
// later step) calls release_slot(): its place in the window goes to a new item, so requests
// keep flowing while the sandbox works; it then ends with processed() instead of finished().
// At most `window * kProcessingFactor` released items are pending at once, which bounds memory
// when the sandbox is the slower side.
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
  static constexpr std::size_t kProcessingFactor = 4;

  void start() { refill(); }
  void finished() {
    if (active_ > 0) --active_;
    refill();
  }
  void release_slot() {
    if (active_ > 0) --active_;
    ++processing_;
    refill();
  }
  void processed() {
    if (processing_ > 0) --processing_;
    refill();
  }
  std::size_t active() const { return active_; }
  std::size_t processing() const { return processing_; }

 private:
  void refill() {
    while (!exhausted_ && active_ < window_ && processing_ < window_ * kProcessingFactor) {
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
  std::size_t active_ = 0, processing_ = 0;
  bool exhausted_ = false;
};

}  // namespace autoif::run
