#include "pipeline/run/progress.h"

#include <cinttypes>
#include <ctime>

namespace autoif::run {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// 1234567 -> "1.2M", 34000 -> "34k", 999 -> "999".
std::string compact(std::uint64_t n) {
  char text[32];
  if (n >= 10'000'000)
    std::snprintf(text, sizeof text, "%.0fM", n / 1e6);
  else if (n >= 1'000'000)
    std::snprintf(text, sizeof text, "%.1fM", n / 1e6);
  else if (n >= 10'000)
    std::snprintf(text, sizeof text, "%.0fk", n / 1e3);
  else
    std::snprintf(text, sizeof text, "%" PRIu64, n);
  return text;
}

std::string verdict_text(const std::map<std::string, std::uint64_t>& verdicts) {
  std::string text;
  for (const auto& [status, count] : verdicts) {
    if (!text.empty()) text += ", ";
    text += status + " " + std::to_string(count);
  }
  return text.empty() ? "none yet" : text;
}

std::string requests_text(const RequestCounts& r) {
  return std::to_string(r.in_flight) + " in flight, " + std::to_string(r.sent) + " sent, " + std::to_string(r.cached) +
         " from the database, " + std::to_string(r.retried) + " retried, " + std::to_string(r.failed) + " failed";
}

std::string count_text(const StageCount& stage) {
  std::string text = std::to_string(stage.done);
  if (stage.total > 0) text += "/" + std::to_string(stage.total);
  return text;
}

}  // namespace

std::string format_duration(double seconds) {
  if (seconds < 0) seconds = 0;
  auto total = static_cast<long long>(seconds + 0.5);
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
  return text;
}

std::optional<double> stage_rate(const StageCount& stage) {
  if (stage.done == 0 || stage.seconds <= 0) return std::nullopt;
  return stage.done / stage.seconds;
}

std::optional<double> stage_eta(const StageCount& stage) {
  auto rate = stage_rate(stage);
  if (!rate || stage.total == 0 || stage.finished) return std::nullopt;
  return stage.total > stage.done ? (stage.total - stage.done) / *rate : 0.0;
}

std::vector<std::string> live_lines(const ProgressSnapshot& s) {
  std::vector<std::string> lines;
  lines.push_back("autoif run  " + format_duration(s.elapsed_s) + " elapsed  requests: " + requests_text(s.requests) +
                  "  tokens: " + compact(s.requests.prompt_tokens) + " in, " + compact(s.requests.completion_tokens) +
                  " out");
  for (const auto& stage : s.stages) {
    char line[200];
    std::string state;
    if (stage.finished) {
      state = "done in " + format_duration(stage.seconds);
    } else if (!stage.started) {
      state = "waiting";
    } else {
      char rate[64] = "";
      if (auto r = stage_rate(stage)) std::snprintf(rate, sizeof rate, "%.2f/s", *r);
      auto eta = stage_eta(stage);
      state = std::string(rate) + (eta ? "  ETA " + format_duration(*eta) : "");
    }
    std::snprintf(line, sizeof line, "  %c %-17s %13s  %s", stage.name == s.current && !stage.finished ? '>' : ' ',
                  stage.name.c_str(), stage.started ? count_text(stage).c_str() : "-", state.c_str());
    lines.emplace_back(line);
  }
  lines.push_back("  sandbox verdicts: " + verdict_text(s.verdicts));
  return lines;
}

std::string status_line(const ProgressSnapshot& s) {
  std::string line = "[" + format_duration(s.elapsed_s) + "] ";
  const StageCount* current = nullptr;
  for (const auto& stage : s.stages)
    if (stage.name == s.current) current = &stage;
  if (current) {
    line += current->name + " " + count_text(*current);
    if (auto rate = stage_rate(*current)) {
      char text[64];
      std::snprintf(text, sizeof text, " (%.2f/s", *rate);
      line += text;
      if (auto eta = stage_eta(*current)) line += ", ETA " + format_duration(*eta);
      line += ")";
    }
  } else {
    line += "starting";
  }
  line += " | requests " + requests_text(s.requests) + " | tokens " + std::to_string(s.requests.prompt_tokens) +
          " in, " + std::to_string(s.requests.completion_tokens) + " out | sandbox " + verdict_text(s.verdicts);
  return line;
}

std::string iso_utc(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm parts{};
  gmtime_r(&t, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

nlohmann::json progress_json(const ProgressSnapshot& s, std::string_view state, std::string_view reason,
                             std::chrono::system_clock::time_point started, std::chrono::system_clock::time_point now) {
  nlohmann::json stages = nlohmann::json::object();
  for (const auto& stage : s.stages) {
    if (!stage.started) continue;
    auto rate = stage_rate(stage);
    auto eta = stage_eta(stage);
    stages[stage.name] = {{"done", stage.done},
                          {"total", stage.total},
                          {"finished", stage.finished},
                          {"rate_per_s", rate ? nlohmann::json(*rate) : nlohmann::json()},
                          {"eta_s", eta ? nlohmann::json(*eta) : nlohmann::json()}};
  }
  return {{"state", state},
          {"reason", reason},
          {"started_at", iso_utc(started)},
          {"updated_at", iso_utc(now)},
          {"elapsed_s", s.elapsed_s},
          {"stage", s.current},
          {"stages", stages},
          {"requests",
           {{"in_flight", s.requests.in_flight},
            {"sent", s.requests.sent},
            {"cached", s.requests.cached},
            {"retried", s.requests.retried},
            {"failed", s.requests.failed}}},
          {"tokens", {{"prompt", s.requests.prompt_tokens}, {"completion", s.requests.completion_tokens}}},
          {"sandbox", s.verdicts}};
}

Progress::Progress(std::vector<std::string> stage_names, std::FILE* out, Display display,
                   std::chrono::milliseconds plain_interval)
    : out_(out), display_(display), plain_interval_(plain_interval) {
  for (auto& name : stage_names) stages_.push_back(StageCount{std::move(name)});
  stage_start_.resize(stages_.size());
}

StageCount* Progress::find(std::string_view stage) {
  for (auto& entry : stages_)
    if (entry.name == stage) return &entry;
  stages_.push_back(StageCount{std::string(stage)});
  stage_start_.emplace_back();
  return &stages_.back();
}

void Progress::begin(std::string_view stage, std::size_t total) {
  std::lock_guard lock(mutex_);
  auto* entry = find(stage);
  if (!entry->started) stage_start_[entry - stages_.data()] = Clock::now();
  entry->started = true;
  entry->finished = false;
  entry->total = total;
  current_ = std::string(stage);
}

void Progress::add_total(std::string_view stage, std::size_t more) {
  std::lock_guard lock(mutex_);
  find(stage)->total += more;
}

void Progress::advance(std::string_view stage, std::size_t n) {
  std::lock_guard lock(mutex_);
  find(stage)->done += n;
}

void Progress::finish(std::string_view stage) {
  std::lock_guard lock(mutex_);
  auto* entry = find(stage);
  entry->seconds = entry->started ? seconds_between(stage_start_[entry - stages_.data()], Clock::now()) : 0;
  entry->started = entry->finished = true;
}

void Progress::verdict(std::string_view status, std::uint64_t n) {
  std::lock_guard lock(mutex_);
  verdicts_[std::string(status)] += n;
}

void Progress::add_cached(std::uint64_t n) {
  std::lock_guard lock(mutex_);
  cached_ += n;
}

void Progress::set_client_counts(const RequestCounts& counts) {
  std::lock_guard lock(mutex_);
  requests_ = counts;
}

ProgressSnapshot Progress::snapshot_locked() const {
  ProgressSnapshot s;
  auto now = Clock::now();
  s.elapsed_s = seconds_between(start_, now);
  s.stages = stages_;
  for (std::size_t i = 0; i < s.stages.size(); ++i)
    if (s.stages[i].started && !s.stages[i].finished) s.stages[i].seconds = seconds_between(stage_start_[i], now);
  s.current = current_;
  s.requests = requests_;
  s.requests.cached = cached_;
  s.verdicts = verdicts_;
  return s;
}

ProgressSnapshot Progress::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_locked();
}

void Progress::erase_block_locked() {
  if (drawn_lines_ == 0) return;
  // Up to the block's first line, then clear to the end of the screen.
  std::fprintf(out_, "\x1b[%zuA\r\x1b[J", drawn_lines_);
  drawn_lines_ = 0;
}

void Progress::draw_block_locked() {
  auto lines = live_lines(snapshot_locked());
  for (const auto& line : lines) std::fprintf(out_, "\x1b[2K%s\n", line.c_str());
  drawn_lines_ = lines.size();
  std::fflush(out_);
}

void Progress::note(const std::string& line) {
  std::lock_guard lock(mutex_);
  if (display_ == Display::live && !closed_) {
    erase_block_locked();
    std::fprintf(out_, "%s\n", line.c_str());
    draw_block_locked();
    return;
  }
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

void Progress::tick() {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  if (display_ == Display::live) {
    erase_block_locked();
    draw_block_locked();
  } else if (display_ == Display::plain) {
    auto now = Clock::now();
    if (now - last_plain_ < plain_interval_) return;
    last_plain_ = now;
    std::fprintf(out_, "%s\n", status_line(snapshot_locked()).c_str());
    std::fflush(out_);
  }
}

void Progress::close() {
  std::lock_guard lock(mutex_);
  if (display_ == Display::live && !closed_) {
    erase_block_locked();
    draw_block_locked();  // the final state stays on screen
  }
  closed_ = true;
}

}  // namespace autoif::run
