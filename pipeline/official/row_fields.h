// Reading and rewriting the fields of released-format rows, with errors that say which field
// held what, so a bad line in a 10^5-row file can be found and fixed by hand.
#pragma once

#include <tl/expected.hpp>

#include <string>
#include <utility>
#include <vector>

#include "pipeline/official/row_stream.h"

namespace autoif::official {

// "a string", "a number", "null", "a list", "an object", "true" ...
std::string describe(const Row& value);

// The string field `key` of an object row. Errors: missing, or not a string.
tl::expected<std::string, std::string> string_field(const Row& row, const std::string& key);

// The field `key` as a list of strings. Errors: missing, not a list, or an element that is
// not a string (named by its index).
tl::expected<std::vector<std::string>, std::string> string_list(const Row& row,
                                                                const std::string& key);

using Fields = std::vector<std::pair<std::string, Row>>;

// `row` with `key` replaced, at its own position, by `fields` (keys of `fields` that `row`
// already holds elsewhere are dropped from there), so output rows keep the input's key order.
Row replace_field(const Row& row, const std::string& key, Fields fields);

}  // namespace autoif::official
