// The starter files of `autoif init DIR`: a commented autoif.toml that loads as it is
// (pointing at a local vLLM with a placeholder model name), the built-in seed instructions as
// seeds.jsonl, and a small pool of realistic user queries as queries.jsonl. Their text is
// compiled in from prompts/init_config.txt, prompts/default_seeds.txt and
// prompts/init_queries.txt.
//
// write_starter creates DIR when needed and writes all three files, each through a temporary
// file and a rename. Without `force` it writes nothing when any of them already exists.
// Error: a message naming the paths in the way and saying how to proceed.
#pragma once

#include <tl/expected.hpp>

#include <string>
#include <vector>

namespace autoif::config {

struct StarterFile {
  std::string name;      // file name inside DIR
  std::string contents;
  std::string summary;   // one line for the user: what it is
};

std::vector<StarterFile> starter_files();

// Paths written, in starter_files() order.
tl::expected<std::vector<std::string>, std::string> write_starter(const std::string& dir, bool force);

}  // namespace autoif::config
