// Reading a verification-function answer (AUTOIF.md stage 3): one Python function
// `evaluate(response) -> bool` under "func" and test cases {"input": str, "output": bool}
// under "cases", wherever and however the model put them.
//
// Which object: among the JSON objects of the answer (see json_extract.h), the last one that
// holds both a function and a case list wins (models correct themselves further down). When
// no object holds both, the function comes from the last object that has one (or, failing
// that, from the last ```python block that defines evaluate) and the cases from the last
// object that has a case list. Objects nested inside others are searched too.
//
// Accepted spellings: key "func" (also "function", "eval_func", "code"), given as a string or
// as a list of lines; key "cases" (also "test_cases", "tests"), a list, a single case, or a
// mapping from input to expected output; a case as {"input", "output"} (also "response" for
// the input, "expected" or "expected_output" for the output) or as an [input, output] pair. An expected output counts when it is a JSON bool or one of the strings true/false in
// any letter case; any other value, or an input that is not a string, drops that case and
// counts it in `dropped_cases`.
//
// Contract: pure; never throws; `compiles` is forwarded to choose_source (python_source.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/parse/python_source.h"

namespace autoif::parse {

enum class VerifierStatus {
  ok,         // a function and at least one usable case
  no_json,    // no JSON object and no ```python block with evaluate in the answer
  no_func,    // JSON found, but no usable function source
  no_cases,   // a function, but no case list (or an empty one)
  bad_cases,  // a case list in which every case was dropped
};
std::string_view to_string(VerifierStatus status);

struct TestCase {
  std::string input;
  bool output = false;
  friend bool operator==(const TestCase&, const TestCase&) = default;
};

struct VerifierAnswer {
  VerifierStatus status = VerifierStatus::no_json;
  std::string func;                        // chosen source; empty unless a function was found
  SourceFix source_fix = SourceFix::none;  // how `func` was repaired
  std::vector<TestCase> cases;             // in the order the answer gave them
  std::size_t dropped_cases = 0;           // cases thrown away for a bad input or output
  std::size_t json_objects = 0;            // how many objects the answer held (diagnostics)
};

VerifierAnswer parse_verifier_answer(std::string_view answer, const CompileCheck& compiles = {});

}  // namespace autoif::parse
