// Turning (config, messages, samples) into bytes: the deterministic request key that the
// store caches answers by, and the JSON body sent to /chat/completions.
//
// The key covers exactly what decides an answer: model, messages, sampling parameters, extra
// body fields and the sample index. It ignores endpoints, timeouts, limits and how samples are
// batched into requests, so moving a run to another server of the same model keeps its cache.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "pipeline/llm/chat.h"
#include "pipeline/llm/config.h"

namespace autoif::llm {

// The canonical JSON the key is a digest of (sorted keys, compact, UTF-8 as is); exposed so
// that a key can be explained.
std::string canonical_request_json(const ModelConfig& config,
                                   const std::vector<Message>& messages,
                                   std::size_t sample_index);

// Lower-case hex SHA-256 of canonical_request_json(): 64 characters, stable across runs,
// machines and versions of this program (the scheme is versioned inside the hashed text).
std::string request_key(const ModelConfig& config, const std::vector<Message>& messages,
                        std::size_t sample_index);

// The chat-completions body asking for samples first_sample .. first_sample + n - 1:
// seed S + first_sample when the config has a seed S; "n" only when n > 1. Holds no secret.
nlohmann::json request_body(const ModelConfig& config, const std::vector<Message>& messages,
                            std::size_t first_sample, std::size_t n);

}  // namespace autoif::llm
