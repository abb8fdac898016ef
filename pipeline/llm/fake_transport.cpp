#include "pipeline/llm/fake_transport.h"

#include <nlohmann/json.hpp>

#include <utility>

namespace autoif::llm {

FakeTransport::FakeTransport(Script script) : script_(std::move(script)) {
  if (!script_) {
    script_ = [](const HttpRequest&, std::size_t) { return completion_reply({"ok"}); };
  }
}

FakeTransport::~FakeTransport() {
  std::deque<Pending> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(queue_);
  }
  for (auto& pending : left) {
    pending.done(tl::unexpected(TransportError{TransportErrorKind::shutdown, "fake transport destroyed"}));
  }
}

void FakeTransport::send(HttpRequest request, Completion done) {
  std::lock_guard lock(mutex_);
  HttpOutcome outcome = script_(request, requests_.size());
  requests_.push_back(std::move(request));
  queue_.push_back(Pending{std::move(outcome), std::move(done)});
}

std::size_t FakeTransport::deliver(std::size_t limit) {
  std::size_t delivered = 0;
  while (delivered < limit) {
    Pending next;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) break;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    next.done(std::move(next.outcome));
    ++delivered;
  }
  return delivered;
}

void FakeTransport::set_script(Script script) {
  std::lock_guard lock(mutex_);
  script_ = std::move(script);
}

std::vector<HttpRequest> FakeTransport::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t FakeTransport::request_count() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

std::size_t FakeTransport::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

HttpOutcome completion_reply(const std::vector<std::string>& contents,
                             const std::string& finish_reason, int prompt_tokens,
                             int completion_tokens_each) {
  nlohmann::json choices = nlohmann::json::array();
  for (std::size_t i = 0; i < contents.size(); ++i) {
    choices.push_back({{"index", i},
                       {"message", {{"role", "assistant"}, {"content", contents[i]}}},
                       {"finish_reason", finish_reason}});
  }
  int completion_tokens = completion_tokens_each * static_cast<int>(contents.size());
  nlohmann::json body = {
      {"id", "chatcmpl-fake"},
      {"object", "chat.completion"},
      {"choices", choices},
      {"usage",
       {{"prompt_tokens", prompt_tokens},
        {"completion_tokens", completion_tokens},
        {"total_tokens", prompt_tokens + completion_tokens}}},
  };
  return HttpResponse{200, {{"content-type", "application/json"}}, body.dump()};
}

HttpOutcome status_reply(int status, std::string body, std::vector<Header> headers) {
  return HttpResponse{status, std::move(headers), std::move(body)};
}

HttpOutcome transport_failure(TransportErrorKind kind, std::string message) {
  return tl::unexpected(TransportError{kind, std::move(message)});
}

}  // namespace autoif::llm
