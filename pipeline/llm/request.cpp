#include "pipeline/llm/request.h"

#include "pipeline/llm/sha256.h"

namespace autoif::llm {
namespace {

nlohmann::json messages_json(const std::vector<Message>& messages) {
  nlohmann::json list = nlohmann::json::array();
  for (const Message& message : messages) {
    list.push_back({{"role", message.role}, {"content", message.content}});
  }
  return list;
}

// The sampling fields, as sent; the seed is the base seed (the per-sample one is derived).
nlohmann::json sampling_json(const ModelConfig& config) {
  nlohmann::json sampling = nlohmann::json::object();
  if (config.temperature) sampling["temperature"] = *config.temperature;
  if (config.top_p) sampling["top_p"] = *config.top_p;
  if (config.max_tokens) sampling["max_tokens"] = *config.max_tokens;
  if (config.seed) sampling["seed"] = *config.seed;
  if (!config.stop.empty()) sampling["stop"] = config.stop;
  return sampling;
}

}  // namespace

std::string canonical_request_json(const ModelConfig& config,
                                   const std::vector<Message>& messages,
                                   std::size_t sample_index) {
  // nlohmann::json objects are std::maps: keys come out sorted, so dump() is canonical.
  nlohmann::json key = {
      {"scheme", "autoif-request-key-v1"},
      {"model", config.model},
      {"messages", messages_json(messages)},
      {"sampling", sampling_json(config)},
      {"extra_body", config.extra_body.is_null() ? nlohmann::json::object() : config.extra_body},
      {"sample_index", sample_index},
  };
  return key.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string request_key(const ModelConfig& config, const std::vector<Message>& messages,
                        std::size_t sample_index) {
  return sha256_hex(canonical_request_json(config, messages, sample_index));
}

nlohmann::json request_body(const ModelConfig& config, const std::vector<Message>& messages,
                            std::size_t first_sample, std::size_t n) {
  nlohmann::json body =
      config.extra_body.is_object() ? config.extra_body : nlohmann::json::object();
  body["model"] = config.model;
  body["messages"] = messages_json(messages);
  body["stream"] = false;
  nlohmann::json sampling = sampling_json(config);
  for (auto& [name, value] : sampling.items()) body[name] = value;
  if (config.seed) body["seed"] = *config.seed + static_cast<std::int64_t>(first_sample);
  if (n > 1) {
    body["n"] = n;
  } else {
    body.erase("n");
  }
  return body;
}

}  // namespace autoif::llm
