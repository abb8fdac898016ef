// Deterministic instruction-like texts for the dedup tests and benchmark: format constraints
// built from templates (so common phrases such as "your response" are everywhere, as in real
// augmentation output) plus edited copies of earlier texts (the near duplicates dedup is for).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace autoif::parse::testing {

class SplitMix {
 public:
  explicit SplitMix(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t state_;
};

inline std::vector<std::string> instruction_corpus(std::size_t count, std::uint64_t seed) {
  static constexpr std::array<std::string_view, 10> units = {
      "words", "sentences", "paragraphs", "bullet points", "lines", "sections", "letters",
      "commas", "exclamation marks", "questions"};
  static constexpr std::array<std::string_view, 40> words = {
      "apple", "river", "quantum", "harbor", "velvet", "canyon", "lantern", "orbit", "meadow",
      "signal", "copper", "falcon", "garden", "hollow", "island", "jigsaw", "kernel", "ledger",
      "marble", "nectar", "oyster", "pepper", "quartz", "rocket", "saddle", "timber", "umbrella",
      "violet", "walnut", "yonder", "zephyr", "anchor", "bamboo", "cobalt", "dynamo", "ember",
      "fjord", "glacier", "horizon", "indigo"};
  static constexpr std::array<std::string_view, 8> fillers = {
      "please", "always", "strictly", "entire", "whole", "carefully", "exactly", "only"};
  SplitMix rng(seed);
  auto word = [&] { return std::string(words[rng.below(words.size())]); };
  auto unit = [&] { return std::string(units[rng.below(units.size())]); };
  auto num = [&] { return std::to_string(1 + rng.below(20)); };
  std::vector<std::string> out;
  out.reserve(count);
  while (out.size() < count) {
    if (!out.empty() && rng.below(10) < 3) {
      // An edited copy of an earlier text: one word inserted, replaced or dropped.
      std::string base = out[rng.below(out.size())];
      std::vector<std::string> tokens;
      for (std::size_t i = 0, j; i < base.size(); i = j + 1) {
        j = base.find(' ', i);
        if (j == std::string::npos) j = base.size();
        tokens.push_back(base.substr(i, j - i));
      }
      const std::size_t at = rng.below(tokens.size());
      switch (rng.below(3)) {
        case 0: tokens.insert(tokens.begin() + static_cast<long>(at), std::string(fillers[rng.below(fillers.size())])); break;
        case 1: tokens[at] = word(); break;
        default: if (tokens.size() > 3) tokens.erase(tokens.begin() + static_cast<long>(at));
      }
      std::string joined;
      for (const std::string& t : tokens) joined += (joined.empty() ? "" : " ") + t;
      out.push_back(joined);
      continue;
    }
    switch (rng.below(10)) {
      case 0: out.push_back("Your response must contain exactly " + num() + " " + unit() + "."); break;
      case 1: out.push_back("Answer with at least " + num() + " " + unit() + " about " + word() + "."); break;
      case 2: out.push_back("Do not use the word '" + word() + "' anywhere in your reply."); break;
      case 3: out.push_back("Wrap every one of your " + unit() + " in " + word() + " brackets."); break;
      case 4: out.push_back("Start each of the " + unit() + " with the word '" + word() + "'."); break;
      case 5: out.push_back("End your answer with the phrase '" + word() + " " + word() + "'."); break;
      case 6: out.push_back("Use no more than " + num() + " " + unit() + " per " + word() + " section."); break;
      case 7: out.push_back("Include the keywords " + word() + ", " + word() + " and " + word() + "."); break;
      case 8: out.push_back("Separate your " + unit() + " with the symbol " + word() + " and nothing else."); break;
      default: out.push_back("Mention " + word() + " exactly " + num() + " times and " + word() + " never."); break;
    }
  }
  return out;
}

}  // namespace autoif::parse::testing
