// `autoif verify`: verification of responses in the released AutoIF scripts' format.
// The work is in pipeline/official/verify_rows.h; this file reads flags and prints.
#include <cstdio>
#include <stdexcept>

#include "pipeline/cli/args.h"
#include "pipeline/cli/commands.h"
#include "pipeline/cli/official_flags.h"
#include "pipeline/official/verify_rows.h"

namespace autoif::cli {
namespace {

constexpr std::string_view kUsage =
    R"(usage: autoif verify --in FILE --out FILE [options]

Runs verification functions on responses, in the format of the released AutoIF scripts. Each
input line is a JSON object
  {"eval_func": [[source, score], ...], "gpt-answer": [response, ...], ...other fields}
(an "eval_func" entry may also be a bare source string). Every function runs on every response
in the sandbox. Each row is written back, in input order, with every other field and the key
order kept and "gpt-answer" replaced in place by
  "response": [[text, pass_rate], ...]
in the responses' order, where pass_rate is the fraction of the listed functions that returned
True. An exception, a timeout, a non-bool result or a function that does not compile counts as
not passing; a row with an empty "eval_func" gives every response 0. The output file is
replaced atomically when the run succeeds.

A line that is not JSON, or a row without those two lists, is skipped with a warning naming
FILE:LINE (the first 20 are printed; the summary counts all). With --strict the first such line
stops the command (exit status 1) and no output file is written. A summary goes to stderr.

options:
  --in FILE          input JSONL
  --out FILE         output JSONL (may be the input file)
  --timeout-ms N     wall-clock limit per evaluation (default 1000)
  --memory-mb N      memory limit above the interpreter's baseline (default 256)
  --workers N        sandbox worker processes (default: one per CPU)
  --module NAME      an extra module functions may import (repeatable), e.g. nltk
  --strict           stop at the first bad line instead of skipping it
)";

int run(std::span<const std::string> argv) {
  static const FlagSpec kFlags[] = {{"in"},      {"out"},     {"timeout-ms"},         {"memory-mb"},
                                    {"workers"}, {"module", true, true}, {"strict", false}};
  auto args = parse_args(argv, kFlags);
  if (!args) throw std::runtime_error(args.error());
  OfficialCommand command(*args);
  auto summary = official::verify_file(command.pool(), command.in(), command.out(), command.limits(), command.stream());
  if (!summary) {
    std::fprintf(stderr, "autoif verify: %s\n", summary.error().c_str());
    return 1;
  }
  const auto& c = summary->counts;
  std::fprintf(stderr,
               "%s\n"
               "  responses: %zu, %zu with a pass rate above 0.5\n"
               "  functions: %zu listed, %zu not compiled; rows without a function: %zu\n"
               "  evaluations: %zu, %zu ended in an error or timeout\n"
               "%s\n",
               command.first_line("verify", summary->stream).c_str(), c.responses, c.responses_passing, c.functions,
               c.functions_not_compiled, c.rows_without_functions, c.evaluations, c.evaluation_errors,
               command.last_lines().c_str());
  return 0;
}

}  // namespace

Command verify_command() {
  return {"verify", "score responses with verification functions (released AutoIF format)", kUsage,
          run};
}

}  // namespace autoif::cli
