#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "pipeline/cli/args.h"
#include "pipeline/cli/command.h"

namespace {

void print_overview() {
  std::printf(
      "autoif: instruction-following training data, generated and verified by execution.\n\n"
      "usage: autoif <command> [options]\n       autoif <command> --help\n\ncommands:\n");
  for (const auto& command : autoif::cli::commands())
    std::printf("  %-12.*s %.*s\n", static_cast<int>(command.name.size()), command.name.data(),
                static_cast<int>(command.summary.size()), command.summary.data());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_overview();
    return args.empty() ? 2 : 0;
  }
  for (const auto& command : autoif::cli::commands()) {
    if (command.name != args[0]) continue;
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (autoif::cli::wants_help(rest)) {
      std::fwrite(command.usage.data(), 1, command.usage.size(), stdout);
      return 0;
    }
    try {
      return command.run(rest);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "autoif %s: %s\n", args[0].c_str(), error.what());
      return 2;
    }
  }
  std::fprintf(stderr, "autoif: unknown command '%s' (see 'autoif --help')\n", args[0].c_str());
  return 2;
}
