// The CLI is a table of subcommands: each entry names itself, says what it does in one
// line, gives its full usage text, and owns a handler. main() only dispatches, prints help,
// and turns uncaught fatal errors into one message and exit status 2.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace autoif::cli {

struct Command {
  std::string_view name;
  std::string_view summary;  // one line, shown by `autoif --help`
  std::string_view usage;    // shown by `autoif NAME --help`
  int (*run)(std::span<const std::string> args);  // args exclude the command name
};

// Every subcommand, in the order `autoif --help` lists them.
std::span<const Command> commands();

}  // namespace autoif::cli
