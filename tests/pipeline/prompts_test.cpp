#include <catch2/catch.hpp>

#include "prompts/prompts.h"

using autoif::prompts::builtin;
using autoif::prompts::render;

TEST_CASE("every stage prompt is compiled in and renders with the values its stage supplies") {
  const std::pair<const char*, std::map<std::string, std::string>> uses[] = {
      {"augment", {{"examples", "- a"}, {"count", "5"}}},
      {"verifier", {{"instruction", "Use no commas."}}},
      {"back_translate", {{"function", "def evaluate(r): return True"}}},
      {"nli", {{"premise", "p"}, {"hypothesis", "h"}}},
      {"score", {{"instruction", "i"}, {"query", "q"}, {"response", "r"}}},
  };
  for (const auto& [name, values] : uses) {
    INFO(name);
    auto text = builtin(name);
    REQUIRE(text);
    auto rendered = render(*text, values);
    REQUIRE(rendered);
    for (const auto& [key, value] : values) CHECK(rendered->find(value) != std::string::npos);
  }
}

TEST_CASE("the default seeds hold at least 36 instructions, one per line") {
  auto seeds = builtin("default_seeds");
  REQUIRE(seeds);
  std::size_t lines = 0;
  for (char c : *seeds) lines += c == '\n';
  CHECK(lines >= 36);
}

TEST_CASE("rendering reports a placeholder without a value and leaves other braces alone") {
  auto missing = render("Hello {name}", {});
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error(), Catch::Contains("{name}"));
  auto kept = render("json {\"a\": 1} and {x} and { y } and {}", {{"x", "X"}});
  REQUIRE(kept);
  CHECK(*kept == "json {\"a\": 1} and X and { y } and {}");
  // A value that itself looks like a placeholder is not expanded again.
  CHECK(*render("{a}{b}", {{"a", "{b}"}, {"b", "B"}}) == "{b}B");
}
