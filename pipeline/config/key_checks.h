// Value checks that the registry (keys.cpp) attaches to keys beyond type and range: each
// returns "" for a valid value, else what is wrong in words a user can act on. Internal to
// pipeline/config; values arrive already type-checked.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace autoif::config {

std::string check_not_empty(const nlohmann::json& value);
std::string check_url(const nlohmann::json& value);           // http:// or https://
std::string check_optional_url(const nlohmann::json& value);  // "" or a URL
std::string check_url_list(const nlohmann::json& value);      // at least one, each a URL
// An environment variable NAME. Never echoes the value: people paste the key itself here.
std::string check_env_name(const nlohmann::json& value);
std::string check_module_list(const nlohmann::json& value);   // Python dotted module names
std::string check_query_template(const nlohmann::json& value);

}  // namespace autoif::config
