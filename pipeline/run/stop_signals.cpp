#include "pipeline/run/stop_signals.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <stdexcept>

namespace autoif::run {
namespace {

int g_pipe[2] = {-1, -1};
std::atomic<int> g_received{0};
struct sigaction g_old_int, g_old_term;

void on_stop_signal(int number) {
  int saved = errno;
  if (g_received.fetch_add(1) >= 1) {
    static const char kMessage[] =
        "\nautoif run: stopped at once (second signal). Everything committed so far is in the database; "
        "run the same command again to resume.\n";
    (void)!::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    ::_exit(128 + number);
  }
  char byte = static_cast<char>(number);
  (void)!::write(g_pipe[1], &byte, 1);
  errno = saved;
}

}  // namespace

StopSignals::StopSignals(std::function<void(const std::string&)> on_signal) : on_signal_(std::move(on_signal)) {
  if (::pipe2(g_pipe, O_CLOEXEC) != 0) throw std::runtime_error("cannot create the signal pipe");
  g_received = 0;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, &g_old_int);
  ::sigaction(SIGTERM, &action, &g_old_term);
  watcher_ = std::thread([this] {
    char byte = 0;
    for (;;) {
      ssize_t n = ::read(g_pipe[0], &byte, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n != 1 || byte == 0) return;  // 0: the destructor's wake-up
      on_signal_(byte == SIGINT ? "SIGINT" : "SIGTERM");
    }
  });
}

StopSignals::~StopSignals() {
  ::sigaction(SIGINT, &g_old_int, nullptr);
  ::sigaction(SIGTERM, &g_old_term, nullptr);
  char zero = 0;
  (void)!::write(g_pipe[1], &zero, 1);
  watcher_.join();
  ::close(g_pipe[0]);
  ::close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
}

}  // namespace autoif::run
