// Reading what a chat-completions server answered: the choices of a 2xx body, or the error
// text of any other status, from the shapes that OpenAI, vLLM, SGLang, llama.cpp and Ollama
// actually send.
#pragma once

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/llm/chat.h"

namespace autoif::llm {

struct Choice {
  std::size_t index = 0;  // position among the n samples of the request
  std::string content;    // "" when the server sent null
  std::string finish_reason;
};

struct Completion {
  std::vector<Choice> choices;  // sorted by index, indices distinct
  Usage usage;                  // zeros when the server sent none
  std::shared_ptr<const nlohmann::json> raw;
};

// A usable completion needs a non-empty "choices" array of objects with a "message" object
// whose content is a string (or null). Anything else is an error saying what is missing;
// the client retries those, since a proxy or an overloaded server sends such bodies.
tl::expected<Completion, std::string> parse_completion(std::string_view body);

// The server's error message from a non-2xx body: error.message, error (a string), detail,
// message; otherwise the body itself, shortened to at most `max_chars` and made one line.
std::string error_text(std::string_view body, std::size_t max_chars = 300);

}  // namespace autoif::llm
