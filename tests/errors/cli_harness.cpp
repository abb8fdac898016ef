#include "tests/errors/cli_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

extern char** environ;

namespace autoif::errors_test {

namespace {

// The environment the child gets, built before fork: after fork only async-signal-safe calls.
std::vector<std::string> child_environment(const ChildOptions& options) {
  std::map<std::string, std::string> env;
  for (char** entry = environ; *entry; ++entry) {
    std::string text = *entry;
    auto equals = text.find('=');
    if (equals != std::string::npos) env[text.substr(0, equals)] = text.substr(equals + 1);
  }
  for (const auto& name : options.unset_env) env.erase(name);
  for (const auto& [name, value] : options.env) env[name] = value;
  std::vector<std::string> out;
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

// Reaped child: exit code and its own peak memory.
std::optional<std::pair<int, long>> wait_with_limit(pid_t pid, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    struct rusage usage{};
    pid_t got = ::wait4(pid, &status, WNOHANG, &usage);
    if (got == pid) {
      int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return std::make_pair(code, usage.ru_maxrss);
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
}

}  // namespace

ChildResult run_autoif(const std::vector<std::string>& args, const TempDir& dir, const ChildOptions& options) {
  static int counter = 0;
  std::string tag = "child" + std::to_string(++counter);
  fs::path out_path = dir.path() / (tag + ".out"), err_path = dir.path() / (tag + ".err");

  std::vector<std::string> argv_text{AUTOIF_BIN};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text = child_environment(options);
  std::vector<char*> envp;
  for (auto& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE(out_fd >= 0);
  REQUIRE(err_fd >= 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    if (options.file_size_limit) {
      // Ignored, SIGXFSZ stays ignored across exec, and writes past the limit fail with EFBIG.
      ::signal(SIGXFSZ, SIG_IGN);
      struct rlimit limit{*options.file_size_limit, *options.file_size_limit};
      if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(126);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  REQUIRE(pid > 0);
  auto ended = wait_with_limit(pid, options.limit);
  if (!ended) {
    ::kill(pid, SIGKILL);
    wait_with_limit(pid, 60s);
    FAIL("autoif did not end in time; stderr so far:\n" << read_file(err_path));
  }
  return {ended->first, read_file(out_path), read_file(err_path), ended->second};
}

fs::path quickstart_file(const std::string& name) { return fs::path(AUTOIF_SOURCE_DIR) / "examples/quickstart" / name; }

std::vector<std::string> quickstart_run(const TempDir& dir, const std::string& base_url,
                                        const std::vector<std::string>& extra) {
  std::vector<std::string> args{"run", "--config", quickstart_file("autoif.toml").string(),
                                "--db", dir.file("run.db"), "--set", "llm.base_url=" + base_url,
                                "--set", "run.out_dir=" + dir.file("out")};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

struct LoopbackServer::Seen {
  std::mutex mutex;
  std::string authorization;
};

LoopbackServer::LoopbackServer(stub::Handler handler) : seen_(std::make_shared<Seen>()) {
  auto seen = seen_;
  auto started = stub::HttpServer::start({}, [seen, handler](const stub::Request& request) {
    {
      std::lock_guard lock(seen->mutex);
      seen->authorization = std::string(request.header("authorization").value_or(""));
    }
    return handler(request);
  });
  if (!started) FAIL("cannot start a loopback server: " << started.error());
  server_ = std::move(*started);
}

std::string LoopbackServer::base_url() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/v1"; }

std::string LoopbackServer::last_authorization() const {
  std::lock_guard lock(seen_->mutex);
  return seen_->authorization;
}

std::unique_ptr<stub::StubServer> quickstart_stub() {
  auto cassette = stub::Cassette::load(quickstart_file("cassette.jsonl").string());
  if (!cassette) FAIL("cannot load the quickstart cassette: " << cassette.error());
  auto server = stub::StubServer::start(std::move(*cassette), {});
  if (!server) FAIL("cannot start the stub: " << server.error());
  return std::move(*server);
}

RefusingPort::RefusingPort() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd_ >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  port_ = ntohs(address.sin_port);
}

RefusingPort::~RefusingPort() {
  if (fd_ >= 0) ::close(fd_);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  return out;
}

}  // namespace autoif::errors_test
