// The values that cross the client's interface: what a caller asks for (ChatRequest), what it
// gets back for each sample (ChatResult), and why a sample failed (LlmError).
#pragma once

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace autoif::llm {

struct Message {
  std::string role;  // "system", "user", "assistant"
  std::string content;
  friend bool operator==(const Message&, const Message&) = default;
};

struct ChatRequest {
  std::vector<Message> messages;
  std::size_t sample_index = 0;  // index of the first sample wanted
  std::size_t count = 1;         // samples sample_index .. sample_index + count - 1
};

struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t total() const { return prompt_tokens + completion_tokens; }
};

struct ChatResult {
  std::size_t sample_index = 0;
  std::string content;
  std::string finish_reason;  // as the server said: "stop", "length", ... ("" if it said null)
  bool truncated = false;     // finish_reason == "length": the answer hit max_tokens
  // Tokens attributed to this sample. When one request carried n samples, the prompt tokens
  // go to its first sample and the completion tokens are split evenly, so sums stay exact.
  Usage usage;
  std::chrono::microseconds latency{0};  // of the attempt that succeeded
  int attempts = 0;                      // HTTP requests this sample needed, the last included
  std::string endpoint;                  // base URL that answered, without credentials
  // The server's whole answer, shared by all samples of one request (n > 1).
  std::shared_ptr<const nlohmann::json> raw;
};

enum class LlmErrorKind {
  fatal,              // retrying cannot fix it (401, 404, unknown model...): stop the run
  retries_exhausted,  // retryable failures until max_retries ran out
  cancelled,          // the client was destroyed before the sample finished
};

struct LlmError {
  LlmErrorKind kind = LlmErrorKind::fatal;
  std::string message;  // names the endpoint and the server's error; never holds a secret
};

using SampleOutcome = tl::expected<ChatResult, LlmError>;

}  // namespace autoif::llm
