// Each stage against a fake model whose answers look like real model output, with the real
// sandbox and a real (in-memory) database.
#include <filesystem>
#include <fstream>

#include "tests/pipeline/stage_harness.h"

using namespace autoif;
using testing::contains;
using testing::StageHarness;

namespace {

std::string temp_file(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("autoif-stage-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}

std::int64_t kept_instruction(StageHarness& h, const std::string& text, const std::string& source) {
  auto id = h.store().add_instruction(text, text, "seed", std::nullopt, "kept");
  h.store().add_function(id, std::nullopt, source, true, "", 1.0, true);
  return id;
}

}  // namespace

TEST_CASE("augmentation asks once per round, keeps seeds first and drops duplicates") {
  StageHarness h(
      [](const std::string& prompt, int, std::int64_t seed) -> std::vector<std::string> {
        REQUIRE(contains(prompt, "new instructions"));
        switch (seed - 100) {
          case 0: return {"Here are 3 new instructions:\n\n1. Write exactly two paragraphs.\n2. Use no commas at all.\n"
                          "3. **End with a question mark.**\n\nLet me know if you need more!"};
          case 1: return {"- Write exactly two paragraphs.\n- Please use no commas at all.\n- Respond in all capital letters."};
          default: return {"Sure!\n1) Answer with exactly one word."};
        }
      },
      [](config::Config& c) {
        c.augment.rounds = 3;
        c.seeds.file = temp_file("seeds.jsonl", "{\"instruction\": \"Use no commas at all.\"}\nAnswer in French.\n");
      });
  h.run("instructions");
  CHECK(h.requests() == 3);
  std::vector<std::string> texts;
  for (const auto& row : h.store().instructions("candidate")) texts.push_back(row.text);
  CHECK(texts == std::vector<std::string>{"Answer in French.", "Answer with exactly one word.",
                                          "End with a question mark.", "Respond in all capital letters.",
                                          "Use no commas at all.", "Write exactly two paragraphs."});
  auto near = h.store().instructions("dropped");
  REQUIRE(near.size() == 1);
  CHECK(near[0].text == "Please use no commas at all.");
  auto funnel = h.store().funnel("supervisor", 0.5, 8);
  CHECK(funnel.seeds == 2);
  CHECK(funnel.near_duplicates == 1);
}

TEST_CASE("cross-validation keeps agreeing functions and drops looping, broken and unimportable ones") {
  StageHarness h(
      [](const std::string& prompt, int n, std::int64_t seed) {
        std::vector<std::string> answers;
        bool garbage = contains(prompt, "Answer politely");
        for (int i = 0; i < n; ++i) {
          if (garbage) {
            answers.push_back("I'm sorry, I can't write code for that.");
            continue;
          }
          switch (seed + i - 100) {
            case 0:
              answers.push_back(
                  "Sure! Here is the function:\n```json\n{\"func\": \"def evaluate(response):\\n    return ',' not in "
                  "response\", \"cases\": [{\"input\": \"a b c\", \"output\": true}, {\"input\": \"a, b\", \"output\": "
                  "\"False\"}]}\n```\nThis checks for commas.");
              break;
            case 1:
              answers.push_back(
                  "{\"func\": \"def _has(text):\\n    return ',' in text\\n\\ndef evaluate(response):\\n    return not "
                  "_has(response)\", \"cases\": [{\"input\": \"x\", \"output\": True}, {\"input\": \"a b c\", "
                  "\"output\": true}]}");
              break;
            case 2:
              answers.push_back("```\n{\"func\": \"def evaluate(response):\\n    while True:\\n        pass\", "
                                "\"cases\": [{\"input\": \"a b\", \"output\": true}]}\n```");
              break;
            case 3:
              answers.push_back("```json\n{\"func\": \"import nltk\\ndef evaluate(response):\\n    return True\", "
                                "\"cases\": [{\"input\": \"q\", \"output\": \"maybe\"}]}\n```");
              break;
            default:
              answers.push_back("```json\n{\"func\": \"def evaluate(response)\\n    return True\", \"cases\": []}\n```");
          }
        }
        return answers;
      },
      [](config::Config& c) { c.verifiers.samples = 5; });
  auto good = h.store().add_instruction("Use no commas.", "use no commas", "seed", std::nullopt, "candidate");
  auto bad = h.store().add_instruction("Answer politely.", "answer politely", "seed", std::nullopt, "candidate");
  h.run("verifiers");

  CHECK(h.store().instructions("verified").size() == 1);
  auto kept = h.store().kept_functions(good);
  REQUIRE(kept.size() == 2);  // the comma check and the helper-function variant
  for (const auto& f : kept) CHECK(f.accuracy == Approx(1.0));
  CHECK(h.store().kept_cases(good).size() == 4);  // "a b c"/T (merged), "a, b"/F, "x"/T, "a b"/T
  auto funnel = h.store().funnel("supervisor", 0.5, 8);
  CHECK(funnel.functions == 5);           // loop, comma check, helper variant, nltk importer, syntax error
  CHECK(funnel.compiled_functions == 3);  // the nltk import fails when the source runs
  CHECK(funnel.no_verifier == 1);
  (void)bad;
}

TEST_CASE("a cross-validation run again is served from the request cache") {
  auto author = [](const std::string&, int n, std::int64_t) {
    return std::vector<std::string>(n, "{\"func\": \"def evaluate(r):\\n    return r.isupper()\", \"cases\": "
                                       "[{\"input\": \"ABC\", \"output\": true}, {\"input\": \"abc\", \"output\": false}]}");
  };
  StageHarness h(author);
  auto id = h.store().add_instruction("Use capitals.", "use capitals", "seed", std::nullopt, "candidate");
  h.run("verifiers");
  auto sent = h.requests();
  CHECK(sent >= 1);
  h.store().reset_stages({"verifiers"});
  h.run("verifiers");
  CHECK(h.requests() == sent);
  CHECK(h.store().kept_functions(id).size() == 1);
}

TEST_CASE("a sample that fails after every retry leaves its item for the next run") {
  StageHarness h([](const std::string&, int n, std::int64_t) {
    return std::vector<std::string>(n, "{\"func\": \"def evaluate(r):\\n    return True\", \"cases\": [{\"input\": \"a\", \"output\": true}]}");
  });
  h.set_script([](const llm::HttpRequest&, std::size_t) { return llm::status_reply(503, "{\"error\": \"busy\"}"); });
  auto id = h.store().add_instruction("Say anything.", "say anything", "seed", std::nullopt, "candidate");
  h.run("verifiers");
  CHECK(h.store().instructions("candidate").size() == 1);
  CHECK(h.store().kept_functions(id).empty());
  h.set_author([](const std::string&, int n, std::int64_t) {
    return std::vector<std::string>(n, "{\"func\": \"def evaluate(r):\\n    return True\", \"cases\": [{\"input\": \"a\", \"output\": true}]}");
  });
  h.run("verifiers");
  CHECK(h.store().instructions("verified").size() == 1);
}

TEST_CASE("a model error that retrying cannot fix stops the stage with the server's message") {
  StageHarness h([](const std::string&, int n, std::int64_t) { return std::vector<std::string>(n, "x"); });
  h.set_script([](const llm::HttpRequest&, std::size_t) {
    return llm::status_reply(401, "{\"error\": {\"message\": \"Incorrect API key provided\"}}");
  });
  h.store().add_instruction("Say anything.", "say anything", "seed", std::nullopt, "candidate");
  REQUIRE_THROWS_WITH(h.run("verifiers"), Catch::Contains("Incorrect API key") && Catch::Contains("fake.test"));
}

TEST_CASE("back-translation drops an instruction on any contradiction and keeps the others") {
  StageHarness h([](const std::string& prompt, int, std::int64_t) -> std::vector<std::string> {
    if (contains(prompt, "```python")) return {"Sure, here it is:\n\n**Instruction:** Do not use commas."};
    if (contains(prompt, "Premise: Use commas often.")) return {"The two conflict. Answer: contradiction"};
    return {"Entailment."};
  });
  auto a = h.store().add_instruction("Use commas often.", "a", "seed", std::nullopt, "verified");
  auto b = h.store().add_instruction("Avoid commas.", "b", "seed", std::nullopt, "verified");
  for (auto id : {a, b}) {
    h.store().add_function(id, std::nullopt, "def evaluate(r):\n    return ',' not in r", true, "", 1.0, true);
    h.store().add_function(id, std::nullopt, "def evaluate(r):\n    return r.count(',') == 0", true, "", 0.9, true);
  }
  h.run("back_translation");
  auto kept = h.store().instructions("kept");
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].id == b);
  CHECK(h.store().funnel("supervisor", 0.5, 8).contradictions == 1);
  // Two back-translations and two judgements per instruction, but the instructions share their
  // functions and each one's judgements are the same request: identical requests go out once.
  CHECK(h.requests() == 4);
}

TEST_CASE("queries are drawn from the filtered pool, seeded, and the same on every run") {
  std::string pool;
  for (int i = 0; i < 40; ++i)
    pool += "{\"text\": \"How would you explain topic number " + std::to_string(i) + " to a child?\"}\n";
  pool += "{\"text\": \"too short\"}\n{\"other\": \"no text field here at all, skipped quietly\"}\n";
  auto path = temp_file("pool.jsonl", pool);
  auto pairs_of = [&](std::int64_t seed) {
    StageHarness h([](const std::string&, int n, std::int64_t) { return std::vector<std::string>(n, ""); },
                   [&](config::Config& c) {
                     c.queries.file = path;
                     c.queries.per_instruction = 3;
                     c.run.seed = seed;
                   });
    kept_instruction(h, "Answer in one sentence.", "def evaluate(r):\n    return True");
    kept_instruction(h, "Use capitals.", "def evaluate(r):\n    return True");
    h.run("queries");
    std::vector<std::string> prompts;
    for (const auto& input : h.store().inputs_without_responses("supervisor")) prompts.push_back(input.prompt);
    return prompts;
  };
  auto first = pairs_of(1);
  REQUIRE(first.size() == 6);
  for (const auto& prompt : first) CHECK((contains(prompt, "to a child?\n\n")));
  CHECK(pairs_of(1) == first);
  CHECK(pairs_of(2) != first);
}

TEST_CASE("a query pool line that is not JSON is an error naming the file and line") {
  auto path = temp_file("bad-pool.jsonl", "{\"text\": \"What is a good name for a cat?\"}\n{not json\n");
  StageHarness h([](const std::string&, int n, std::int64_t) { return std::vector<std::string>(n, ""); },
                 [&](config::Config& c) { c.queries.file = path; });
  kept_instruction(h, "Answer briefly.", "def evaluate(r):\n    return True");
  REQUIRE_THROWS_WITH(h.run("queries"), Catch::Contains(path + ":2") && Catch::Contains("not valid JSON"));
}

TEST_CASE("responses are verified by execution, scored, and selected into SFT rows and pairs") {
  StageHarness h(
      [](const std::string& prompt, int n, std::int64_t seed) -> std::vector<std::string> {
        if (contains(prompt, "Rate from 0 to 10")) {
          if (contains(prompt, "banana split")) return {"It answers well.\n\nScore: 9/10"};
          return {"Off topic.\n**Score:** 3"};
        }
        std::vector<std::string> out;
        const char* texts[] = {"A banana split is dessert.", "An apple.", "Banana bread, of course.", "Cherries."};
        for (int i = 0; i < n; ++i) out.push_back(texts[(seed - 100 + i) % 4]);
        return out;
      },
      [](config::Config& c) { c.responses.samples = 4; });
  auto instruction = kept_instruction(h, "Mention a banana.", "def evaluate(r):\n    return 'anana' in r.lower()");
  auto query = h.store().add_query(1, "What should I eat?");
  h.store().add_input(instruction, query, "What should I eat?\n\nMention a banana.");
  h.run("responses");
  h.run("select");

  auto inputs = h.store().inputs_with_responses("supervisor");
  REQUIRE(inputs.size() == 1);
  auto responses = h.store().responses(inputs[0].id, "supervisor");
  REQUIRE(responses.size() == 4);
  CHECK(responses[0].pass_rate == 1.0);
  CHECK(responses[1].pass_rate == 0.0);
  CHECK(responses[2].pass_rate == 1.0);
  CHECK(responses[0].score == Approx(9.0));
  CHECK(responses[2].score == Approx(3.0));
  CHECK_FALSE(responses[1].score);  // failing responses are not scored
  std::vector<std::string> sft;
  h.store().for_each_sft("supervisor", 0.5, 8, true, [&](const storage::SftRow& row) { sft.push_back(row.response); });
  CHECK(sft == std::vector<std::string>{"A banana split is dessert."});
  std::vector<storage::PairRow> pairs;
  h.store().for_each_pair([&](const storage::PairRow& row) { pairs.push_back(row); });
  REQUIRE(pairs.size() == 4);
  CHECK(pairs[0].chosen == "A banana split is dessert.");
  CHECK(pairs[0].rejected == "An apple.");
}

TEST_CASE("back-translation can be judged by an NLI classifier behind an HTTP endpoint") {
  StageHarness h([](const std::string&, int, std::int64_t) -> std::vector<std::string> {
    return {"Instruction: Do not use commas."};
  },
                 [](config::Config& c) {
                   c.back_translation.nli = "http";
                   c.back_translation.nli_url = "http://nli.test/classify";
                 });
  h.set_script([](const llm::HttpRequest& request, std::size_t) {
    if (request.url == "http://nli.test/classify") {
      auto body = nlohmann::json::parse(request.body);
      // A text-classification server: scored labels, best first or not.
      if (body["premise"] == "Use commas often.")
        return llm::status_reply(200, R"([{"label": "ENTAILMENT", "score": 0.1}, {"label": "CONTRADICTION", "score": 0.85}])");
      return llm::status_reply(200, R"({"label": "entailment"})");
    }
    return llm::completion_reply({"Instruction: Do not use commas."});
  });
  auto a = h.store().add_instruction("Use commas often.", "a", "seed", std::nullopt, "verified");
  auto b = h.store().add_instruction("Avoid commas.", "b", "seed", std::nullopt, "verified");
  for (auto id : {a, b}) h.store().add_function(id, std::nullopt, "def evaluate(r):\n    return ',' not in r", true, "", 1.0, true);
  h.run("back_translation");
  auto kept = h.store().instructions("kept");
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].id == b);
  // One classifier call per instruction; the one back-translation request both instructions
  // need (the same function) goes out once.
  CHECK(h.requests() == 3);
}

TEST_CASE("the inputs a stage works on are walked a page at a time, in content order, each once") {
  StageHarness h([](const std::string&, int n, std::int64_t) { return std::vector<std::string>(n, "x"); });
  auto& store = h.store();
  for (const char* text : {"Zeta rule.", "Alpha rule.", "Mid rule."}) {
    auto id = store.add_instruction(text, text, "seed", std::nullopt, "kept");
    for (int line : {7, 3, 5}) {
      auto query = store.add_query(line, "query " + std::to_string(line));
      store.add_input(id, query, std::string(text) + " / " + std::to_string(line));
    }
  }
  auto whole = store.inputs_without_responses("supervisor");
  REQUIRE(whole.size() == 9);
  CHECK(whole.front().prompt == "Alpha rule. / 3");
  CHECK(whole.back().prompt == "Zeta rule. / 7");
  CHECK(store.count_inputs("supervisor", false) == 9);

  REQUIRE(store.db().exec("INSERT INTO llm_calls(key, role, model, endpoint, request, response, status, created_at) "
                          "VALUES('k', 'supervisor', 'm', 'e', '{}', '{}', 'ok', 'now')"));
  stages::InputWalk walk(store, "supervisor", false, 2);
  std::vector<std::string> walked;
  while (auto input = walk.next()) {
    walked.push_back(input->prompt);
    // Answering inputs while walking (as the responses stage does) neither repeats nor skips any.
    store.add_response(input->id, "supervisor", 0, "k", "answer", "stop", 1.0);
  }
  std::vector<std::string> expected;
  for (const auto& input : whole) expected.push_back(input.prompt);
  CHECK(walked == expected);
  CHECK(store.count_inputs("supervisor", false) == 0);
  CHECK(store.count_inputs("supervisor", true) == 9);
  stages::InputWalk answered(store, "supervisor", true, 4);
  std::size_t seen = 0;
  while (answered.next()) ++seen;
  CHECK(seen == 9);
}
