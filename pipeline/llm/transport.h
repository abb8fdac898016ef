// The one seam between the client and the network: send an HTTP request, get told once how it
// went. It exists so that the client's policy (retries, limits, fallbacks, fatal stop) can be
// tested with a scripted FakeTransport, and so that the real network lives in one file
// (CurlTransport).
//
// Contract
//   - send() never blocks on the network and never calls `done` itself: `done` runs later,
//     exactly once, on a thread owned by the transport (the same thread for every request of
//     one transport). `done` may call send() again.
//   - A response of any HTTP status is a success of the transport; only "no complete
//     response" (timeout, refused, reset, cut-off body, shutdown) is a TransportError.
//   - Destroying a transport completes every outstanding request with kind `shutdown`
//     before the destructor returns.
//   - Headers may hold secrets (Authorization); a transport never logs or echoes them.
#pragma once

#include <tl/expected.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autoif::llm {

using Header = std::pair<std::string, std::string>;

struct HttpRequest {
  std::string url;
  std::vector<Header> headers;  // besides Content-Type: application/json, which is implied
  std::string body;             // sent with POST
  std::chrono::milliseconds timeout{0};  // whole exchange; 0: none
};

struct HttpResponse {
  int status = 0;
  std::vector<Header> headers;  // names lower-cased
  std::string body;

  std::optional<std::string_view> header(std::string_view lower_case_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_case_name) return value;
    }
    return std::nullopt;
  }
};

enum class TransportErrorKind {
  timeout,           // no complete answer within the request's timeout
  connect_failed,    // refused, unreachable, name not resolved
  connection_reset,  // dropped, reset, or closed before the whole body arrived
  other,             // anything else the transport could not complete
  shutdown,          // the transport was destroyed first
};

struct TransportError {
  TransportErrorKind kind = TransportErrorKind::other;
  std::string message;  // what failed, with the URL (no credentials)
};

using HttpOutcome = tl::expected<HttpResponse, TransportError>;

class Transport {
 public:
  using Completion = std::function<void(HttpOutcome)>;
  virtual ~Transport() = default;
  virtual void send(HttpRequest request, Completion done) = 0;
};

}  // namespace autoif::llm
