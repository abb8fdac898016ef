// A model role as the stages see it: ask for samples of a conversation and get them back on
// the event loop, each answer already stored. The request cache lives here: a sample whose
// key (llm::request_key: model, messages, sampling, sample index) is in the database is served
// from it and never sent; a sample that is sent is stored (committed) as soon as its request
// is answered, the samples of one request in one transaction, before the stage can derive
// anything from it. So a run killed at any moment asks again only for the requests that were
// in flight. A sample whose key is already in flight for another caller is not sent again:
// both callers get the one answer (or both get nullopt if it failed).
//
// A fatal client error (401, unknown model...) stops the event loop with the client's message;
// a sample that failed after every retry comes back as nullopt and the stage leaves its item
// for the next run. Once the run is stopping (run_control.h) nothing more is sent: samples
// that are not stored come back as nullopt at once (counted as skipped, not failed). Use from
// the event-loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <string>
#include <vector>

#include "pipeline/llm/chat.h"
#include "pipeline/llm/client.h"
#include "pipeline/run/event_loop.h"
#include "pipeline/run/progress.h"
#include "pipeline/run/run_control.h"
#include "storage/llm_cache.h"

namespace autoif::run {

struct Answer {
  std::string key;  // request key, as stored in llm_calls
  std::string content;
  std::string finish_reason;
  bool truncated = false;
};

using Answers = std::vector<std::optional<Answer>>;

struct GatewayStats {
  std::size_t cached = 0;  // samples served from the database
  std::size_t sent = 0;    // samples asked of the model
  std::size_t failed = 0;  // samples that failed after retries
  std::size_t skipped = 0; // samples not asked because the run was stopping
  std::size_t shared = 0;  // samples already in flight for another caller: answered once for both
};

class Gateway {
 public:
  Gateway(std::string role, llm::Client& client, storage::LlmCache& cache, storage::Database& db,
          EventLoop& loop);
  // Budgets and stop (checked before each request, charged with requests and tokens) and live
  // counts; either may be null.
  void attach(RunControl* control, Progress* progress) {
    control_ = control;
    progress_ = progress;
  }

  // Samples first .. first+count-1 of `messages`; `done` runs on the loop with one entry per
  // sample, in order.
  void ask(std::vector<llm::Message> messages, std::size_t first, std::size_t count,
           std::function<void(Answers)> done);

  // How many items a stage should keep in flight to keep the client busy.
  std::size_t window(std::size_t samples_per_item) const;
  const GatewayStats& stats() const { return stats_; }
  const std::string& role() const { return role_; }
  const llm::ModelConfig& model() const { return client_.config(); }

 private:
  struct Pending;
  struct Group;
  void store(Pending& pending, std::size_t slot, const llm::ChatResult& result);
  // `samples` of `pending` are in; the last one hands all its answers to the caller.
  void complete(const std::shared_ptr<Pending>& pending, std::size_t samples);

  std::string role_;
  llm::Client& client_;
  storage::LlmCache& cache_;
  storage::Database& cache_db_;  // the cache's database, for one transaction per request
  EventLoop& loop_;
  RunControl* control_ = nullptr;
  Progress* progress_ = nullptr;
  GatewayStats stats_;
  // Keys of samples in flight, with the other asks waiting for the same sample.
  std::unordered_map<std::string, std::vector<std::pair<std::shared_ptr<Pending>, std::size_t>>> in_flight_;
};

}  // namespace autoif::run
