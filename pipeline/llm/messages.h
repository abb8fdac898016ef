// What the client says when it stops for good. Each text names the endpoint (never with
// credentials), the model, what the server said, and what the person running it should do,
// in terms of the configuration keys they write (llm.base_url, llm.model, llm.api_key_env).
// Kept apart from the client's policy so each wording has its own test. Never contains an API
// key: callers pass server text that is already redacted.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "pipeline/llm/config.h"
#include "pipeline/llm/endpoints.h"

namespace autoif::llm {

// A status retrying cannot fix (400, 401, 403, 404, ...). 401/403 say which environment
// variable the key comes from and whether it is set; 404 tells an unknown model (the server
// mentions a model) from a wrong base URL (it does not) and points at GET BASE/models.
std::string refused_message(const ModelConfig& config, const EndpointState& endpoint, int status,
                            const std::string& server_says);

// No attempt on any endpoint has succeeded for config.stall_timeout.
std::string stall_message(const ModelConfig& config, const std::vector<std::string>& endpoints,
                          const std::string& last_error);

// Nothing has ever answered and every endpoint refused the connection (or its host is
// unknown): the server is not running or the URL is wrong.
std::string unreachable_message(const ModelConfig& config, const std::vector<std::string>& endpoints,
                                const std::string& last_error, std::uint64_t attempts,
                                std::chrono::milliseconds elapsed);

}  // namespace autoif::llm
