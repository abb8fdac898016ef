// The real Transport: libcurl's multi interface driven by one epoll event-loop thread, so
// thousands of requests can be in flight without a thread each. Connections are HTTP/1.1 and
// kept alive in a cache of `max_connections`, so a steady stream of requests reuses them
// instead of paying a TCP handshake each time.
//
// It bounds nothing itself: the client decides how many requests are in flight per endpoint.
// Completions run on the loop thread (see transport.h for the contract). Creating one raises
// the process's RLIMIT_NOFILE soft limit to the hard limit, since every connection is a
// descriptor. Error messages name the URL without credentials and curl's reason; they never
// hold request headers.
#pragma once

#include <tl/expected.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "pipeline/llm/transport.h"

namespace autoif::llm {

struct CurlTransportOptions {
  std::size_t max_connections = 4096;  // idle keep-alive connections kept for reuse
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(30)};
};

class CurlTransport final : public Transport {
 public:
  // Fails when libcurl or epoll cannot be set up; the message says which call failed.
  static tl::expected<std::unique_ptr<CurlTransport>, std::string> create(
      CurlTransportOptions options = {});
  ~CurlTransport() override;  // completes what is outstanding with kind shutdown, joins
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  void send(HttpRequest request, Completion done) override;

 private:
  class Loop;
  explicit CurlTransport(std::unique_ptr<Loop> loop);
  std::unique_ptr<Loop> loop_;
};

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the resulting soft limit.
std::uint64_t raise_file_limit();

}  // namespace autoif::llm
