#include "pipeline/run/context.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "prompts/prompts.h"

namespace autoif::run {

std::string RunContext::prompt(std::string_view name) const {
  if (auto it = config.prompts.find(std::string(name)); it != config.prompts.end()) {
    std::ifstream in(it->second, std::ios::binary);
    if (!in) throw std::runtime_error("prompts." + std::string(name) + ": cannot read " + it->second);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  auto text = prompts::builtin(name);
  if (!text) throw std::runtime_error("no built-in prompt named '" + std::string(name) + "'");
  return std::string(*text);
}

std::string RunContext::render(std::string_view name, const std::map<std::string, std::string>& values) const {
  auto rendered = prompts::render(prompt(name), values);
  if (!rendered) throw std::runtime_error("prompt '" + std::string(name) + "': " + rendered.error());
  return *rendered;
}

void RunContext::evaluate(sandbox::Job job, std::function<void(sandbox::JobResult)> done) {
  loop.hold();
  pool.submit(std::move(job), [this, done = std::move(done)](sandbox::JobResult result) mutable {
    loop.post([this, done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
      loop.release();
    });
  });
}

}  // namespace autoif::run
