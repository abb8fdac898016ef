// Shared by the report tests: a temporary folder, and a synthetic run opened read-only the
// way `autoif status` and `autoif report` open it.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "pipeline/report/status.h"
#include "storage/database.h"
#include "synthetic_run.h"
#include "tests/support/temp_dir.h"

namespace autoif::report::testing {

struct TempDir : test_support::TempDir {
  TempDir() : test_support::TempDir("autoif-report") {}
};

inline storage::Database open_read_only(const std::string& path) {
  auto db = storage::Database::open(path, storage::OpenMode::read_only);
  if (!db) FAIL(db.error().what());
  return std::move(*db);
}

// Builds the synthetic run in `dir` and gathers its status.
inline RunStatus synthetic_status(const TempDir& dir, const SyntheticOptions& options = {},
                                  const GatherOptions& gather = {}) {
  build_synthetic_run(dir.file("run.db"), options);
  auto db = open_read_only(dir.file("run.db"));
  auto status = gather_status(db, gather);
  if (!status) FAIL(status.error());
  return std::move(*status);
}

inline std::int64_t count_of(const std::vector<storage::KeyCount>& counts, const std::string& key) {
  for (const auto& c : counts)
    if (c.key == key) return c.count;
  FAIL("no count named " << key);
  return -1;
}

inline const StageFlow& stage(const RunStatus& s, const std::string& name) {
  for (const auto& f : s.funnel)
    if (f.stage == name) return f;
  FAIL("no stage " << name);
  return s.funnel.front();
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace autoif::report::testing
