// Shared by the config tests: a temporary folder that cleans up after itself, and a way to
// load a config text written into it.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/config/loader.h"

namespace autoif::config::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "autoif-config-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

  // Writes `text` to NAME (creating folders) and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    auto target = path_ / name;
    std::filesystem::create_directories(target.parent_path());
    std::ofstream(target, std::ios::binary) << text;
    return target.string();
  }

 private:
  std::filesystem::path path_;
};

// Restores the working directory when it goes out of scope (--set paths resolve against it).
class ChangeDir {
 public:
  explicit ChangeDir(const std::filesystem::path& to) : old_(std::filesystem::current_path()) {
    std::filesystem::current_path(to);
  }
  ~ChangeDir() { std::filesystem::current_path(old_); }
  ChangeDir(const ChangeDir&) = delete;
  ChangeDir& operator=(const ChangeDir&) = delete;

 private:
  std::filesystem::path old_;
};

// The smallest config that loads: the two required keys, with the query pool present.
inline const std::string kMinimal = "[llm]\nmodel = \"m\"\n\n[queries]\nfile = \"q.jsonl\"\n";

// Writes autoif.toml (and q.jsonl) into `dir` and loads it.
inline tl::expected<Config, ConfigError> load_text(const TempDir& dir, const std::string& text,
                                                   const std::vector<std::string>& overrides = {},
                                                   const LoadOptions& options = {}) {
  dir.write("q.jsonl", "{\"text\": \"What is the capital of France, and why?\"}\n");
  return load_config(dir.write("autoif.toml", text), overrides, options);
}

// Loads or fails the running test with the loader's message.
inline Config must_load(const TempDir& dir, const std::string& text, const std::vector<std::string>& overrides = {}) {
  auto config = load_text(dir, text, overrides);
  if (!config) FAIL(config.error().message());
  return std::move(*config);
}

// The problems of a load that must fail.
inline ConfigError must_fail(const TempDir& dir, const std::string& text,
                             const std::vector<std::string>& overrides = {}, const LoadOptions& options = {}) {
  auto config = load_text(dir, text, overrides, options);
  if (config) FAIL("the config loaded, but it should have been refused");
  return config.error();
}

}  // namespace autoif::config::testing
