// A small HTTP/1.1 server for loopback tests, the stub LLM and benchmarks: one epoll event-loop
// thread serves thousands of keep-alive connections, and every answer comes from a Handler.
//
// Why it exists: the LLM client must be exercised over real sockets (keep-alive, many requests
// in flight, resets, cut bodies, Retry-After), and a real server is the only honest way to do
// that. It is deliberately not a general web server: no TLS, no chunked request bodies
// (answered 501), no HTTP/2. Requests are answered one at a time per connection, in order;
// a pipelined request simply waits in the buffer until the previous answer is written.
//
// The Handler contract
//   - Called on the event-loop thread, once per complete request, in arrival order per
//     connection. It must return quickly: a slow handler stalls every connection. To make an
//     answer slow, return it with a `delay`; the loop keeps it in a timer queue and sends it
//     when due, so 1,000 delayed answers cost no threads and block nothing.
//   - It may throw; the server then answers 500 with the exception's text.
//   - It must not call stop() or destroy the server (the loop thread would wait on itself).
//
// Fault injection: wrap a Handler, like leveldb's EnvWrapper wraps an Env. The wrapper decides
// per request whether to answer itself (with a fault) or to delegate:
//
//     Handler flaky(Handler inner) {
//       auto count = std::make_shared<int>(0);
//       return [inner, count](const Request& request) {
//         switch ((*count)++ % 4) {
//           case 0: return Response::json(429, R"({"error":{"message":"slow down"}})")
//                       .with_retry_after(1);
//           case 1: return Response::close_connection();
//           case 2: return inner(request).cut_after(10);   // headers + 10 body bytes, then close
//           default: return inner(request);
//         }
//       };
//     }
//
// Threading: start() binds and listens on the calling thread (so "address in use" is an error
// returned to the caller, and port() is known at once), then serves on its own thread until
// stop(). stop() and the accessors are safe from any thread except the handler's.
#pragma once

#include <tl/expected.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autoif::stub {

struct Request {
  std::string method;  // as sent, e.g. "POST"
  std::string target;  // the request target as sent, query string included
  std::string path;    // target without the query string
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  // The first header with this name (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
};

// What the server does with a Response once its delay has passed.
enum class Action {
  respond,       // send status, headers and the whole body; keep the connection open
  close,         // close the connection without sending a byte (the client sees EOF)
  reset,         // close with a TCP RST (the client sees "connection reset by peer")
  cut_body,      // send status, headers (with the full Content-Length) and only the first
                 // `cut_at` body bytes, then close: a cut-off body
};

struct Response {
  int status = 200;
  // Extra headers. Content-Length and Connection are written by the server; anything the
  // handler puts here under those names is ignored.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // wait this long (timer queue, not a sleep) before acting
  Action action = Action::respond;
  std::size_t cut_at = 0;  // for Action::cut_body
  bool close_after = false;  // answer, then close (as if the client had sent Connection: close)

  // A response with `Content-Type: application/json`.
  static Response json(int status, std::string body);
  static Response text(int status, std::string body);
  // Faults: no answer at all, as an EOF or as a reset.
  static Response close_connection();
  static Response reset_connection();

  // Builder-style modifiers; each returns a modified copy so wrappers can chain them.
  Response with_retry_after(int seconds) &&;
  Response with_header(std::string name, std::string value) &&;
  Response with_delay(std::chrono::milliseconds delay) &&;
  Response cut_after(std::size_t body_bytes) &&;
};

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  std::string host = "127.0.0.1";  // a numeric IPv4 or IPv6 address, or "localhost"
  std::uint16_t port = 0;          // 0: the kernel picks a free port; see HttpServer::port()
  std::size_t max_header_bytes = 64 * 1024;         // larger: 431 and close
  std::size_t max_body_bytes = 64 * 1024 * 1024;    // larger: 413 and close
};

// Counters, read without stopping the server.
struct ServerStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_open = 0;
  std::uint64_t requests = 0;  // complete requests handed to the handler
};

class HttpServer {
 public:
  // Binds, listens and starts the loop thread. Raises this process's RLIMIT_NOFILE soft limit
  // to the hard limit first, so thousands of connections fit. Errors name the failing call,
  // the address and errno's text.
  static tl::expected<std::unique_ptr<HttpServer>, std::string> start(ServerOptions options,
                                                                      Handler handler);

  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;      // the bound port (the real one when options.port was 0)
  const std::string& host() const;
  ServerStats stats() const;

  // Stops accepting, closes every connection (delayed answers still queued are dropped) and
  // joins the loop thread. Idempotent; safe from any thread but the handler's.
  void stop();

 private:
  class Loop;
  explicit HttpServer(std::unique_ptr<Loop> loop);
  std::unique_ptr<Loop> loop_;
};

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit.
std::uint64_t raise_open_file_limit();

}  // namespace autoif::stub
