#include "pipeline/llm/config.h"

#include "pipeline/llm/secret.h"

namespace autoif::llm {

std::string validate(const ModelConfig& config) {
  std::string problems;
  auto add = [&](const std::string& problem) {
    if (!problems.empty()) problems += "; ";
    problems += problem;
  };
  if (config.endpoints.empty()) add("no endpoint is configured (base_url)");
  for (const EndpointConfig& endpoint : config.endpoints) {
    const std::string& url = endpoint.base_url;
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
      add("base_url \"" + redact_url(url) + "\" does not start with http:// or https://");
    }
  }
  if (config.model.empty()) add("no model name is configured");
  if (config.max_in_flight == 0) add("max_in_flight must be at least 1");
  if (config.max_retries < 0) add("max_retries must not be negative");
  if (config.request_timeout.count() <= 0) add("request_timeout must be positive");
  if (config.stall_timeout.count() <= 0) add("stall_timeout must be positive");
  if (config.unreachable_timeout && config.unreachable_timeout->count() < 0) {
    add("unreachable_timeout must not be negative");
  }
  if (config.retry_base_delay.count() < 0 || config.retry_max_delay.count() < 0) {
    add("retry delays must not be negative");
  }
  if (config.requests_per_minute && !(*config.requests_per_minute > 0)) {
    add("requests_per_minute must be positive");
  }
  if (config.tokens_per_minute && !(*config.tokens_per_minute > 0)) {
    add("tokens_per_minute must be positive");
  }
  if (config.max_tokens && *config.max_tokens <= 0) add("max_tokens must be positive");
  if (!config.extra_body.is_null() && !config.extra_body.is_object()) {
    add("extra_body must be a table (JSON object)");
  }
  return problems;
}

}  // namespace autoif::llm
