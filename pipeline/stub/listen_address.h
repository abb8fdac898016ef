// HOST:PORT as given on a command line (`--listen 127.0.0.1:8080`, `[::1]:0`, `localhost:0`),
// and whether it stays on this machine: the stub serves recorded answers to anyone who can
// reach it, so it refuses other addresses unless asked explicitly.
#pragma once

#include <tl/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace autoif::stub {

struct ListenAddress {
  std::string host;  // without IPv6 brackets
  std::uint16_t port = 0;
};

// Errors say what is wrong with `text`.
tl::expected<ListenAddress, std::string> parse_listen_address(std::string_view text);

// True for localhost, 127.0.0.0/8 and ::1 (numeric forms only; nothing is resolved).
bool is_loopback(const std::string& host);

}  // namespace autoif::stub
