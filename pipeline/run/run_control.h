// Budgets and stopping for one `autoif run` invocation.
//
// A stop is graceful: once requested (a budget spent, the deadline passed, SIGINT or SIGTERM),
// no new model request goes out and no new item is started; requests already in flight finish
// and are stored, items whose answers are all in finish their sandbox work, and the runner then
// ends without marking the interrupted stage done, so the next run resumes it.
//
// Contract
// - Budgets count this invocation only: tokens of the answers it received (prompt +
//   completion) and the model requests it sent; answers served from the database are free.
//   Requests in flight when a budget is reached still count when they arrive, so the token
//   total may overshoot by what was in flight.
// - request_stop() and stopping() are thread-safe (a signal watcher calls request_stop); the
//   first reason wins. Everything else runs on the event-loop thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace autoif::run {

struct Budgets {
  std::optional<std::uint64_t> max_tokens;
  std::optional<std::uint64_t> max_requests;
  std::optional<std::chrono::system_clock::time_point> deadline;
};

enum class StopCause { none, budget, signal };

class RunControl {
 public:
  explicit RunControl(Budgets budgets = {}) : budgets_(budgets) {}

  void request_stop(std::string reason, StopCause cause);
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  std::string reason() const;
  StopCause cause() const;
  // When the stop was requested (steady clock); nullopt while running.
  std::optional<std::chrono::steady_clock::time_point> stop_requested_at() const;

  // True when a new model request may go out now; false once stopping. Spending a budget
  // (or passing the deadline) starts the stop here.
  bool may_send();
  // Starts the stop when the deadline has passed; for a timer, so that a run waiting on slow
  // requests still stops on time.
  void check_deadline();
  void on_sent(std::size_t requests) { requests_ += requests; }
  void on_tokens(std::uint64_t tokens) { tokens_ += tokens; }

  std::uint64_t tokens() const { return tokens_.load(); }
  std::uint64_t requests() const { return requests_.load(); }
  const Budgets& budgets() const { return budgets_; }

 private:
  Budgets budgets_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> tokens_{0}, requests_{0};
  mutable std::mutex mutex_;
  std::string reason_;
  StopCause cause_ = StopCause::none;
  std::optional<std::chrono::steady_clock::time_point> requested_at_;
};

// Parses --deadline: "HH:MM" (the next time the local clock shows it), "YYYY-MM-DDTHH:MM[:SS]"
// (local time; a trailing Z means UTC), or a duration from `now` such as "90m", "8h", "2h30m",
// "45s". Errors say which forms are accepted.
std::optional<std::chrono::system_clock::time_point> parse_deadline(const std::string& text,
                                                                    std::chrono::system_clock::time_point now,
                                                                    std::string& error);

}  // namespace autoif::run
