// Choosing the runnable form of a function source: fences, double escaping, real line breaks
// inside string literals, and the compile callback that has the last word.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "pipeline/parse/python_source.h"

using autoif::parse::choose_source;
using autoif::parse::CompileCheck;
using autoif::parse::normalise_source;
using autoif::parse::SourceFix;

namespace {

// A compile check that knows the sources it should accept and records every call.
struct FakeCompiler {
  std::set<std::string> compiling;
  std::vector<std::string> calls;
  CompileCheck check() {
    return [this](std::string_view s) {
      calls.emplace_back(s);
      return compiling.count(std::string(s)) > 0;
    };
  }
};

}  // namespace

TEST_CASE("source choice strips a ```python fence around the source") {
  auto chosen = choose_source("```python\ndef evaluate(response):\n    return response.isupper()\n```");
  CHECK(chosen.source == "def evaluate(response):\n    return response.isupper()");
  CHECK(chosen.fix == SourceFix::none);
}

TEST_CASE("source choice keeps a source that is already fine, with \\n inside its strings") {
  const std::string src = "def evaluate(response):\n    return response.count('\\n') >= 2  # lines split on \\n";
  auto chosen = choose_source(src);
  CHECK(chosen.source == src);
  CHECK(chosen.fix == SourceFix::none);
}

TEST_CASE("source choice turns double-escaped line breaks into real ones but keeps \\n in strings") {
  // What json.loads gives for "def evaluate(response):\\n    lines = response.split('\\n')...".
  const std::string raw =
      "def evaluate(response):\\n    lines = response.split('\\n')\\n    return len(lines) == 3";
  auto chosen = choose_source(raw);
  CHECK(chosen.fix == SourceFix::code_newlines);
  CHECK(chosen.source == "def evaluate(response):\n    lines = response.split('\\n')\n    return len(lines) == 3");
}

TEST_CASE("source choice ends a comment at a literal \\n when the source has no real line break") {
  const std::string raw = "# count the words\\ndef evaluate(response):\\n    return len(response.split()) <= 100";
  auto chosen = choose_source(raw);
  CHECK(chosen.source == "# count the words\ndef evaluate(response):\n    return len(response.split()) <= 100");
}

TEST_CASE("source choice removes one full level of escaping when quotes are escaped too") {
  const std::string raw =
      "def evaluate(response):\\n    return response.startswith(\\\"Title:\\\") and \\\"\\\\n\\\" in response";
  auto chosen = choose_source(raw);
  CHECK(chosen.fix == SourceFix::full_unescape);
  CHECK(chosen.source == "def evaluate(response):\n    return response.startswith(\"Title:\") and \"\\n\" in response");
}

TEST_CASE("source choice writes a line break inside a one-line string literal back as \\n") {
  // The model wrote split('\n') in JSON, so the parsed source has a real line break there.
  const std::string raw = "def evaluate(response):\n    return len(response.split('\n')) >= 3";
  auto chosen = choose_source(raw);
  CHECK(chosen.fix == SourceFix::newlines_in_strings);
  CHECK(chosen.source == "def evaluate(response):\n    return len(response.split('\\n')) >= 3");
}

TEST_CASE("source choice leaves triple-quoted strings with line breaks alone") {
  const std::string src = "def evaluate(response):\n    \"\"\"Checks\n    the title.\"\"\"\n    return response.istitle()";
  CHECK(choose_source(src).fix == SourceFix::none);
  CHECK(choose_source(src).source == src);
}

TEST_CASE("source choice keeps a line continuation backslash") {
  const std::string src = "def evaluate(response):\n    return len(response) > 5 and \\\n        response[0].isupper()";
  CHECK(choose_source(src).source == src);
}

TEST_CASE("source choice asks the compile check in order and takes the first that compiles") {
  const std::string raw = "def evaluate(response):\\n    return response.endswith('.')";
  const std::string fixed = "def evaluate(response):\n    return response.endswith('.')";
  FakeCompiler compiler;
  compiler.compiling = {fixed};
  auto chosen = choose_source(raw, compiler.check());
  CHECK(chosen.source == fixed);
  CHECK(chosen.fix == SourceFix::code_newlines);
  REQUIRE(compiler.calls.size() == 2);
  CHECK(compiler.calls[0] == raw);
  CHECK(compiler.calls[1] == fixed);
}

TEST_CASE("source choice keeps the source as is when the compile check accepts it") {
  // Without a callback this would be rewritten; the check says the original is fine.
  const std::string raw = "def evaluate(response):\\n    return True";
  FakeCompiler compiler;
  compiler.compiling = {raw};
  auto chosen = choose_source(raw, compiler.check());
  CHECK(chosen.source == raw);
  CHECK(chosen.fix == SourceFix::none);
  CHECK(compiler.calls.size() == 1);
}

TEST_CASE("source choice falls back to the source as written when no candidate compiles") {
  const std::string raw = "def evaluate(response):\\n    return response.(";
  FakeCompiler compiler;
  auto chosen = choose_source(raw, compiler.check());
  CHECK(chosen.source == raw);
  CHECK(chosen.fix == SourceFix::none);
  CHECK(compiler.calls.size() == 3);  // as is, code line breaks, full unescape
}

TEST_CASE("source choice never calls the compile check for a source with nothing to repair") {
  // The check costs a sandbox job; with a single candidate its answer changes nothing.
  FakeCompiler compiler;
  auto chosen = choose_source("def evaluate(response):\n    return bool(response)", compiler.check());
  CHECK(compiler.calls.empty());
  CHECK(chosen.fix == SourceFix::none);
}

TEST_CASE("source normalisation writes a backspace back as the regex word boundary \\b") {
  // JSON "\b" is a valid escape (backspace); in a function source it was meant as \b.
  const std::string raw = "import re\ndef evaluate(response):\n    return re.search(r'\bcat\b', response) is None";
  CHECK(normalise_source(raw) == "import re\ndef evaluate(response):\n    return re.search(r'\\bcat\\b', response) is None");
}

TEST_CASE("source normalisation dedents a source whose first line is indented") {
  const std::string raw = "\n    def helper(w):\n        return w.isalpha()\n\n    def evaluate(response):\n        return all(helper(w) for w in response.split())\n";
  CHECK(normalise_source(raw) ==
        "def helper(w):\n    return w.isalpha()\n\ndef evaluate(response):\n    return all(helper(w) for w in response.split())");
}
