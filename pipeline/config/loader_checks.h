// The checks that span several keys or touch the file system (required keys, min <= max,
// files that must exist, prompt override files), run by the loader once every single value
// has been checked. Internal to pipeline/config.
#pragma once

#include <functional>
#include <string>

#include "pipeline/config/config.h"

namespace autoif::config {

struct CheckContext {
  std::string path;  // the config file as the user named it (for problems with no one place)
  bool require_queries = true;
  std::function<std::string(const std::string& key)> where_of;  // where a key was set, else path
  std::function<void(std::string where, std::string key, std::string what)> report;
};

void check_config(const Config& config, const CheckContext& context);

}  // namespace autoif::config
