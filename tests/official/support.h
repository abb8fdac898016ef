// What the official-format tests share: one real sandbox pool, scratch folders that clean up
// after themselves, small file helpers, and a warning sink that records what it is told.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/official/row_stream.h"
#include "sandbox/pool.h"

namespace official_test {

inline autoif::sandbox::Pool& shared_pool() {
  static std::unique_ptr<autoif::sandbox::Pool> pool = [] {
    autoif::sandbox::PoolOptions options;
    options.worker_path = AUTOIF_WORKER_PATH;
    options.workers = 2;
    auto started = autoif::sandbox::Pool::start(options);
    if (!started) FAIL("pool did not start: " << started.error());
    return std::move(*started);
  }();
  return *pool;
}

// Short enough that functions looping forever cost little, long enough for the others.
inline autoif::sandbox::Limits test_limits() {
  autoif::sandbox::Limits limits;
  limits.timeout = std::chrono::milliseconds(300);
  return limits;
}

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "autoif-official-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(path_))
      out.push_back(entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string jsonl(const std::vector<autoif::official::Row>& rows) {
  std::string text;
  for (const auto& row : rows) text += row.dump() + "\n";
  return text;
}

inline std::vector<autoif::official::Row> read_rows(const std::string& path) {
  std::vector<autoif::official::Row> rows;
  std::istringstream lines(read_text(path));
  for (std::string line; std::getline(lines, line);) rows.push_back(autoif::official::Row::parse(line));
  return rows;
}

inline std::vector<std::string> keys(const autoif::official::Row& row) {
  std::vector<std::string> out;
  for (auto it = row.begin(); it != row.end(); ++it) out.push_back(it.key());
  return out;
}

struct RecordingSink {
  std::vector<std::string> messages;
  autoif::official::WarningSink sink() {
    return [this](const std::string& message) { messages.push_back(message); };
  }
};

}  // namespace official_test
