// The client's view of its endpoints: which one gets the next request (round-robin), how
// many requests each has in flight, which ones to avoid for a while because they keep failing
// or asked to wait, and which ones answer n > 1. Internal to the client; not thread-safe
// (the client holds its lock), time passed in explicitly so tests step it by hand.
//
// Avoidance is a small circuit breaker: after kTripFailures failures in a row an endpoint is
// avoided for base, then gets one probe request at a time; each failed probe doubles the next
// pause (capped) and a success closes it again. A Retry-After from the server avoids it at least that
// long, whatever the count.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/llm/config.h"
#include "pipeline/llm/secret.h"
#include "pipeline/llm/transport.h"

namespace autoif::llm {

enum class NSupport { unknown, yes, no };

struct EndpointState {
  std::string url;      // where requests go; may hold credentials, so only for the transport
  std::string display;  // base URL without credentials, for messages
  std::string key_env;  // the environment variable named in the config ("" for none)
  bool key_missing = false;     // the variable was named but not set
  std::vector<Header> headers;  // Authorization when there is a key
  Secret key;                   // kept to redact it from any text the server echoes
  std::size_t in_flight = 0;
  int consecutive_failures = 0;
  int trips = 0;  // pauses since the last success; each one twice as long as the one before
  std::chrono::steady_clock::time_point avoid_until{};
  NSupport n_support = NSupport::unknown;
};

class EndpointPool {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr int kTripFailures = 3;

  EndpointPool(std::vector<EndpointState> endpoints, std::size_t max_in_flight,
               std::chrono::milliseconds base_avoid, std::chrono::milliseconds max_avoid);

  // Builds the states from a config, reading API keys (secret.h).
  static std::vector<EndpointState> from_config(const ModelConfig& config);

  // The next endpoint, round-robin, that is not avoided at `now` and has a free slot.
  std::optional<std::size_t> pick(TimePoint now);
  // When some endpoint that is avoided now becomes usable again; nullopt if none is avoided.
  std::optional<TimePoint> next_usable(TimePoint now) const;

  void succeeded(std::size_t index);
  void failed(std::size_t index, TimePoint now, std::optional<std::chrono::milliseconds> wait);

  EndpointState& operator[](std::size_t index) { return endpoints_[index]; }
  const EndpointState& operator[](std::size_t index) const { return endpoints_[index]; }
  std::size_t size() const { return endpoints_.size(); }
  std::size_t in_flight() const;

 private:
  std::size_t capacity(const EndpointState& endpoint) const;

  std::vector<EndpointState> endpoints_;
  std::size_t max_in_flight_;
  std::chrono::milliseconds base_avoid_;
  std::chrono::milliseconds max_avoid_;
  std::size_t next_ = 0;
};

}  // namespace autoif::llm
