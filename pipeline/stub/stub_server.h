// The stub LLM: an OpenAI-compatible chat-completions server that answers from a cassette, so
// the quickstart, end-to-end tests and benchmarks run over real HTTP without a model.
//
// Routes (also without the /v1 prefix):
//   POST /v1/chat/completions  the matching entry's answer as a chat.completion object
//                              ("id", "object", "created", "model" filled in; the first n
//                              choices when the request asks n; usage recorded or estimated)
//   GET  /v1/models            every model the cassette names
//   GET  /v1/models/ID         that model, or 404
//   GET  /health               200 "ok", for scripts waiting for the server to come up
// Errors use OpenAI's shape {"error": {"message", "type", "param", "code"}}:
//   400 invalid_json            the body is not a JSON object
//   400 stream_unsupported      "stream": true
//   404 model_not_found         no entry matched and the cassette never names this model
//   400 cassette_miss           no entry matched ("no cassette entry for this request ...")
//   400 cassette_too_few_choices  the matching entry has fewer choices than the request's n
// The added latency (if any) delays every chat-completions answer through the server's timer
// queue, so a thousand requests in flight all finish after about one latency.
#pragma once

#include <tl/expected.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "pipeline/stub/cassette.h"
#include "pipeline/stub/http_server.h"

namespace autoif::stub {

struct StubStats {
  std::uint64_t served = 0;        // chat completions answered from the cassette
  std::uint64_t missed = 0;        // cassette_miss, model_not_found, too few choices
  std::uint64_t bad_requests = 0;  // malformed bodies, streaming, unknown routes
};

// The cassette as a Handler, without a server around it: for tests that wrap it in faults or
// serve it from their own HttpServer. Counters are atomic, so stats() is safe from any thread.
class StubLlm {
 public:
  StubLlm(std::shared_ptr<const Cassette> cassette, std::chrono::milliseconds latency);
  Response handle(const Request& request);
  StubStats stats() const;

 private:
  Response complete(const Request& request);
  Response list_models() const;

  std::shared_ptr<const Cassette> cassette_;
  std::chrono::milliseconds latency_;
  std::atomic<std::uint64_t> served_{0}, missed_{0}, bad_{0}, next_id_{1};
};

struct StubOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::chrono::milliseconds latency{0};
  // Optional: wraps the stub's handler before serving it, e.g. to inject faults.
  std::function<Handler(Handler)> wrap;
};

class StubServer {
 public:
  static tl::expected<std::unique_ptr<StubServer>, std::string> start(Cassette cassette,
                                                                      StubOptions options);
  std::uint16_t port() const { return server_->port(); }
  std::string base_url() const;  // "http://HOST:PORT/v1"
  StubStats stats() const { return llm_->stats(); }
  ServerStats http_stats() const { return server_->stats(); }
  void stop() { server_->stop(); }  // see HttpServer::stop()

 private:
  StubServer(std::shared_ptr<StubLlm> llm, std::unique_ptr<HttpServer> server)
      : llm_(std::move(llm)), server_(std::move(server)) {}
  std::shared_ptr<StubLlm> llm_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace autoif::stub
