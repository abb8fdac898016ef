// Stage 3: K verification-function answers per instruction, parsed robustly; each instruction
// goes to cross-validation (crossval.cpp) as soon as its K answers are in.
#include <stdexcept>

#include "pipeline/parse/verifier.h"
#include "pipeline/run/throttle.h"
#include "pipeline/stages/stages.h"

namespace autoif::stages {
namespace {

nlohmann::json fingerprint(const config::Config& config) {
  return {{"prompt", prompt_digest(config, "verifier")},
          {"samples", config.verifiers.samples},
          {"crossval", {{"case_threshold", config.crossval.case_threshold},
                        {"function_threshold", config.crossval.function_threshold},
                        {"min_functions", config.crossval.min_functions},
                        {"min_cases", config.crossval.min_cases}}},
          {"sandbox", {{"timeout_ms", config.sandbox.timeout_ms},
                       {"memory_mb", config.sandbox.memory_mb},
                       {"extra_modules", config.sandbox.extra_modules}}},
          {"model", config.supervisor.model}};
}

void run_stage(run::RunContext& ctx) {
  auto work = ctx.store.instructions("candidate");
  const std::size_t k = ctx.config.verifiers.samples;
  // The sandbox decides when literal "\n" sequences in a source were meant as line breaks.
  parse::CompileCheck compiles = [&ctx](std::string_view source) {
    sandbox::Job job{std::string(source), {}, ctx.limits()};
    return ctx.pool.run(std::move(job)).compiled;
  };
  std::size_t next = 0, done = 0;
  ctx.begin("verifiers", work.size());
  run::Throttle throttle(ctx.supervisor.window(k), [&]() -> bool {
    if (next >= work.size()) return false;
    const auto instruction = work[next++];
    auto prompt = ctx.render("verifier", {{"instruction", instruction.text}});
    ctx.supervisor.ask(user_message(prompt), 0, k, [&, instruction](run::Answers answers) {
      std::vector<VerifierSample> samples;
      bool complete = true;
      for (std::size_t i = 0; i < answers.size(); ++i) {
        if (!answers[i]) {
          complete = false;
          continue;
        }
        auto parsed = parse::parse_verifier_answer(answers[i]->content, compiles);
        VerifierSample sample{static_cast<std::int64_t>(i), answers[i]->key,
                              std::string(parse::to_string(parsed.status)), {}, {}};
        if (!parsed.func.empty()) sample.func = parsed.func;
        for (const auto& c : parsed.cases) sample.cases.emplace_back(c.input, c.output);
        samples.push_back(std::move(sample));
      }
      if (!complete) {  // left as a candidate: the next run asks for the missing answers only
        throttle.finished();
        return;
      }
      throttle.release_slot();  // answered: the next requests go out while the sandbox works
      cross_validate_instruction(ctx, instruction.id, std::move(samples), [&] {
        ++done;
        ctx.advance("verifiers");
        throttle.processed();
      });
    });
    return true;
  }, ctx.control);
  throttle.start();
  drive(ctx);
  ctx.note(format("verifiers: %zu of %zu instructions cross-validated", done, work.size()));
}

}  // namespace

run::Stage verifiers_stage() {
  return {"verifiers", "verification functions and test cases, cross-validated in the sandbox", fingerprint,
          run_stage};
}

}  // namespace autoif::stages
