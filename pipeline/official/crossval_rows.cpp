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

// parse_verifier_answer asks whether each repair candidate compiles; a row's answers often
// repeat one source, so every distinct source costs one zero-input sandbox job at most.
class CompileMemo {
 public:
  CompileMemo(sandbox::Pool& pool, sandbox::Limits limits) : pool_(pool), limits_(limits) {}

  bool operator()(std::string_view source) {
    std::string key(source);
    if (auto it = known_.find(key); it != known_.end()) return it->second;
    bool compiled = pool_.run(sandbox::Job{key, {}, limits_}).compiled;
    known_.emplace(std::move(key), compiled);
    return compiled;
  }

 private:
  sandbox::Pool& pool_;
  sandbox::Limits limits_;
  std::map<std::string, bool, std::less<>> known_;
};

struct Function {
  std::string source;
  bool compiled = false;
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

  CompileMemo compiles(pool, settings.limits);
  parse::CompileCheck check = [&](std::string_view source) { return compiles(source); };
  std::vector<Function> functions;
  std::set<std::string> function_keys;
  std::vector<parse::TestCase> cases;
  std::set<std::pair<std::string, bool>> case_keys;
  for (const std::string& answer : input.answers) {
    parse::VerifierAnswer parsed = parse::parse_verifier_answer(answer, check);
    counts.unreadable_cases += parsed.dropped_cases;
    if (parsed.func.empty()) {
      ++counts.answers_unparsable;
      continue;
    }
    if (function_keys.insert(trim(parsed.func)).second)
      functions.push_back({trim_source(parsed.func), compiles(parsed.func)});
    for (auto& c : parsed.cases)
      if (case_keys.emplace(c.input, c.output).second) cases.push_back(std::move(c));
  }
  counts.functions = functions.size();
  counts.cases = cases.size();

  std::vector<std::string> inputs;
  inputs.reserve(cases.size());
  for (const auto& c : cases) inputs.push_back(c.input);
  std::vector<std::pair<std::size_t, std::future<sandbox::JobResult>>> jobs;
  for (std::size_t f = 0; f < functions.size(); ++f)
    if (functions[f].compiled && !cases.empty())
      jobs.emplace_back(f, pool.submit(sandbox::Job{functions[f].source, inputs, settings.limits}));

  // Only functions that compiled in their own job vote; `voters` maps votes back to sources.
  core::CrossvalInput votes{cases.size(), {}};
  std::vector<std::size_t> voters;
  for (auto& [f, job] : jobs) {
    sandbox::JobResult ran = job.get();
    if (!ran.compiled) {
      functions[f].compiled = false;
      continue;
    }
    std::vector<bool> right(cases.size(), false);
    for (std::size_t c = 0; c < cases.size() && c < ran.verdicts.size(); ++c)
      right[c] = got_right(ran.verdicts[c], cases[c].output);
    votes.right.push_back(std::move(right));
    voters.push_back(f);
  }
  for (const auto& f : functions) counts.functions_not_compiled += f.compiled ? 0 : 1;

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
