#include "pipeline/parse/verifier.h"

#include <optional>

#include "pipeline/parse/json_extract.h"
#include "pipeline/parse/text.h"

namespace autoif::parse {
namespace {

using nlohmann::json;

constexpr std::string_view kFuncKeys[] = {"func", "function", "eval_func", "code"};
constexpr std::string_view kCasesKeys[] = {"cases", "test_cases", "tests"};
constexpr std::string_view kInputKeys[] = {"input", "response"};
constexpr std::string_view kOutputKeys[] = {"output", "expected", "expected_output"};

template <std::size_t N>
const json* member(const json& obj, const std::string_view (&keys)[N]) {
  for (std::string_view key : keys) {
    auto it = obj.find(key);
    if (it != obj.end()) return &*it;
  }
  return nullptr;
}

std::optional<std::string> func_of(const json& obj) {
  const json* f = member(obj, kFuncKeys);
  if (!f) return std::nullopt;
  if (f->is_string()) {
    const std::string& s = f->get_ref<const std::string&>();
    if (trim(s).empty()) return std::nullopt;
    return s;
  }
  if (f->is_array() && !f->empty()) {
    std::string joined;
    for (const json& line : *f) {
      if (!line.is_string()) return std::nullopt;
      if (!joined.empty()) joined += '\n';
      joined += line.get_ref<const std::string&>();
    }
    if (trim(joined).empty()) return std::nullopt;
    return joined;
  }
  return std::nullopt;
}

const json* cases_of(const json& obj) {
  const json* c = member(obj, kCasesKeys);
  return (c && (c->is_array() || c->is_object())) ? c : nullptr;
}

// Every object in the candidates, outer before inner, in the order of the answer.
std::vector<const json*> all_objects(const std::vector<JsonCandidate>& candidates) {
  std::vector<const json*> out;
  struct Item { const json* value; int depth; };
  for (const JsonCandidate& cand : candidates) {
    std::vector<Item> stack{{&cand.value, 0}};
    while (!stack.empty()) {
      Item it = stack.back();
      stack.pop_back();
      if (it.value->is_object()) out.push_back(it.value);
      if (it.depth >= 32 || !it.value->is_structured()) continue;
      // Push children in reverse so that they come off the stack in document order.
      std::vector<const json*> children;
      for (const json& child : *it.value)
        if (child.is_structured()) children.push_back(&child);
      for (auto c = children.rbegin(); c != children.rend(); ++c) stack.push_back({*c, it.depth + 1});
    }
  }
  return out;
}

std::optional<bool> as_bool(const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) {
    std::string_view s = trim(v.get_ref<const std::string&>());
    if (iequals(s, "true")) return true;
    if (iequals(s, "false")) return false;
  }
  return std::nullopt;
}

std::optional<TestCase> read_case(const json& c) {
  const json* in = nullptr;
  const json* out = nullptr;
  if (c.is_object()) {
    in = member(c, kInputKeys);
    out = member(c, kOutputKeys);
  } else if (c.is_array() && c.size() == 2) {
    in = &c[0];
    out = &c[1];
  }
  if (!in || !out || !in->is_string()) return std::nullopt;
  std::optional<bool> expected = as_bool(*out);
  if (!expected) return std::nullopt;
  return TestCase{in->get<std::string>(), *expected};
}

bool is_python_tag(std::string_view info) {
  return iequals(info, "python") || iequals(info, "py") || iequals(info, "python3") || info.empty();
}

// A function written as a ```python block outside the JSON, when no object carries one.
std::optional<std::string> func_from_fences(std::string_view answer) {
  std::optional<std::string> found;
  for (const Fence& f : find_fences(answer))
    if (is_python_tag(f.info) && f.content.find("def evaluate") != std::string_view::npos)
      found = std::string(f.content);
  return found;
}

}  // namespace

std::string_view to_string(VerifierStatus status) {
  switch (status) {
    case VerifierStatus::ok: return "ok";
    case VerifierStatus::no_json: return "no_json";
    case VerifierStatus::no_func: return "no_func";
    case VerifierStatus::no_cases: return "no_cases";
    case VerifierStatus::bad_cases: return "bad_cases";
  }
  return "unknown";
}

VerifierAnswer parse_verifier_answer(std::string_view answer, const CompileCheck& compiles) {
  const std::string_view text = strip_reasoning(answer);
  const std::vector<JsonCandidate> candidates = extract_json_objects(text);
  const std::vector<const json*> objects = all_objects(candidates);

  VerifierAnswer result;
  result.json_objects = candidates.size();

  std::optional<std::string> func;
  const json* cases = nullptr;
  for (auto it = objects.rbegin(); it != objects.rend() && !func; ++it) {
    if (const json* c = cases_of(**it)) {
      if (auto f = func_of(**it)) {
        func = std::move(f);
        cases = c;
      }
    }
  }
  if (!func) {
    for (auto it = objects.rbegin(); it != objects.rend() && !func; ++it) func = func_of(**it);
    if (!func) func = func_from_fences(text);
    for (auto it = objects.rbegin(); it != objects.rend() && !cases; ++it) cases = cases_of(**it);
  }

  if (!func) {
    result.status = objects.empty() ? VerifierStatus::no_json : VerifierStatus::no_func;
    return result;
  }
  ChosenSource chosen = choose_source(*func, compiles);
  result.func = std::move(chosen.source);
  result.source_fix = chosen.fix;

  if (!cases || cases->empty()) {
    result.status = VerifierStatus::no_cases;
    return result;
  }
  auto take = [&](const json& c) {
    if (auto tc = read_case(c)) result.cases.push_back(std::move(*tc));
    else ++result.dropped_cases;
  };
  if (cases->is_object() && !member(*cases, kInputKeys) && !member(*cases, kOutputKeys)) {
    // {"hello world": true, "HELLO": false}: inputs as keys.
    for (auto it = cases->begin(); it != cases->end(); ++it) take(json::array({it.key(), it.value()}));
  } else if (cases->is_object()) {
    take(*cases);
  } else {
    for (const json& c : *cases) take(c);
  }
  result.status = result.cases.empty() ? VerifierStatus::bad_cases : VerifierStatus::ok;
  return result;
}

}  // namespace autoif::parse
