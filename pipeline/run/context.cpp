#include "pipeline/run/context.h"

#include <stdexcept>

#include "pipeline/config/loader.h"
#include "prompts/prompts.h"

namespace autoif::run {

std::string RunContext::prompt(std::string_view name) const {
  auto text = config::prompt_text(config, name);
  if (!text) throw std::runtime_error(text.error());
  return *text;
}

std::string RunContext::render(std::string_view name, const std::map<std::string, std::string>& values) const {
  auto rendered = prompts::render(prompt(name), values);
  if (!rendered) throw std::runtime_error("prompt '" + std::string(name) + "': " + rendered.error());
  return *rendered;
}

void RunContext::begin(std::string_view stage, std::size_t total) const {
  if (progress) progress->begin(stage, total);
}

void RunContext::advance(std::string_view stage, std::size_t n) const {
  if (progress) progress->advance(stage, n);
}

void RunContext::note(const std::string& line) const {
  if (progress)
    progress->note(line);
  else
    std::fprintf(log, "%s\n", line.c_str());
}

void RunContext::evaluate(sandbox::Job job, std::function<void(sandbox::JobResult)> done) {
  loop.hold();
  pool.submit(std::move(job), [this, done = std::move(done)](sandbox::JobResult result) mutable {
    if (progress)
      for (const auto& verdict : result.verdicts) progress->verdict(sandbox::to_string(verdict.status));
    loop.post([this, done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
      loop.release();
    });
  });
}

}  // namespace autoif::run
