// sandbox_bench: times the sandboxed batch path on the benchmark workload.
//
// Reads the workload (JSONL rows {"name", "source", "inputs"}, see gen_workload.py), starts
// an autoif::sandbox::Pool with its default options (one worker per core), submits every
// function as one Job up front and waits on all the futures. Pool start-up is inside the
// measured time, because a real run pays it too; it is also reported on its own.
//
// --workers N overrides the pool's default of one worker per core (for experiments).
// --passes N submits the whole workload N times through the same pool, one pass after the
// other: the first pass is "cold" (the pool has just started and its job children are forked
// and touch their memory for the first time), the last one "warm", as in a long run.
// With --verdicts FILE (written by inprocess.py: one line per function, one letter per input,
// T/F/E/B) it counts the inputs where the sandbox reached a different verdict than the
// unsandboxed loop; a fast sandbox that gets answers wrong is no win.
//
// Prints one JSON object on stdout (read by scripts/bench-sandbox); diagnostics go to stderr.
// Exit status: 0 when the run worked, 1 when the workload is unreadable or the pool fails.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "sandbox/pool.h"

namespace sb = autoif::sandbox;
using Clock = std::chrono::steady_clock;

namespace {

struct Function {
  std::string name;
  std::string source;
  std::vector<std::string> inputs;
};

std::vector<Function> read_workload(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open workload " + path);
  std::vector<Function> functions;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto row = nlohmann::json::parse(line);
    functions.push_back({row.at("name").get<std::string>(), row.at("source").get<std::string>(),
                         row.at("inputs").get<std::vector<std::string>>()});
  }
  return functions;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open verdicts " + path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// The letter inprocess.py writes for the same outcome: an exception there is runtime_error
// (or, raised while executing the source, compile_error) here, a non-bool return is
// bad_return; anything else (timeout, forbidden...) has no in-process counterpart and
// therefore always counts as a disagreement.
char letter(const sb::Verdict& verdict) {
  switch (verdict.status) {
    case sb::Status::ok: return verdict.result == true ? 'T' : 'F';
    case sb::Status::compile_error:
    case sb::Status::runtime_error: return 'E';
    case sb::Status::bad_return: return 'B';
    default: return '?';
  }
}

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  std::string workload_path, verdicts_path;
  sb::PoolOptions options;
  std::size_t passes = 1;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--verdicts" && i + 1 < argc) {
      verdicts_path = argv[++i];
    } else if (arg == "--workers" && i + 1 < argc) {
      options.workers = std::stoul(argv[++i]);
    } else if (arg == "--passes" && i + 1 < argc) {
      passes = std::max(1ul, std::stoul(argv[++i]));
    } else if (arg == "--help" || arg == "-h" || !workload_path.empty()) {
      std::cerr << "usage: sandbox_bench WORKLOAD.jsonl [--verdicts FILE] [--workers N] [--passes N]\n";
      return arg == "--help" || arg == "-h" ? 0 : 1;
    } else {
      workload_path = arg;
    }
  }
  if (workload_path.empty()) {
    std::cerr << "usage: sandbox_bench WORKLOAD.jsonl [--verdicts FILE] [--workers N] [--passes N]\n";
    return 1;
  }

  std::vector<Function> functions;
  std::vector<std::string> expected;
  try {
    functions = read_workload(workload_path);
    if (!verdicts_path.empty()) expected = read_lines(verdicts_path);
  } catch (const std::exception& error) {
    std::cerr << "sandbox_bench: " << error.what() << "\n";
    return 1;
  }
  // Jobs are built before the clock starts: copying the inputs is the caller's business,
  // not the sandbox's.
  std::vector<std::vector<sb::Job>> jobs_per_pass(passes);
  for (auto& jobs : jobs_per_pass)
    for (const auto& function : functions) jobs.push_back({function.source, function.inputs, {}});

  const auto start = Clock::now();
  auto pool = sb::Pool::start(options);
  if (!pool) {
    std::cerr << "sandbox_bench: the pool did not start: " << pool.error() << "\n";
    return 1;
  }
  const auto started = Clock::now();
  std::vector<sb::JobResult> results;  // every pass's, one after the other
  std::vector<double> pass_seconds;
  Clock::time_point first_finished;
  for (auto& jobs : jobs_per_pass) {
    const auto pass_start = Clock::now();
    std::vector<std::future<sb::JobResult>> futures;
    futures.reserve(jobs.size());
    for (auto& job : jobs) futures.push_back((*pool)->submit(std::move(job)));
    for (auto& future : futures) results.push_back(future.get());
    pass_seconds.push_back(seconds(Clock::now() - pass_start));
    if (pass_seconds.size() == 1) first_finished = Clock::now();
  }

  std::size_t evaluations = 0, disagreements = 0, compared = 0;
  std::map<std::string, std::size_t> statuses, retired;
  std::size_t forks = 0;
  for (std::size_t f = 0; f < results.size(); ++f) {
    forks += results[f].forks;
    if (!results[f].retired.empty()) ++retired[results[f].retired];
    const auto& verdicts = results[f].verdicts;
    evaluations += verdicts.size();
    std::size_t differ = 0;
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
      if (f < functions.size()) ++statuses[std::string(sb::to_string(verdicts[i].status))];
      const std::size_t function = f % functions.size();
      if (function >= expected.size()) continue;
      ++compared;
      char want = i < expected[function].size() ? expected[function][i] : '-';
      if (letter(verdicts[i]) != want) {
        if (differ++ < 3)
          std::cerr << "disagree: " << functions[function].name << " input " << i << ": in-process "
                    << want << ", sandbox " << sb::to_string(verdicts[i].status) << " "
                    << verdicts[i].message << "\n";
      }
    }
    disagreements += differ;
  }

  const auto stats = (*pool)->stats();
  nlohmann::json report = {
      {"seconds", seconds(first_finished - start)},
      {"startup_seconds", seconds(started - start)},
      {"pass_seconds", pass_seconds},
      {"warm_seconds", pass_seconds.back()},
      {"passes", passes},
      {"jobs", results.size() / passes},
      {"evaluations", evaluations / passes},
      {"workers", options.workers ? options.workers : std::max(1u, std::thread::hardware_concurrency())},
      {"worker_restarts", stats.worker_restarts},
      {"compared", compared / passes},
      {"disagreements", disagreements},
      {"statuses", statuses},
      {"forks", forks},
      {"retired", retired},
      {"protections", (*pool)->info().protections},
  };
  std::cout << report.dump() << "\n";
  return 0;
}
