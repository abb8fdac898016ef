// JSON extraction and repair against answers written the way chat models write them.
#include <catch2/catch.hpp>

#include "pipeline/parse/json_extract.h"

using autoif::parse::extract_json_objects;
using autoif::parse::parse_json_lenient;
using autoif::parse::repair_json;

TEST_CASE("json extraction finds the object inside a ```json fence with prose around it") {
  const char* answer = R"ANS(Sure! Here is a function that checks whether the response is all lowercase:

```json
{
  "func": "def evaluate(response):\n    return response == response.lower()",
  "cases": [{"input": "hello world", "output": true}, {"input": "Hello", "output": false}]
}
```

Let me know if you need anything else.)ANS";
  auto found = extract_json_objects(answer);
  REQUIRE(found.size() == 1);
  CHECK(found[0].fenced);
  CHECK_FALSE(found[0].repaired);
  CHECK(found[0].value["func"] == "def evaluate(response):\n    return response == response.lower()");
  CHECK(found[0].value["cases"].size() == 2);
  CHECK(std::string_view(answer).substr(found[0].offset, 1) == "{");
}

TEST_CASE("json extraction reads a fence that has no language tag") {
  auto found = extract_json_objects("Here you go:\n```\n{\"func\": \"x\", \"cases\": []}\n```\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].fenced);
  CHECK(found[0].value["func"] == "x");
}

TEST_CASE("json extraction finds bare JSON between sentences") {
  auto found = extract_json_objects(
      "The verification function is given below. {\"func\": \"def evaluate(r): return True\", "
      "\"cases\": [{\"input\": \"a\", \"output\": true}]} This covers the basic case.");
  REQUIRE(found.size() == 1);
  CHECK_FALSE(found[0].fenced);
  CHECK(found[0].value["cases"][0]["input"] == "a");
}

TEST_CASE("json extraction returns every block of a two-block answer in order") {
  const char* answer = R"ANS(First attempt:
```json
{"func": "def evaluate(response):\n    return len(response) > 10", "cases": []}
```
Actually, a better version also strips whitespace:
```json
{"func": "def evaluate(response):\n    return len(response.strip()) > 10", "cases": []}
```)ANS";
  auto found = extract_json_objects(answer);
  REQUIRE(found.size() == 2);
  CHECK(found[0].offset < found[1].offset);
  CHECK(found[0].value["func"].get<std::string>().find("strip") == std::string::npos);
  CHECK(found[1].value["func"].get<std::string>().find("strip") != std::string::npos);
}

TEST_CASE("json repair turns Python literals outside strings into JSON literals") {
  const char* answer = R"ANS(```json
{"cases": [{"input": "HELLO", "output": True}, {"input": "hi", "output": False}], "note": None,
 "func": "def evaluate(r):\n    return True if r.isupper() else False"}
```)ANS";
  auto found = extract_json_objects(answer);
  REQUIRE(found.size() == 1);
  CHECK(found[0].repaired);
  CHECK(found[0].value["cases"][0]["output"] == true);
  CHECK(found[0].value["cases"][1]["output"] == false);
  CHECK(found[0].value["note"].is_null());
  // Inside a string the Python literal is code and stays as written.
  CHECK(found[0].value["func"] == "def evaluate(r):\n    return True if r.isupper() else False");
}

TEST_CASE("json repair turns an escaped apostrophe into a plain one") {
  auto parsed = parse_json_lenient(R"J({"func": "def evaluate(response):\n    return response.startswith(\'Dear\')"})J");
  REQUIRE(parsed);
  CHECK(parsed->repaired);
  CHECK(parsed->value["func"] == "def evaluate(response):\n    return response.startswith('Dear')");
}

TEST_CASE("json repair keeps the backslash of an invalid escape such as a regex \\d") {
  auto parsed = parse_json_lenient(
      R"J({"func": "import re\ndef evaluate(response):\n    return len(re.findall(r'\d+', response)) == 0 and not re.search(r'\s{2,}', response)"})J");
  REQUIRE(parsed);
  CHECK(parsed->value["func"] ==
        "import re\ndef evaluate(response):\n    return len(re.findall(r'\\d+', response)) == 0 and "
        "not re.search(r'\\s{2,}', response)");
}

TEST_CASE("json repair leaves valid escapes alone, including \\u sequences and escaped backslashes") {
  auto parsed = parse_json_lenient(R"({"a": "caf\u00e9 \\d \" \t", "b": "\u12 \'x\'", "c": True})");
  REQUIRE(parsed);
  CHECK(parsed->value["a"] == "caf\xc3\xa9 \\d \" \t");
  CHECK(parsed->value["b"] == "\\u12 'x'");
}

TEST_CASE("json repair drops trailing commas and comments") {
  const char* answer = R"ANS(```json
{
  // the checking function
  "func": "def evaluate(response):\n    return '//' not in response",  # no URLs
  "cases": [
    {"input": "see http://example.com", "output": false},
    {"input": "plain text", "output": true},  /* a normal answer */
  ],
}
```)ANS";
  auto found = extract_json_objects(answer);
  REQUIRE(found.size() == 1);
  CHECK(found[0].value["cases"].size() == 2);
  CHECK(found[0].value["cases"][0]["input"] == "see http://example.com");
  CHECK(found[0].value["func"] == "def evaluate(response):\n    return '//' not in response");
}

TEST_CASE("json extraction drops a candidate that still fails after repair") {
  // A truncated answer: the object never closes, and its inner case objects are not wanted
  // as standalone results unless they parse on their own.
  auto found = extract_json_objects("```json\n{\"func\": \"def evaluate(r):\\n    return r.");
  CHECK(found.empty());
  auto prose = extract_json_objects("Use {curly} braces or {braces: like this, here} in prose.");
  CHECK(prose.empty());
}

TEST_CASE("json extraction is not confused by braces and quotes inside strings") {
  const char* answer = R"ANS(Here it is: {"func": "def evaluate(response):\n    return response.count('{') == response.count('}') and '\"' not in response", "cases": [{"input": "{}", "output": true}]} done)ANS";
  auto found = extract_json_objects(answer);
  REQUIRE(found.size() == 1);
  CHECK(found[0].value["cases"][0]["input"] == "{}");
}

TEST_CASE("json extraction looks past a brace placeholder in the prose before the object") {
  auto found = extract_json_objects(
      "Replace {placeholder} with the JSON { as follows: {\"func\": \"f\", \"cases\": []}");
  REQUIRE(found.size() == 1);
  CHECK(found[0].value["func"] == "f");
}

TEST_CASE("json extraction does not list objects nested in a found object") {
  auto found = extract_json_objects(R"({"outer": {"func": "f", "cases": [{"input": "a", "output": true}]}})");
  REQUIRE(found.size() == 1);
  CHECK(found[0].value.contains("outer"));
}

TEST_CASE("json repair reads a Python dict with single-quoted strings") {
  auto found = extract_json_objects(
      "```python\n{'func': 'def evaluate(response):\\n    return \"!\" not in response', "
      "'cases': [{'input': 'Hi!', 'output': False}, {'input': \"It's fine\", 'output': True}]}\n```");
  REQUIRE(found.size() == 1);
  CHECK(found[0].value["func"] == "def evaluate(response):\n    return \"!\" not in response");
  CHECK(found[0].value["cases"][1]["input"] == "It's fine");
  CHECK(found[0].value["cases"][0]["output"] == false);
}

TEST_CASE("json repair escapes real line breaks inside a string") {
  const char* answer = "```json\n{\"func\": \"def evaluate(response):\n    words = response.split()\n"
                       "    return len(words) < 50\", \"cases\": []}\n```";
  auto found = extract_json_objects(answer);
  REQUIRE(found.size() == 1);
  CHECK(found[0].value["func"] == "def evaluate(response):\n    words = response.split()\n    return len(words) < 50");
}

TEST_CASE("json repair reads unescaped double quotes inside a function source") {
  const char* answer = R"ANS(```json
{"func": "def evaluate(response):\n    return response.startswith("Dear") and response.endswith("Sincerely")", "cases": [{"input": "Dear Bob, Sincerely", "output": true}]}
```)ANS";
  auto found = extract_json_objects(answer);
  REQUIRE(found.size() == 1);
  CHECK(found[0].value["func"] ==
        "def evaluate(response):\n    return response.startswith(\"Dear\") and response.endswith(\"Sincerely\")");
  CHECK(found[0].value["cases"][0]["output"] == true);
}

TEST_CASE("json extraction finds unescaped-quote objects in bare prose too") {
  const char* answer =
      "Answer: {\"func\": \"def evaluate(r):\\n    return r.endswith(\"?\")\", \"cases\": "
      "[{\"input\": \"Why?\", \"output\": true}]}";
  auto found = extract_json_objects(answer);
  REQUIRE(found.size() == 1);
  CHECK(found[0].value["func"] == "def evaluate(r):\n    return r.endswith(\"?\")");
}

TEST_CASE("json extraction reads an object written on the same line as its fence") {
  auto found = extract_json_objects("```json {\"func\": \"f\", \"cases\": []}```\nThat is all.");
  REQUIRE(found.size() == 1);
  CHECK(found[0].value["func"] == "f");
}

TEST_CASE("json extraction reads a complete object in a fence that never closes") {
  auto found = extract_json_objects("```json\n{\"func\": \"f\", \"cases\": [{\"input\": \"x\", \"output\": true}]}\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].fenced);
}

TEST_CASE("json repair reads a triple-quoted Python string value") {
  const char* answer = "{\"func\": \"\"\"def evaluate(response):\n    return \"yes\" in response.lower()\n\"\"\", "
                       "\"cases\": [{\"input\": \"Yes!\", \"output\": True}]}";
  auto found = extract_json_objects(answer);
  REQUIRE(found.size() == 1);
  CHECK(found[0].value["func"] == "def evaluate(response):\n    return \"yes\" in response.lower()\n");
}

TEST_CASE("json repair quotes bare identifier keys") {
  auto parsed = parse_json_lenient("{func: \"f\", cases: [{input: \"a\", output: true}]}");
  REQUIRE(parsed);
  CHECK(parsed->value["cases"][0]["input"] == "a");
}

TEST_CASE("json lenient parse reports valid JSON as unrepaired and garbage as an error") {
  auto ok = parse_json_lenient(R"({"a": [1, 2, "x"]})");
  REQUIRE(ok);
  CHECK_FALSE(ok->repaired);
  auto bad = parse_json_lenient("{\"a\": [1, 2");
  REQUIRE_FALSE(bad);
  CHECK_FALSE(bad.error().empty());
}

TEST_CASE("json repair does not alter strings that look like literals or comments") {
  const std::string text = R"({"a": "True // None # False", "b": "http://x.org/*y*/"})";
  auto parsed = parse_json_lenient(repair_json(text));
  REQUIRE(parsed);
  CHECK(parsed->value["a"] == "True // None # False");
  CHECK(parsed->value["b"] == "http://x.org/*y*/");
}
