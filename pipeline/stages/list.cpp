#include <array>

#include "pipeline/stages/stages.h"

namespace autoif::stages {

run::Stage instructions_stage();
run::Stage verifiers_stage();
run::Stage back_translation_stage();
run::Stage queries_stage();
run::Stage responses_stage();
run::Stage select_stage();

std::span<const run::Stage> all() {
  static const std::array table{instructions_stage(), verifiers_stage(), back_translation_stage(),
                                queries_stage(),      responses_stage(), select_stage()};
  return table;
}

std::optional<std::string> unit_of(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> kStages[] = {
      {"seeds", "instructions"},         {"augment", "instructions"},  {"instructions", "instructions"},
      {"verifiers", "verifiers"},        {"crossval", "verifiers"},    {"back_translation", "back_translation"},
      {"nli", "back_translation"},       {"queries", "queries"},       {"pairing", "queries"},
      {"responses", "responses"},        {"verification", "responses"}, {"verify", "responses"},
      {"scoring", "responses"},          {"score", "responses"},       {"select", "select"},
      {"selection", "select"},
  };
  for (const auto& [stage, unit] : kStages)
    if (stage == name) return std::string(unit);
  return std::nullopt;
}

}  // namespace autoif::stages
