// Stage 7: K responses per input, from the supervisor or (online DPO) the policy model. Each
// input's responses go straight to verification (verification.cpp) and the ones that pass to
// scoring (scoring.cpp), so the sandbox and the scorer work while more responses arrive.
// Responses stored by an earlier run but never scored are scored first.
#include <memory>
#include <stdexcept>

#include "pipeline/run/throttle.h"
#include "pipeline/stages/stages.h"

namespace autoif::stages {
namespace {

const std::string& source_of(const config::Config& config) { return config.responses.source; }

nlohmann::json fingerprint(const config::Config& config) {
  const auto& model = config.responses.source == "policy" && config.policy ? *config.policy : config.supervisor;
  return {{"score_prompt", prompt_digest(config, "score")},
          {"samples", config.responses.samples},
          {"source", config.responses.source},
          {"model", model.model},
          {"sandbox", {{"timeout_ms", config.sandbox.timeout_ms}, {"memory_mb", config.sandbox.memory_mb}}}};
}

void run_stage(run::RunContext& ctx) {
  const auto& source = source_of(ctx.config);
  run::Gateway* model = &ctx.supervisor;
  if (source == "policy") {
    if (!ctx.policy) throw std::runtime_error("responses.source = \"policy\" needs an [llm.policy] table");
    model = ctx.policy;
  }
  // Leftovers of an interrupted run: verified responses whose score never arrived.
  score_responses(ctx, ctx.store.responses_to_score(source, ctx.config.verify.min_pass_rate,
                                                    ctx.config.select.drop_truncated),
                  [] {});
  drive(ctx);

  const auto total = static_cast<std::size_t>(ctx.store.count_inputs(source, false));
  InputWalk work(ctx.store, source, false);
  const std::size_t k = ctx.config.responses.samples;
  std::size_t done = 0;
  ctx.begin("responses", total);
  run::Throttle throttle(model->window(k), [&]() -> bool {
    auto next = work.next();
    if (!next) return false;
    const auto input = std::move(*next);
    model->ask(user_message(input.prompt), 0, k, [&, input](run::Answers answers) {
      std::vector<NewResponse> responses;
      for (std::size_t i = 0; i < answers.size(); ++i) {
        if (!answers[i]) {  // retried in full by the next run, from the cache but for this one
          throttle.finished();
          return;
        }
        responses.push_back({static_cast<std::int64_t>(i), answers[i]->key, answers[i]->content,
                             answers[i]->finish_reason});
      }
      throttle.release_slot();  // answered: the next input's requests go out while this one is verified
      verify_responses(ctx, input.id, input.instruction_id, source, std::move(responses), [&, input] {
        score_responses(ctx, ctx.store.responses_to_score_for(input.id, source, ctx.config.verify.min_pass_rate,
                                                               ctx.config.select.drop_truncated),
                        [&] {
                          ++done;
                          ctx.advance("responses");
                          throttle.processed();
                        });
      });
    });
    return true;
  }, ctx.control);
  throttle.start();
  drive(ctx);
  ctx.note(format("responses: %zu of %zu inputs answered, verified and scored", done, total));
}

}  // namespace

run::Stage responses_stage() {
  return {"responses", "responses, their verification in the sandbox, and quality scores", fingerprint, run_stage};
}

}  // namespace autoif::stages
