// Stage 1: the seed instructions.
#include <stdexcept>

#include "pipeline/config/input_files.h"
#include "pipeline/stages/stages.h"

namespace autoif::stages {

std::vector<std::string> load_seeds(const config::Config& config) {
  auto seeds = config::read_seeds(config.seeds);
  if (!seeds) throw std::runtime_error(seeds.error());
  return std::move(*seeds);
}

}  // namespace autoif::stages
