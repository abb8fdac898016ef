#include "pipeline/stub/http_message.h"

#include <algorithm>
#include <charconv>

namespace autoif::stub::http {
namespace {

constexpr std::string_view kWhitespace = " \t";

std::string_view trim(std::string_view text) {
  auto first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  auto last = text.find_last_not_of(kWhitespace);
  return text.substr(first, last - first + 1);
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// True when the comma-separated header value lists `token` (e.g. Connection: keep-alive, TE).
bool lists_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    auto comma = value.find(',');
    if (iequals(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

tl::unexpected<HeadError> refuse(int status, std::string message) {
  return tl::unexpected(HeadError{status, std::move(message)});
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

tl::expected<std::optional<Head>, HeadError> parse_head(std::string_view buffer,
                                                         std::size_t max_head_bytes) {
  auto end = buffer.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (buffer.size() > max_head_bytes) return refuse(431, "request head too large");
    return std::optional<Head>{};
  }
  if (end + 4 > max_head_bytes) return refuse(431, "request head too large");

  Head head;
  head.head_bytes = end + 4;
  std::string_view rest = buffer.substr(0, end + 2);  // every line ends with CRLF

  auto line_end = rest.find("\r\n");
  std::string_view line = rest.substr(0, line_end);
  rest.remove_prefix(line_end + 2);
  auto sp1 = line.find(' ');
  auto sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp1 == sp2 || sp1 == 0)
    return refuse(400, "malformed request line");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!std::all_of(method.begin(), method.end(), is_token_char) || target.empty() ||
      target.find(' ') != std::string_view::npos)
    return refuse(400, "malformed request line");
  if (version == "HTTP/1.0")
    head.keep_alive = false;
  else if (version != "HTTP/1.1")
    return refuse(505, "only HTTP/1.0 and HTTP/1.1 are served");
  head.request.method = method;
  head.request.target = target;
  head.request.path = target.substr(0, target.find('?'));

  std::optional<std::size_t> content_length;
  while (!rest.empty()) {
    line_end = rest.find("\r\n");
    line = rest.substr(0, line_end);
    rest.remove_prefix(line_end + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        !std::all_of(line.begin(), line.begin() + colon, is_token_char))
      return refuse(400, "malformed header line");
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), lower);
    std::string_view value = trim(line.substr(colon + 1));

    if (name == "content-length") {
      std::size_t length = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (ec != std::errc{} || ptr != value.data() + value.size())
        return refuse(400, "bad Content-Length");
      if (content_length && *content_length != length)
        return refuse(400, "conflicting Content-Length headers");
      content_length = length;
    } else if (name == "transfer-encoding") {
      return refuse(501, "chunked or encoded request bodies are not supported");
    } else if (name == "connection") {
      if (lists_token(value, "close")) head.keep_alive = false;
      if (lists_token(value, "keep-alive")) head.keep_alive = true;
    } else if (name == "expect") {
      if (!iequals(value, "100-continue")) return refuse(417, "unsupported Expect");
      head.expect_continue = true;
    }
    head.request.headers.emplace_back(std::move(name), std::string(value));
  }
  head.content_length = content_length.value_or(0);
  return std::optional<Head>{std::move(head)};
}

std::string write_head(const Response& response, std::size_t body_length, bool keep_alive) {
  std::string out;
  out.reserve(160);
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += reason_phrase(response.status);
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    if (iequals(name, "content-length") || iequals(name, "connection")) continue;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "Content-Length: ";
  out += std::to_string(body_length);
  out += keep_alive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
  return out;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return status < 400 ? "OK" : "Error";
  }
}

}  // namespace autoif::stub::http

// The public value types of http_server.h: small enough to live next to the wire format.
namespace autoif::stub {

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (http::iequals(key, name)) return std::string_view(value);
  return std::nullopt;
}

Response Response::json(int status, std::string body) {
  Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

Response Response::text(int status, std::string body) {
  Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  response.body = std::move(body);
  return response;
}

Response Response::close_connection() {
  Response response;
  response.action = Action::close;
  return response;
}

Response Response::reset_connection() {
  Response response;
  response.action = Action::reset;
  return response;
}

Response Response::with_retry_after(int seconds) && {
  return std::move(*this).with_header("Retry-After", std::to_string(seconds));
}

Response Response::with_header(std::string name, std::string value) && {
  headers.emplace_back(std::move(name), std::move(value));
  return std::move(*this);
}

Response Response::with_delay(std::chrono::milliseconds added) && {
  delay = added;
  return std::move(*this);
}

Response Response::cut_after(std::size_t body_bytes) && {
  action = Action::cut_body;
  cut_at = body_bytes;
  return std::move(*this);
}

}  // namespace autoif::stub
