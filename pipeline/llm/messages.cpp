#include "pipeline/llm/messages.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace autoif::llm {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string list(const std::vector<std::string>& endpoints) {
  std::string text;
  for (const auto& url : endpoints) text += (text.empty() ? "" : ", ") + url;
  return text;
}

std::string auth_advice(const EndpointState& endpoint, const std::string& model, int status) {
  if (endpoint.key_env.empty())
    return " No API key was sent, because llm.api_key_env is empty: put the key in an environment variable "
           "and set llm.api_key_env to that variable's NAME (for example OPENAI_API_KEY).";
  if (endpoint.key_missing)
    return " The API key is read from the environment variable " + endpoint.key_env +
           ", which is not set: export " + endpoint.key_env +
           "=... before the run, or set llm.api_key_env to the name of the variable that holds the key.";
  if (status == 403)
    return " The key from the environment variable " + endpoint.key_env +
           " was accepted but lacks access: check that it may use model \"" + model + "\" on this server, or set llm.api_key_env to the variable holding another key.";
  return " The server rejected the key in the environment variable " + endpoint.key_env +
         " (its value is never printed): check it, or set llm.api_key_env to the variable that holds the right key.";
}

}  // namespace

std::string refused_message(const ModelConfig& config, const EndpointState& endpoint, int status,
                            const std::string& server_says) {
  std::string message = "the LLM endpoint " + endpoint.display + " (model \"" + config.model +
                        "\") refused a request with HTTP " + std::to_string(status) + ": " + server_says;
  if (message.back() != '.') message += '.';
  message += " Retrying cannot fix this, so the client stopped.";
  if (status == 401 || status == 403) {
    message += auth_advice(endpoint, config.model, status);
  } else if (status == 404) {
    if (lower(server_says).find("model") != std::string::npos)
      message += " The server does not serve a model named \"" + config.model +
                 "\" (llm.model in the config): set llm.model to one of the names that GET " + endpoint.display +
                 "/models lists (curl " + endpoint.display + "/models); an Ollama server needs `ollama pull " +
                 config.model + "` first.";
    else
      message += " " + endpoint.display +
                 "/chat/completions does not exist on that server: check llm.base_url (OpenAI-compatible servers "
                 "serve under /v1, as in http://127.0.0.1:8000/v1); curl " + endpoint.display +
                 "/models should list the served models.";
  }
  return message;
}

std::string stall_message(const ModelConfig& config, const std::vector<std::string>& endpoints,
                          const std::string& last_error) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(config.stall_timeout).count();
  return "no LLM endpoint of model \"" + config.model + "\" (" + list(endpoints) + ") has answered successfully for " +
         std::to_string(seconds) + " s while every attempt failed, so the client stopped; the last error: " +
         last_error + ". Check that the server is running and reachable at llm.base_url, then run the same command "
         "again: work already stored is kept.";
}

std::string unreachable_message(const ModelConfig& config, const std::vector<std::string>& endpoints,
                                const std::string& last_error, std::uint64_t attempts,
                                std::chrono::milliseconds elapsed) {
  const std::string first = endpoints.empty() ? std::string() : endpoints.front();
  // The client's error texts start with the endpoint, which this message names already.
  std::string cause = last_error;
  for (const auto& url : endpoints)
    if (cause.rfind(url + ": ", 0) == 0) cause.erase(0, url.size() + 2);
  double seconds = static_cast<double>(elapsed.count()) / 1000.0;
  char span[32];
  std::snprintf(span, sizeof span, "%.1f", seconds);
  return "cannot connect to the LLM server of model \"" + config.model + "\" at " + list(endpoints) + " (" +
         cause + "). Nothing has answered there since the run started (" + std::to_string(attempts) +
         " attempt" + (attempts == 1 ? "" : "s") + " in " + span +
         " s), so no server is running at that address, or llm.base_url names the wrong host or port. Start the "
         "server (for vLLM: vllm serve MODEL --port PORT), check that curl " + first +
         "/models answers, then run the same command again: work already stored is kept.";
}

}  // namespace autoif::llm
