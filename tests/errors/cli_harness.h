// The error tests run the real `autoif` binary as a child process (argv in; exit code, stdout,
// stderr and peak memory out) against loopback servers living in the test process: a server
// answering with a fixed fault, the stub LLM replaying the quickstart cassette, or a port where
// nothing listens. A child may get a file-size limit (RLIMIT_FSIZE with SIGXFSZ ignored, so
// writes past it fail with EFBIG: a full disk without root or a tmpfs) and extra environment.
//
// Contract: every child is waited for with a bound and killed (SIGKILL) and reaped if it does
// not end, which fails the test; temporary folders are removed with everything in them; servers
// stop when their owner is destroyed. Paths come from AUTOIF_BIN and AUTOIF_SOURCE_DIR.
// Single-threaded use (the servers run their own threads).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/stub/http_server.h"
#include "pipeline/stub/stub_server.h"
#include "tests/support/temp_dir.h"

namespace autoif::errors_test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct TempDir : test_support::TempDir {
  TempDir() : test_support::TempDir("autoif-errors") {}
};

struct ChildOptions {
  std::optional<std::uint64_t> file_size_limit;               // bytes per file
  std::vector<std::pair<std::string, std::string>> env;       // added to this process's environment
  std::vector<std::string> unset_env;                         // removed from it
  std::chrono::milliseconds limit = 180s;                     // the child must end within this
};

struct ChildResult {
  int exit_code = -1;    // 128 + signal when a signal ended it
  std::string out, err;
  long max_rss_kb = 0;   // the child's peak resident memory
};

// Runs `autoif ARGS...` with its output captured in files under `dir`.
ChildResult run_autoif(const std::vector<std::string>& args, const TempDir& dir, const ChildOptions& options = {});

// `autoif run` on the quickstart example with the database (run.db) and exports (out/) in
// `dir`, talking to `base_url`.
std::vector<std::string> quickstart_run(const TempDir& dir, const std::string& base_url,
                                        const std::vector<std::string>& extra = {});
fs::path quickstart_file(const std::string& name);

// A loopback server answering every request with one handler, counting the requests.
class LoopbackServer {
 public:
  explicit LoopbackServer(stub::Handler handler);
  std::string base_url() const;  // "http://127.0.0.1:PORT/v1"
  std::uint64_t requests() const { return server_->stats().requests; }
  // The last Authorization header received ("" when none).
  std::string last_authorization() const;

 private:
  struct Seen;
  std::shared_ptr<Seen> seen_;
  std::unique_ptr<stub::HttpServer> server_;
};

// The stub LLM replaying examples/quickstart/cassette.jsonl.
std::unique_ptr<stub::StubServer> quickstart_stub();

// A loopback port bound but not listening: connections to it are refused, and no other
// program can take it while the test runs.
class RefusingPort {
 public:
  RefusingPort();
  ~RefusingPort();
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

std::string read_file(const fs::path& path);
// Lines of `text` that start with `prefix`.
std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix);

}  // namespace autoif::errors_test
