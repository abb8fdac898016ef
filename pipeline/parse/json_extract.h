// Finding JSON objects in free-form model answers, and repairing the near-JSON that models
// write, so the verifier stage can read answers that a strict parser would throw away.
//
// Repairs (applied only when the text does not parse as it is):
//   - Python literals True/False/None outside strings become true/false/null;
//   - inside strings "\'" becomes "'"; any other invalid escape keeps its backslash as a
//     literal character ("\d" parses to the two characters \d: it is usually a regex);
//   - raw control characters inside strings (a real newline in a function source) are escaped;
//   - trailing commas, // and # line comments and /* */ comments are dropped;
//   - Python-style single-quoted and triple-quoted strings become JSON strings, and bare
//     identifier keys ({func: ...}) are quoted;
//   - as a last resort, a double quote inside a string that is not followed by , : } ] or the
//     end is taken as a literal quote (startswith("Hi") written unescaped).
//
// Contract: pure functions, never throw on any input, never print.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace autoif::parse {

struct LenientJson {
  nlohmann::json value;
  bool repaired = false;  // true when the text only parsed after repair
};

// Parses `text` (one JSON value, surrounding whitespace allowed) as is, then after repair.
// Failure: a one-line message from the JSON parser about the best repair attempt.
tl::expected<LenientJson, std::string> parse_json_lenient(std::string_view text);

// The repair pass on its own (see the list above); exposed for tests and diagnostics.
// `guess_inner_quotes` enables the last-resort quote heuristic.
std::string repair_json(std::string_view text, bool guess_inner_quotes = false);

struct JsonCandidate {
  nlohmann::json value;     // always an object
  std::size_t offset = 0;   // where the object starts in the text given
  bool fenced = false;      // it sat inside a ``` block (with or without a language tag)
  bool repaired = false;
};

// Every top-level JSON object in the answer, in order of appearance: whole fenced blocks
// first tried as one object, then balanced {...} spans inside and outside fences with prose
// around them. Objects nested in a found object are not listed separately; spans that do not
// parse even after repair are dropped. Brace matching knows about strings, so braces inside
// a function source do not confuse it.
std::vector<JsonCandidate> extract_json_objects(std::string_view answer);

}  // namespace autoif::parse
