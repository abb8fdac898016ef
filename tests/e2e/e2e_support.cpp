#include "tests/e2e/e2e_support.h"

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace autoif::e2e {


Process::Process(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  // Opened before the fork so the child only has to dup2 (async-signal-safe).
  int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("cannot open the output files of " + argv[0]);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setpgid(0, 0);  // its own process group, as a job started from a shell
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  if (pid_ < 0) throw std::runtime_error("fork failed");
}

Process::~Process() { kill_now(); }

bool Process::running() { return !wait_for(0ms); }

std::optional<int> Process::wait_for(std::chrono::milliseconds limit) {
  if (status_) return status_;
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    pid_t got = ::waitpid(pid_, &status, WNOHANG);
    if (got == pid_) {
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
}

void Process::signal(int number) {
  if (!status_) ::kill(pid_, number);
}

void Process::signal_group(int number) {
  if (!status_) ::kill(-pid_, number);
}

void Process::kill_now() {
  if (pid_ <= 0 || status_) return;
  ::kill(pid_, SIGKILL);
  wait_for(std::chrono::minutes(1));
}

namespace {

std::vector<std::string> stub_args(const fs::path& cassette, const fs::path& dir, int latency_ms) {
  std::vector<std::string> args{autoif_bin().string(), "stub-llm", "--cassette", cassette.string(), "--listen",
                                "127.0.0.1:0", "--port-file", (dir / "stub.port").string()};
  if (latency_ms > 0) args.insert(args.end(), {"--latency-ms", std::to_string(latency_ms)});
  fs::remove(dir / "stub.port");  // a stub killed earlier in the same folder left its own behind
  return args;
}

}  // namespace

Stub::Stub(const fs::path& cassette, const fs::path& dir, int latency_ms)
    : log_(dir / "stub.log"), process_(stub_args(cassette, dir, latency_ms), dir / "stub.out", log_) {
  auto port_file = dir / "stub.port";
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!fs::exists(port_file)) {
    if (!process_.running()) FAIL("autoif stub-llm exited: " << read_file(log_));
    if (std::chrono::steady_clock::now() > deadline) FAIL("autoif stub-llm wrote no port file in 60 s");
    std::this_thread::sleep_for(10ms);
  }
  port_ = std::stoi(read_file(port_file));
}

std::int64_t Stub::stop() {
  process_.signal(SIGTERM);
  REQUIRE(process_.wait_for(30s).has_value());
  auto log = read_file(log_);
  auto at = log.rfind("served ");
  REQUIRE(at != std::string::npos);
  return std::stoll(log.substr(at + 7));
}

fs::path autoif_bin() { return AUTOIF_BIN; }
fs::path source_dir() { return AUTOIF_SOURCE_DIR; }
fs::path quickstart_config() { return source_dir() / "examples/quickstart/autoif.toml"; }
fs::path quickstart_cassette() { return source_dir() / "examples/quickstart/cassette.jsonl"; }

std::vector<std::string> run_args(const fs::path& db, const fs::path& out_dir, const std::string& base_url,
                                  const std::vector<std::string>& extra) {
  std::vector<std::string> args{autoif_bin().string(), "run", "--config", quickstart_config().string(),
                                "--db", db.string(), "--set", "llm.base_url=" + base_url,
                                "--set", "run.out_dir=" + out_dir.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

RunResult run_to_end(const std::vector<std::string>& argv, const fs::path& dir, std::chrono::milliseconds limit) {
  static int counter = 0;
  std::string tag = "run" + std::to_string(++counter);
  Process process(argv, dir / (tag + ".out"), dir / (tag + ".err"));
  auto code = process.wait_for(limit);
  if (!code) FAIL("autoif run did not finish in time; stderr so far:\n" << read_file(dir / (tag + ".err")));
  return {*code, read_file(dir / (tag + ".out")), read_file(dir / (tag + ".err"))};
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

std::optional<std::int64_t> query_int(const fs::path& db, const std::string& sql) {
  if (!fs::exists(db)) return std::nullopt;
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(handle);
    return std::nullopt;
  }
  sqlite3_busy_timeout(handle, 2000);
  std::optional<std::int64_t> value;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW)
    value = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return value;
}

}  // namespace autoif::e2e
