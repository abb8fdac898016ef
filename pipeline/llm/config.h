// What one model role (supervisor, policy) needs to reach its server: plain structs, filled by
// the TOML loader (pipeline/config) or directly by tests. Defaults are the ones a local vLLM or
// llama.cpp server works with; validate() says what is wrong with a hand-made config.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace autoif::llm {

struct EndpointConfig {
  // OpenAI-style base URL, e.g. "http://127.0.0.1:8000/v1"; requests go to
  // base_url + "/chat/completions".
  std::string base_url;
  // Name of the environment variable that holds the API key, read once when the client is
  // created (see secret.h). Empty: the server needs no key, no Authorization header is sent.
  std::string api_key_env = "OPENAI_API_KEY";
};

// Whether to ask for several samples in one request (`n` > 1).
enum class NPerRequest {
  automatic,  // try n > 1; fall back to one request per sample where the server does not comply
  on,         // always n > 1 (a 400 is then a real error, not a hint to fall back)
  off,        // one request per sample
};

struct ModelConfig {
  std::vector<EndpointConfig> endpoints;  // one or more; requests are spread over them
  std::string model;

  // Sampling parameters; unset ones are not sent, so the server's defaults apply.
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<std::int64_t> max_tokens;
  // Base seed S: the request for sample i sends seed S + i, so samples differ from each other
  // and a replay from a cassette is deterministic.
  std::optional<std::int64_t> seed;
  std::vector<std::string> stop;
  // Extra top-level body fields passed through as they are (e.g. {"top_k": 20}); the fields
  // the client sets itself (model, messages, n, seed, stream and the sampling fields above)
  // take precedence over same-named ones here.
  nlohmann::json extra_body = nlohmann::json::object();

  std::chrono::milliseconds request_timeout{std::chrono::minutes(10)};  // per attempt
  std::size_t max_in_flight = 64;  // per endpoint
  std::optional<double> requests_per_minute;  // over all endpoints of this role
  std::optional<double> tokens_per_minute;    // prompt estimate + max_tokens, corrected by usage
  int max_retries = 8;  // retries after the first attempt, per request
  std::chrono::milliseconds retry_base_delay{500};  // backoff: full jitter over base * 2^k
  std::chrono::milliseconds retry_max_delay{std::chrono::seconds(60)};
  NPerRequest n_per_request = NPerRequest::automatic;
  // When every attempt has failed for this long (no success on any endpoint in between), the
  // client goes fatal with the last error instead of waiting forever for a server that is
  // down or misaddressed. Long enough for a server to restart.
  std::chrono::milliseconds stall_timeout{std::chrono::minutes(10)};
  // Until the first successful answer: once every endpoint's last attempt failed to connect
  // (refused, unreachable, host unknown) and this long has passed since the first failure,
  // or a request has used up its retries, the client goes fatal saying that no server is
  // running at base_url. A server that has never answered is almost always not started or
  // misaddressed, and waiting stall_timeout to say so wastes the first minutes of a run.
  // nullopt: only stall_timeout applies. (The TOML loader sets 30 s; llm.unreachable_timeout_s.)
  std::optional<std::chrono::milliseconds> unreachable_timeout;
};

// Empty when the config is usable; otherwise one message per problem, joined by "; ".
std::string validate(const ModelConfig& config);

}  // namespace autoif::llm
