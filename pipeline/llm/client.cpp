#include "pipeline/llm/client.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "pipeline/llm/endpoints.h"
#include "pipeline/llm/messages.h"
#include "pipeline/llm/rate_limit.h"
#include "pipeline/llm/request.h"
#include "pipeline/llm/response.h"

namespace autoif::llm {
namespace {

using TimePoint = Clock::TimePoint;

// One submit(): the messages and the callback, shared by every job cut from it.
struct Submission {
  std::vector<Message> messages;
  Client::SampleCallback callback;
  double prompt_tokens_estimate = 0;
};

// Samples first .. first + count - 1 of one submission, sent as one request.
struct Job {
  std::shared_ptr<Submission> submission;
  std::size_t first = 0;
  std::size_t count = 1;
  int attempts = 0;
  bool finished = false;  // delivered (or failed); a late transport answer is then ignored
  std::string body;       // built on first send, reused by retries
  std::shared_ptr<const nlohmann::json> body_json;  // only kept for the observer
  std::string last_error;
  TimePoint sent_at{};  // of the attempt in flight
};
using JobPtr = std::shared_ptr<Job>;

struct Delivery {
  std::shared_ptr<Submission> submission;
  std::size_t sample_index;
  SampleOutcome outcome;
};

struct Send {
  HttpRequest request;
  JobPtr job;
  std::size_t endpoint;
};

// What a locked section decided; done after the lock is released, so that neither the
// transport nor a user callback ever runs under the client's lock.
struct Actions {
  std::vector<Send> sends;
  std::vector<Delivery> deliveries;
  bool empty() const { return sends.empty() && deliveries.empty(); }
};

// How one attempt ended, decided without the lock.
struct Verdict {
  enum Kind { success, retry, n_rejected, fatal, shutdown } kind = success;
  Completion completion;
  RetryCause cause = RetryCause::transport_other;
  std::optional<std::chrono::milliseconds> retry_after;
  std::string message;
};

}  // namespace

std::uint64_t ClientStats::retries_total() const {
  std::uint64_t total = 0;
  for (auto count : retries) total += count;
  return total;
}

std::chrono::microseconds ClientStats::latency_mean() const {
  if (samples_succeeded == 0) return std::chrono::microseconds(0);
  return latency_total / static_cast<std::int64_t>(samples_succeeded);
}

class Client::Core : public std::enable_shared_from_this<Core> {
 public:
  Core(ModelConfig config, Transport& transport, ClientOptions options)
      : config_(std::move(config)),
        transport_(transport),
        clock_(options.clock ? options.clock : std::make_shared<SteadyClock>()),
        observer_(std::move(options.observer)),
        endpoints_(EndpointPool::from_config(config_), config_.max_in_flight,
                   config_.retry_base_delay, config_.retry_max_delay),
        rng_(options.random_seed ? *options.random_seed : std::random_device{}()),
        refused_(endpoints_.size(), false) {
    TimePoint now = clock_->now();
    if (config_.requests_per_minute) requests_.emplace(*config_.requests_per_minute, now);
    if (config_.tokens_per_minute) tokens_.emplace(*config_.tokens_per_minute, now);
  }

  void start_timer_thread() {
    timer_thread_ = std::thread([this] { timer_loop(); });
  }

  void shut_down() {
    Actions actions;
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      fail_everything(LlmError{LlmErrorKind::cancelled, "the LLM client was shut down"},
                      actions);
      timer_cv_.notify_all();
    }
    run(actions);
    if (timer_thread_.joinable()) timer_thread_.join();
    std::unique_lock lock(mutex_);
    idle_cv_.wait(lock, [&] { return outstanding_ == 0; });
  }

  void submit(ChatRequest request, SampleCallback callback) {
    if (request.count == 0) return;
    auto submission = std::make_shared<Submission>();
    std::size_t chars = 0;
    for (const Message& message : request.messages) chars += message.content.size() + 8;
    submission->prompt_tokens_estimate = static_cast<double>(chars) / 4.0;
    submission->messages = std::move(request.messages);
    submission->callback = std::move(callback);
    Actions actions;
    {
      std::lock_guard lock(mutex_);
      stats_.samples_submitted += request.count;
      outstanding_ += request.count;
      if (fatal_ || stopping_) {
        LlmError error = fatal_ ? *fatal_
                                : LlmError{LlmErrorKind::cancelled, "the LLM client was shut down"};
        for (std::size_t i = 0; i < request.count; ++i) {
          actions.deliveries.push_back({submission, request.sample_index + i, tl::unexpected(error)});
        }
        stats_.samples_failed += request.count;
      } else {
        bool together = request.count > 1 && config_.n_per_request != NPerRequest::off;
        std::size_t jobs = together ? 1 : request.count;
        for (std::size_t i = 0; i < jobs; ++i) {
          auto job = std::make_shared<Job>();
          job->submission = submission;
          job->first = request.sample_index + i;
          job->count = together ? request.count : 1;
          ready_.push_back(std::move(job));
        }
        dispatch(clock_->now(), actions);
        wake_timer_if_needed();
      }
    }
    run(actions);
  }

  void pump() {
    Actions actions;
    {
      std::lock_guard lock(mutex_);
      dispatch(clock_->now(), actions);
    }
    run(actions);
  }

  std::optional<TimePoint> next_wakeup() const {
    std::lock_guard lock(mutex_);
    return next_wakeup_locked();
  }

  std::optional<LlmError> fatal_error() const {
    std::lock_guard lock(mutex_);
    return fatal_;
  }

  ClientStats stats() const {
    std::lock_guard lock(mutex_);
    ClientStats copy = stats_;
    copy.in_flight = endpoints_.in_flight();
    copy.queued = ready_.size() + delayed_.size();
    return copy;
  }

  bool wait_idle(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    auto idle = [&] { return outstanding_ == 0; };
    if (timeout == std::chrono::milliseconds::max()) {
      idle_cv_.wait(lock, idle);
      return true;
    }
    return idle_cv_.wait_for(lock, timeout, idle);
  }

  const ModelConfig& config() const { return config_; }

 private:
  // ---- sending -------------------------------------------------------------------------

  // Sends every ready job that a free slot, the rate limits and endpoint avoidance allow.
  void dispatch(TimePoint now, Actions& actions) {
    blocked_until_.reset();
    if (fatal_ || stopping_) return;
    // Due retries join the back of the queue. Putting them first would let one request
    // that always fails take every probe of a tripped endpoint and keep it tripped.
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
      ready_.push_back(std::move(delayed_.begin()->second));
      delayed_.erase(delayed_.begin());
    }
    while (!ready_.empty()) {
      if (requests_ && !requests_->ready(now)) {
        blocked_until_ = requests_->ready_at(now);
        return;
      }
      auto endpoint = endpoints_.pick(now);
      if (!endpoint) {
        blocked_until_ = endpoints_.next_usable(now);
        return;
      }
      if (ready_.front()->count > 1 && endpoints_[*endpoint].n_support == NSupport::no) {
        split_front();
      }
      JobPtr job = ready_.front();
      double cost = token_estimate(*job);
      if (tokens_ && !tokens_->ready(now, cost)) {
        blocked_until_ = tokens_->ready_at(now, cost);
        // pick() advanced the round-robin; harmless, the next pick just starts further on.
        return;
      }
      ready_.pop_front();
      if (requests_) requests_->take(1);
      if (tokens_) tokens_->take(cost);
      launch(job, *endpoint, now, actions);
    }
  }

  void launch(const JobPtr& job, std::size_t endpoint_index, TimePoint now, Actions& actions) {
    if (job->body.empty()) {
      nlohmann::json body = request_body(config_, job->submission->messages, job->first, job->count);
      job->body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      if (observer_) job->body_json = std::make_shared<const nlohmann::json>(std::move(body));
    }
    ++job->attempts;
    EndpointState& endpoint = endpoints_[endpoint_index];
    ++endpoint.in_flight;
    ++stats_.http_requests;
    in_flight_.emplace(job.get(), job);
    job->sent_at = now;
    actions.sends.push_back(
        {HttpRequest{endpoint.url, endpoint.headers, job->body, config_.request_timeout}, job,
         endpoint_index});
  }

  // Replaces the n > 1 job at the front of the queue by one job per sample, same order.
  void split_front() {
    JobPtr job = ready_.front();
    ready_.pop_front();
    for (std::size_t i = job->count; i-- > 0;) {
      auto single = std::make_shared<Job>();
      single->submission = job->submission;
      single->first = job->first + i;
      ready_.push_front(std::move(single));
    }
  }

  double token_estimate(const Job& job) const {
    double answer = config_.max_tokens ? static_cast<double>(*config_.max_tokens) : 1024.0;
    return job.submission->prompt_tokens_estimate + answer * static_cast<double>(job.count);
  }

  std::optional<TimePoint> next_wakeup_locked() const {
    std::optional<TimePoint> wake = blocked_until_;
    if (!delayed_.empty() && !fatal_ && !stopping_) {
      TimePoint first = delayed_.begin()->first;
      wake = wake ? std::min(*wake, first) : first;
    }
    return wake;
  }

  void wake_timer_if_needed() {
    if (!timer_thread_.joinable()) return;
    auto wake = next_wakeup_locked();
    if (wake && *wake < timer_deadline_) {
      timer_deadline_ = *wake;
      timer_cv_.notify_one();
    }
  }

  void timer_loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      Actions actions;
      dispatch(clock_->now(), actions);
      if (!actions.empty()) {
        lock.unlock();
        run(actions);
        lock.lock();
        continue;
      }
      auto wake = next_wakeup_locked();
      timer_deadline_ = wake.value_or(TimePoint::max());
      if (wake) {
        timer_cv_.wait_until(lock, *wake);
      } else {
        timer_cv_.wait(lock);
      }
    }
  }

  // ---- answers -------------------------------------------------------------------------

  void on_complete(const JobPtr& job, std::size_t endpoint_index, HttpOutcome outcome) {
    // sent_at and body_json were written under the lock before send(); the transport's
    // hand-over orders those writes before this read, and a job is in flight only once.
    TimePoint now = clock_->now();
    auto latency = std::chrono::duration_cast<std::chrono::microseconds>(now - job->sent_at);
    const EndpointState& endpoint = endpoints_[endpoint_index];  // immutable fields only
    Verdict verdict = judge(*job, endpoint_index, outcome);
    if (observer_ && outcome) {
      // A server may echo the key; what the observer records must not hold it. (A completion
      // that echoes it is then shown only as redacted text.)
      const std::string& key = endpoint.key.reveal();
      bool echoed = !key.empty() && outcome->body.find(key) != std::string::npos;
      std::string cleaned = echoed ? redact(outcome->body, endpoint.key) : std::string();
      const nlohmann::json* parsed =
          verdict.kind == Verdict::success && !echoed ? verdict.completion.raw.get() : nullptr;
      observer_(Exchange{endpoint.display, job->body_json.get(), outcome->status,
                         echoed ? cleaned : outcome->body, parsed, latency});
    }

    Actions actions;
    {
      std::lock_guard lock(mutex_);
      --endpoints_[endpoint_index].in_flight;
      in_flight_.erase(job.get());
      if (!job->finished && !stopping_ && !fatal_) {
        apply(job, endpoint_index, std::move(verdict), latency, now, actions);
      }
      dispatch(now, actions);
      wake_timer_if_needed();
    }
    run(actions);
  }

  // Reads an outcome; touches only immutable endpoint fields and config, so no lock.
  Verdict judge(const Job& job, std::size_t endpoint_index, HttpOutcome& outcome) const {
    const EndpointState& endpoint = endpoints_[endpoint_index];
    Verdict verdict;
    if (!outcome) {
      auto cause = retry_cause_for(outcome.error().kind);
      verdict.kind = cause ? Verdict::retry : Verdict::shutdown;
      verdict.cause = cause.value_or(RetryCause::transport_other);
      verdict.message = endpoint.display + ": " + redact(outcome.error().message, endpoint.key);
      return verdict;
    }
    const HttpResponse& response = *outcome;
    if (response.status >= 200 && response.status <= 299) {
      auto completion = parse_completion(response.body);
      if (completion) {
        verdict.completion = std::move(*completion);
        return verdict;
      }
      verdict.kind = Verdict::retry;
      verdict.cause = RetryCause::invalid_body;
      verdict.message = "HTTP " + std::to_string(response.status) + " from " + endpoint.display +
                        " is not a usable chat completion: " + completion.error();
      return verdict;
    }
    std::string server_says = redact(error_text(response.body), endpoint.key);
    std::string what = "HTTP " + std::to_string(response.status) + " from " + endpoint.display +
                       ": " + server_says;
    if (auto cause = retry_cause_for_status(response.status)) {
      verdict.kind = Verdict::retry;
      verdict.cause = *cause;
      verdict.retry_after = retry_after_of(response, clock_->wall_now());
      verdict.message = std::move(what);
      return verdict;
    }
    if (response.status == 400 && job.count > 1 &&
        config_.n_per_request == NPerRequest::automatic) {
      verdict.kind = Verdict::n_rejected;  // maybe the server does not do n; try without
      verdict.cause = RetryCause::n_rejected;
      verdict.message = std::move(what);
      return verdict;
    }
    verdict.kind = Verdict::fatal;
    verdict.message = refused_message(config_, endpoint, response.status, server_says);
    return verdict;
  }

  void apply(const JobPtr& job, std::size_t endpoint_index, Verdict verdict,
             std::chrono::microseconds latency, TimePoint now, Actions& actions) {
    switch (verdict.kind) {
      case Verdict::success:
        failing_since_.reset();
        failed_attempts_ = 0;
        ever_succeeded_ = true;
        endpoints_.succeeded(endpoint_index);
        deliver_completion(job, endpoint_index, verdict.completion, latency, actions);
        return;
      case Verdict::n_rejected:
        ++stats_.retries[static_cast<std::size_t>(verdict.cause)];
        endpoints_[endpoint_index].n_support = NSupport::no;
        ready_.push_front(job);
        split_front();
        return;
      case Verdict::retry: {
        ++stats_.retries[static_cast<std::size_t>(verdict.cause)];
        endpoints_.failed(endpoint_index, now, verdict.retry_after);
        job->last_error = std::move(verdict.message);
        if (!failing_since_) failing_since_ = now;
        ++failed_attempts_;
        if (server_missing(*job, endpoint_index, verdict.cause, now)) {
          enter_fatal(unreachable_message(config_, endpoint_names(), job->last_error, failed_attempts_,
                                          std::chrono::duration_cast<std::chrono::milliseconds>(now - *failing_since_)),
                      actions);
          fail_job(*job, *fatal_, actions);
          return;
        }
        if (now - *failing_since_ >= config_.stall_timeout) {
          enter_fatal(stall_message(config_, endpoint_names(), job->last_error), actions);
          fail_job(*job, *fatal_, actions);
          return;
        }
        if (job->attempts > config_.max_retries) {
          fail_job(*job,
                   LlmError{LlmErrorKind::retries_exhausted,
                            "gave up after " + std::to_string(job->attempts) +
                                " attempts; the last one: " + job->last_error},
                   actions);
          return;
        }
        auto delay = backoff_delay(job->attempts, config_.retry_base_delay,
                                   config_.retry_max_delay, rng_);
        if (verdict.retry_after) delay = std::max(delay, *verdict.retry_after);
        delayed_.emplace(now + delay, job);
        return;
      }
      case Verdict::fatal:
        enter_fatal(std::move(verdict.message), actions);
        fail_job(*job, *fatal_, actions);
        return;
      case Verdict::shutdown:
        fail_job(*job, LlmError{LlmErrorKind::cancelled, verdict.message}, actions);
        return;
    }
  }

  void enter_fatal(std::string message, Actions& actions) {
    fatal_ = LlmError{LlmErrorKind::fatal, std::move(message)};
    fail_everything(*fatal_, actions);
  }

  // A server that has never answered and refuses every connection is not running, or the
  // URL is wrong: with unreachable_timeout set, that stops the client long before
  // stall_timeout (which is sized for a server that restarts mid-run). Any answer at all,
  // even an error status, shows that something listens there.
  bool server_missing(const Job& job, std::size_t endpoint_index, RetryCause cause, TimePoint now) {
    if (ever_succeeded_ || !config_.unreachable_timeout) return false;
    refused_[endpoint_index] = cause == RetryCause::connect_failed;
    if (std::find(refused_.begin(), refused_.end(), false) != refused_.end()) return false;
    return now - *failing_since_ >= *config_.unreachable_timeout || job.attempts > config_.max_retries;
  }

  std::vector<std::string> endpoint_names() const {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < endpoints_.size(); ++i) names.push_back(endpoints_[i].display);
    return names;
  }

  void deliver_completion(const JobPtr& job, std::size_t endpoint_index,
                          Completion& completion, std::chrono::microseconds latency,
                          Actions& actions) {
    EndpointState& endpoint = endpoints_[endpoint_index];
    auto& choices = completion.choices;
    // Indices outside the request's range mean the server numbers choices its own way.
    bool by_index = std::all_of(choices.begin(), choices.end(),
                                [&](const Choice& c) { return c.index < job->count; });
    if (!by_index) {
      for (std::size_t i = 0; i < choices.size(); ++i) choices[i].index = i;
    }
    std::erase_if(choices, [&](const Choice& c) { return c.index >= job->count; });
    // Only "auto" learns; "on" keeps asking for n and fills what is missing one by one.
    if (job->count > 1 && config_.n_per_request == NPerRequest::automatic) {
      endpoint.n_support = choices.size() == job->count ? NSupport::yes : NSupport::no;
    }
    if (tokens_) tokens_->adjust(token_estimate(*job) - static_cast<double>(completion.usage.total()));
    stats_.prompt_tokens += static_cast<std::uint64_t>(completion.usage.prompt_tokens);
    stats_.completion_tokens += static_cast<std::uint64_t>(completion.usage.completion_tokens);

    std::vector<bool> got(job->count, false);
    auto share = static_cast<std::int64_t>(choices.size());
    for (std::size_t k = 0; k < choices.size(); ++k) {
      Choice& choice = choices[k];
      got[choice.index] = true;
      ChatResult result;
      result.sample_index = job->first + choice.index;
      result.content = std::move(choice.content);
      result.truncated = choice.finish_reason == "length";
      result.finish_reason = std::move(choice.finish_reason);
      // Prompt tokens to the first sample; completion tokens split evenly, rest to the first.
      std::int64_t completion_tokens = completion.usage.completion_tokens;
      result.usage.completion_tokens = completion_tokens / share + (k == 0 ? completion_tokens % share : 0);
      result.usage.prompt_tokens = k == 0 ? completion.usage.prompt_tokens : 0;
      result.latency = latency;
      result.attempts = job->attempts;
      result.endpoint = endpoint.display;
      result.raw = completion.raw;
      ++stats_.samples_succeeded;
      if (result.truncated) ++stats_.samples_truncated;
      stats_.latency_total += latency;
      stats_.latency_max = std::max(stats_.latency_max, latency);
      actions.deliveries.push_back({job->submission, result.sample_index, std::move(result)});
    }
    job->finished = true;
    // Fewer choices than asked: the missing samples go out again, one request each.
    for (std::size_t i = job->count; i-- > 0;) {
      if (got[i]) continue;
      auto single = std::make_shared<Job>();
      single->submission = job->submission;
      single->first = job->first + i;
      ready_.push_front(std::move(single));
    }
  }

  void fail_job(Job& job, const LlmError& error, Actions& actions) {
    if (job.finished) return;
    job.finished = true;
    stats_.samples_failed += job.count;
    for (std::size_t i = 0; i < job.count; ++i) {
      actions.deliveries.push_back({job.submission, job.first + i, tl::unexpected(error)});
    }
  }

  // Fails every job that is queued, waiting or in flight (answers still on their way are
  // then ignored).
  void fail_everything(const LlmError& error, Actions& actions) {
    for (auto& job : ready_) fail_job(*job, error, actions);
    for (auto& [when, job] : delayed_) fail_job(*job, error, actions);
    for (auto& [raw, job] : in_flight_) fail_job(*job, error, actions);
    ready_.clear();
    delayed_.clear();
    in_flight_.clear();
    blocked_until_.reset();
  }

  void run(Actions& actions) {
    for (Send& send : actions.sends) {
      transport_.send(std::move(send.request),
                      [core = shared_from_this(), job = std::move(send.job),
                       endpoint = send.endpoint](HttpOutcome outcome) {
                        core->on_complete(job, endpoint, std::move(outcome));
                      });
    }
    if (actions.deliveries.empty()) return;
    for (Delivery& delivery : actions.deliveries) {
      if (delivery.submission->callback) {
        delivery.submission->callback(delivery.sample_index, std::move(delivery.outcome));
      }
    }
    std::lock_guard lock(mutex_);
    outstanding_ -= actions.deliveries.size();
    if (outstanding_ == 0) idle_cv_.notify_all();
  }

  const ModelConfig config_;
  Transport& transport_;
  const std::shared_ptr<Clock> clock_;
  const ExchangeObserver observer_;

  mutable std::mutex mutex_;
  std::condition_variable timer_cv_;
  std::condition_variable idle_cv_;
  std::thread timer_thread_;
  TimePoint timer_deadline_ = TimePoint::max();

  EndpointPool endpoints_;
  std::deque<JobPtr> ready_;
  std::multimap<TimePoint, JobPtr> delayed_;
  std::unordered_map<Job*, JobPtr> in_flight_;
  std::optional<TokenBucket> requests_;
  std::optional<TokenBucket> tokens_;
  std::optional<TimePoint> blocked_until_;
  std::optional<LlmError> fatal_;
  std::optional<TimePoint> failing_since_;  // first failure since the last success
  bool stopping_ = false;
  std::uint64_t outstanding_ = 0;  // samples whose callback has not returned yet
  std::mt19937_64 rng_;
  std::uint64_t failed_attempts_ = 0;       // since the last success
  bool ever_succeeded_ = false;
  std::vector<bool> refused_;  // per endpoint: its last failure before any success was connect_failed
  ClientStats stats_;
};

// ---- Client ---------------------------------------------------------------------------

tl::expected<std::unique_ptr<Client>, std::string> Client::create(ModelConfig config,
                                                                  Transport& transport,
                                                                  ClientOptions options) {
  if (std::string problems = validate(config); !problems.empty()) {
    return tl::unexpected("invalid LLM configuration: " + problems);
  }
  bool timer_thread = options.timer_thread;
  auto core = std::make_shared<Core>(std::move(config), transport, std::move(options));
  if (timer_thread) core->start_timer_thread();
  return std::unique_ptr<Client>(new Client(std::move(core)));
}

Client::Client(std::shared_ptr<Core> core) : core_(std::move(core)) {}
Client::~Client() { core_->shut_down(); }

void Client::submit(ChatRequest request, SampleCallback on_sample) {
  core_->submit(std::move(request), std::move(on_sample));
}

std::future<std::vector<SampleOutcome>> Client::submit(ChatRequest request) {
  struct Collector {
    std::mutex mutex;
    std::promise<std::vector<SampleOutcome>> promise;
    std::vector<std::optional<SampleOutcome>> outcomes;
    std::size_t remaining;
  };
  auto collector = std::make_shared<Collector>();
  auto future = collector->promise.get_future();
  if (request.count == 0) {
    collector->promise.set_value({});
    return future;
  }
  collector->outcomes.resize(request.count);
  collector->remaining = request.count;
  std::size_t first = request.sample_index;
  core_->submit(std::move(request), [collector, first](std::size_t index, SampleOutcome outcome) {
    std::lock_guard lock(collector->mutex);
    collector->outcomes[index - first] = std::move(outcome);
    if (--collector->remaining > 0) return;
    std::vector<SampleOutcome> all;
    all.reserve(collector->outcomes.size());
    for (auto& item : collector->outcomes) all.push_back(std::move(*item));
    collector->promise.set_value(std::move(all));
  });
  return future;
}

std::optional<LlmError> Client::fatal_error() const { return core_->fatal_error(); }
ClientStats Client::stats() const { return core_->stats(); }
const ModelConfig& Client::config() const { return core_->config(); }
bool Client::wait_idle(std::chrono::milliseconds timeout) { return core_->wait_idle(timeout); }
void Client::pump() { core_->pump(); }
std::optional<Clock::TimePoint> Client::next_wakeup() const { return core_->next_wakeup(); }

}  // namespace autoif::llm
