// `autoif stub-llm`: the cassette-driven OpenAI-compatible server, for the quickstart, the
// end-to-end tests and the benchmarks. Runs until SIGINT or SIGTERM.
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "pipeline/cli/args.h"
#include "pipeline/cli/commands.h"
#include "pipeline/stub/listen_address.h"
#include "pipeline/stub/stub_server.h"

namespace autoif::cli {
namespace {

constexpr std::string_view kUsage =
    R"(usage: autoif stub-llm --cassette FILE [--listen HOST:PORT] [options]

Serves an OpenAI-compatible API (POST /v1/chat/completions, GET /v1/models) that answers
from a cassette of recorded exchanges (format: pipeline/stub/CASSETTE.md). A request with
no entry gets HTTP 400 "cassette_miss"; an unknown model gets 404 "model_not_found".
Prints one line once listening; stops on SIGINT or SIGTERM and prints what it served.

options:
  --cassette FILE     JSONL cassette to answer from (required)
  --listen HOST:PORT  address to serve on (default 127.0.0.1:0; port 0 picks a free port)
  --latency-ms N      delay every answer by N ms (default 0); delays overlap, they do not queue
  --port-file FILE    write the bound port to FILE once listening (for scripts using port 0)
  --allow-remote      allow a non-loopback listen address (the stub answers anyone it can reach)
)";

// Written to a temporary name and renamed, so a script polling for the file never reads half.
void write_port_file(const std::string& path, std::uint16_t port) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << '\n';
    if (!out.flush()) throw std::runtime_error(path + ": cannot write the port file");
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) throw std::runtime_error(path + ": cannot write the port file: " + error.message());
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text.empty() ? "(any)" : text;
}

int run(std::span<const std::string> argv) {
  static const FlagSpec kFlags[] = {{"cassette"}, {"listen"}, {"latency-ms"}, {"port-file"},
                                    {"allow-remote", false}};
  auto args = parse_args(argv, kFlags);
  if (!args) throw std::runtime_error(args.error());
  if (!args->positional().empty())
    throw std::runtime_error("unexpected argument '" + args->positional()[0] + "'");
  auto cassette_path = args->get("cassette");
  if (!cassette_path) throw std::runtime_error("--cassette is required");

  auto address = stub::parse_listen_address(args->get("listen").value_or("127.0.0.1:0"));
  if (!address) throw std::runtime_error("--listen " + address.error());
  if (!stub::is_loopback(address->host) && !args->has("allow-remote"))
    throw std::runtime_error("refusing to listen on " + address->host +
                             ": not a loopback address, and the stub answers anyone who can reach "
                             "it (pass --allow-remote to do it anyway)");
  stub::StubOptions options;
  options.host = address->host;
  options.port = address->port;
  auto latency = args->get_int("latency-ms", 0, 3'600'000);
  if (!latency) throw std::runtime_error(latency.error());
  options.latency = std::chrono::milliseconds(latency->value_or(0));

  auto cassette = stub::Cassette::load(*cassette_path);
  if (!cassette) throw std::runtime_error(cassette.error());
  std::size_t entries = cassette->size();
  std::string models = join(cassette->models());

  // Blocked before the server thread starts, so it inherits the mask and sigwait() below is
  // the only place these signals land.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto server = stub::StubServer::start(std::move(*cassette), options);
  if (!server) throw std::runtime_error(server.error());
  auto port_file = args->get("port-file");
  if (port_file) write_port_file(*port_file, (*server)->port());
  std::printf("stub-llm: serving %zu cassette entries (models: %s) on %s\n", entries,
              models.c_str(), (*server)->base_url().c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  (*server)->stop();
  std::error_code ignored;
  if (port_file) std::filesystem::remove(*port_file, ignored);
  auto stats = (*server)->stats();
  std::fprintf(stderr, "stub-llm: stopped by %s; served %llu, missed %llu, bad requests %llu\n",
               signal_number == SIGINT ? "SIGINT" : "SIGTERM",
               static_cast<unsigned long long>(stats.served),
               static_cast<unsigned long long>(stats.missed),
               static_cast<unsigned long long>(stats.bad_requests));
  return 0;
}

}  // namespace

Command stub_llm_command() {
  return {"stub-llm", "serve an OpenAI-compatible API that answers from a cassette", kUsage, run};
}

}  // namespace autoif::cli
