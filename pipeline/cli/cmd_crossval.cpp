// `autoif crossval`: cross-validation of a file in the released AutoIF scripts' format.
// The work is in pipeline/official/crossval_rows.h; this file reads flags and prints.
#include <charconv>
#include <cstdio>
#include <stdexcept>

#include "pipeline/cli/args.h"
#include "pipeline/cli/commands.h"
#include "pipeline/cli/official_flags.h"
#include "pipeline/official/crossval_rows.h"

namespace autoif::cli {
namespace {

constexpr std::string_view kUsage =
    R"(usage: autoif crossval --in FILE --out FILE [options]

Cross-validates verification functions and test cases written by a model, in the format of the
released AutoIF scripts. Each input line is a JSON object
  {"instruction": str, "gpt-answer": [raw model answer, ...], ...other fields}
Every answer is read robustly (fenced or bare JSON, Python literals, "True" strings, escaped
sources); an answer without a readable function counts as unparsable, one with a function but
no usable case still contributes its function. Functions are merged by source after trimming,
cases by (input, expected). Every compiled function runs on every case in the sandbox; a case is
kept when MORE than --case-threshold of the compiled functions get it right, a function when it
gets MORE than --function-threshold of the kept cases right (that fraction is its accuracy),
and the instruction survives with at least --min-functions functions and --min-cases cases.
One line is written per surviving instruction, in input order, with "gpt-answer" replaced by
  "eval_func": [[source, accuracy], ...], "cases": [[input, expected_bool], ...]
and every other field kept. The output file is replaced atomically when the run succeeds.

A line that is not JSON, or a row without a string "instruction" and a list of strings
"gpt-answer", is skipped with a warning naming FILE:LINE (the first 20 are printed; the
summary counts all). With --strict the first such line stops the command (exit status 1) and
no output file is written. A summary goes to stderr.

options:
  --in FILE                 input JSONL
  --out FILE                output JSONL (may be the input file)
  --case-threshold X        default 0.5 (paper)
  --function-threshold X    default 0.5 (paper; the released scripts kept accuracy >= 0.8)
  --min-functions N         default 1 (the released scripts used 3)
  --min-cases N             default 1 (the released scripts used 10)
  --timeout-ms N            wall-clock limit per evaluation (default 1000)
  --memory-mb N             memory limit above the interpreter's baseline (default 256)
  --workers N               sandbox worker processes (default: one per CPU)
  --module NAME             an extra module functions may import (repeatable), e.g. nltk
  --strict                  stop at the first bad line instead of skipping it
)";

double threshold(const ParsedArgs& args, const std::string& name, double fallback) {
  auto text = args.get(name);
  if (!text) return fallback;
  double value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || end != text->data() + text->size() || !(value >= 0 && value <= 1))
    throw std::runtime_error("--" + name + " expects a number from 0 to 1, got '" + *text + "'");
  return value;
}

int run(std::span<const std::string> argv) {
  static const FlagSpec kFlags[] = {
      {"in"},        {"out"},       {"case-threshold"}, {"function-threshold"},
      {"min-functions"}, {"min-cases"}, {"timeout-ms"},  {"memory-mb"},
      {"workers"},   {"module", true, true}, {"strict", false}};
  auto args = parse_args(argv, kFlags);
  if (!args) throw std::runtime_error(args.error());
  OfficialCommand command(*args);

  official::CrossvalSettings settings;
  settings.decision.case_threshold = threshold(*args, "case-threshold", 0.5);
  settings.decision.function_threshold = threshold(*args, "function-threshold", 0.5);
  settings.decision.min_functions = integer_flag(*args, "min-functions", 0, 1'000'000, 1);
  settings.decision.min_cases = integer_flag(*args, "min-cases", 0, 1'000'000, 1);
  settings.limits = command.limits();
  auto summary = official::crossval_file(command.pool(), command.in(), command.out(), settings, command.stream());
  if (!summary) {
    std::fprintf(stderr, "autoif crossval: %s\n", summary.error().c_str());
    return 1;
  }
  const auto& c = summary->counts;
  std::fprintf(stderr,
               "%s\n"
               "  answers: %zu, unparsable %zu\n"
               "  functions: %zu distinct, %zu not compiled, %zu kept\n"
               "  cases: %zu distinct, %zu dropped by the functions' vote, %zu kept "
               "(%zu unreadable in the answers)\n"
               "%s\n",
               command.first_line("crossval", summary->stream).c_str(), c.answers, c.answers_unparsable, c.functions,
               c.functions_not_compiled, c.functions_kept, c.cases, c.cases_dropped, c.cases_kept, c.unreadable_cases,
               command.last_lines().c_str());
  return 0;
}

}  // namespace

Command crossval_command() {
  return {"crossval", "cross-validate functions and cases (released AutoIF format)", kUsage, run};
}

}  // namespace autoif::cli
