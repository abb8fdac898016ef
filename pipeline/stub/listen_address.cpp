#include "pipeline/stub/listen_address.h"

#include <arpa/inet.h>

#include <charconv>

namespace autoif::stub {
namespace {

// Built by appending: GCC 12 warns falsely (-Wrestrict) on `"'" + std::string(...) + ...`.
tl::unexpected<std::string> problem(std::string_view text, std::string_view what) {
  std::string message = "'";
  message += text;
  message += "'";
  message += what;
  return tl::unexpected(std::move(message));
}

}  // namespace

tl::expected<ListenAddress, std::string> parse_listen_address(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return problem(text, " is not HOST:PORT");
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  else if (host.find(':') != std::string_view::npos)
    return problem(text, ": write an IPv6 host in brackets, e.g. [::1]:8080");
  if (host.empty()) return problem(text, " has no host");
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535)
    return problem(text, ": the port must be a number from 0 to 65535");
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

bool is_loopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

}  // namespace autoif::stub
