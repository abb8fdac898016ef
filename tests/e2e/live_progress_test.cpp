// Live progress on a terminal (issue 5): run under a pseudo-terminal, `autoif run` redraws a
// block of per-stage lines in place instead of printing status lines.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/e2e/e2e_support.h"

namespace autoif::e2e {
namespace {

struct TerminalRun {
  int exit_code = -1;
  std::string screen;  // everything written to the terminal
};

// Runs argv with stdin/stdout/stderr on a new pseudo-terminal; bounded by `limit`.
TerminalRun run_on_terminal(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  int master = -1;
  struct winsize size {};
  size.ws_row = 40;
  size.ws_col = 160;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setenv("TERM", "xterm", 1);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  TerminalRun run;
  auto deadline = std::chrono::steady_clock::now() + limit;
  char buffer[4096];
  for (;;) {
    pollfd fd{master, POLLIN, 0};
    if (::poll(&fd, 1, 50) > 0) {
      ssize_t n = ::read(master, buffer, sizeof buffer);
      if (n > 0) {
        run.screen.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      break;  // EIO: the child closed the terminal
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      break;
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

}  // namespace

TEST_CASE("e2e progress: on a terminal the run redraws per-stage progress in place") {
  TempDir dir;
  Stub stub(quickstart_cassette(), dir.path(), 30);
  auto run = run_on_terminal(run_args(dir / "tty.db", dir / "tty-out", stub.base_url()), 180s);
  INFO(run.screen);
  REQUIRE(run.exit_code == 0);
  CHECK(run.screen.find("\x1b[") != std::string::npos);  // cursor movement: redrawn in place
  CHECK(run.screen.find("\n[0:") == std::string::npos);  // no plain status lines
  for (const char* stage : {"instructions", "verifiers", "back_translation", "queries", "responses", "select"})
    CHECK(run.screen.find(stage) != std::string::npos);
  CHECK_THAT(run.screen, Catch::Contains("done in") && Catch::Contains("in flight") &&
                             Catch::Contains("sandbox verdicts: ") && Catch::Contains("/20"));
  CHECK_THAT(run.screen, Catch::Contains("wrote ") && Catch::Contains("sft.jsonl"));
}

}  // namespace autoif::e2e
