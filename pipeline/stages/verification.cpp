// Stage 8: every kept function of the instruction runs on every response of an input; a
// response's pass rate is the fraction of functions that returned True (errors, timeouts and
// non-bools count as not passing). Responses, verdicts and pass rates go in one transaction.
#include <memory>
#include <stdexcept>

#include "pipeline/stages/stages.h"
#include "storage/transaction.h"

namespace autoif::stages {
namespace {

struct Batch {
  std::int64_t input = 0;
  std::string source;
  std::vector<NewResponse> responses;
  std::vector<storage::FunctionRow> functions;
  std::vector<sandbox::JobResult> results;
  std::size_t pending = 0;
  std::function<void()> done;
};

void store(run::RunContext& ctx, Batch& batch) {
  auto tx = storage::Transaction::begin(ctx.store.db());
  if (!tx) throw std::runtime_error(tx.error().what());
  for (std::size_t r = 0; r < batch.responses.size(); ++r) {
    std::size_t passed = 0;
    for (const auto& result : batch.results) passed += result.verdicts[r].passed() ? 1 : 0;
    double pass_rate = batch.functions.empty() ? 0.0 : static_cast<double>(passed) / batch.functions.size();
    const auto& response = batch.responses[r];
    auto id = ctx.store.add_response(batch.input, batch.source, response.sample_index, response.call_key,
                                     response.text, response.finish_reason, pass_rate);
    for (std::size_t f = 0; f < batch.functions.size(); ++f) {
      const auto& verdict = batch.results[f].verdicts[r];
      ctx.store.add_response_verdict(id, batch.functions[f].id, std::string(sandbox::to_string(verdict.status)),
                                     verdict.result);
    }
  }
  if (auto committed = tx->commit(); !committed) throw std::runtime_error(committed.error().what());
}

}  // namespace

void verify_responses(run::RunContext& ctx, std::int64_t input, std::int64_t instruction, const std::string& source,
                      std::vector<NewResponse> responses, std::function<void()> done) {
  auto batch = std::make_shared<Batch>();
  batch->input = input;
  batch->source = source;
  batch->responses = std::move(responses);
  batch->functions = ctx.store.kept_functions(instruction);
  batch->results.resize(batch->functions.size());
  batch->pending = batch->functions.size();
  batch->done = std::move(done);
  if (batch->pending == 0) {
    store(ctx, *batch);
    batch->done();
    return;
  }
  std::vector<std::string> texts;
  for (const auto& response : batch->responses) texts.push_back(response.text);
  for (std::size_t f = 0; f < batch->functions.size(); ++f) {
    ctx.evaluate(sandbox::Job{batch->functions[f].source, texts, ctx.limits()},
                 [&ctx, batch, f](sandbox::JobResult result) {
                   batch->results[f] = std::move(result);
                   if (--batch->pending == 0) {
                     store(ctx, *batch);
                     batch->done();
                   }
                 });
  }
}

}  // namespace autoif::stages
