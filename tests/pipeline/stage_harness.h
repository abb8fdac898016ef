// A run context for stage tests: the real sandbox, a real (in-memory) database, and the real
// LLM client over a FakeTransport that answers from a test's function and records every
// request. A thread delivers the fake's answers, as the transport's thread would.
#pragma once

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "pipeline/llm/client.h"
#include "pipeline/llm/fake_transport.h"
#include "pipeline/run/context.h"
#include "pipeline/stages/stages.h"
#include "storage/database.h"
#include "storage/llm_cache.h"

namespace autoif::testing {

// Answers one request: the user message, how many choices, and the request's seed.
using Author = std::function<std::vector<std::string>(const std::string& prompt, int n, std::int64_t seed)>;

inline sandbox::Pool& test_pool() {
  static std::unique_ptr<sandbox::Pool> pool = [] {
    sandbox::PoolOptions options;
    options.worker_path = AUTOIF_WORKER_PATH;
    options.workers = 2;
    auto started = sandbox::Pool::start(options);
    if (!started) FAIL("sandbox: " << started.error());
    return std::move(*started);
  }();
  return *pool;
}

class StageHarness {
 public:
  explicit StageHarness(Author author, std::function<void(config::Config&)> tune = {})
      : db_(open()), store_(db_), cache_(must(storage::LlmCache::open(db_))) {
    config_.supervisor.endpoints = {{"http://fake.test/v1", ""}};
    config_.supervisor.model = "test-model";
    config_.supervisor.seed = 100;
    config_.supervisor.max_retries = 0;
    config_.sandbox.timeout_ms = 300;
    if (tune) tune(config_);
    set_author(std::move(author));
    auto client = llm::Client::create(config_.supervisor, transport_);
    if (!client) FAIL("client: " << client.error());
    client_ = std::move(*client);
    gateway_ = std::make_unique<run::Gateway>("supervisor", *client_, cache_, db_, loop_);
    ctx_ = std::make_unique<run::RunContext>(
        run::RunContext{config_, store_, test_pool(), loop_, *gateway_, nullptr, &transport_, stderr});
    deliverer_ = std::thread([this] {
      while (!stop_) {
        if (transport_.deliver() == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
  }
  ~StageHarness() {
    stop_ = true;
    deliverer_.join();
  }

  void set_author(Author author) {
    transport_.set_script([author](const llm::HttpRequest& request, std::size_t) {
      auto body = nlohmann::json::parse(request.body);
      auto answers = author(body["messages"][0]["content"].get<std::string>(), body.value("n", 1),
                            body.value("seed", std::int64_t{0}));
      return llm::completion_reply(answers);
    });
  }
  void set_script(llm::FakeTransport::Script script) { transport_.set_script(std::move(script)); }

  void run(std::string_view unit) {
    for (const auto& stage : stages::all())
      if (stage.name == unit) return stage.run(*ctx_);
    FAIL("no stage " << unit);
  }

  storage::PipelineStore& store() { return store_; }
  config::Config& config() { return config_; }
  run::RunContext& ctx() { return *ctx_; }
  std::size_t requests() const { return transport_.request_count(); }

 private:
  static storage::Database open() {
    auto db = storage::Database::open(":memory:", storage::OpenMode::run);
    if (!db) FAIL(db.error().what());
    return std::move(*db);
  }
  template <typename T>
  static T must(tl::expected<T, storage::StorageError> value) {
    if (!value) FAIL(value.error().what());
    return std::move(*value);
  }

  config::Config config_;
  storage::Database db_;
  storage::PipelineStore store_;
  storage::LlmCache cache_;
  run::EventLoop loop_;
  llm::FakeTransport transport_;
  std::unique_ptr<llm::Client> client_;
  std::unique_ptr<run::Gateway> gateway_;
  std::unique_ptr<run::RunContext> ctx_;
  std::atomic<bool> stop_{false};
  std::thread deliverer_;
};

inline bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace autoif::testing
