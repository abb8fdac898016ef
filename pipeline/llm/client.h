// The chat-completions client: many requests in flight over a Transport, with the policy a
// 10^5-request night needs. One Client per model role.
//
// What it does with each request
//   - Spreads requests round-robin over the config's endpoints, at most max_in_flight per
//     endpoint; an endpoint that keeps failing (3 in a row) or asked to wait (429 with
//     Retry-After) is avoided for a growing while.
//   - Waits for the requests- and tokens-per-minute buckets when the config sets them.
//   - Retries 408, 409, 429, 5xx, timeouts, refused or reset connections and bodies that are
//     not a usable completion, after exponential backoff with full jitter (at least the
//     server's Retry-After), up to max_retries; then that sample fails with
//     retries_exhausted.
//   - Asks for n > 1 samples in one request where the server complies; when it returns fewer
//     choices or rejects n with a 400, the missing samples go out as separate requests and the
//     endpoint is remembered as one that does not do n.
//   - Any other failure (400, 401, 403, 404, unknown model, ...) is FATAL: the client keeps
//     one message naming the endpoint and the server's error, fails every pending sample with
//     it at once, and fails every later submit at once. The caller should stop the run.
//     The same happens when every attempt on every endpoint has failed for stall_timeout
//     (a server that is down or misaddressed), so a run never waits forever in silence, and,
//     when unreachable_timeout is set, much sooner for a server that has never answered and
//     refuses every connection (nothing is running at base_url). The texts, with what to do
//     about each (API key variable, model name, base URL), are in messages.h.
//
// Threading and callbacks
//   - Every public method is thread-safe.
//   - A SampleCallback runs exactly once per sample, on the transport's thread, on the client's
//     timer thread, or inside submit() itself (when the client is already fatal). It runs
//     without any client lock held, so it may call submit(); it should return quickly, since
//     the transport's thread is the one that moves all I/O.
//   - Destroying the client fails what is still pending with kind `cancelled` and returns
//     only after those callbacks ran. The Transport must outlive the Client.
//
// Secrets: the API keys are read from the environment when the client is created (see
// secret.h) and sent only in the Authorization header. They are not in any LlmError, in
// what the observer gets, in the stats, or in anything else the client hands out.
#pragma once

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/llm/chat.h"
#include "pipeline/llm/clock.h"
#include "pipeline/llm/config.h"
#include "pipeline/llm/retry.h"
#include "pipeline/llm/transport.h"

namespace autoif::llm {

// One HTTP exchange that got a response (any status), for recording cassettes and debugging.
struct Exchange {
  std::string endpoint;            // base URL without credentials
  const nlohmann::json* request;   // the body sent (holds no secret); valid during the call
  int status = 0;
  std::string_view response_body;  // as received; valid during the call
  // The parsed body when it is a usable chat completion, else null; valid during the call.
  const nlohmann::json* response;
  std::chrono::microseconds latency{0};
};
// Called on the transport's thread for every exchange; must be quick and thread-safe.
using ExchangeObserver = std::function<void(const Exchange&)>;

struct ClientStats {
  std::uint64_t samples_submitted = 0;
  std::uint64_t samples_succeeded = 0;
  std::uint64_t samples_failed = 0;
  std::uint64_t samples_truncated = 0;  // finish_reason "length"
  std::uint64_t http_requests = 0;      // attempts sent, retries included
  std::uint64_t in_flight = 0;
  std::uint64_t queued = 0;             // requests waiting: for a slot, a limit or a backoff
  std::array<std::uint64_t, kRetryCauseCount> retries{};  // index: RetryCause
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
  std::chrono::microseconds latency_total{0};  // over successful attempts
  std::chrono::microseconds latency_max{0};
  std::uint64_t retries_total() const;
  std::chrono::microseconds latency_mean() const;
};

struct ClientOptions {
  std::shared_ptr<Clock> clock;  // default: SteadyClock
  // true: a timer thread sends retries and limited requests when they are due.
  // false (tests): nothing happens in time by itself; the test calls pump() after moving a
  // FakeClock, and can ask next_wakeup() how far to move it.
  bool timer_thread = true;
  std::optional<std::uint64_t> random_seed;  // jitter; default: random_device
  ExchangeObserver observer;
};

class Client {
 public:
  // The sample's index (request.sample_index + k) and its outcome.
  using SampleCallback = std::function<void(std::size_t sample_index, SampleOutcome outcome)>;

  // Validates the config and reads the endpoints' API keys from the environment.
  static tl::expected<std::unique_ptr<Client>, std::string> create(ModelConfig config,
                                                                   Transport& transport,
                                                                   ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Asks for samples request.sample_index .. + request.count - 1 of these messages.
  // `on_sample` runs once per sample (see the threading notes above). count 0 does nothing.
  void submit(ChatRequest request, SampleCallback on_sample);
  // The same, collected: the future holds one outcome per sample, in sample order.
  std::future<std::vector<SampleOutcome>> submit(ChatRequest request);

  // Set once a non-retryable error stopped the client; the message is ready to print.
  std::optional<LlmError> fatal_error() const;
  ClientStats stats() const;
  const ModelConfig& config() const;

  // Blocks until every submitted sample has had its callback run (or the timeout passed;
  // then false).
  bool wait_idle(std::chrono::milliseconds timeout = std::chrono::milliseconds::max());

  // Manual mode (timer_thread = false): sends what is due at clock->now(). Harmless otherwise.
  void pump();
  // The earliest time at which something waits to be sent (a backoff, a limit, an avoided
  // endpoint); nullopt when nothing waits on time.
  std::optional<Clock::TimePoint> next_wakeup() const;

 private:
  class Core;
  explicit Client(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

}  // namespace autoif::llm
