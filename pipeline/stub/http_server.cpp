// The event loop: one thread, level-triggered epoll, a min-heap of timers for delayed answers.
// Connections are keyed by a never-reused id rather than by descriptor, so a timer that fires
// after its connection closed (and the descriptor number was reused) finds nothing and is
// dropped instead of answering a stranger.
#include "pipeline/stub/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>

#include "pipeline/stub/http_message.h"
#include "pipeline/stub/unique_fd.h"

namespace autoif::stub {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kListenId = 0;
constexpr std::uint64_t kWakeId = 1;
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kReadBudget = 1024 * 1024;  // per wake-up, so one sender can't hog the loop

std::string errno_text(const char* call, int error) {
  return std::string(call) + ": " + std::strerror(error);
}

struct Timer {
  Clock::time_point due;
  std::uint64_t connection;
  std::uint64_t sequence;
  bool operator>(const Timer& other) const { return due > other.due; }
};

enum class State { reading, waiting, writing };

struct Connection {
  UniqueFd fd;
  std::string in;   // received and not yet consumed
  std::string out;  // to send; out_sent bytes of it are gone already
  std::size_t out_sent = 0;
  std::uint32_t events = 0;  // current epoll interest
  State state = State::reading;
  std::optional<http::Head> head;  // parsed head of the request whose body is still coming
  bool sent_continue = false;
  bool keep_alive = true;
  bool close_after_write = false;
  bool head_request = false;  // a HEAD request: the answer carries headers only
  bool peer_closed = false;   // the client sent FIN: answer what is complete, then close
  std::uint64_t timer_sequence = 0;
  Response pending;  // the delayed answer, while state == waiting
};

// Fills `address` from a numeric host; "localhost" means 127.0.0.1 (no resolver involved).
tl::expected<socklen_t, std::string> make_address(const std::string& host, std::uint16_t port,
                                                  sockaddr_storage& address) {
  std::string name = host == "localhost" ? "127.0.0.1" : host;
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
  std::memset(&address, 0, sizeof address);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  if (inet_pton(AF_INET, name.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return socklen_t{sizeof(sockaddr_in)};
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
  if (inet_pton(AF_INET6, name.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return socklen_t{sizeof(sockaddr_in6)};
  }
  return tl::unexpected("'" + host + "' is not a numeric IPv4 or IPv6 address");
}

}  // namespace

std::uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return raised.rlim_cur;
  }
  return limit.rlim_cur;
}

class HttpServer::Loop {
 public:
  Loop(ServerOptions options, Handler handler, UniqueFd listener, UniqueFd epoll, UniqueFd wake,
       std::uint16_t port)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        listener_(std::move(listener)),
        epoll_(std::move(epoll)),
        wake_(std::move(wake)),
        spare_(::open("/dev/null", O_RDONLY | O_CLOEXEC)),
        port_(port) {}

  void start() { thread_ = std::thread([this] { run(); }); }

  void stop() {
    std::lock_guard lock(stop_mutex_);
    stopping_.store(true);
    if (!thread_.joinable() || thread_.get_id() == std::this_thread::get_id()) return;
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_.get(), &one, sizeof one);
    thread_.join();
  }

  std::uint16_t port() const { return port_; }
  const std::string& host() const { return options_.host; }
  ServerStats stats() const {
    return {accepted_.load(), open_.load(), requests_.load()};
  }

 private:
  void run() {
    epoll_event events[256];
    while (!stopping_.load()) {
      int count = epoll_wait(epoll_.get(), events, 256, next_timeout_ms());
      if (count < 0 && errno != EINTR) break;  // cannot happen with valid descriptors
      for (int i = 0; i < count; ++i) {
        std::uint64_t id = events[i].data.u64;
        if (id == kListenId) accept_all();
        else if (id == kWakeId) drain_wake();
        else on_event(id, events[i].events);
      }
      fire_due_timers();
    }
    connections_.clear();  // closes every socket
    listener_.reset();     // and frees the port for the next server
    open_.store(0);
  }

  int next_timeout_ms() const {
    if (timers_.empty()) return -1;
    auto left = timers_.top().due - Clock::now();
    if (left <= Clock::duration::zero()) return 0;
    // Round up: waking a little late keeps "elapsed >= delay"; waking early just loops.
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
  }

  void drain_wake() {
    std::uint64_t value;
    [[maybe_unused]] auto got = ::read(wake_.get(), &value, sizeof value);
  }

  void accept_all() {
    while (true) {
      int fd = accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if ((errno == EMFILE || errno == ENFILE) && spare_) {
          // Out of descriptors: accept and drop one connection with the spare slot so the
          // client sees a close instead of hanging in the backlog forever.
          spare_.reset();
          UniqueFd dropped(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
          dropped.reset();
          spare_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
          continue;
        }
        return;  // EAGAIN: the backlog is empty
      }
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::uint64_t id = next_id_++;
      Connection& connection = connections_[id];
      connection.fd.reset(fd);
      connection.events = EPOLLIN;
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u64 = id;
      if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
        connections_.erase(id);
        continue;
      }
      accepted_.fetch_add(1);
      open_.fetch_add(1);
    }
  }

  void close_connection(std::uint64_t id) {
    if (connections_.erase(id)) open_.fetch_sub(1);
  }

  // Read unless the client is done sending; write while output is pending.
  void update_interest(std::uint64_t id, Connection& connection) {
    std::uint32_t events = (connection.peer_closed ? 0u : std::uint32_t{EPOLLIN}) |
                           (connection.out_sent < connection.out.size() ? std::uint32_t{EPOLLOUT} : 0u);
    if (connection.events == events) return;
    epoll_event event{};
    event.events = events;
    event.data.u64 = id;
    epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, connection.fd.get(), &event);
    connection.events = events;
  }

  void on_event(std::uint64_t id, std::uint32_t events) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    Connection& connection = it->second;
    if ((events & EPOLLERR) || ((events & EPOLLHUP) && connection.peer_closed))
      return close_connection(id);
    if ((events & EPOLLOUT) && !flush(id, connection)) return;
    if (events & (EPOLLIN | EPOLLHUP))
      read_available(id, connection);
    else
      after_answer(id);
  }

  void read_available(std::uint64_t id, Connection& connection) {
    char chunk[kReadChunk];
    std::size_t budget = kReadBudget;
    while (budget > 0) {
      ssize_t got = ::recv(connection.fd.get(), chunk, sizeof chunk, 0);
      if (got > 0) {
        connection.in.append(chunk, static_cast<std::size_t>(got));
        budget -= std::min(budget, static_cast<std::size_t>(got));
        continue;
      }
      if (got < 0 && errno == EINTR) continue;
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (got < 0) return close_connection(id);  // a reset
      // EOF: a half-close (the request is all sent) or a hang-up. Either way complete requests
      // are still answered; a client that really left makes that write fail, and we close.
      connection.peer_closed = true;
      if (connection.state == State::writing) connection.close_after_write = true;
      update_interest(id, connection);
      break;
    }
    if (connection.state == State::reading) process_input(id, connection);
    close_if_done(id);
  }

  // A half-closed connection with nothing left to answer is finished.
  void close_if_done(std::uint64_t id) {
    auto it = connections_.find(id);
    if (it != connections_.end() && it->second.peer_closed && it->second.state == State::reading)
      close_connection(id);
  }

  // Hands every complete request in the buffer to the handler, one at a time.
  void process_input(std::uint64_t id, Connection& connection) {
    while (connection.state == State::reading) {
      if (!connection.head) {
        auto parsed = http::parse_head(connection.in, options_.max_header_bytes);
        if (!parsed) {
          Response refusal = Response::text(parsed.error().status, parsed.error().message + "\n");
          refusal.close_after = true;
          return act(id, connection, std::move(refusal));
        }
        if (!*parsed) return;  // head incomplete
        connection.head = std::move(**parsed);
        connection.sent_continue = false;
        if (connection.head->content_length > options_.max_body_bytes) {
          Response refusal = Response::text(413, "request body too large\n");
          refusal.close_after = true;
          return act(id, connection, std::move(refusal));
        }
      }
      http::Head& head = *connection.head;
      std::size_t needed = head.head_bytes + head.content_length;
      if (connection.in.size() < needed) {
        if (head.expect_continue && !connection.sent_continue) {
          connection.sent_continue = true;
          connection.out += "HTTP/1.1 100 Continue\r\n\r\n";
          if (!flush(id, connection)) return;
        }
        return;  // body incomplete
      }
      Request request = std::move(head.request);
      request.body = connection.in.substr(head.head_bytes, head.content_length);
      connection.in.erase(0, needed);
      connection.keep_alive = head.keep_alive;
      connection.head_request = request.method == "HEAD";
      connection.head.reset();
      requests_.fetch_add(1);

      Response response;
      try {
        response = handler_(request);
      } catch (const std::exception& error) {
        response = Response::text(500, std::string("handler failed: ") + error.what() + "\n");
      } catch (...) {
        response = Response::text(500, "handler failed\n");
      }
      if (response.delay > std::chrono::milliseconds::zero()) {
        connection.state = State::waiting;
        connection.pending = std::move(response);
        timers_.push({Clock::now() + connection.pending.delay, id, ++connection.timer_sequence});
        return;
      }
      act(id, connection, std::move(response));
      // act() may have closed the connection, and `connection` with it.
      if (!connections_.count(id)) return;
    }
  }

  // Carries out a response whose delay (if any) has passed.
  void act(std::uint64_t id, Connection& connection, Response response) {
    switch (response.action) {
      case Action::close:
        return close_connection(id);
      case Action::reset: {
        linger hard{1, 0};  // close() then sends RST instead of FIN
        setsockopt(connection.fd.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        return close_connection(id);
      }
      case Action::cut_body:
        connection.out += http::write_head(response, response.body.size(), false);
        connection.out.append(response.body, 0, std::min(response.cut_at, response.body.size()));
        connection.close_after_write = true;
        break;
      case Action::respond: {
        bool keep_alive = connection.keep_alive && !response.close_after && !connection.peer_closed;
        connection.out += http::write_head(response, response.body.size(), keep_alive);
        if (!connection.head_request) connection.out += response.body;
        connection.close_after_write = !keep_alive;
        break;
      }
    }
    connection.state = State::writing;
    flush(id, connection);
  }

  // Sends what it can. Returns false when the connection was closed.
  bool flush(std::uint64_t id, Connection& connection) {
    while (connection.out_sent < connection.out.size()) {
      ssize_t sent = ::send(connection.fd.get(), connection.out.data() + connection.out_sent,
                            connection.out.size() - connection.out_sent, MSG_NOSIGNAL);
      if (sent >= 0) {
        connection.out_sent += static_cast<std::size_t>(sent);
        continue;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        update_interest(id, connection);
        return true;
      }
      close_connection(id);
      return false;
    }
    connection.out.clear();
    connection.out_sent = 0;
    if (connection.state != State::writing) {
      update_interest(id, connection);
      return true;  // a 100 Continue went out; the request is still being read
    }
    if (connection.close_after_write) {
      // FIN after the data, before close, so the client reads every byte we sent.
      ::shutdown(connection.fd.get(), SHUT_WR);
      close_connection(id);
      return false;
    }
    connection.state = State::reading;
    update_interest(id, connection);
    return true;
  }

  // After an answer went out, a request that arrived meanwhile (pipelined) may be waiting.
  void after_answer(std::uint64_t id) {
    auto it = connections_.find(id);
    if (it != connections_.end() && it->second.state == State::reading && !it->second.in.empty())
      process_input(id, it->second);
    close_if_done(id);
  }

  void fire_due_timers() {
    auto now = Clock::now();
    while (!timers_.empty() && timers_.top().due <= now) {
      Timer timer = timers_.top();
      timers_.pop();
      auto it = connections_.find(timer.connection);
      if (it == connections_.end()) continue;
      Connection& connection = it->second;
      if (connection.state != State::waiting || connection.timer_sequence != timer.sequence)
        continue;
      act(timer.connection, connection, std::move(connection.pending));
      after_answer(timer.connection);
    }
  }

  ServerOptions options_;
  Handler handler_;
  UniqueFd listener_;
  UniqueFd epoll_;
  UniqueFd wake_;
  UniqueFd spare_;  // a reserved descriptor, given up to shed a connection when out of them
  std::uint16_t port_;

  std::unordered_map<std::uint64_t, Connection> connections_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::uint64_t next_id_ = 2;  // 0 and 1 are the listener and the wake-up descriptor

  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> accepted_{0}, open_{0}, requests_{0};
  std::mutex stop_mutex_;
  std::thread thread_;
};

tl::expected<std::unique_ptr<HttpServer>, std::string> HttpServer::start(ServerOptions options,
                                                                        Handler handler) {
  if (!handler) return tl::unexpected(std::string("HttpServer::start: no handler"));
  raise_open_file_limit();
  sockaddr_storage address;
  auto length = make_address(options.host, options.port, address);
  if (!length) return tl::unexpected(length.error());
  std::string where = options.host + ":" + std::to_string(options.port);

  UniqueFd listener(socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listener) return tl::unexpected(errno_text("socket", errno));
  int one = 1;
  setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listener.get(), reinterpret_cast<sockaddr*>(&address), *length) != 0)
    return tl::unexpected(errno_text("bind", errno) + " (" + where + ")");
  if (listen(listener.get(), SOMAXCONN) != 0)
    return tl::unexpected(errno_text("listen", errno) + " (" + where + ")");
  sockaddr_storage bound;
  socklen_t bound_length = sizeof bound;
  if (getsockname(listener.get(), reinterpret_cast<sockaddr*>(&bound), &bound_length) != 0)
    return tl::unexpected(errno_text("getsockname", errno));
  std::uint16_t port = ntohs(bound.ss_family == AF_INET
                                 ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                 : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);

  UniqueFd epoll(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll) return tl::unexpected(errno_text("epoll_create1", errno));
  UniqueFd wake(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake) return tl::unexpected(errno_text("eventfd", errno));
  for (auto [fd, id] : {std::pair{listener.get(), kListenId}, std::pair{wake.get(), kWakeId}}) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = id;
    if (epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &event) != 0)
      return tl::unexpected(errno_text("epoll_ctl", errno));
  }

  auto loop = std::make_unique<Loop>(std::move(options), std::move(handler), std::move(listener),
                                     std::move(epoll), std::move(wake), port);
  loop->start();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(loop)));
}

HttpServer::HttpServer(std::unique_ptr<Loop> loop) : loop_(std::move(loop)) {}
HttpServer::~HttpServer() { stop(); }
std::uint16_t HttpServer::port() const { return loop_->port(); }
const std::string& HttpServer::host() const { return loop_->host(); }
ServerStats HttpServer::stats() const { return loop_->stats(); }
void HttpServer::stop() { loop_->stop(); }

}  // namespace autoif::stub
