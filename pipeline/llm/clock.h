// Time as the client sees it. Behind an interface so tests of backoff, Retry-After, endpoint
// avoidance and rate limits move time by hand instead of sleeping (see Client's manual mode).
#pragma once

#include <chrono>
#include <mutex>

namespace autoif::llm {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;
  virtual ~Clock() = default;
  // Monotonic. Thread-safe.
  virtual TimePoint now() const = 0;
  // Wall-clock time, only for reading HTTP dates (Retry-After). Thread-safe.
  virtual std::chrono::system_clock::time_point wall_now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wall_now() const override {
    return std::chrono::system_clock::now();
  }
};

// Starts at an arbitrary fixed point and moves only when advance() is called.
class FakeClock final : public Clock {
 public:
  TimePoint now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  std::chrono::system_clock::time_point wall_now() const override {
    std::lock_guard lock(mutex_);
    return wall_ + (now_ - start_);
  }
  void advance(Duration by) {
    std::lock_guard lock(mutex_);
    now_ += by;
  }
  void advance_to(TimePoint to) {
    std::lock_guard lock(mutex_);
    if (to > now_) now_ = to;
  }

 private:
  mutable std::mutex mutex_;
  const TimePoint start_ = TimePoint(std::chrono::hours(1000));
  TimePoint now_ = start_;
  // 2024-01-01T00:00:00Z, so HTTP dates in tests are easy to write.
  const std::chrono::system_clock::time_point wall_ =
      std::chrono::system_clock::time_point(std::chrono::seconds(1704067200));
};

}  // namespace autoif::llm
