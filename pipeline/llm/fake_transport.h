// A Transport for tests of the client and of the stages: it records every request it gets and
// answers each from a script, without a network. Like ninja's FakeCommandRunner, it makes the
// calls visible: tests assert on what was sent (bodies, headers, counts), not only on results.
//
// Answers are queued, not delivered inside send() (the Transport contract forbids that); the
// test delivers them with deliver(), on its own thread, which then plays the transport's
// thread. Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "pipeline/llm/transport.h"

namespace autoif::llm {

class FakeTransport final : public Transport {
 public:
  // The answer to the call_index-th request (0-based, in send order).
  using Script = std::function<HttpOutcome(const HttpRequest& request, std::size_t call_index)>;

  // Without a script every request gets a one-choice completion saying "ok".
  explicit FakeTransport(Script script = {});
  ~FakeTransport() override;  // completes what is still queued with kind shutdown

  void send(HttpRequest request, Completion done) override;

  // Delivers queued answers in send order, including answers to requests sent by the
  // completions themselves, until none is queued or `limit` were delivered. Returns how many.
  std::size_t deliver(std::size_t limit = static_cast<std::size_t>(-1));

  void set_script(Script script);
  std::vector<HttpRequest> requests() const;  // every request so far, in send order
  std::size_t request_count() const;
  std::size_t queued() const;  // answers not yet delivered

 private:
  struct Pending {
    HttpOutcome outcome;
    Completion done;
  };
  mutable std::mutex mutex_;
  Script script_;
  std::vector<HttpRequest> requests_;
  std::deque<Pending> queue_;
};

// Script building blocks.
// A 200 whose body is a chat completion with one choice per content.
HttpOutcome completion_reply(const std::vector<std::string>& contents,
                             const std::string& finish_reason = "stop",
                             int prompt_tokens = 10, int completion_tokens_each = 5);
// A response with this status and body (a JSON error body for non-2xx by convention).
HttpOutcome status_reply(int status, std::string body = {}, std::vector<Header> headers = {});
HttpOutcome transport_failure(TransportErrorKind kind, std::string message = "injected");

}  // namespace autoif::llm
