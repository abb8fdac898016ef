#include "pipeline/official/verify_rows.h"

#include <future>
#include <map>
#include <mutex>

#include "pipeline/core/crossval.h"
#include "pipeline/official/row_fields.h"

namespace autoif::official {

VerifyCounts& VerifyCounts::operator+=(const VerifyCounts& o) {
  rows += o.rows;
  rows_without_functions += o.rows_without_functions;
  responses += o.responses;
  responses_passing += o.responses_passing;
  functions += o.functions;
  functions_not_compiled += o.functions_not_compiled;
  evaluations += o.evaluations;
  evaluation_errors += o.evaluation_errors;
  return *this;
}

tl::expected<VerifyInputRow, std::string> read_verify_row(Row row) {
  if (!row.is_object()) return tl::unexpected("a row must be a JSON object, got " + describe(row));
  auto it = row.find("eval_func");
  if (it == row.end()) return tl::unexpected(std::string("missing field \"eval_func\""));
  if (!it->is_array())
    return tl::unexpected("field \"eval_func\" must be a list of [source, score], got " +
                          describe(*it));
  std::vector<std::string> functions;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Row& entry = (*it)[i];
    const Row* source = &entry;
    if (entry.is_array() && !entry.empty()) source = &entry[0];
    if (!source->is_string())
      return tl::unexpected("field \"eval_func\"[" + std::to_string(i) +
                            "] must be [source, score] with a string source, got " +
                            describe(entry.is_array() && !entry.empty() ? *source : entry));
    functions.push_back(source->get<std::string>());
  }
  auto responses = string_list(row, "gpt-answer");
  if (!responses) return tl::unexpected(responses.error());
  return VerifyInputRow{std::move(row), std::move(functions), std::move(*responses)};
}

VerifyRowResult verify_row(sandbox::Pool& pool, const VerifyInputRow& input,
                           const sandbox::Limits& limits) {
  VerifyRowResult result;
  VerifyCounts& counts = result.counts;
  counts.rows = 1;
  counts.rows_without_functions = input.functions.empty() ? 1 : 0;
  counts.responses = input.responses.size();
  counts.functions = input.functions.size();

  // A source listed twice is run once but still counts twice, as the row says.
  std::map<std::string, std::size_t> job_of;
  std::vector<std::future<sandbox::JobResult>> jobs;
  std::vector<std::size_t> job_index;
  for (const auto& source : input.functions) {
    auto [it, fresh] = job_of.emplace(source, jobs.size());
    if (fresh) jobs.push_back(pool.submit(sandbox::Job{source, input.responses, limits}));
    job_index.push_back(it->second);
  }
  std::vector<sandbox::JobResult> ran;
  ran.reserve(jobs.size());
  for (auto& job : jobs) ran.push_back(job.get());

  std::vector<std::size_t> passed(input.responses.size(), 0);
  for (std::size_t j : job_index) {
    const sandbox::JobResult& job = ran[j];
    counts.functions_not_compiled += job.compiled ? 0 : 1;
    for (std::size_t r = 0; r < passed.size() && r < job.verdicts.size(); ++r) {
      if (job.compiled) {
        ++counts.evaluations;
        counts.evaluation_errors += job.verdicts[r].status == sandbox::Status::ok ? 0 : 1;
      }
      passed[r] += job.compiled && job.verdicts[r].passed() ? 1 : 0;
    }
  }

  Row responses = Row::array();
  for (std::size_t r = 0; r < input.responses.size(); ++r) {
    double rate = input.functions.empty()
                      ? 0.0
                      : static_cast<double>(passed[r]) / static_cast<double>(input.functions.size());
    result.pass_rates.push_back(rate);
    counts.responses_passing += core::more_than(passed[r], input.functions.size(), 0.5) ? 1 : 0;
    responses.push_back(Row::array({input.responses[r], rate}));
  }
  result.row = replace_field(input.row, "gpt-answer", {{"response", std::move(responses)}});
  return result;
}

tl::expected<VerifyFileSummary, std::string> verify_file(sandbox::Pool& pool,
                                                         const std::string& in_path,
                                                         const std::string& out_path,
                                                         const sandbox::Limits& limits,
                                                         const StreamOptions& stream) {
  std::mutex mutex;
  VerifyCounts total;
  auto prepare = [&](Row row) -> tl::expected<RowWork, std::string> {
    auto input = read_verify_row(std::move(row));
    if (!input) return tl::unexpected(input.error());
    return RowWork([&, input = std::move(*input)]() -> std::optional<Row> {
      VerifyRowResult done = verify_row(pool, input, limits);
      std::lock_guard lock(mutex);
      total += done.counts;
      return std::move(done.row);
    });
  };
  auto counts = stream_rows(in_path, out_path, stream, prepare);
  if (!counts) return tl::unexpected(counts.error());
  return VerifyFileSummary{*counts, total};
}

}  // namespace autoif::official
