// Stage 4: cross-validation of one instruction's functions and cases in the sandbox, decided by
// core::cross_validate (AUTOIF.md 1.4), stored in one transaction.
#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>

#include "pipeline/core/crossval.h"
#include "pipeline/stages/stages.h"
#include "storage/transaction.h"

namespace autoif::stages {
namespace {

std::string trimmed(const std::string& source) {
  auto begin = source.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  auto end = source.find_last_not_of(" \t\r\n");
  return source.substr(begin, end - begin + 1);
}

struct Crossval {
  std::int64_t instruction = 0;
  std::vector<VerifierSample> samples;
  std::vector<std::string> functions;             // unique trimmed sources, first-seen order
  std::vector<std::int64_t> function_sample;      // sample index that first gave each function
  std::vector<std::pair<std::string, bool>> cases;  // unique (input, expected), first-seen order
  std::vector<sandbox::JobResult> results;        // per function
  std::size_t pending = 0;
  std::function<void()> done;
};

void store(run::RunContext& ctx, Crossval& cv) {
  core::CrossvalInput input;
  input.cases = cv.cases.size();
  std::vector<std::size_t> compiled;  // function indexes that compiled
  for (std::size_t f = 0; f < cv.functions.size(); ++f) {
    if (!cv.results[f].compiled) continue;
    compiled.push_back(f);
    std::vector<bool> row;
    for (std::size_t c = 0; c < cv.cases.size(); ++c) {
      const auto& verdict = cv.results[f].verdicts[c];
      row.push_back(verdict.status == sandbox::Status::ok && verdict.result == cv.cases[c].second);
    }
    input.right.push_back(std::move(row));
  }
  auto outcome = core::cross_validate(input, ctx.config.crossval);

  auto tx = storage::Transaction::begin(ctx.store.db());
  if (!tx) throw std::runtime_error(tx.error().what());
  std::map<std::int64_t, std::int64_t> sample_ids;
  for (const auto& sample : cv.samples)
    sample_ids[sample.sample_index] =
        ctx.store.add_function_sample(cv.instruction, sample.sample_index, sample.call_key, sample.parse_status);
  std::vector<std::int64_t> case_ids;
  for (std::size_t c = 0; c < cv.cases.size(); ++c)
    case_ids.push_back(ctx.store.add_case(cv.instruction, cv.cases[c].first, cv.cases[c].second, outcome.case_kept[c]));
  for (std::size_t f = 0, voter = 0; f < cv.functions.size(); ++f) {
    const auto& result = cv.results[f];
    bool is_voter = result.compiled;
    std::optional<double> accuracy = is_voter ? outcome.accuracy[voter] : std::nullopt;
    bool kept = is_voter && outcome.function_kept[voter];
    auto id = ctx.store.add_function(cv.instruction, sample_ids[cv.function_sample[f]], cv.functions[f],
                                     result.compiled, result.compile_message, accuracy, kept);
    for (std::size_t c = 0; c < cv.cases.size() && result.compiled; ++c)
      ctx.store.add_case_result(id, case_ids[c], std::string(sandbox::to_string(result.verdicts[c].status)),
                                result.verdicts[c].result);
    if (is_voter) ++voter;
  }
  if (cv.functions.empty())
    ctx.store.set_status(cv.instruction, "dropped", "no_verifier");
  else if (outcome.survives)
    ctx.store.set_status(cv.instruction, "verified");
  else
    ctx.store.set_status(cv.instruction, "dropped", "crossval");
  if (auto committed = tx->commit(); !committed) throw std::runtime_error(committed.error().what());
}

}  // namespace

void cross_validate_instruction(run::RunContext& ctx, std::int64_t instruction, std::vector<VerifierSample> samples,
                                std::function<void()> done) {
  auto cv = std::make_shared<Crossval>();
  cv->instruction = instruction;
  cv->done = std::move(done);
  for (const auto& sample : samples) {
    std::string source = trimmed(sample.func);
    if (!source.empty() && std::find(cv->functions.begin(), cv->functions.end(), source) == cv->functions.end()) {
      cv->functions.push_back(source);
      cv->function_sample.push_back(sample.sample_index);
    }
    for (const auto& c : sample.cases)
      if (std::find(cv->cases.begin(), cv->cases.end(), c) == cv->cases.end()) cv->cases.push_back(c);
  }
  cv->samples = std::move(samples);
  cv->results.resize(cv->functions.size());
  cv->pending = cv->functions.size();
  if (cv->pending == 0) {
    store(ctx, *cv);
    cv->done();
    return;
  }
  std::vector<std::string> inputs;
  for (const auto& c : cv->cases) inputs.push_back(c.first);
  for (std::size_t f = 0; f < cv->functions.size(); ++f) {
    ctx.evaluate(sandbox::Job{cv->functions[f], inputs, ctx.limits()}, [&ctx, cv, f](sandbox::JobResult result) {
      cv->results[f] = std::move(result);
      if (--cv->pending == 0) {
        store(ctx, *cv);
        cv->done();
      }
    });
  }
}

}  // namespace autoif::stages
