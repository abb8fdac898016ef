// The retry policy as pure functions: which outcomes are worth another attempt, how long to
// wait before it, and how to read Retry-After. Kept apart from the client so each rule has
// its own test.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

#include "pipeline/llm/transport.h"

namespace autoif::llm {

// Why an attempt is retried; Stats counts retries per cause.
enum class RetryCause : std::uint8_t {
  status_408,
  status_409,
  status_429,
  status_5xx,
  timeout,
  connect_failed,
  connection_reset,
  invalid_body,    // 2xx whose body is not a usable chat completion
  transport_other,
  n_rejected,      // a 400 to n > 1: retried as one request per sample
};
inline constexpr std::size_t kRetryCauseCount = 10;
std::string_view name(RetryCause cause);

// The retry cause for an HTTP status; nullopt for 2xx and for statuses that retrying cannot
// fix (400, 401, 403, 404 and every other status that is not 408, 409, 429 or 5xx).
std::optional<RetryCause> retry_cause_for_status(int status);
// Every transport failure but `shutdown` is retryable.
std::optional<RetryCause> retry_cause_for(TransportErrorKind kind);

// Exponential backoff with full jitter: uniform in [0, min(max_delay, base * 2^(retry - 1))]
// for the retry-th retry (1-based).
std::chrono::milliseconds backoff_delay(int retry, std::chrono::milliseconds base,
                                        std::chrono::milliseconds max_delay,
                                        std::mt19937_64& rng);

// Retry-After as delay-seconds ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT",
// and the obsolete RFC 850 and asctime forms); a date in the past gives zero. nullopt when
// the value is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// The server's wish from a response: Retry-After, else the OpenAI-style retry-after-ms.
std::optional<std::chrono::milliseconds> retry_after_of(
    const HttpResponse& response, std::chrono::system_clock::time_point now);

}  // namespace autoif::llm
