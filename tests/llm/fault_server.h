// A loopback chat-completions server for the client's end-to-end tests: the stub's HttpServer
// with a handler that answers every request from its body (so each answer can be checked
// against its request), wrapped by a fault injector in the manner of leveldb's EnvWrapper.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "numbered.h"
#include "pipeline/stub/http_server.h"

namespace autoif::llm::testing {

// The content a correct answer to `prompt` with `seed` carries.
inline std::string expected_answer(const std::string& prompt, std::int64_t seed, std::size_t choice) {
  return "answer to " + prompt + " seed " + std::to_string(seed) + " choice " + std::to_string(choice);
}

// Answers /v1/chat/completions with one choice per n, each naming the last message and seed.
inline stub::Handler completions_handler() {
  return [](const stub::Request& request) {
    if (request.path != "/v1/chat/completions") {
      return stub::Response::json(404, R"({"error":{"message":"no such path"}})");
    }
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded()) return stub::Response::json(400, R"({"error":{"message":"bad json"}})");
    std::string prompt = body["messages"].back()["content"];
    std::int64_t seed = body.value("seed", 0);
    std::size_t n = body.value("n", 1);
    nlohmann::json choices = nlohmann::json::array();
    for (std::size_t i = 0; i < n; ++i) {
      choices.push_back({{"index", i},
                         {"message", {{"role", "assistant"}, {"content", expected_answer(prompt, seed, i)}}},
                         {"finish_reason", "stop"}});
    }
    nlohmann::json answer = {{"object", "chat.completion"},
                             {"choices", choices},
                             {"usage", {{"prompt_tokens", 3}, {"completion_tokens", 2 * n}}}};
    return stub::Response::json(200, answer.dump());
  };
}

enum class Fault {
  none,
  rate_limited,  // 429 with Retry-After: 1
  server_error,  // 500
  unavailable,   // 503
  dropped,       // connection closed without a byte
  reset,         // TCP RST
  cut_body,      // status and headers, then half the JSON body, then close
  slow,          // answered long after the client's timeout
  unauthorized,  // 401
};

// Faults per attempt: the k-th attempt at a prompt gets plan(prompt)[k], or the real answer
// once the plan is used up. Keyed by prompt (not by arrival order) so every request meets its
// faults however the client interleaves them, and so a duplicate request would be visible.
class FaultInjector {
 public:
  using Plan = std::function<std::vector<Fault>(const std::string& prompt)>;

  FaultInjector(stub::Handler inner, Plan plan) : inner_(std::move(inner)), plan_(std::move(plan)) {}

  stub::Handler handler() {
    return [this](const stub::Request& request) { return answer(request); };
  }

  // Completed answers (not faults) per prompt.
  std::map<std::string, int> answered() const {
    std::lock_guard lock(mutex_);
    return answered_;
  }
  int faults_injected() const { return faults_.load(); }

 private:
  stub::Response answer(const stub::Request& request) {
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    std::string prompt = body.is_discarded() ? "" : std::string(body["messages"].back()["content"]);
    std::size_t attempt;
    {
      std::lock_guard lock(mutex_);
      attempt = attempts_[prompt]++;
    }
    std::vector<Fault> plan = plan_(prompt);
    Fault fault = attempt < plan.size() ? plan[attempt] : Fault::none;
    if (fault != Fault::none) ++faults_;
    switch (fault) {
      case Fault::none: {
        std::lock_guard lock(mutex_);
        ++answered_[prompt];
        return inner_(request);
      }
      case Fault::rate_limited:
        return stub::Response::json(429, R"({"error":{"message":"rate limited"}})").with_retry_after(1);
      case Fault::server_error:
        return stub::Response::json(500, R"({"error":{"message":"boom"}})");
      case Fault::unavailable:
        return stub::Response::json(503, R"({"error":{"message":"overloaded"}})");
      case Fault::dropped:
        return stub::Response::close_connection();
      case Fault::reset:
        return stub::Response::reset_connection();
      case Fault::cut_body: {
        stub::Response full = inner_(request);
        std::size_t half = full.body.size() / 2;
        return std::move(full).cut_after(half);
      }
      case Fault::slow:
        return inner_(request).with_delay(std::chrono::seconds(3));
      case Fault::unauthorized:
        return stub::Response::json(401, R"({"error":{"message":"Incorrect API key provided"}})");
    }
    return inner_(request);
  }

  stub::Handler inner_;
  Plan plan_;
  mutable std::mutex mutex_;
  std::map<std::string, std::size_t> attempts_;
  std::map<std::string, int> answered_;
  std::atomic<int> faults_{0};
};

}  // namespace autoif::llm::testing
