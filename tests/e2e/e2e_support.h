// End-to-end test support: the real `autoif` binary and `autoif stub-llm`, run as child
// processes over loopback HTTP, with every process and temporary folder owned by an RAII
// object (a failed REQUIRE never leaves a stub or a run behind).
//
// Contract: every wait is bounded (a hung child fails the test instead of hanging it); child
// processes are killed with SIGKILL and reaped when their owner is destroyed; paths come from
// the compile definitions AUTOIF_BIN and AUTOIF_SOURCE_DIR. Single-threaded use.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace autoif::e2e {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct TempDir : test_support::TempDir {
  TempDir() : test_support::TempDir("autoif-e2e") {}
};

// One child process (fork + execv, no shell) in its own process group, stdout and stderr to files.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Exit code once the child exits within `limit` (128 + signal number if a signal ended it);
  // nullopt if it is still running then.
  std::optional<int> wait_for(std::chrono::milliseconds limit);
  void signal(int number);
  // To the child's whole process group, as a terminal's Ctrl-C would.
  void signal_group(int number);
  // SIGKILL and reap (no-op once reaped).
  void kill_now();

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// `autoif stub-llm` on 127.0.0.1:0 replaying a cassette.
class Stub {
 public:
  Stub(const fs::path& cassette, const fs::path& dir, int latency_ms = 0);
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  int port() const { return port_; }
  // SIGTERM, wait, and return the "served" count of the stub's stop line.
  std::int64_t stop();

 private:
  fs::path log_;
  Process process_;
  int port_ = 0;
};

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

fs::path autoif_bin();
fs::path source_dir();
fs::path quickstart_config();
fs::path quickstart_cassette();

// argv for `autoif run` on the quickstart config with its own db and out dir.
std::vector<std::string> run_args(const fs::path& db, const fs::path& out_dir, const std::string& base_url,
                                  const std::vector<std::string>& extra = {});
// Runs to completion (REQUIREs that it ends within `limit`).
RunResult run_to_end(const std::vector<std::string>& argv, const fs::path& dir,
                     std::chrono::milliseconds limit = 180s);

std::string read_file(const fs::path& path);
std::vector<std::string> read_lines(const fs::path& path);
// One integer from a read-only connection (the run may be writing: WAL readers never block it);
// nullopt when the database or table does not exist yet.
std::optional<std::int64_t> query_int(const fs::path& db, const std::string& sql);

}  // namespace autoif::e2e
