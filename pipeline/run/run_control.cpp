#include "pipeline/run/run_control.h"

#include <cctype>
#include <ctime>

namespace autoif::run {

void RunControl::request_stop(std::string reason, StopCause cause) {
  std::lock_guard lock(mutex_);
  if (stopping_.load()) return;
  reason_ = std::move(reason);
  cause_ = cause;
  requested_at_ = std::chrono::steady_clock::now();
  stopping_.store(true, std::memory_order_release);
}

std::string RunControl::reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

StopCause RunControl::cause() const {
  std::lock_guard lock(mutex_);
  return cause_;
}

std::optional<std::chrono::steady_clock::time_point> RunControl::stop_requested_at() const {
  std::lock_guard lock(mutex_);
  return requested_at_;
}

void RunControl::check_deadline() {
  if (budgets_.deadline && std::chrono::system_clock::now() >= *budgets_.deadline)
    request_stop("the deadline (--deadline) has passed", StopCause::budget);
}

bool RunControl::may_send() {
  if (stopping()) return false;
  if (budgets_.max_requests && requests_.load() >= *budgets_.max_requests)
    request_stop("the request budget (--max-requests " + std::to_string(*budgets_.max_requests) + ") is spent",
                 StopCause::budget);
  else if (budgets_.max_tokens && tokens_.load() >= *budgets_.max_tokens)
    request_stop("the token budget (--max-tokens " + std::to_string(*budgets_.max_tokens) + ") is spent",
                 StopCause::budget);
  else
    check_deadline();
  return !stopping();
}

namespace {

// "2h30m", "90m", "45s", "8h": a sum of number+unit parts; nullopt when it is not one.
std::optional<std::chrono::seconds> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::chrono::seconds total{0};
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || i == text.size() || i - start > 9) return std::nullopt;
    long long value = std::stoll(text.substr(start, i - start));
    switch (text[i++]) {
      case 'h': total += std::chrono::hours(value); break;
      case 'm': total += std::chrono::minutes(value); break;
      case 's': total += std::chrono::seconds(value); break;
      default: return std::nullopt;
    }
  }
  return total;
}

bool digits(const std::string& text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return false;
  for (std::size_t i = at; i < at + count; ++i)
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  return true;
}

int number(const std::string& text, std::size_t at, std::size_t count) { return std::stoi(text.substr(at, count)); }

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_deadline(const std::string& text,
                                                                    std::chrono::system_clock::time_point now,
                                                                    std::string& error) {
  using clock = std::chrono::system_clock;
  if (auto duration = parse_duration(text)) return now + *duration;
  std::tm when{};
  when.tm_isdst = -1;
  bool utc = false;
  if (text.size() == 5 && digits(text, 0, 2) && text[2] == ':' && digits(text, 3, 2)) {
    std::time_t t = clock::to_time_t(now);
    localtime_r(&t, &when);
    when.tm_hour = number(text, 0, 2);
    when.tm_min = number(text, 3, 2);
    when.tm_sec = 0;
    when.tm_isdst = -1;
    if (when.tm_hour < 24 && when.tm_min < 60) {
      auto at = clock::from_time_t(std::mktime(&when));
      if (at <= now) {
        ++when.tm_mday;  // mktime normalises the day overflow
        when.tm_isdst = -1;
        at = clock::from_time_t(std::mktime(&when));
      }
      return at;
    }
  } else if ((text.size() == 16 || text.size() == 19 || text.size() == 17 || text.size() == 20) &&
             digits(text, 0, 4) && text[4] == '-' && digits(text, 5, 2) && text[7] == '-' && digits(text, 8, 2) &&
             (text[10] == 'T' || text[10] == ' ') && digits(text, 11, 2) && text[13] == ':' && digits(text, 14, 2)) {
    std::string rest = text.substr(16);
    if (!rest.empty() && rest.back() == 'Z') {
      utc = true;
      rest.pop_back();
    }
    bool seconds_ok = rest.empty() || (rest.size() == 3 && rest[0] == ':' && digits(rest, 1, 2));
    if (seconds_ok) {
      when.tm_year = number(text, 0, 4) - 1900;
      when.tm_mon = number(text, 5, 2) - 1;
      when.tm_mday = number(text, 8, 2);
      when.tm_hour = number(text, 11, 2);
      when.tm_min = number(text, 14, 2);
      when.tm_sec = rest.empty() ? 0 : number(rest, 1, 2);
      if (when.tm_mon < 12 && when.tm_mday >= 1 && when.tm_mday <= 31 && when.tm_hour < 24 && when.tm_min < 60 &&
          when.tm_sec < 61)
        return clock::from_time_t(utc ? timegm(&when) : std::mktime(&when));
    }
  }
  error = "--deadline: cannot read '" + text +
          "'; use a clock time (06:30, the next time the local clock shows it), a local date and time "
          "(2026-11-27T06:30, or ...Z for UTC) or a duration (90m, 8h, 2h30m)";
  return std::nullopt;
}

}  // namespace autoif::run
