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
#include "tests/support/temp_dir.h"

namespace autoif::config::testing {

// Named by prefix so a leftover folder says which tests left it.
struct TempDir : test_support::TempDir {
  TempDir() : test_support::TempDir("autoif-config") {}
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
