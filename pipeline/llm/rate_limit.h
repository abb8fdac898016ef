// A token bucket over an explicit clock, for requests-per-minute and tokens-per-minute limits.
// The caller passes `now` so tests step time by hand. Not thread-safe: the client calls it
// under its own lock.
//
// The bucket holds at most one second's worth of tokens (at least 1), so a limit never
// allows a burst of a whole minute at start-up. A take may drive the level negative (a
// request may cost more than the bucket holds); nothing more is allowed until it refills.
#pragma once

#include <algorithm>
#include <chrono>

namespace autoif::llm {

class TokenBucket {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  TokenBucket(double per_minute, TimePoint now)
      : rate_per_second_(per_minute / 60.0),
        capacity_(std::max(1.0, rate_per_second_)),
        level_(capacity_),
        updated_(now) {}

  // True when the level is positive (enough for one unit, for a request bucket).
  bool ready(TimePoint now, double needed = 1.0) {
    refill(now);
    return level_ >= std::min(needed, capacity_);
  }
  void take(double amount) { level_ -= amount; }
  // Gives back (or, negative, takes more) once the real cost of a request is known.
  void adjust(double amount) { level_ = std::min(capacity_, level_ + amount); }

  // When ready(needed) will first be true, assuming no takes in between.
  TimePoint ready_at(TimePoint now, double needed = 1.0) {
    refill(now);
    double missing = std::min(needed, capacity_) - level_;
    if (missing <= 0) return now;
    auto wait = std::chrono::duration<double>(missing / rate_per_second_);
    return now + std::chrono::ceil<std::chrono::steady_clock::duration>(wait);
  }

  double level(TimePoint now) {
    refill(now);
    return level_;
  }

 private:
  void refill(TimePoint now) {
    if (now <= updated_) return;
    std::chrono::duration<double> elapsed = now - updated_;
    level_ = std::min(capacity_, level_ + elapsed.count() * rate_per_second_);
    updated_ = now;
  }

  double rate_per_second_;
  double capacity_;
  double level_;
  TimePoint updated_;
};

}  // namespace autoif::llm
