// The prompt templates and built-in texts (the default seed instructions), compiled into the
// binary from prompts/*.txt so that a run needs no file beside the executable. A config may
// point any prompt at a file of its own (see [prompts] in the README).
//
// Templates use {name} placeholders; render() fills them in one pass and reports a
// placeholder the template names but the caller did not supply.
#pragma once

#include <tl/expected.hpp>

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace autoif::prompts {

struct Entry {
  std::string_view name;  // file name without .txt
  std::string_view text;
};

std::span<const Entry> all();
std::optional<std::string_view> builtin(std::string_view name);

// Replaces every {key} of `values` in `text`. A {word} placeholder that has no value is an
// error naming it; braces that do not form a {word} placeholder are copied as they are.
tl::expected<std::string, std::string> render(std::string_view text,
                                              const std::map<std::string, std::string>& values);

}  // namespace autoif::prompts
