#include "pipeline/llm/curl_transport.h"

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "pipeline/llm/secret.h"
#include "pipeline/llm/unique_fd.h"

namespace autoif::llm {
namespace {

struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

std::string errno_text(const char* call) {
  return std::string(call) + " failed: " + std::strerror(errno);
}

TransportErrorKind kind_of(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return TransportErrorKind::timeout;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportErrorKind::connect_failed;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
      return TransportErrorKind::connection_reset;
    default:
      return TransportErrorKind::other;
  }
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::uint64_t raise_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur;
}

class CurlTransport::Loop {
 public:
  Loop(CurlTransportOptions options, UniqueFd epoll, UniqueFd wake, MultiHandle multi)
      : options_(options), epoll_(std::move(epoll)), wake_(std::move(wake)), multi_(std::move(multi)) {
    curl_multi_setopt(multi_.get(), CURLMOPT_SOCKETFUNCTION, &Loop::on_socket);
    curl_multi_setopt(multi_.get(), CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_.get(), CURLMOPT_TIMERFUNCTION, &Loop::on_timer);
    curl_multi_setopt(multi_.get(), CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, static_cast<long>(options_.max_connections));
    thread_ = std::thread([this] { run(); });
  }

  ~Loop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    poke();
    thread_.join();
    // Sends that raced with the shutdown.
    fail_incoming();
  }

  void enqueue(HttpRequest request, Completion done) {
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      incoming_.push_back({std::move(request), std::move(done)});
      // The loop drains the queue after running completions, so a send from a completion
      // (on the loop thread) needs no wake-up; neither does one while a wake-up is pending.
      if (!poked_ && std::this_thread::get_id() != thread_.get_id()) {
        poked_ = true;
        wake = true;
      }
    }
    if (wake) poke();
  }

 private:
  struct Incoming {
    HttpRequest request;
    Completion done;
  };

  struct Transfer {
    EasyHandle easy;
    HttpRequest request;
    Completion done;
    HeaderList header_list;
    HttpResponse response;
    std::array<char, CURL_ERROR_SIZE> error{};
  };

  void poke() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_.get(), &one, sizeof one);
  }

  static int on_socket(CURL*, curl_socket_t socket, int what, void* self_pointer, void* known) {
    auto* self = static_cast<Loop*>(self_pointer);
    if (what == CURL_POLL_REMOVE) {
      ::epoll_ctl(self->epoll_.get(), EPOLL_CTL_DEL, socket, nullptr);
      curl_multi_assign(self->multi_.get(), socket, nullptr);
      return 0;
    }
    epoll_event event{};
    event.data.fd = socket;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) event.events |= EPOLLIN;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) event.events |= EPOLLOUT;
    if (known != nullptr) {
      ::epoll_ctl(self->epoll_.get(), EPOLL_CTL_MOD, socket, &event);
    } else {
      ::epoll_ctl(self->epoll_.get(), EPOLL_CTL_ADD, socket, &event);
      curl_multi_assign(self->multi_.get(), socket, self);  // any non-null marks it known
    }
    return 0;
  }

  static int on_timer(CURLM*, long timeout_ms, void* self_pointer) {
    auto* self = static_cast<Loop*>(self_pointer);
    if (timeout_ms < 0) {
      self->timer_.reset();
    } else {
      self->timer_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    }
    return 0;
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* transfer) {
    static_cast<Transfer*>(transfer)->response.body.append(data, size * count);
    return size * count;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* pointer) {
    auto* transfer = static_cast<Transfer*>(pointer);
    std::string_view line(data, size * count);
    if (line.starts_with("HTTP/")) {
      transfer->response.headers.clear();  // a new response head (after 100 Continue, say)
      return line.size();
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return line.size();
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    transfer->response.headers.emplace_back(lower(line.substr(0, colon)), std::string(value));
    return line.size();
  }

  void run() {
    std::array<epoll_event, 256> events;
    int running = 0;
    while (true) {
      int wait_ms = -1;
      if (timer_) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(*timer_ - std::chrono::steady_clock::now());
        wait_ms = static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 60'000));
      }
      int ready = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), wait_ms);
      for (int i = 0; i < ready; ++i) {
        int fd = events[i].data.fd;
        if (fd == wake_.get()) {
          std::uint64_t count;
          [[maybe_unused]] auto got = ::read(fd, &count, sizeof count);
          continue;
        }
        int flags = 0;
        if (events[i].events & EPOLLIN) flags |= CURL_CSELECT_IN;
        if (events[i].events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
        if (events[i].events & (EPOLLERR | EPOLLHUP)) flags |= CURL_CSELECT_ERR;
        curl_multi_socket_action(multi_.get(), fd, flags, &running);
      }
      if (timer_ && *timer_ <= std::chrono::steady_clock::now()) {
        timer_.reset();
        curl_multi_socket_action(multi_.get(), CURL_SOCKET_TIMEOUT, 0, &running);
      }
      finish_done();
      if (!start_incoming()) break;
    }
    for (auto& [easy, transfer] : active_) {
      curl_multi_remove_handle(multi_.get(), easy);
      transfer->done(tl::unexpected(TransportError{TransportErrorKind::shutdown,
                                                   redact_url(transfer->request.url) +
                                                       ": the transport was shut down"}));
    }
    active_.clear();
    fail_incoming();
  }

  // Starts the queued requests; false once the loop is asked to stop.
  bool start_incoming() {
    std::deque<Incoming> batch;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return false;
      batch.swap(incoming_);
      poked_ = false;
    }
    for (Incoming& item : batch) start(std::move(item));
    return true;
  }

  void start(Incoming item) {
    auto transfer = std::make_unique<Transfer>();
    if (!spare_.empty()) {
      transfer->easy = std::move(spare_.back());
      spare_.pop_back();
    } else {
      transfer->easy.reset(curl_easy_init());
    }
    transfer->request = std::move(item.request);
    transfer->done = std::move(item.done);
    CURL* easy = transfer->easy.get();
    if (easy == nullptr) {
      fail(std::move(transfer), TransportErrorKind::other, "curl_easy_init failed");
      return;
    }
    curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
    // Without this, curl waits for a "100 Continue" before sending bodies over 1 KiB.
    list = curl_slist_append(list, "Expect:");
    for (const auto& [name, value] : transfer->request.headers) {
      list = curl_slist_append(list, (name + ": " + value).c_str());
    }
    transfer->header_list.reset(list);
    const HttpRequest& request = transfer->request;
    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Loop::on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Loop::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error.data());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer.get());
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    if (CURLMcode code = curl_multi_add_handle(multi_.get(), easy); code != CURLM_OK) {
      fail(std::move(transfer), TransportErrorKind::other,
           std::string("curl_multi_add_handle failed: ") + curl_multi_strerror(code));
      return;
    }
    active_.emplace(easy, std::move(transfer));
  }

  void finish_done() {
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_.get(), &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      CURLcode result = message->data.result;
      curl_multi_remove_handle(multi_.get(), easy);
      auto found = active_.find(easy);
      if (found == active_.end()) continue;
      std::unique_ptr<Transfer> transfer = std::move(found->second);
      active_.erase(found);
      if (result == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        transfer->response.status = static_cast<int>(status);
        auto done = std::move(transfer->done);
        HttpResponse response = std::move(transfer->response);
        recycle(std::move(transfer));
        done(std::move(response));
      } else {
        std::string reason = transfer->error[0] != '\0' ? std::string(transfer->error.data())
                                                        : std::string(curl_easy_strerror(result));
        fail(std::move(transfer), kind_of(result), reason);
      }
    }
  }

  void fail(std::unique_ptr<Transfer> transfer, TransportErrorKind kind, const std::string& reason) {
    auto done = std::move(transfer->done);
    std::string message = redact_url(transfer->request.url) + ": " + reason;
    recycle(std::move(transfer));
    done(tl::unexpected(TransportError{kind, std::move(message)}));
  }

  void recycle(std::unique_ptr<Transfer> transfer) {
    if (transfer->easy && spare_.size() < options_.max_connections) {
      spare_.push_back(std::move(transfer->easy));
    }
  }

  void fail_incoming() {
    while (true) {
      std::deque<Incoming> batch;
      {
        std::lock_guard lock(mutex_);
        batch.swap(incoming_);
      }
      if (batch.empty()) return;
      for (Incoming& item : batch) {
        item.done(tl::unexpected(TransportError{
            TransportErrorKind::shutdown, redact_url(item.request.url) + ": the transport was shut down"}));
      }
    }
  }

  const CurlTransportOptions options_;
  UniqueFd epoll_;
  UniqueFd wake_;
  MultiHandle multi_;
  std::optional<std::chrono::steady_clock::time_point> timer_;  // loop thread only
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active_;  // loop thread only
  std::vector<EasyHandle> spare_;                                // loop thread only

  std::mutex mutex_;
  std::deque<Incoming> incoming_;
  bool poked_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything above exists
};

tl::expected<std::unique_ptr<CurlTransport>, std::string> CurlTransport::create(
    CurlTransportOptions options) {
  static std::once_flag once;
  static CURLcode global = CURLE_OK;
  std::call_once(once, [] { global = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (global != CURLE_OK) {
    return tl::unexpected(std::string("curl_global_init failed: ") + curl_easy_strerror(global));
  }
  raise_file_limit();
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll.valid()) return tl::unexpected(errno_text("epoll_create1"));
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) return tl::unexpected(errno_text("eventfd"));
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = wake.get();
  if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, wake.get(), &event) != 0) {
    return tl::unexpected(errno_text("epoll_ctl"));
  }
  MultiHandle multi(curl_multi_init());
  if (!multi) return tl::unexpected(std::string("curl_multi_init failed"));
  auto loop = std::make_unique<Loop>(options, std::move(epoll), std::move(wake), std::move(multi));
  return std::unique_ptr<CurlTransport>(new CurlTransport(std::move(loop)));
}

CurlTransport::CurlTransport(std::unique_ptr<Loop> loop) : loop_(std::move(loop)) {}
CurlTransport::~CurlTransport() = default;

void CurlTransport::send(HttpRequest request, Completion done) {
  loop_->enqueue(std::move(request), std::move(done));
}

}  // namespace autoif::llm
