// Every format against the fixture run: each line parses, has exactly the documented fields
// in the documented order with the documented types, and holds exactly the expected rows.
#include <catch2/catch.hpp>

#include "tests/export/fixture.h"

using namespace autoif;
using namespace autoif::testing;
using namespace autoif::testing::fixture;
using exports::Format;

namespace {

struct Exported {
  std::vector<json> rows;
  exports::ExportSummary summary;
};

Exported export_rows(Format format, const std::function<void(exports::ExportRequest&)>& adjust = {}) {
  TempDir dir;
  build_run(dir / "run.db");
  exports::ExportRequest request;
  request.format = format;
  request.out = dir / "out.jsonl";
  if (adjust) adjust(request);
  auto summary = export_or_fail(dir / "run.db", request);
  return {read_rows(request.out), summary};
}

std::size_t dropped(const exports::ExportSummary& summary, const std::string& reason) {
  for (const auto& [name, count] : summary.dropped)
    if (name == reason) return count;
  FAIL("no drop reason '" << reason << "'");
  return 0;
}

const std::vector<std::pair<std::string, std::string>> kSft = {
    {prompt(kCats, kLower), "cats are nice."},
    {prompt(kSea, kLower), kBigSea},
    {prompt(kOcean, kCommas), "The ocean is vast."},
};

// (prompt, chosen, rejected) in export order: query-level pairs of kept instructions, then
// instruction-level pairs.
const std::vector<std::vector<std::string>> kPairs = {
    {prompt(kCats, kLower), "cats are nice.", "Cats are nice."},
    {prompt(kCats, kLower), "cats purr.", "Cats are nice."},
    {prompt(kSea, kLower), kBigSea, "THE SEA"},
    {prompt(kSea, kLower), "The sea.", "THE SEA"},
    {prompt(kCats, kCommas), "cats and dogs", "cats, dogs"},
    {kLower, "hello", "Hello"},
    {kCommas, "a b", "a, b"},
};

}  // namespace

TEST_CASE("trl-sft holds the responses of kept instructions that are complete, pass more than the threshold and "
          "score at least the minimum, in content order") {
  auto [rows, summary] = export_rows(Format::trl_sft);
  REQUIRE(rows.size() == kSft.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO(rows[i].dump());
    CHECK(keys(rows[i]) == std::vector<std::string>{"messages"});
    const auto& messages = rows[i]["messages"];
    REQUIRE(messages.size() == 2);
    CHECK(keys(messages[0]) == std::vector<std::string>{"role", "content"});
    CHECK(keys(messages[1]) == std::vector<std::string>{"role", "content"});
    CHECK(messages[0]["role"] == "user");
    CHECK(messages[0]["content"] == kSft[i].first);
    CHECK(messages[1]["role"] == "assistant");
    CHECK(messages[1]["content"] == kSft[i].second);
  }
  CHECK(dropped(summary, "instruction no longer kept") == 1);
  CHECK(dropped(summary, "cut at max_tokens") == 1);
  CHECK(dropped(summary, "pass rate <= 0.5") == 4);
  CHECK(dropped(summary, "score below 8 or unscored") == 2);
  CHECK(summary.note.empty());
}

TEST_CASE("alpaca-sft puts the whole prompt in instruction with an empty input and sharegpt-sft uses human and gpt turns") {
  auto alpaca = export_rows(Format::alpaca_sft).rows;
  auto sharegpt = export_rows(Format::sharegpt_sft).rows;
  REQUIRE(alpaca.size() == kSft.size());
  REQUIRE(sharegpt.size() == kSft.size());
  for (std::size_t i = 0; i < kSft.size(); ++i) {
    CHECK(keys(alpaca[i]) == std::vector<std::string>{"instruction", "input", "output"});
    CHECK(alpaca[i]["instruction"] == kSft[i].first);
    CHECK(alpaca[i]["input"] == "");
    CHECK(alpaca[i]["output"] == kSft[i].second);

    CHECK(keys(sharegpt[i]) == std::vector<std::string>{"conversations"});
    const auto& turns = sharegpt[i]["conversations"];
    REQUIRE(turns.size() == 2);
    CHECK(keys(turns[0]) == std::vector<std::string>{"from", "value"});
    CHECK(turns[0] == json{{"from", "human"}, {"value", kSft[i].first}});
    CHECK(turns[1] == json{{"from", "gpt"}, {"value", kSft[i].second}});
  }
}

TEST_CASE("trl-kto labels the SFT rows true and failing responses false, and drops the ones in between") {
  auto [rows, summary] = export_rows(Format::trl_kto);
  const std::vector<std::tuple<std::string, std::string, bool>> expected = {
      {prompt(kCats, kLower), "cats are nice.", true},    {prompt(kCats, kLower), "Cats are nice.", false},
      {prompt(kSea, kLower), kBigSea, true},    {prompt(kSea, kLower), "THE SEA", false},
      {prompt(kCats, kCommas), "cats, dogs", false},      {prompt(kOcean, kCommas), "The ocean is vast.", true},
  };
  REQUIRE(rows.size() == expected.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO(rows[i].dump());
    CHECK(keys(rows[i]) == std::vector<std::string>{"prompt", "completion", "label"});
    CHECK(rows[i]["prompt"] == std::get<0>(expected[i]));
    CHECK(rows[i]["completion"] == std::get<1>(expected[i]));
    REQUIRE(rows[i]["label"].is_boolean());
    CHECK(rows[i]["label"] == std::get<2>(expected[i]));
  }
  CHECK(dropped(summary, "pass rate above 0 and at most 0.5") == 1);
  CHECK(dropped(summary, "score below 8 or unscored") == 2);
  CHECK(dropped(summary, "cut at max_tokens") == 1);
  CHECK(dropped(summary, "instruction no longer kept") == 1);
}

TEST_CASE("trl-dpo, alpaca-dpo and sharegpt-dpo hold every stored pair of a kept instruction, query-level first") {
  auto trl = export_rows(Format::trl_dpo);
  auto alpaca = export_rows(Format::alpaca_dpo).rows;
  auto sharegpt = export_rows(Format::sharegpt_dpo).rows;
  REQUIRE(trl.rows.size() == kPairs.size());
  REQUIRE(alpaca.size() == kPairs.size());
  REQUIRE(sharegpt.size() == kPairs.size());
  for (std::size_t i = 0; i < kPairs.size(); ++i) {
    const auto& [p, chosen, rejected] = std::tie(kPairs[i][0], kPairs[i][1], kPairs[i][2]);
    CHECK(keys(trl.rows[i]) == std::vector<std::string>{"prompt", "chosen", "rejected"});
    CHECK(trl.rows[i] == json{{"prompt", p}, {"chosen", chosen}, {"rejected", rejected}});

    CHECK(keys(alpaca[i]) == std::vector<std::string>{"instruction", "input", "chosen", "rejected"});
    CHECK(alpaca[i] == json{{"instruction", p}, {"input", ""}, {"chosen", chosen}, {"rejected", rejected}});

    CHECK(keys(sharegpt[i]) == std::vector<std::string>{"conversations", "chosen", "rejected"});
    CHECK(sharegpt[i]["conversations"] == json::array({{{"from", "human"}, {"value", p}}}));
    CHECK(sharegpt[i]["chosen"] == json{{"from", "gpt"}, {"value", chosen}});
    CHECK(sharegpt[i]["rejected"] == json{{"from", "gpt"}, {"value", rejected}});
  }
  CHECK(dropped(trl.summary, "instruction no longer kept") == 1);
}

TEST_CASE("rlvr writes one prompt per input of a kept instruction, its kept functions in a JSON ground truth") {
  auto [rows, summary] = export_rows(Format::rlvr);
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {prompt(kCats, kLower), kLower},
      {prompt(kSea, kLower), kLower},
      {prompt(kCats, kCommas), kCommas},
      {prompt(kOcean, kCommas), kCommas},
  };
  REQUIRE(rows.size() == inputs.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO(rows[i].dump());
    CHECK(keys(rows[i]) == std::vector<std::string>{"messages", "ground_truth", "dataset"});
    CHECK(rows[i]["messages"] == json::array({{{"role", "user"}, {"content", inputs[i].first}}}));
    CHECK(rows[i]["dataset"] == "autoif");
    REQUIRE(rows[i]["ground_truth"].is_string());
    auto truth = json::parse(rows[i]["ground_truth"].get<std::string>());
    CHECK(keys(truth) == std::vector<std::string>{"instruction", "functions", "min_pass_rate"});
    CHECK(truth["instruction"] == inputs[i].second);
    CHECK(truth["min_pass_rate"] == 0.5);
    if (inputs[i].second == kLower)
      CHECK(truth["functions"] == json::array({"def evaluate(r):\n    return r == r.lower()",
                                               "def evaluate(r):\n    return not any(c.isupper() for c in r)"}));
    else
      CHECK(truth["functions"] == json::array({"def evaluate(r):\n    return ',' not in r"}));
  }
  CHECK(dropped(summary, "instruction without kept functions") == 1);
}

TEST_CASE("verifiers writes one row per kept instruction with its kept functions, accuracies and cases") {
  auto [rows, summary] = export_rows(Format::verifiers);
  REQUIRE(rows.size() == 2);
  for (const auto& row : rows) CHECK(keys(row) == std::vector<std::string>{"instruction", "eval_func", "cases"});
  CHECK(rows[0]["instruction"] == kLower);
  CHECK(rows[0]["eval_func"] ==
        json::array({json::array({"def evaluate(r):\n    return r == r.lower()", 1.0}),
                     json::array({"def evaluate(r):\n    return not any(c.isupper() for c in r)", 0.75})}));
  CHECK(rows[0]["cases"] == json::array({json::array({"Hello", false}), json::array({"hello", true})}));
  REQUIRE(rows[0]["cases"][0][1].is_boolean());
  REQUIRE(rows[0]["eval_func"][1][1].is_number_float());
  CHECK(rows[1]["instruction"] == kCommas);
  CHECK(rows[1]["eval_func"] == json::array({json::array({"def evaluate(r):\n    return ',' not in r", 1.0})}));
  CHECK(rows[1]["cases"] == json::array({json::array({"a b", true}), json::array({"a, b", false})}));
  CHECK(dropped(summary, "instruction without kept functions or cases") == 1);
}

TEST_CASE("the same database gives byte-identical exports, for every format") {
  for (auto format : {Format::trl_sft, Format::trl_dpo, Format::trl_kto, Format::alpaca_sft, Format::alpaca_dpo,
                      Format::sharegpt_sft, Format::sharegpt_dpo, Format::rlvr, Format::verifiers}) {
    TempDir a, b;
    build_run(a / "run.db");
    build_run(b / "run.db");
    exports::ExportRequest request;
    request.format = format;
    request.out = a / "out.jsonl";
    export_or_fail(a / "run.db", request);
    request.out = b / "out.jsonl";
    export_or_fail(b / "run.db", request);
    INFO(exports::format_name(format));
    CHECK(!read_text(a / "out.jsonl").empty());
    CHECK(read_text(a / "out.jsonl") == read_text(b / "out.jsonl"));
  }
}

TEST_CASE("format names parse back to their format and unknown names are refused") {
  for (auto format : {Format::trl_sft, Format::trl_dpo, Format::trl_kto, Format::alpaca_sft, Format::alpaca_dpo,
                      Format::sharegpt_sft, Format::sharegpt_dpo, Format::rlvr, Format::verifiers})
    CHECK(exports::parse_format(exports::format_name(format)) == format);
  CHECK_FALSE(exports::parse_format("trl_sft"));
  CHECK_FALSE(exports::parse_format("sft"));
}
