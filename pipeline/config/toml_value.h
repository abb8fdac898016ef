// TOML node -> checked json value for one registry key. Internal to pipeline/config: the
// registry speaks json so that nothing outside the loader depends on toml++.
#pragma once

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>
#include <toml++/toml.h>

#include <string>

#include "pipeline/config/keys.h"

namespace autoif::config {

// The node as `type` (an integer is also a number; a single string is also a list of one).
// Error: what was expected and what was given (without the value when `sensitive`).
tl::expected<nlohmann::json, std::string> read_value(const toml::node& node, KeyType type, bool sensitive);

// Any TOML node as json (dates and times as their TOML text).
nlohmann::json node_to_json(const toml::node& node);

// "line 3, column 7" as "3:7", for FILE:LINE:COLUMN.
std::string position_text(const toml::source_position& position);

}  // namespace autoif::config
