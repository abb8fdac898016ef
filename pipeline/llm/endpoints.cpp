#include "pipeline/llm/endpoints.h"

#include <algorithm>

namespace autoif::llm {

EndpointPool::EndpointPool(std::vector<EndpointState> endpoints, std::size_t max_in_flight,
                           std::chrono::milliseconds base_avoid,
                           std::chrono::milliseconds max_avoid)
    : endpoints_(std::move(endpoints)),
      max_in_flight_(std::max<std::size_t>(1, max_in_flight)),
      base_avoid_(base_avoid),
      max_avoid_(max_avoid) {}

std::vector<EndpointState> EndpointPool::from_config(const ModelConfig& config) {
  std::vector<EndpointState> states;
  for (const EndpointConfig& endpoint : config.endpoints) {
    EndpointState state;
    std::string base = endpoint.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    state.url = base + "/chat/completions";
    state.display = redact_url(base);
    state.key_env = endpoint.api_key_env;
    if (!endpoint.api_key_env.empty()) {
      if (auto key = take_api_key_from_env(endpoint.api_key_env)) {
        state.key = *key;
        state.headers.emplace_back("Authorization", "Bearer " + key->reveal());
      } else {
        state.key_missing = true;
      }
    }
    states.push_back(std::move(state));
  }
  return states;
}

std::size_t EndpointPool::capacity(const EndpointState& endpoint) const {
  // A tripped endpoint gets one probe at a time until it answers again.
  return endpoint.consecutive_failures >= kTripFailures ? 1 : max_in_flight_;
}

std::optional<std::size_t> EndpointPool::pick(TimePoint now) {
  for (std::size_t step = 0; step < endpoints_.size(); ++step) {
    std::size_t index = (next_ + step) % endpoints_.size();
    const EndpointState& endpoint = endpoints_[index];
    if (endpoint.avoid_until <= now && endpoint.in_flight < capacity(endpoint)) {
      next_ = (index + 1) % endpoints_.size();
      return index;
    }
  }
  return std::nullopt;
}

std::optional<EndpointPool::TimePoint> EndpointPool::next_usable(TimePoint now) const {
  std::optional<TimePoint> earliest;
  for (const EndpointState& endpoint : endpoints_) {
    if (endpoint.avoid_until > now && endpoint.in_flight < capacity(endpoint)) {
      earliest = earliest ? std::min(*earliest, endpoint.avoid_until) : endpoint.avoid_until;
    }
  }
  return earliest;
}

void EndpointPool::succeeded(std::size_t index) {
  endpoints_[index].consecutive_failures = 0;
  endpoints_[index].trips = 0;
}

void EndpointPool::failed(std::size_t index, TimePoint now,
                          std::optional<std::chrono::milliseconds> wait) {
  EndpointState& endpoint = endpoints_[index];
  ++endpoint.consecutive_failures;
  // Failures that arrive while the endpoint is avoided were sent before it tripped; they say
  // nothing new, so only a failure after the pause (a failed probe) lengthens the next one.
  if (endpoint.consecutive_failures >= kTripFailures && now >= endpoint.avoid_until) {
    int doublings = std::min(endpoint.trips, 20);
    ++endpoint.trips;
    auto avoid = std::min<std::chrono::milliseconds>(max_avoid_, base_avoid_ * (1LL << doublings));
    endpoint.avoid_until = now + avoid;
  }
  if (wait) endpoint.avoid_until = std::max(endpoint.avoid_until, now + *wait);
}

std::size_t EndpointPool::in_flight() const {
  std::size_t total = 0;
  for (const EndpointState& endpoint : endpoints_) total += endpoint.in_flight;
  return total;
}

}  // namespace autoif::llm
