// A tiny blocking HTTP/1.1 client over plain sockets, for the stub tests: it shows exactly what
// went over the wire (EOF, reset, a cut body) where a full client library would retry or hide
// it. Every read has a receive timeout so a broken server fails a test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <tl/expected.hpp>

#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include "pipeline/stub/unique_fd.h"

namespace autoif::stub::testing {

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class TestClient {
 public:
  explicit TestClient(std::uint16_t port, int timeout_seconds = 20) {
    fd_.reset(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd_) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    timeval timeout{timeout_seconds, 0};
    setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd_.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
  }

  void send_raw(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t sent = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::string("send: ") + std::strerror(errno));
      }
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
  }

  static std::string format(std::string_view method, std::string_view path, std::string_view body,
                            std::string_view extra_headers = "") {
    std::string text = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    text += extra_headers;
    if (!body.empty() || method == "POST")
      text += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    text += "\r\n";
    text += body;
    return text;
  }

  void send_request(std::string_view method, std::string_view path, std::string_view body = "",
                    std::string_view extra_headers = "") {
    send_raw(format(method, path, body, extra_headers));
  }

  tl::expected<Reply, std::string> post(std::string_view path, std::string_view body) {
    send_request("POST", path, body);
    return read_reply();
  }
  tl::expected<Reply, std::string> get(std::string_view path) {
    send_request("GET", path);
    return read_reply();
  }

  // One response. Errors: "eof" (closed before a byte of it), "reset", "timeout",
  // "cut body: N of M bytes" (closed mid-body), or a parse problem.
  tl::expected<Reply, std::string> read_reply() {
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
      if (auto problem = fill()) return tl::unexpected(buffer_.empty() ? *problem : "cut head");
    Reply reply;
    std::string_view head(buffer_.data(), end + 2);
    auto line_end = head.find("\r\n");
    std::string status_line(head.substr(0, line_end));
    if (status_line.compare(0, 9, "HTTP/1.1 ") != 0) return tl::unexpected("bad status line: " + status_line);
    reply.status = std::stoi(status_line.substr(9, 3));
    head.remove_prefix(line_end + 2);
    while (!head.empty()) {
      line_end = head.find("\r\n");
      std::string_view line = head.substr(0, line_end);
      head.remove_prefix(line_end + 2);
      auto colon = line.find(':');
      std::string name(line.substr(0, colon));
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      reply.headers[name] = std::string(value);
    }
    buffer_.erase(0, end + 4);
    if (reply.status == 100) return read_reply();  // interim answer to Expect: 100-continue
    std::size_t length = reply.headers.count("content-length")
                             ? std::stoul(reply.headers["content-length"]) : 0;
    while (buffer_.size() < length)
      if (auto problem = fill())
        return tl::unexpected("cut body: " + std::to_string(buffer_.size()) + " of " +
                              std::to_string(length) + " bytes");
    reply.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return reply;
  }

  // Waits for the server to close: "eof", "reset", or "data" if bytes came instead.
  std::string wait_close() {
    if (!buffer_.empty()) return "data";
    auto problem = fill();
    return problem ? *problem : "data";
  }

  // True when bytes are ready to read right now (a non-blocking peek).
  bool has_data() {
    if (!buffer_.empty()) return true;
    pollfd ready{fd_.get(), POLLIN, 0};
    return poll(&ready, 1, 0) == 1;
  }

  int fd() const { return fd_.get(); }

 private:
  // Reads more bytes into the buffer; returns the problem when none came.
  std::optional<std::string> fill() {
    char chunk[16384];
    while (true) {
      ssize_t got = ::recv(fd_.get(), chunk, sizeof chunk, 0);
      if (got > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(got));
        return std::nullopt;
      }
      if (got == 0) return std::string("eof");
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) return std::string("reset");
      if (errno == EAGAIN || errno == EWOULDBLOCK) return std::string("timeout");
      return std::string("recv: ") + std::strerror(errno);
    }
  }

  UniqueFd fd_;
  std::string buffer_;
};

}  // namespace autoif::stub::testing
