// llm-bench: the two halves of scripts/bench-llm, run as separate processes so that the
// client's CPU time is its own.
//
//   llm-bench serve --port-file FILE [--latency-ms N]
//       A chat-completions server on 127.0.0.1 (the stub's HttpServer) answering every POST
//       with a fixed one-choice completion after N ms. Writes its port to FILE; runs until
//       SIGINT or SIGTERM.
//   llm-bench client --url BASE_URL --requests N --concurrency C
//       Sends N distinct requests through autoif's Client (CurlTransport, max_in_flight C)
//       and prints one JSON line: requests, errors, wall_s, cpu_s (user + sys of this
//       process from the first submit to the last answer, via getrusage).
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "pipeline/llm/client.h"
#include "pipeline/llm/curl_transport.h"
#include "pipeline/stub/http_server.h"

namespace {

using namespace autoif;

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::map<std::string, std::string> parse_flags(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 2; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  return flags;
}

int serve(std::map<std::string, std::string> flags) {
  auto latency = std::chrono::milliseconds(std::stol(flags.count("--latency-ms") ? flags["--latency-ms"] : "0"));
  const std::string answer =
      R"({"id":"chatcmpl-bench","object":"chat.completion","model":"bench",)"
      R"("choices":[{"index":0,"message":{"role":"assistant","content":"Answer with words that begin with the letter B."},"finish_reason":"stop"}],)"
      R"("usage":{"prompt_tokens":12,"completion_tokens":11,"total_tokens":23}})";
  // Block the signals before the loop thread starts, so only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto server = stub::HttpServer::start(stub::ServerOptions{}, [&](const stub::Request&) {
    return stub::Response::json(200, answer).with_delay(latency);
  });
  if (!server) {
    std::cerr << "llm-bench serve: " << server.error() << "\n";
    return 1;
  }
  {
    std::ofstream port_file(flags["--port-file"] + ".tmp");
    port_file << (*server)->port() << "\n";
  }
  std::rename((flags["--port-file"] + ".tmp").c_str(), flags["--port-file"].c_str());
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  (*server)->stop();
  return 0;
}

int client(std::map<std::string, std::string> flags) {
  const std::size_t requests = std::stoul(flags["--requests"]);
  const std::size_t concurrency = std::stoul(flags["--concurrency"]);
  llm::ModelConfig config;
  config.endpoints = {{flags["--url"], ""}};
  config.model = "bench";
  config.max_tokens = 64;
  config.seed = 0;
  config.max_in_flight = concurrency;
  config.request_timeout = std::chrono::seconds(600);
  config.max_retries = 0;  // an error should show, not be hidden by a retry
  auto transport = llm::CurlTransport::create();
  if (!transport) {
    std::cerr << "llm-bench client: " << transport.error() << "\n";
    return 1;
  }
  auto created = llm::Client::create(config, **transport);
  if (!created) {
    std::cerr << "llm-bench client: " << created.error() << "\n";
    return 1;
  }
  llm::Client& client = **created;
  std::atomic<std::size_t> errors{0};
  std::atomic<std::size_t> answered_bytes{0};
  std::string first_error;
  std::mutex error_mutex;

  double cpu_start = cpu_seconds();
  auto wall_start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < requests; ++i) {
    client.submit(llm::ChatRequest{{{"user", "request " + std::to_string(i)}}, i, 1},
                  [&](std::size_t, llm::SampleOutcome outcome) {
                    if (outcome) {
                      answered_bytes += outcome->content.size();
                      return;
                    }
                    if (errors++ == 0) {
                      std::lock_guard lock(error_mutex);
                      first_error = outcome.error().message;
                    }
                  });
  }
  client.wait_idle();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  double cpu = cpu_seconds() - cpu_start;
  llm::ClientStats stats = client.stats();
  nlohmann::json line = {{"requests", requests},
                         {"concurrency", concurrency},
                         {"errors", errors.load()},
                         {"wall_s", wall},
                         {"cpu_s", cpu},
                         {"latency_mean_s", stats.latency_mean().count() / 1e6},
                         {"latency_max_s", stats.latency_max.count() / 1e6},
                         {"first_error", first_error}};
  std::cout << line.dump() << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "serve") return serve(parse_flags(argc, argv));
  if (mode == "client") return client(parse_flags(argc, argv));
  std::cerr << "usage: llm-bench serve --port-file FILE [--latency-ms N]\n"
               "       llm-bench client --url BASE_URL --requests N --concurrency C\n";
  return 2;
}
