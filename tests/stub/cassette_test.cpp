#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipeline/stub/cassette.h"
#include "pipeline/stub/cassette_writer.h"

using namespace autoif::stub;
using nlohmann::json;

namespace {

Cassette must_parse(const std::string& text) {
  auto cassette = Cassette::parse(text, "test.jsonl");
  if (!cassette) FAIL(cassette.error());
  return std::move(*cassette);
}

json ask(const std::string& model, const std::string& content, json extra = json::object()) {
  json request{{"model", model}, {"messages", {{{"role", "user"}, {"content", content}}}}};
  request.update(extra);
  return request;
}

// The text of the first choice of the entry that answers `request`, or "(none)".
std::string answer(const Cassette& cassette, const json& request) {
  const CassetteEntry* entry = cassette.find(request);
  return entry ? entry->choices.at(0)["message"]["content"].get<std::string>() : "(none)";
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "stub-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("cassette shorthand response becomes one assistant choice that stopped") {
  auto cassette = must_parse(R"({"request": {"model": "m", "messages": [{"role": "user", "content": "hi"}]}, "response": "hello"})");
  const CassetteEntry* entry = cassette.find(ask("m", "hi"));
  REQUIRE(entry);
  REQUIRE(entry->choices.size() == 1);
  CHECK(entry->choices[0]["message"] == json{{"role", "assistant"}, {"content", "hello"}});
  CHECK(entry->choices[0]["finish_reason"] == "stop");
  CHECK(entry->usage.is_null());
  CHECK(entry->line == 1);
}

TEST_CASE("cassette responses shorthand gives several choices in order") {
  auto cassette = must_parse(R"({"request": {"messages": [{"role": "user", "content": "x"}]}, "responses": ["a", "b", "c"]})");
  const CassetteEntry* entry = cassette.find(ask("any", "x"));
  REQUIRE(entry);
  REQUIRE(entry->choices.size() == 3);
  CHECK(entry->choices[2]["index"] == 2);
  CHECK(entry->choices[2]["message"]["content"] == "c");
}

TEST_CASE("cassette full response keeps choices, finish reasons, usage and extra fields") {
  auto cassette = must_parse(
      R"({"request": {"model": "m", "messages": [{"role": "user", "content": "q"}]}, )"
      R"("response": {"id": "chatcmpl-1", "system_fingerprint": "fp", )"
      R"("choices": [{"index": 0, "message": {"role": "assistant", "content": "cut"}, "finish_reason": "length"}], )"
      R"("usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}}})");
  const CassetteEntry* entry = cassette.find(ask("m", "q"));
  REQUIRE(entry);
  CHECK(entry->choices[0]["finish_reason"] == "length");
  CHECK(entry->usage["total_tokens"] == 12);
  CHECK(entry->extra["system_fingerprint"] == "fp");
  CHECK(entry->extra["id"] == "chatcmpl-1");
}

TEST_CASE("cassette entry matches when its listed fields are a subset of the request") {
  auto cassette = must_parse(
      R"({"request": {"model": "m", "messages": [{"role": "user", "content": "q"}]}, "response": "loose"})");
  CHECK(answer(cassette, ask("m", "q", {{"temperature", 0.7}, {"seed", 3}})) == "loose");
  CHECK(answer(cassette, ask("other", "q")) == "(none)");
  CHECK(answer(cassette, ask("m", "Q")) == "(none)");
}

TEST_CASE("cassette compares messages exactly") {
  auto cassette = must_parse(
      R"({"request": {"messages": [{"role": "user", "content": "q"}]}, "response": "one"})");
  json two_messages{{"messages", {{{"role", "system"}, {"content", "s"}}, {{"role", "user"}, {"content", "q"}}}}};
  CHECK(answer(cassette, two_messages) == "(none)");
  json extra_key{{"messages", {{{"role", "user"}, {"content", "q"}, {"name", "bob"}}}}};
  CHECK(answer(cassette, extra_key) == "(none)");
  CHECK(answer(cassette, json{{"messages", {{{"content", "q"}, {"role", "user"}}}}}) == "one");  // key order is not content
}

TEST_CASE("cassette picks the entry listing the most fields, then the earlier line") {
  auto cassette = must_parse(
      R"({"request": {"model": "m", "messages": [{"role": "user", "content": "q"}]}, "response": "general"}
{"request": {"model": "m", "messages": [{"role": "user", "content": "q"}], "temperature": 0.7}, "response": "specific"}
{"request": {"model": "m", "messages": [{"role": "user", "content": "q"}], "seed": 1}, "response": "seeded"}
{"request": {"model": "m", "messages": [{"role": "user", "content": "q"}], "temperature": 0.7}, "response": "later twin"})");
  CHECK(answer(cassette, ask("m", "q")) == "general");
  CHECK(answer(cassette, ask("m", "q", {{"temperature", 0.7}})) == "specific");
  CHECK(answer(cassette, ask("m", "q", {{"temperature", 0.2}})) == "general");
  CHECK(answer(cassette, ask("m", "q", {{"temperature", 0.7}, {"seed", 1}})) == "specific");
  CHECK(answer(cassette, ask("m", "q", {{"seed", 1}})) == "seeded");
}

TEST_CASE("cassette treats equal numbers as equal whatever their JSON spelling") {
  auto cassette = must_parse(
      R"({"request": {"messages": [{"role": "user", "content": "q"}], "temperature": 1}, "response": "t1"})");
  CHECK(answer(cassette, json::parse(R"({"messages": [{"role": "user", "content": "q"}], "temperature": 1.0})")) == "t1");
}

TEST_CASE("cassette entry without messages answers any messages but loses to a more specific one") {
  auto cassette = must_parse(
      R"({"request": {"model": "m"}, "response": "anything"}
{"request": {"model": "m", "messages": [{"role": "user", "content": "q"}]}, "response": "exact"})");
  CHECK(answer(cassette, ask("m", "whatever")) == "anything");
  CHECK(answer(cassette, ask("m", "q")) == "exact");
  CHECK(answer(cassette, ask("n", "q")) == "(none)");
  CHECK(cassette.models() == std::vector<std::string>{"m"});
  CHECK_FALSE(cassette.has_any_model_entry());
}

TEST_CASE("cassette lists its models sorted and once each") {
  auto cassette = must_parse(
      R"({"request": {"model": "zeta", "messages": [{"role": "user", "content": "1"}]}, "response": "a"}
{"request": {"model": "alpha", "messages": [{"role": "user", "content": "2"}]}, "response": "b"}
{"request": {"model": "zeta", "messages": [{"role": "user", "content": "3"}]}, "response": "c"})");
  CHECK(cassette.models() == std::vector<std::string>{"alpha", "zeta"});
  CHECK(cassette.size() == 3);
}

TEST_CASE("cassette rejects bad lines with FILE:LINE and the problem") {
  std::string good = R"({"request": {"model": "m", "messages": [{"role": "user", "content": "q"}]}, "response": "ok"})";
  auto expect_error = [](const std::string& text, const std::string& wanted) {
    auto cassette = Cassette::parse(text, "tape.jsonl");
    REQUIRE_FALSE(cassette);
    INFO(cassette.error());
    CHECK(cassette.error().find(wanted) != std::string::npos);
  };
  expect_error(good + "\n\n{not json\n", "tape.jsonl:3: not valid JSON");
  expect_error(good + "\n[1, 2]\n", "tape.jsonl:2: expected a JSON object, got array");
  expect_error(R"({"response": "x"})", "tape.jsonl:1: missing \"request\"");
  expect_error(R"({"request": {}, "respones": "x"})", "tape.jsonl:1: unknown field \"respones\"");
  expect_error(R"({"request": {}})", "tape.jsonl:1: needs exactly one of \"response\" and \"responses\"");
  expect_error(R"({"request": {"messages": "hi"}, "response": "x"})", "\"request.messages\" must be a non-empty array");
  expect_error(R"({"request": {"n": 3}, "responses": ["a", "b"]})", "tape.jsonl:1: \"request.n\" is 3 but the entry has only 2 choice(s)");
  expect_error(R"({"request": {}, "response": {"choices": []}})", "\"response.choices\" must be a non-empty array");
  expect_error(R"({"request": {}, "responses": ["a", 2]})", "\"responses[1]\" must be a string");
  expect_error(R"({"request": {"stream": true}, "response": "x"})", "does not stream");
}

TEST_CASE("cassette reports every bad line, not just the first") {
  auto cassette = Cassette::parse("oops\n{\"request\": {}, \"response\": \"fine\"}\n42\n", "t.jsonl");
  REQUIRE_FALSE(cassette);
  CHECK(cassette.error().find("t.jsonl:1:") != std::string::npos);
  CHECK(cassette.error().find("t.jsonl:3:") != std::string::npos);
  CHECK(cassette.error().find("t.jsonl:2:") == std::string::npos);
}

TEST_CASE("cassette load names a file it cannot open") {
  auto cassette = Cassette::load("/nonexistent/tape.jsonl");
  REQUIRE_FALSE(cassette);
  CHECK(cassette.error() == "/nonexistent/tape.jsonl: cannot open the cassette");
}

TEST_CASE("cassette finds the right entry among 100000") {
  std::string text;
  for (int i = 0; i < 100000; ++i) {
    std::string n = std::to_string(i);
    text += R"({"request": {"model": "m", "messages": [{"role": "user", "content": "question )" + n +
            R"("}]}, "response": "answer )" + n + "\"}\n";
  }
  auto cassette = must_parse(text);
  CHECK(cassette.size() == 100000);
  CHECK(answer(cassette, ask("m", "question 0")) == "answer 0");
  CHECK(answer(cassette, ask("m", "question 77777")) == "answer 77777");
  CHECK(answer(cassette, ask("m", "question 99999")) == "answer 99999");
  CHECK(answer(cassette, ask("m", "question 100000")) == "(none)");
}

TEST_CASE("cassette writer appends exchanges that the cassette loader replays") {
  TempDir dir;
  std::string path = dir.file("recorded.jsonl");
  json completion{{"id", "x"}, {"object", "chat.completion"}, {"model", "m"},
                  {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", "A1"}}}, {"finish_reason", "stop"}}}},
                  {"usage", {{"prompt_tokens", 1}, {"completion_tokens", 1}, {"total_tokens", 2}}}};
  {
    auto writer = CassetteWriter::open(path);
    REQUIRE(writer);
    REQUIRE(writer->append(ask("m", "Q1", {{"temperature", 0.5}}), completion));
  }
  {
    auto writer = CassetteWriter::open(path);  // reopening appends, keeps what is there
    REQUIRE(writer);
    completion["choices"][0]["message"]["content"] = "A2";
    REQUIRE(writer->append(ask("m", "Q2"), completion));
  }
  auto cassette = Cassette::load(path);
  REQUIRE(cassette);
  CHECK(cassette->size() == 2);
  CHECK(answer(*cassette, ask("m", "Q1", {{"temperature", 0.5}})) == "A1");
  CHECK(answer(*cassette, ask("m", "Q1", {{"temperature", 0.9}})) == "(none)");  // recorded fields all count
  CHECK(answer(*cassette, ask("m", "Q2")) == "A2");
}

TEST_CASE("cassette writer cuts a torn last line left by a crash") {
  TempDir dir;
  std::string path = dir.file("torn.jsonl");
  std::string whole = json{{"request", ask("m", "Q")}, {"response", "A"}}.dump() + "\n";
  std::ofstream(path, std::ios::binary) << whole << R"({"request": {"model": "m", "mess)";
  auto writer = CassetteWriter::open(path);
  REQUIRE(writer);
  CHECK(slurp(path) == whole);
  REQUIRE(writer->append(ask("m", "R"), json{{"choices", {{{"message", {{"role", "assistant"}, {"content", "B"}}}}}}}));
  auto cassette = Cassette::load(path);
  REQUIRE(cassette);
  CHECK(answer(*cassette, ask("m", "R")) == "B");
}

TEST_CASE("cassette writer refuses an exchange the stub could not replay") {
  TempDir dir;
  std::string path = dir.file("bad.jsonl");
  auto writer = CassetteWriter::open(path);
  REQUIRE(writer);
  auto result = writer->append(ask("m", "Q"), json{{"error", "nope"}});
  REQUIRE_FALSE(result);
  CHECK(result.error().find("response.choices") != std::string::npos);
  CHECK(slurp(path).empty());
}

TEST_CASE("cassette writer names a path it cannot open") {
  auto writer = CassetteWriter::open("/nonexistent/dir/out.jsonl");
  REQUIRE_FALSE(writer);
  CHECK(writer.error().find("/nonexistent/dir/out.jsonl: open:") == 0);
}
