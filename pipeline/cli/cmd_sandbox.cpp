// `autoif sandbox run|info`: the sandbox on its own, for trying a verification function
// by hand and for scripts that already have functions and responses.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "pipeline/cli/args.h"
#include "pipeline/cli/commands.h"
#include "sandbox/pool.h"

namespace autoif::cli {
namespace {

constexpr std::string_view kUsage = R"(usage: autoif sandbox run --code FILE --inputs FILE [options]
       autoif sandbox info [--module NAME ...]

run   runs evaluate(response) from the Python source in --code on every input and prints one
      JSON object per input, in order: {"status", "result", "message"}. The inputs file is
      JSONL with one JSON string per line. Exit status is 0 whenever the sandbox itself
      worked, whatever the verdicts.
info  prints what the sandbox worker set up on this machine: interpreter, modules, and the
      protections the kernel allowed.

options:
  --code FILE        Python source defining evaluate(response) -> bool
  --inputs FILE      JSONL, one JSON string per line
  --timeout-ms N     wall-clock limit per input (default 1000)
  --memory-mb N      memory limit above the interpreter's baseline (default 256)
  --workers N        worker processes (default: one per CPU)
  --module NAME      an extra module functions may import (repeatable), e.g. nltk
)";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> read_inputs(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open file");
  std::vector<std::string> inputs;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto value = nlohmann::json::parse(line, nullptr, false);
    if (value.is_discarded())
      throw std::runtime_error(path + ":" + std::to_string(number) + ": not valid JSON");
    if (!value.is_string())
      throw std::runtime_error(path + ":" + std::to_string(number) +
                               ": expected a JSON string, got " + std::string(value.type_name()));
    inputs.push_back(value.get<std::string>());
  }
  return inputs;
}

sandbox::PoolOptions pool_options(const ParsedArgs& args) {
  sandbox::PoolOptions options;
  options.extra_modules = args.all("module");
  if (auto workers = args.get_int("workers", 1, 256); !workers)
    throw std::runtime_error(workers.error());
  else if (*workers)
    options.workers = static_cast<std::size_t>(**workers);
  return options;
}

std::unique_ptr<sandbox::Pool> start_pool(const ParsedArgs& args) {
  auto pool = sandbox::Pool::start(pool_options(args));
  if (!pool) throw std::runtime_error("cannot start the sandbox: " + pool.error());
  return std::move(*pool);
}

int run_code(const ParsedArgs& args) {
  auto code = args.get("code");
  auto inputs_path = args.get("inputs");
  if (!code || !inputs_path) throw std::runtime_error("--code and --inputs are required");
  sandbox::Job job{read_file(*code), read_inputs(*inputs_path), {}};
  if (auto ms = args.get_int("timeout-ms", 1, 3'600'000); !ms)
    throw std::runtime_error(ms.error());
  else if (*ms)
    job.limits.timeout = std::chrono::milliseconds(**ms);
  if (auto mb = args.get_int("memory-mb", 1, 1 << 20); !mb)
    throw std::runtime_error(mb.error());
  else if (*mb)
    job.limits.memory_mb = static_cast<std::size_t>(**mb);

  auto pool = start_pool(args);
  auto result = pool->run(std::move(job));
  for (const auto& verdict : result.verdicts) {
    nlohmann::ordered_json row{{"status", sandbox::to_string(verdict.status)},
                       {"result", nullptr},
                       {"message", verdict.message}};
    if (verdict.result) row["result"] = *verdict.result;
    std::puts(row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }
  return 0;
}

int show_info(const ParsedArgs& args) {
  auto pool = start_pool(args);
  const auto& info = pool->info();
  nlohmann::json out{{"python", info.python_version},
                     {"modules", info.loaded_modules},
                     {"missing_modules", info.missing_modules},
                     {"protections", info.protections}};
  std::puts(out.dump(2).c_str());
  return 0;
}

int run(std::span<const std::string> argv) {
  if (argv.empty()) {
    std::fwrite(kUsage.data(), 1, kUsage.size(), stderr);
    return 2;
  }
  static const FlagSpec kFlags[] = {{"code"},    {"inputs"},  {"timeout-ms"},
                                    {"memory-mb"}, {"workers"}, {"module", true, true}};
  auto args = parse_args(argv.subspan(1), kFlags);
  if (!args) throw std::runtime_error(args.error());
  if (!args->positional().empty())
    throw std::runtime_error("unexpected argument '" + args->positional()[0] + "'");
  if (argv[0] == "run") return run_code(*args);
  if (argv[0] == "info") return show_info(*args);
  throw std::runtime_error("unknown sandbox command '" + argv[0] + "' (expected run or info)");
}

}  // namespace

Command sandbox_command() {
  return {"sandbox", "run verification functions in the seccomp sandbox", kUsage, run};
}

}  // namespace autoif::cli
