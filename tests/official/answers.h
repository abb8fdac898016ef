// Raw verifier answers written for these tests in the style of real model output, for the
// instruction "Respond using only lowercase letters." Each one exercises a quirk of
// AUTOIF.md's list; the comments give what cross-validation must make of it.
#pragma once

#include <string>
#include <vector>

namespace official_test {

// F1: prose around a ```json fence, a helper function, expected outputs as "True"/"False".
inline const std::string kHelperAnswer = R"A(Sure! Here is a function that checks the rule.

```json
{
  "func": "def _letters(text):\n    return [c for c in text if c.isalpha()]\n\ndef evaluate(response):\n    return all(c.islower() for c in _letters(response))",
  "cases": [
    {"input": "hello world", "output": "True"},
    {"input": "Hello World", "output": "False"}
  ]
}
```

The helper keeps only letters, so punctuation does not matter.)A";

// F2: bare JSON with Python literals, and a double-escaped source (literal backslash-n)
// that only compiles once the sandbox-backed check picks the repaired form.
inline const std::string kDoubleEscapedAnswer =
    R"A({"func": "def evaluate(response):\\n    return response == response.lower()", "cases": [{"input": "wow!", "output": True}, {"input": "HELLO", "output": False}]})A";

// F1 again with trailing blank lines (merged with F1), in a fence without a language tag;
// brings a duplicate case and a case every sensible function gets "wrong".
inline const std::string kDuplicateAnswer = R"A(```
{"func": "def _letters(text):\n    return [c for c in text if c.isalpha()]\n\ndef evaluate(response):\n    return all(c.islower() for c in _letters(response))\n\n\n", "cases": [{"input": "hello world", "output": true}, {"input": "all good here", "output": false}]}
```)A";

// F3: loops forever on any input with an exclamation mark ("wow!" times out).
inline const std::string kLoopingAnswer = R"A(```json
{"func": "def evaluate(response):\n    while '!' in response:\n        pass\n    return response.lower() == response", "cases": [{"input": "HELLO", "output": false}]}
```)A";

// F4: imports a module the sandbox does not provide: does not compile.
inline const std::string kMissingModuleAnswer = R"A(```json
{"func": "import langdetect\n\ndef evaluate(response):\n    return langdetect.detect(response) == 'en' and response.islower()", "cases": [{"input": "hello world", "output": true}]}
```)A";

// F5: a syntax error no repair can fix: does not compile.
inline const std::string kBrokenAnswer = R"A(```json
{"func": "def evaluate(response)\n    return response.islower(", "cases": [{"input": "hello world", "output": true}]}
```)A";

// F6: compiles but checks the opposite; one case has an expected value that is no boolean.
inline const std::string kWrongAnswer = R"A(```json
{"func": "def evaluate(response):\n    return response.isupper()", "cases": [{"input": "HELLO", "output": "false"}, {"input": "x", "output": "maybe"}]}
```)A";

// No JSON and no code at all.
inline const std::string kRefusalAnswer = "I'm sorry, but I cannot write code for this instruction.";

inline std::vector<std::string> lowercase_answers() {
  return {kHelperAnswer, kDoubleEscapedAnswer, kDuplicateAnswer, kLoopingAnswer,
          kMissingModuleAnswer, kBrokenAnswer, kWrongAnswer, kRefusalAnswer};
}

// The sources as cross-validation keeps them (trimmed, repaired).
inline const std::string kHelperSource =
    "def _letters(text):\n    return [c for c in text if c.isalpha()]\n\ndef evaluate(response):\n"
    "    return all(c.islower() for c in _letters(response))";
inline const std::string kRepairedSource =
    "def evaluate(response):\n    return response == response.lower()";
inline const std::string kLoopingSource =
    "def evaluate(response):\n    while '!' in response:\n        pass\n    return response.lower() == response";

// With the four compiled functions F1, F2, F3, F6 voting on the five distinct cases:
//   "hello world" true    F1 F2 F3 right, F6 wrong          3/4  kept
//   "Hello World" false   all four right                    4/4  kept
//   "wow!" true           F1 F2 right, F3 timeout, F6 wrong 2/4  dropped (0.5 is not more)
//   "HELLO" false         F1 F2 F3 right, F6 wrong          3/4  kept
//   "all good here" false only F6 right                     1/4  dropped
// On the three kept cases F1, F2, F3 score 3/3 and F6 1/3.

}  // namespace official_test
