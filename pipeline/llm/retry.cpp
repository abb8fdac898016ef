#include "pipeline/llm/retry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>
#include <string>

namespace autoif::llm {

std::string_view name(RetryCause cause) {
  static constexpr std::array<std::string_view, kRetryCauseCount> kNames = {
      "http_408", "http_409",       "http_429",         "http_5xx",     "timeout",
      "connect",  "connection_reset", "invalid_body",   "transport",    "n_rejected"};
  return kNames[static_cast<std::size_t>(cause)];
}

std::optional<RetryCause> retry_cause_for_status(int status) {
  if (status == 408) return RetryCause::status_408;
  if (status == 409) return RetryCause::status_409;
  if (status == 429) return RetryCause::status_429;
  if (status >= 500 && status <= 599) return RetryCause::status_5xx;
  return std::nullopt;
}

std::optional<RetryCause> retry_cause_for(TransportErrorKind kind) {
  switch (kind) {
    case TransportErrorKind::timeout:
      return RetryCause::timeout;
    case TransportErrorKind::connect_failed:
      return RetryCause::connect_failed;
    case TransportErrorKind::connection_reset:
      return RetryCause::connection_reset;
    case TransportErrorKind::other:
      return RetryCause::transport_other;
    case TransportErrorKind::shutdown:
      return std::nullopt;
  }
  return std::nullopt;
}

std::chrono::milliseconds backoff_delay(int retry, std::chrono::milliseconds base,
                                        std::chrono::milliseconds max_delay,
                                        std::mt19937_64& rng) {
  // Doubling in floating point cannot overflow; the cap applies before the draw.
  double ceiling = static_cast<double>(base.count()) * std::pow(2.0, std::max(retry, 1) - 1);
  ceiling = std::min(ceiling, static_cast<double>(max_delay.count()));
  if (ceiling <= 0) return std::chrono::milliseconds(0);
  std::uniform_real_distribution<double> draw(0.0, ceiling);
  return std::chrono::milliseconds(static_cast<std::int64_t>(draw(rng)));
}

namespace {

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view value) {
  // IMF-fixdate, RFC 850, asctime: RFC 9110 section 5.6.7.
  static constexpr const char* kFormats[] = {"%a, %d %b %Y %H:%M:%S GMT",
                                             "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"};
  std::string text(value);
  for (const char* format : kFormats) {
    std::tm parts{};
    const char* end = ::strptime(text.c_str(), format, &parts);
    if (end == nullptr || *end != '\0') continue;
    std::time_t seconds = ::timegm(&parts);
    if (seconds == -1) continue;
    return std::chrono::system_clock::from_time_t(seconds);
  }
  return std::nullopt;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<double> parse_number(std::string_view text) {
  double number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size() || !(number >= 0)) {
    return std::nullopt;
  }
  return number;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (auto seconds = parse_number(value)) {
    // A day is far beyond any sane wish; the cap keeps the conversion in range.
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(*seconds, 86400.0) * 1000));
  }
  if (auto date = parse_http_date(value)) {
    auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(*date - now);
    return std::max(delay, std::chrono::milliseconds(0));
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> retry_after_of(
    const HttpResponse& response, std::chrono::system_clock::time_point now) {
  if (auto value = response.header("retry-after")) {
    if (auto delay = parse_retry_after(*value, now)) return delay;
  }
  if (auto value = response.header("retry-after-ms")) {
    if (auto ms = parse_number(trim(*value))) {
      return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(*ms, 86400e3)));
    }
  }
  return std::nullopt;
}

}  // namespace autoif::llm
