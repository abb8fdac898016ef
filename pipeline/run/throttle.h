// Keeps a bounded number of items in flight on the event loop: dispatch() starts one item and
// returns false when there is none left; finished() is called by the item's completion.
// Memory stays flat however long the list of work is, and the model server stays busy.
#pragma once

#include <cstddef>
#include <functional>

namespace autoif::run {

class Throttle {
 public:
  Throttle(std::size_t window, std::function<bool()> dispatch)
      : window_(window == 0 ? 1 : window), dispatch_(std::move(dispatch)) {}
  void start() { refill(); }
  void finished() {
    if (active_ > 0) --active_;
    refill();
  }
  std::size_t active() const { return active_; }

 private:
  void refill() {
    while (!exhausted_ && active_ < window_) {
      if (!dispatch_()) {
        exhausted_ = true;
        break;
      }
      ++active_;
    }
  }
  std::size_t window_;
  std::function<bool()> dispatch_;
  std::size_t active_ = 0;
  bool exhausted_ = false;
};

}  // namespace autoif::run
