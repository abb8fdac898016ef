// The HTTP/1.1 wire format, kept apart from the event loop so it can be read and tested on its
// own: parsing a request head out of a byte buffer, and writing a response head. Internal to
// the stub library.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/stub/http_server.h"

namespace autoif::stub::http {

struct Head {
  Request request;  // everything but the body
  std::size_t head_bytes = 0;      // bytes of the head, the blank line included
  std::size_t content_length = 0;  // body bytes that follow the head
  bool keep_alive = true;          // what the client asked for (version + Connection header)
  bool expect_continue = false;    // "Expect: 100-continue": answer 100 before the body comes
};

// Why a head was refused: the status to answer with (then close) and a short reason.
struct HeadError {
  int status;
  std::string message;
};

// Parses the request head at the start of `buffer`. Returns nullopt while the blank line that
// ends the head has not arrived yet (and the buffer is still under `max_head_bytes`).
tl::expected<std::optional<Head>, HeadError> parse_head(std::string_view buffer,
                                                         std::size_t max_head_bytes);

// Status line, the handler's headers, Content-Length and Connection, and the blank line.
// `body_length` is what Content-Length announces (the full body, even when it will be cut).
std::string write_head(const Response& response, std::size_t body_length, bool keep_alive);

std::string_view reason_phrase(int status);

// ASCII case-insensitive comparison, for header names and tokens.
bool iequals(std::string_view a, std::string_view b);

}  // namespace autoif::stub::http
