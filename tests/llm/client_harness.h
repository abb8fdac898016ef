// A client in manual mode over a FakeTransport and a FakeClock: the test decides when answers
// arrive and when time moves, so retry, backoff and rate-limit behaviour is exact, not timed.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pipeline/llm/client.h"
#include "numbered.h"
#include "pipeline/llm/fake_transport.h"

namespace autoif::llm::testing {

inline ModelConfig fake_config(std::size_t endpoints = 1) {
  ModelConfig config;
  for (std::size_t i = 0; i < endpoints; ++i) {
    config.endpoints.push_back({numbered("http://e", i) + ".test/v1", ""});
  }
  config.model = "test-model";
  config.max_tokens = 100;
  config.max_retries = 5;
  config.retry_base_delay = std::chrono::milliseconds(100);
  config.retry_max_delay = std::chrono::seconds(2);
  return config;
}

inline std::vector<Message> ask(const std::string& text) { return {{"user", text}}; }

// The request's JSON body.
inline nlohmann::json body_of(const HttpRequest& request) {
  return nlohmann::json::parse(request.body);
}

class Harness {
 public:
  explicit Harness(ModelConfig config, FakeTransport::Script script = {},
                   ExchangeObserver observer = {})
      : transport(std::move(script)) {
    ClientOptions options;
    options.clock = clock;
    options.timer_thread = false;
    options.random_seed = 7;
    options.observer = std::move(observer);
    auto created = Client::create(std::move(config), transport, options);
    if (!created) FAIL(created.error());
    client = std::move(*created);
  }

  void submit(std::vector<Message> messages, std::size_t first = 0, std::size_t count = 1) {
    submitted += count;
    client->submit(ChatRequest{std::move(messages), first, count},
                   [this](std::size_t index, SampleOutcome outcome) {
                     std::lock_guard lock(mutex);
                     if (outcomes.count(index)) ++duplicates;
                     outcomes.insert_or_assign(index, std::move(outcome));
                   });
  }

  // Delivers answers, sends what is due, and moves the clock to the next wake-up, until every
  // submitted sample has an outcome (or nothing can happen any more).
  void run(int max_steps = 10000) {
    for (int step = 0; step < max_steps && finished() < submitted; ++step) {
      if (transport.deliver() > 0) continue;
      client->pump();
      if (transport.queued() > 0) continue;
      auto wake = client->next_wakeup();
      if (!wake) break;
      clock->advance_to(*wake);
    }
  }

  std::size_t finished() {
    std::lock_guard lock(mutex);
    return outcomes.size();
  }
  const SampleOutcome& outcome(std::size_t index) {
    std::lock_guard lock(mutex);
    REQUIRE(outcomes.count(index) == 1);
    return outcomes.at(index);
  }

  // Declared before the client: the client's destructor may still deliver into them, and
  // the transport must outlive the client.
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  std::mutex mutex;
  std::map<std::size_t, SampleOutcome> outcomes;
  std::size_t submitted = 0;
  int duplicates = 0;
  FakeTransport transport;
  std::unique_ptr<Client> client;
};

}  // namespace autoif::llm::testing
