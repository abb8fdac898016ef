#include "pipeline/official/command_support.h"

#include <algorithm>
#include <thread>

namespace autoif::official {

tl::expected<std::unique_ptr<sandbox::Pool>, std::string> start_pool(const SandboxSettings& settings) {
  sandbox::PoolOptions options;
  options.workers = settings.workers;
  options.extra_modules = settings.modules;
  auto pool = sandbox::Pool::start(options);
  if (!pool) return tl::unexpected("cannot start the sandbox: " + pool.error());
  return std::move(*pool);
}

std::size_t window_for(std::size_t workers) {
  if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
  return std::clamp<std::size_t>(4 * workers, 8, 256);
}

WarningSink WarningPrinter::sink() {
  // Only the reading thread calls the sink (row_stream.h), so no lock is needed.
  return [this](const std::string& message) {
    if (++seen_ <= limit_) std::fprintf(out_, "warning: %s\n", message.c_str());
  };
}

}  // namespace autoif::official
