// `autoif init DIR`: the starter files of a new run (see pipeline/config/starter.h), and the
// command that comes next.
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "pipeline/cli/args.h"
#include "pipeline/cli/commands.h"
#include "pipeline/config/starter.h"

namespace autoif::cli {
namespace {

constexpr std::string_view kUsage = R"(usage: autoif init DIR [--force]

Creates DIR (when needed) and writes the files of a new run:
  autoif.toml     a commented configuration for a local vLLM at http://127.0.0.1:8000/v1;
                  set llm.model to the model your server serves
  seeds.jsonl     the built-in seed instructions, {"instruction": ...} per line
  queries.jsonl   a small pool of user queries, {"text": ...} per line; bring your own
                  (queries.file, queries.field) for a real run
Existing files are left alone unless --force is given.

options:
  --force   overwrite autoif.toml, seeds.jsonl and queries.jsonl if they exist
)";

int run(std::span<const std::string> argv) {
  static const FlagSpec kFlags[] = {{"force", false}};
  auto args = parse_args(argv, kFlags);
  if (!args) throw std::runtime_error(args.error());
  if (args->positional().size() != 1)
    throw std::runtime_error(args->positional().empty() ? "name the folder to create: autoif init DIR"
                                                         : "expected one folder, got " +
                                                               std::to_string(args->positional().size()));
  const std::string& dir = args->positional()[0];
  auto written = config::write_starter(dir, args->has("force"));
  if (!written) throw std::runtime_error(written.error());

  auto files = config::starter_files();
  for (std::size_t i = 0; i < written->size(); ++i)
    std::printf("wrote %-28s %s\n", (*written)[i].c_str(), files[i].summary.c_str());
  std::string config_path = (std::filesystem::path(dir) / "autoif.toml").string();
  std::printf(
      "\nnext: set llm.model in %s to the model your server serves (and base_url if it is not\n"
      "a local vLLM on port 8000), start the server, then run:\n\n"
      "  autoif run --config %s\n",
      config_path.c_str(), config_path.c_str());
  return 0;
}

}  // namespace

Command init_command() {
  return {"init", "write a starter config, seed instructions and a query pool into a folder", kUsage, run};
}

}  // namespace autoif::cli
