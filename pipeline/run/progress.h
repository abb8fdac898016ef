// Live progress of a run, for people watching it and for `autoif status`.
//
// Stages count their items here (begin/advance/finish, on the event-loop thread); the sandbox's
// verdicts and the model clients' counters are added by the runner. A reporter thread calls
// tick() at a steady pace: on a terminal (Display::live) the block of per-stage lines is redrawn
// in place; otherwise (Display::plain, e.g. output to a file overnight) one status line is
// printed every `plain_interval`; Display::off prints nothing. Log lines of the stages go
// through note(), which keeps them from tearing the live block.
//
// Contract: every method is thread-safe (one mutex; the counters are tiny). Rendering functions
// are pure, for tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoif::run {

enum class Display { live, plain, off };

struct StageCount {
  std::string name;
  std::size_t done = 0, total = 0;  // total 0: not known (yet)
  bool started = false, finished = false;
  double seconds = 0;  // running time so far
};

struct RequestCounts {
  std::uint64_t in_flight = 0, sent = 0, cached = 0, retried = 0, failed = 0;
  std::uint64_t prompt_tokens = 0, completion_tokens = 0;
};

struct ProgressSnapshot {
  double elapsed_s = 0;
  std::vector<StageCount> stages;  // run order
  std::string current;             // the stage running now
  RequestCounts requests;
  std::map<std::string, std::uint64_t> verdicts;  // sandbox verdict status -> count
};

class Progress {
 public:
  Progress(std::vector<std::string> stage_names, std::FILE* out, Display display,
           std::chrono::milliseconds plain_interval);

  void begin(std::string_view stage, std::size_t total);
  void add_total(std::string_view stage, std::size_t more);
  void advance(std::string_view stage, std::size_t n = 1);
  void finish(std::string_view stage);
  void verdict(std::string_view status, std::uint64_t n = 1);
  void add_cached(std::uint64_t n);
  // The clients' counters (sent, in flight, retries, tokens): replaced, not added.
  void set_client_counts(const RequestCounts& counts);

  // Prints a log line without tearing the live block.
  void note(const std::string& line);
  // Redraws (live) or prints a status line when one is due (plain).
  void tick();
  // Removes the live block before the run's final output.
  void close();

  ProgressSnapshot snapshot() const;

 private:
  StageCount* find(std::string_view stage);
  ProgressSnapshot snapshot_locked() const;
  void erase_block_locked();
  void draw_block_locked();

  mutable std::mutex mutex_;
  std::vector<StageCount> stages_;
  std::vector<std::chrono::steady_clock::time_point> stage_start_;
  std::string current_;
  RequestCounts requests_;
  std::uint64_t cached_ = 0;
  std::map<std::string, std::uint64_t> verdicts_;
  std::FILE* out_;
  Display display_;
  std::chrono::milliseconds plain_interval_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_plain_ = start_;
  std::size_t drawn_lines_ = 0;
  bool closed_ = false;
};

// "1:02:03" / "2:03".
std::string format_duration(double seconds);
// Items per second and the estimated seconds left for a stage; nullopt when not estimable.
std::optional<double> stage_rate(const StageCount& stage);
std::optional<double> stage_eta(const StageCount& stage);
// The live block, one string per line (no newlines).
std::vector<std::string> live_lines(const ProgressSnapshot& snapshot);
// One plain status line (no newline).
std::string status_line(const ProgressSnapshot& snapshot);
// The "run_progress" meta value that `autoif status` reads (see the status module).
nlohmann::json progress_json(const ProgressSnapshot& snapshot, std::string_view state, std::string_view reason,
                             std::chrono::system_clock::time_point started,
                             std::chrono::system_clock::time_point now);
// ISO-8601 UTC, seconds precision: "2026-11-26T12:00:00Z".
std::string iso_utc(std::chrono::system_clock::time_point when);

}  // namespace autoif::run
