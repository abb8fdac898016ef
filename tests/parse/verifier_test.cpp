// Verification-function answers as models really write them.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "pipeline/parse/verifier.h"

using autoif::parse::parse_verifier_answer;
using autoif::parse::SourceFix;
using autoif::parse::TestCase;
using autoif::parse::VerifierStatus;

TEST_CASE("verifier answer: a typical fenced answer with helper function and prose") {
  const char* answer = R"ANS(To verify that every sentence ends with an exclamation mark, we can split the response into sentences and check the last character of each.

```json
{
  "func": "import re\n\ndef split_sentences(text):\n    return [s for s in re.split(r'(?<=[.!?])\\s+', text.strip()) if s]\n\ndef evaluate(response):\n    sentences = split_sentences(response)\n    return len(sentences) > 0 and all(s.endswith('!') for s in sentences)",
  "cases": [
    {"input": "What a day! I loved it!", "output": true},
    {"input": "What a day. I loved it!", "output": false},
    {"input": "Wow!", "output": true}
  ]
}
```

The helper `split_sentences` keeps the regular expression in one place.)ANS";
  auto v = parse_verifier_answer(answer);
  REQUIRE(v.status == VerifierStatus::ok);
  CHECK(v.func.find("def split_sentences(text):") != std::string::npos);
  CHECK(v.func.find("re.split(r'(?<=[.!?])\\s+'") != std::string::npos);
  CHECK(v.source_fix == SourceFix::none);
  CHECK(v.cases == std::vector<TestCase>{{"What a day! I loved it!", true}, {"What a day. I loved it!", false}, {"Wow!", true}});
  CHECK(v.dropped_cases == 0);
  CHECK(v.json_objects == 1);
}

TEST_CASE("verifier answer: \"True\"/\"False\" strings count as booleans, other values drop the case") {
  const char* answer = R"ANS(```json
{"func": "def evaluate(response):\n    return len(response.split()) <= 5",
 "cases": [{"input": "one two three", "output": "True"},
           {"input": "one two three four five six", "output": "False"},
           {"input": "short", "output": "true"},
           {"input": "a b c d e f g", "output": "false"},
           {"input": "maybe", "output": "yes"},
           {"input": "numeric", "output": 1},
           {"input": "missing"},
           {"input": 42, "output": true},
           {"input": null, "output": false}]}
```)ANS";
  auto v = parse_verifier_answer(answer);
  REQUIRE(v.status == VerifierStatus::ok);
  CHECK(v.cases == std::vector<TestCase>{{"one two three", true},
                                         {"one two three four five six", false},
                                         {"short", true},
                                         {"a b c d e f g", false}});
  CHECK(v.dropped_cases == 5);
}

TEST_CASE("verifier answer: Python True/False literals and \\' escapes are repaired") {
  const char* answer = R"ANS(Here is my answer:
```json
{
    "func": "def evaluate(response):\n    return response.lower().startswith(\'dear\')",
    "cases": [
        {"input": "Dear John, thanks.", "output": True},
        {"input": "Hi John", "output": False}
    ]
}
```)ANS";
  auto v = parse_verifier_answer(answer);
  REQUIRE(v.status == VerifierStatus::ok);
  CHECK(v.func == "def evaluate(response):\n    return response.lower().startswith('dear')");
  CHECK(v.cases == std::vector<TestCase>{{"Dear John, thanks.", true}, {"Hi John", false}});
}

TEST_CASE("verifier answer: a \\d regex keeps its backslash in the source") {
  const char* answer = R"ANS({"func": "import re\ndef evaluate(response):\n    return re.search(r'\d', response) is None", "cases": [{"input": "no digits here", "output": true}, {"input": "call 911", "output": false}]})ANS";
  auto v = parse_verifier_answer(answer);
  REQUIRE(v.status == VerifierStatus::ok);
  CHECK(v.func == "import re\ndef evaluate(response):\n    return re.search(r'\\d', response) is None");
}

TEST_CASE("verifier answer: double-escaped line breaks are turned into real ones") {
  const char* answer = R"ANS(```json
{"func": "def evaluate(response):\\n    paragraphs = response.split('\\n\\n')\\n    return len(paragraphs) == 3", "cases": [{"input": "a\n\nb\n\nc", "output": true}]}
```)ANS";
  auto v = parse_verifier_answer(answer);
  REQUIRE(v.status == VerifierStatus::ok);
  CHECK(v.source_fix == SourceFix::code_newlines);
  CHECK(v.func == "def evaluate(response):\n    paragraphs = response.split('\\n\\n')\n    return len(paragraphs) == 3");
  CHECK(v.cases[0].input == "a\n\nb\n\nc");
}

TEST_CASE("verifier answer: the compile check chooses among repairs of the source") {
  std::vector<std::string> seen;
  // Double-escaped: the source holds backslash-n where line breaks were meant.
  auto v = parse_verifier_answer(
      R"J({"func": "def evaluate(r):\\n    return r.isupper()", "cases": [{"input": "A", "output": true}]})J",
      [&](std::string_view s) {
        seen.emplace_back(s);
        return s.find('\\') == std::string_view::npos;
      });
  CHECK(v.status == VerifierStatus::ok);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == "def evaluate(r):\\n    return r.isupper()");
  CHECK(v.func == "def evaluate(r):\n    return r.isupper()");
}

TEST_CASE("verifier answer: a clean source is not sent to the compile check") {
  std::size_t calls = 0;
  auto v = parse_verifier_answer(
      R"J({"func": "def evaluate(r):\n    return r.isupper()", "cases": [{"input": "A", "output": true}]})J",
      [&](std::string_view) {
        ++calls;
        return true;
      });
  CHECK(v.status == VerifierStatus::ok);
  CHECK(calls == 0);
}

TEST_CASE("verifier answer: with two complete blocks the later correction wins") {
  const char* answer = R"ANS(Here is a first version:
```json
{"func": "def evaluate(response):\n    return response.count(',') == 0", "cases": [{"input": "a, b", "output": false}]}
```
Wait, commas in other scripts should count too. Corrected:
```json
{"func": "def evaluate(response):\n    return not any(c in response for c in ',\uff0c\u3001')", "cases": [{"input": "a\uff0cb", "output": false}, {"input": "ab", "output": true}]}
```)ANS";
  auto v = parse_verifier_answer(answer);
  REQUIRE(v.status == VerifierStatus::ok);
  CHECK(v.func.find("any(c in response") != std::string::npos);
  CHECK(v.cases.size() == 2);
  CHECK(v.json_objects == 2);
}

TEST_CASE("verifier answer: function and cases in separate blocks are combined") {
  const char* answer = R"ANS(The function:
```json
{"func": "def evaluate(response):\n    return response.strip().endswith('?')"}
```
And the test cases:
```json
{"cases": [{"input": "Is it?", "output": true}, {"input": "It is.", "output": false}]}
```)ANS";
  auto v = parse_verifier_answer(answer);
  REQUIRE(v.status == VerifierStatus::ok);
  CHECK(v.func == "def evaluate(response):\n    return response.strip().endswith('?')");
  CHECK(v.cases.size() == 2);
}

TEST_CASE("verifier answer: a function in a python fence pairs with JSON cases") {
  const char* answer = R"ANS(```python
import string

def evaluate(response):
    return not any(ch in string.punctuation for ch in response)
```

```json
{"cases": [{"input": "hello world", "output": true}, {"input": "hello, world", "output": false}]}
```)ANS";
  auto v = parse_verifier_answer(answer);
  REQUIRE(v.status == VerifierStatus::ok);
  CHECK(v.func == "import string\n\ndef evaluate(response):\n    return not any(ch in string.punctuation for ch in response)");
  CHECK(v.cases.size() == 2);
}

TEST_CASE("verifier answer: a ```python fence inside the func value is stripped") {
  auto v = parse_verifier_answer(
      R"({"func": "```python\ndef evaluate(response):\n    return response.isascii()\n```", "cases": [{"input": "abc", "output": "True"}]})");
  REQUIRE(v.status == VerifierStatus::ok);
  CHECK(v.func == "def evaluate(response):\n    return response.isascii()");
}

TEST_CASE("verifier answer: statuses for missing JSON, function and cases") {
  SECTION("prose only") {
    auto v = parse_verifier_answer("I'm sorry, but this instruction cannot be verified with code.");
    CHECK(v.status == VerifierStatus::no_json);
    CHECK(v.func.empty());
  }
  SECTION("JSON without a function") {
    auto v = parse_verifier_answer(R"({"cases": [{"input": "x", "output": true}]})");
    CHECK(v.status == VerifierStatus::no_func);
  }
  SECTION("an empty function") {
    CHECK(parse_verifier_answer(R"({"func": "  ", "cases": []})").status == VerifierStatus::no_func);
  }
  SECTION("a function without cases") {
    auto v = parse_verifier_answer(R"({"func": "def evaluate(r):\n    return True"})");
    CHECK(v.status == VerifierStatus::no_cases);
    CHECK(v.func == "def evaluate(r):\n    return True");
  }
  SECTION("an empty case list") {
    CHECK(parse_verifier_answer(R"({"func": "def evaluate(r): return True", "cases": []})").status ==
          VerifierStatus::no_cases);
  }
  SECTION("every case unusable") {
    auto v = parse_verifier_answer(
        R"({"func": "def evaluate(r): return True", "cases": [{"input": "a", "output": "maybe"}, {"input": "b", "output": 0}]})");
    CHECK(v.status == VerifierStatus::bad_cases);
    CHECK(v.dropped_cases == 2);
  }
  SECTION("a truncated answer") {
    auto v = parse_verifier_answer("```json\n{\"func\": \"def evaluate(response):\\n    return len(respo");
    CHECK(v.status == VerifierStatus::no_json);
  }
}

TEST_CASE("verifier answer: a draft inside a <think> block is ignored") {
  const char* answer = R"ANS(<think>
The user wants lowercase. Draft: {"func": "def evaluate(r): return r.islower()", "cases": [{"input": "a", "output": true}]}
Hmm, islower() is False for text without letters. Better compare with lower().
</think>
```json
{"func": "def evaluate(response):\n    return response == response.lower()", "cases": [{"input": "123", "output": true}]}
```)ANS";
  auto v = parse_verifier_answer(answer);
  REQUIRE(v.status == VerifierStatus::ok);
  CHECK(v.func == "def evaluate(response):\n    return response == response.lower()");
  CHECK(v.json_objects == 1);
}

TEST_CASE("verifier answer: alternative shapes of func and cases") {
  SECTION("func as a list of lines, cases as pairs") {
    auto v = parse_verifier_answer(
        R"({"func": ["def evaluate(response):", "    return len(response) < 20"], "cases": [["short", true], ["x", "False"], ["bad"]]})");
    REQUIRE(v.status == VerifierStatus::ok);
    CHECK(v.func == "def evaluate(response):\n    return len(response) < 20");
    CHECK(v.cases == std::vector<TestCase>{{"short", true}, {"x", false}});
    CHECK(v.dropped_cases == 1);
  }
  SECTION("cases as a mapping from input to expected output") {
    auto v = parse_verifier_answer(
        R"J({"function": "def evaluate(r):\n    return r.isupper()", "test_cases": {"HELLO": true, "Hello": "False"}})J");
    REQUIRE(v.status == VerifierStatus::ok);
    CHECK(v.cases.size() == 2);
  }
  SECTION("a single case object and the expected key") {
    auto v = parse_verifier_answer(
        R"({"func": "def evaluate(r):\n    return True", "cases": {"input": "anything", "expected": true}})");
    REQUIRE(v.status == VerifierStatus::ok);
    CHECK(v.cases == std::vector<TestCase>{{"anything", true}});
  }
  SECTION("the object nested under another key") {
    auto v = parse_verifier_answer(
        R"({"verification": {"func": "def evaluate(r):\n    return True", "cases": [{"input": "a", "output": true}]}})");
    REQUIRE(v.status == VerifierStatus::ok);
    CHECK(v.cases.size() == 1);
  }
}

TEST_CASE("verifier answer: inputs keep their own escapes and quotes") {
  auto v = parse_verifier_answer(
      R"({"func": "def evaluate(r):\n    return '\"' in r", "cases": [{"input": "He said \"hi\"\nthen left", "output": true}, {"input": "It\'s", "output": false}]})");
  REQUIRE(v.status == VerifierStatus::ok);
  CHECK(v.cases[0].input == "He said \"hi\"\nthen left");
  CHECK(v.cases[1].input == "It's");
}

TEST_CASE("verifier answer: Windows line endings and upper-case TRUE") {
  const std::string answer =
      "Here is the JSON:\r\n```json\r\n{\"func\": \"def evaluate(response):\\n    return response.isupper()\",\r\n"
      " \"cases\": [{\"input\": \"HI\", \"output\": \"TRUE\"}, {\"input\": \"hi\", \"output\": \" false \"}]}\r\n```\r\n";
  auto v = parse_verifier_answer(answer);
  REQUIRE(v.status == VerifierStatus::ok);
  CHECK(v.func == "def evaluate(response):\n    return response.isupper()");
  CHECK(v.cases == std::vector<TestCase>{{"HI", true}, {"hi", false}});
}

TEST_CASE("verifier answer: a function in the JSON wins over an illustrative python block") {
  const char* answer = R"ANS(The idea in plain Python:
```python
def evaluate(response):
    return True  # placeholder
```
The answer:
```json
{"func": "def evaluate(response):\n    return response.endswith('!')", "cases": [{"input": "Go!", "output": true}]}
```)ANS";
  auto v = parse_verifier_answer(answer);
  REQUIRE(v.status == VerifierStatus::ok);
  CHECK(v.func == "def evaluate(response):\n    return response.endswith('!')");
}

TEST_CASE("verifier answer: a JSON function source with a real line break inside a regex literal") {
  // The model wrote re.split('\n+') in JSON with a single backslash: the parsed source breaks the
  // string literal; the repair writes the line break back as \n.
  const char* answer = R"ANS({"func": "import re\ndef evaluate(response):\n    lines = re.split(r'\n+', response.strip())\n    return len(lines) == 4", "cases": [{"input": "a\nb\nc\nd", "output": true}]})ANS";
  auto v = parse_verifier_answer(answer);
  REQUIRE(v.status == VerifierStatus::ok);
  CHECK(v.source_fix == SourceFix::newlines_in_strings);
  CHECK(v.func == "import re\ndef evaluate(response):\n    lines = re.split(r'\\n+', response.strip())\n    return len(lines) == 4");
}
