#include "pipeline/official/crossval_rows.h"

#include <future>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "pipeline/official/row_fields.h"
#include "pipeline/parse/verifier.h"

namespace autoif::official {
namespace {

constexpr std::string_view kSpace = " \t\r\n\f\v";

std::string trim(std::string_view text) {
  auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(kSpace) - first + 1));
}

// Trailing space goes, and leading blank lines, but never the indentation of the first line
// of code: cutting that would turn a valid (uniformly indented) source into an invalid one.
std::string trim_source(std::string_view text) {
  auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  auto line_start = text.rfind('\n', first);
  auto begin = line_start == std::string_view::npos ? 0 : line_start + 1;
  return std::string(text.substr(begin, text.find_last_not_of(kSpace) - begin + 1));
}

// parse_verifier_answer asks whether each repair candidate of a source compiles. Every check
// runs the candidate on all of the row's cases at once, so the check of the candidate that is
// chosen (the first that compiles) is also its evaluation: each distinct source costs one
// sandbox job, and a source repeated across answers costs nothing more. Sources expected to be
// asked for are submitted up front so that one row with many answers keeps every worker busy.
class CheckedSources {
 public:
  CheckedSources(sandbox::Pool& pool, sandbox::Limits limits, std::vector<std::string> inputs)
      : pool_(pool), limits_(limits), inputs_(std::move(inputs)) {}

  void prefetch(std::string_view source) {
    if (known_.find(source) == known_.end())
      known_.emplace(std::string(source),
                     pool_.submit(sandbox::Job{std::string(source), inputs_, limits_}).share());
  }

  // The reference lives as long as this object (map nodes and shared states do not move).
  const sandbox::JobResult& run(std::string_view source) {
    prefetch(source);
    return known_.find(source)->second.get();
  }

 private:
  sandbox::Pool& pool_;
  sandbox::Limits limits_;
  std::vector<std::string> inputs_;
  std::map<std::string, std::shared_future<sandbox::JobResult>, std::less<>> known_;
};

struct Function {
  std::string source;               // as written out: trimmed
  const sandbox::JobResult* ran;  // owned by CheckedSources
};

bool got_right(const sandbox::Verdict& verdict, bool expected) {
  return verdict.status == sandbox::Status::ok && verdict.result == expected;
}

}  // namespace

CrossvalCounts& CrossvalCounts::operator+=(const CrossvalCounts& o) {
  rows += o.rows;
  rows_kept += o.rows_kept;
  answers += o.answers;
  answers_unparsable += o.answers_unparsable;
  unreadable_cases += o.unreadable_cases;
  functions += o.functions;
  functions_not_compiled += o.functions_not_compiled;
  functions_kept += o.functions_kept;
  cases += o.cases;
  cases_dropped += o.cases_dropped;
  cases_kept += o.cases_kept;
  return *this;
}

tl::expected<CrossvalInputRow, std::string> read_crossval_row(Row row) {
  if (!row.is_object()) return tl::unexpected("a row must be a JSON object, got " + describe(row));
  if (auto instruction = string_field(row, "instruction"); !instruction)
    return tl::unexpected(instruction.error());
  auto answers = string_list(row, "gpt-answer");
  if (!answers) return tl::unexpected(answers.error());
  return CrossvalInputRow{std::move(row), std::move(*answers)};
}

CrossvalRowResult crossval_row(sandbox::Pool& pool, const CrossvalInputRow& input,
                               const CrossvalSettings& settings) {
  CrossvalRowResult result;
  CrossvalCounts& counts = result.counts;
  counts.rows = 1;
  counts.answers = input.answers.size();

  // Pass 1: the cases (and whether an answer holds a function at all) do not depend on how
  // its source is repaired, so they are known before anything runs. The source chosen without
  // the sandbox (a syntactic guess) is nearly always the one the sandbox will confirm.
  std::vector<parse::TestCase> cases;
  std::set<std::pair<std::string, bool>> case_keys;
  std::vector<bool> has_function;
  std::vector<std::string> likely_sources;
  for (const std::string& answer : input.answers) {
    parse::VerifierAnswer parsed = parse::parse_verifier_answer(answer);
    counts.unreadable_cases += parsed.dropped_cases;
    has_function.push_back(!parsed.func.empty());
    counts.answers_unparsable += parsed.func.empty() ? 1 : 0;
    if (!parsed.func.empty()) likely_sources.push_back(std::move(parsed.func));
    for (auto& c : parsed.cases)
      if (case_keys.emplace(c.input, c.output).second) cases.push_back(std::move(c));
  }
  counts.cases = cases.size();

  // Pass 2: each source as the sandbox-backed check chooses it, already run on every case.
  std::vector<std::string> inputs;
  inputs.reserve(cases.size());
  for (const auto& c : cases) inputs.push_back(c.input);
  CheckedSources sandbox(pool, settings.limits, std::move(inputs));
  for (const auto& source : likely_sources) sandbox.prefetch(source);
  parse::CompileCheck compiles = [&](std::string_view source) { return sandbox.run(source).compiled; };
  std::vector<Function> functions;
  std::set<std::string> function_keys;
  for (std::size_t a = 0; a < input.answers.size(); ++a) {
    if (!has_function[a]) continue;
    parse::VerifierAnswer parsed = parse::parse_verifier_answer(input.answers[a], compiles);
    if (parsed.func.empty() || !function_keys.insert(trim(parsed.func)).second) continue;
    functions.push_back({trim_source(parsed.func), &sandbox.run(parsed.func)});
  }
  counts.functions = functions.size();

  // Only compiled functions vote; `voters` maps votes back to functions.
  core::CrossvalInput votes{cases.size(), {}};
  std::vector<std::size_t> voters;
  for (std::size_t f = 0; f < functions.size(); ++f) {
    const sandbox::JobResult& ran = *functions[f].ran;
    if (!ran.compiled) continue;
    std::vector<bool> right(cases.size(), false);
    for (std::size_t c = 0; c < cases.size() && c < ran.verdicts.size(); ++c)
      right[c] = got_right(ran.verdicts[c], cases[c].output);
    votes.right.push_back(std::move(right));
    voters.push_back(f);
  }
  for (const auto& f : functions) counts.functions_not_compiled += f.ran->compiled ? 0 : 1;

  core::CrossvalOutcome outcome = core::cross_validate(votes, settings.decision);
  counts.cases_dropped = cases.size() - outcome.kept_cases;
  if (!outcome.survives) return result;

  Row eval_func = Row::array();
  for (std::size_t v = 0; v < voters.size(); ++v)
    if (outcome.function_kept[v])
      eval_func.push_back(Row::array({functions[voters[v]].source, *outcome.accuracy[v]}));
  Row kept_cases = Row::array();
  for (std::size_t c = 0; c < cases.size(); ++c)
    if (outcome.case_kept[c]) kept_cases.push_back(Row::array({cases[c].input, cases[c].output}));
  counts.rows_kept = 1;
  counts.functions_kept = outcome.kept_functions;
  counts.cases_kept = outcome.kept_cases;
  result.row = replace_field(input.row, "gpt-answer",
                             {{"eval_func", std::move(eval_func)}, {"cases", std::move(kept_cases)}});
  return result;
}

tl::expected<CrossvalFileSummary, std::string> crossval_file(sandbox::Pool& pool,
                                                             const std::string& in_path,
                                                             const std::string& out_path,
                                                             const CrossvalSettings& settings,
                                                             const StreamOptions& stream) {
  std::mutex mutex;
  CrossvalCounts total;
  auto prepare = [&](Row row) -> tl::expected<RowWork, std::string> {
    auto input = read_crossval_row(std::move(row));
    if (!input) return tl::unexpected(input.error());
    return RowWork([&, input = std::move(*input)]() -> std::optional<Row> {
      CrossvalRowResult done = crossval_row(pool, input, settings);
      std::lock_guard lock(mutex);
      total += done.counts;
      return std::move(done.row);
    });
  };
  auto counts = stream_rows(in_path, out_path, stream, prepare);
  if (!counts) return tl::unexpected(counts.error());
  return CrossvalFileSummary{*counts, total};
}

}  // namespace autoif::official
