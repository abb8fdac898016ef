// Stage 1: the seed instructions.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "pipeline/parse/instructions.h"
#include "pipeline/stages/stages.h"
#include "prompts/prompts.h"

namespace autoif::stages {
namespace {

std::string trim(std::string_view text) {
  auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

std::vector<std::string> from_lines(std::istream& in, const std::string& path) {
  std::vector<std::string> seeds;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    if (text[0] == '{' || text[0] == '"') {
      auto row = nlohmann::json::parse(text, nullptr, false);
      if (row.is_discarded())
        throw std::runtime_error(path + ":" + std::to_string(number) + ": not valid JSON");
      if (row.is_object()) {
        auto field = row.find("instruction");
        if (field == row.end() || !field->is_string())
          throw std::runtime_error(path + ":" + std::to_string(number) +
                                   ": expected an object with a string field \"instruction\"");
        text = trim(field->get<std::string>());
      } else if (row.is_string()) {
        text = trim(row.get<std::string>());
      }
    }
    if (!text.empty()) seeds.push_back(std::move(text));
  }
  return seeds;
}

}  // namespace

std::vector<std::string> load_seeds(const config::Config& config) {
  if (config.seeds.file.empty()) {
    std::istringstream in(std::string(*prompts::builtin("default_seeds")));
    return from_lines(in, "built-in seeds");
  }
  std::ifstream in(config.seeds.file, std::ios::binary);
  if (!in) throw std::runtime_error(config.seeds.file + ": cannot open the seeds file (seeds.file)");
  auto seeds = from_lines(in, config.seeds.file);
  if (seeds.empty()) throw std::runtime_error(config.seeds.file + ": the seeds file holds no instruction");
  return seeds;
}

}  // namespace autoif::stages
