#include "pipeline/run/gateway.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "pipeline/llm/request.h"
#include "storage/transaction.h"

namespace autoif::run {

struct Gateway::Group {
  std::size_t first_slot = 0;
  std::size_t size = 0;
  std::size_t remaining = 0;
  std::vector<std::pair<std::size_t, llm::ChatResult>> arrived;
};

struct Gateway::Pending {
  std::vector<llm::Message> messages;
  std::size_t first = 0;
  std::vector<std::string> keys;
  Answers answers;
  std::size_t missing = 0;
  std::function<void(Answers)> done;
};

namespace {

nlohmann::json request_json(const llm::ModelConfig& model, const std::vector<llm::Message>& messages,
                            std::size_t sample) {
  nlohmann::json body{{"model", model.model}, {"sample_index", sample}, {"messages", nlohmann::json::array()}};
  for (const auto& message : messages)
    body["messages"].push_back({{"role", message.role}, {"content", message.content}});
  return body;
}

std::optional<Answer> from_stored(const storage::LlmCall& call) {
  auto body = nlohmann::json::parse(call.response, nullptr, false);
  if (!body.is_object() || !body.contains("content") || !body["content"].is_string()) return std::nullopt;
  Answer answer;
  answer.key = call.key;
  answer.content = body["content"].get<std::string>();
  answer.finish_reason = call.finish_reason.value_or("");
  answer.truncated = call.status == storage::CallStatus::truncated;
  return answer;
}

}  // namespace

Gateway::Gateway(std::string role, llm::Client& client, storage::LlmCache& cache, storage::Database& db,
                 EventLoop& loop)
    : role_(std::move(role)), client_(client), cache_(cache), cache_db_(db), loop_(loop) {}

std::size_t Gateway::window(std::size_t samples_per_item) const {
  const auto& config = client_.config();
  std::size_t slots = config.max_in_flight * std::max<std::size_t>(1, config.endpoints.size());
  return std::max<std::size_t>(1, 2 * slots / std::max<std::size_t>(1, samples_per_item));
}

void Gateway::store(Pending& pending, std::size_t slot, const llm::ChatResult& result) {
  storage::LlmCall call;
  call.key = pending.keys[slot];
  call.role = role_;
  call.model = client_.config().model;
  call.endpoint = result.endpoint;
  call.request = request_json(client_.config(), pending.messages, pending.first + slot).dump();
  call.response = nlohmann::json{{"content", result.content}, {"finish_reason", result.finish_reason}}.dump();
  call.finish_reason = result.finish_reason;
  call.prompt_tokens = result.usage.prompt_tokens;
  call.completion_tokens = result.usage.completion_tokens;
  call.latency_ms = result.latency.count() / 1000;
  call.attempts = result.attempts;
  call.status = result.truncated ? storage::CallStatus::truncated : storage::CallStatus::ok;
  if (auto stored = cache_.store(call); !stored)
    throw std::runtime_error("storing a model answer: " + stored.error().what());
  pending.answers[slot] = Answer{call.key, result.content, result.finish_reason, result.truncated};
}

void Gateway::ask(std::vector<llm::Message> messages, std::size_t first, std::size_t count,
                  std::function<void(Answers)> done) {
  auto pending = std::make_shared<Pending>();
  pending->messages = std::move(messages);
  pending->first = first;
  pending->answers.resize(count);
  pending->done = std::move(done);
  std::vector<std::size_t> to_send;
  std::size_t waiting = 0;
  for (std::size_t i = 0; i < count; ++i) {
    pending->keys.push_back(llm::request_key(client_.config(), pending->messages, first + i));
    auto stored = cache_.lookup(pending->keys.back());
    if (!stored) throw std::runtime_error("reading the request cache: " + stored.error().what());
    if (*stored && (*stored)->status != storage::CallStatus::error) {
      pending->answers[i] = from_stored(**stored);
      ++stats_.cached;
      if (progress_) progress_->add_cached(1);
    } else if (auto flying = in_flight_.find(pending->keys.back()); flying != in_flight_.end()) {
      // The same sample is already being asked for (e.g. two identical responses to score):
      // wait for that answer instead of paying for it twice.
      flying->second.push_back({pending, i});
      ++stats_.shared;
      ++waiting;
    } else {
      to_send.push_back(i);
    }
  }
  pending->missing = to_send.size() + waiting;
  loop_.hold();
  if (pending->missing == 0) {
    loop_.post([this, pending] {
      pending->done(std::move(pending->answers));
      loop_.release();
    });
    return;
  }
  // Contiguous runs of missing samples go out as one request each (n > 1 where possible).
  // The samples of one request are stored together, in one transaction, once all of them are
  // in: a run killed half-way through storing them then asks again for the same request (same
  // seed, same n), which a recorded cassette can answer.
  for (std::size_t i = 0; i < to_send.size();) {
    std::size_t j = i + 1;
    while (j < to_send.size() && to_send[j] == to_send[j - 1] + 1) ++j;
    if (control_ && !control_->may_send()) {
      stats_.skipped += to_send.size() - i;
      std::size_t left = to_send.size() - i;
      loop_.post([this, pending, left] { complete(pending, left); });
      break;
    }
    stats_.sent += j - i;
    if (control_) control_->on_sent(1);
    auto group = std::make_shared<Group>();
    group->first_slot = to_send[i];
    group->size = group->remaining = j - i;
    for (std::size_t slot = group->first_slot; slot < group->first_slot + group->size; ++slot)
      in_flight_[pending->keys[slot]];
    llm::ChatRequest request{pending->messages, first + to_send[i], j - i};
    client_.submit(std::move(request), [this, pending, group](std::size_t sample, llm::SampleOutcome outcome) {
      loop_.post([this, pending, group, sample, outcome = std::move(outcome)] {
        std::size_t slot = sample - pending->first;
        if (outcome) {
          if (control_) control_->on_tokens(outcome->usage.prompt_tokens + outcome->usage.completion_tokens);
          group->arrived.emplace_back(slot, *outcome);
        } else {
          ++stats_.failed;
          if (outcome.error().kind == llm::LlmErrorKind::fatal)
            loop_.stop("the " + role_ + " model failed: " + outcome.error().message);
        }
        if (--group->remaining > 0) return;
        if (!group->arrived.empty()) {
          auto tx = storage::Transaction::begin(cache_db_);
          if (!tx) throw std::runtime_error("storing model answers: " + tx.error().what());
          for (const auto& [index, result] : group->arrived) store(*pending, index, result);
          if (auto committed = tx->commit(); !committed)
            throw std::runtime_error("storing model answers: " + committed.error().what());
        }
        for (std::size_t at = group->first_slot; at < group->first_slot + group->size; ++at) {
          auto waiters = in_flight_.extract(pending->keys[at]);
          if (waiters.empty()) continue;
          for (auto& [other, other_slot] : waiters.mapped()) {
            other->answers[other_slot] = pending->answers[at];
            complete(other, 1);
          }
        }
        complete(pending, group->size);
      });
    });
    i = j;
  }
}

void Gateway::complete(const std::shared_ptr<Pending>& pending, std::size_t samples) {
  pending->missing -= samples;
  if (pending->missing > 0) return;
  pending->done(std::move(pending->answers));
  loop_.release();
}

}  // namespace autoif::run
