// The mistakes people make in a config, each with the message it must produce: where (FILE:LINE:
// COLUMN or the --set argument), which key, and what to do.
#include "tests/config/helpers.h"

using namespace autoif::config;
using namespace autoif::config::testing;
using Catch::Contains;

namespace {

ConfigProblem only_problem(const ConfigError& error) {
  INFO(error.message());
  REQUIRE(error.problems.size() == 1);
  return error.problems[0];
}

}  // namespace

TEST_CASE("an unknown key names its line and suggests the nearest known key") {
  TempDir dir;
  auto error = must_fail(dir, kMinimal + "\n[crossval]\ncase_treshold = 0.6\n");
  const auto& p = only_problem(error);
  CHECK(p.where == dir.file("autoif.toml") + ":8:1");
  CHECK(p.key == "crossval.case_treshold");
  CHECK(p.what == "unknown key 'crossval.case_treshold'; did you mean 'crossval.case_threshold'?");
  CHECK_THAT(error.message(), Contains(dir.file("autoif.toml") + ":8:1: unknown key"));
}

TEST_CASE("an unknown key given with --set names the argument and suggests a key") {
  TempDir dir;
  const auto& p = only_problem(must_fail(dir, kMinimal, {"llm.supervisor.temprature=0.2"}));
  CHECK(p.where == "--set llm.supervisor.temprature");
  CHECK_THAT(p.what, Contains("did you mean 'llm.supervisor.temperature'?"));
}

TEST_CASE("a key in the wrong table or a misspelt table gets a suggestion") {
  TempDir dir;
  SECTION("a key at the top level") {
    const auto& p = only_problem(must_fail(dir, "min_cases = 3\n" + kMinimal));
    CHECK_THAT(p.what, Contains("did you mean 'crossval.min_cases'?"));
  }
  SECTION("a misspelt table") {
    const auto& p = only_problem(must_fail(dir, kMinimal + "[crosval]\nmin_cases = 3\n"));
    CHECK(p.what == "unknown table 'crosval'; did you mean 'crossval'?");
    CHECK(p.where == dir.file("autoif.toml") + ":6:2");
  }
  SECTION("a known table used as a value") {
    const auto& p = only_problem(must_fail(dir, "crossval = 3\n" + kMinimal));
    CHECK_THAT(p.what, Contains("'crossval' is a table: write its keys under [crossval]"));
  }
  SECTION("nothing close: the table's keys are listed") {
    const auto& p = only_problem(must_fail(dir, kMinimal + "[crossval]\nfoo = 1\n"));
    CHECK_THAT(p.what, Contains("[crossval] has: case_threshold, function_threshold, min_functions, min_cases"));
  }
}

TEST_CASE("an API key put where its variable's name belongs is refused without echoing it") {
  TempDir dir;
  SECTION("in the file") {
    auto error = must_fail(dir, "[llm]\nmodel = \"m\"\napi_key_env = \"sk-live-abc123XYZ\"\n[queries]\nfile = \"q.jsonl\"\n");
    const auto& p = only_problem(error);
    CHECK(p.key == "llm.api_key_env");
    CHECK(p.where == dir.file("autoif.toml") + ":3:15");
    CHECK_THAT(p.what, Contains("NAME of an environment variable"));
    CHECK_THAT(error.message(), !Contains("abc123XYZ"));
  }
  SECTION("with --set") {
    auto error = must_fail(dir, kMinimal, {"llm.policy.api_key_env=sk-live-abc123XYZ"});
    CHECK(only_problem(error).where == "--set llm.policy.api_key_env");
    CHECK_THAT(error.message(), !Contains("abc123XYZ"));
  }
  SECTION("as an unknown key on the command line") {
    auto error = must_fail(dir, kMinimal, {"llm.api_key=sk-live-abc123XYZ"});
    const auto& p = only_problem(error);
    CHECK_THAT(p.what, Contains("did you mean 'llm.api_key_env'?"));
    CHECK_THAT(p.what, Contains("environment variable"));
    CHECK_THAT(error.message(), !Contains("abc123XYZ"));
  }
}

TEST_CASE("a value of the wrong type names the key, the type expected and what was given") {
  TempDir dir;
  SECTION("a string for a number") {
    const auto& p = only_problem(must_fail(dir, kMinimal + "[crossval]\ncase_threshold = \"high\"\n"));
    CHECK(p.where == dir.file("autoif.toml") + ":7:18");
    CHECK(p.what == "crossval.case_threshold: expected a number, got a string \"high\"");
  }
  SECTION("a float for an integer") {
    const auto& p = only_problem(must_fail(dir, kMinimal + "[crossval]\nmin_cases = 2.5\n"));
    CHECK(p.what == "crossval.min_cases: expected an integer, got a float 2.5");
  }
  SECTION("a list with a number in it") {
    const auto& p = only_problem(must_fail(dir, kMinimal + "[sandbox]\nextra_modules = [\"re\", 3]\n"));
    CHECK_THAT(p.what, Contains("sandbox.extra_modules: expected a list of strings, but item 2 is an integer 3"));
  }
  SECTION("from --set") {
    const auto& p = only_problem(must_fail(dir, kMinimal, {"run.seed=abc"}));
    CHECK(p.where == "--set run.seed");
    CHECK(p.what == "run.seed: expected an integer, got a string \"abc\"");
  }
}

TEST_CASE("a value out of range names the key and the range") {
  TempDir dir;
  auto check = [&](const std::string& table, const std::string& line, const std::string& expected) {
    INFO(line);
    std::string text = table == "llm" ? "[llm]\nmodel = \"m\"\n" + line + "\n[queries]\nfile = \"q.jsonl\"\n"
                                      : kMinimal + "[" + table + "]\n" + line + "\n";
    const auto& p = only_problem(must_fail(dir, text));
    CHECK(p.what == expected);
  };
  check("crossval", "case_threshold = 1.5", "crossval.case_threshold: must be from 0 to 1 (got 1.5)");
  check("sandbox", "timeout_ms = 0", "sandbox.timeout_ms: must be from 1 to 3.6e+06 (got 0)");
  check("responses", "samples = -1", "responses.samples: must be from 1 to 1000 (got -1)");
  check("augment", "rounds = -3", "augment.rounds: must be from 0 to 1e+06 (got -3)");
  check("llm", "top_p = 0", "llm.top_p: must be more than 0 and at most 1 (got 0.0)");
  check("llm", "request_timeout_s = 0", "llm.request_timeout_s: must be more than 0 (got 0.0)");
  check("llm", "n_per_request = \"sometimes\"",
        "llm.n_per_request: must be one of \"auto\", \"on\", \"off\" (got \"sometimes\")");
  check("llm", "base_url = \"localhost:8000\"",
        "llm.base_url: \"localhost:8000\" is not an http:// or https:// URL (an OpenAI-style base URL looks like "
        "\"http://127.0.0.1:8000/v1\")");
  check("crossval", "case_threshold = nan", "crossval.case_threshold: must be a finite number");
}

TEST_CASE("values that only conflict together are refused with both keys named") {
  TempDir dir;
  SECTION("min_chars above max_chars") {
    const auto& p = only_problem(must_fail(dir, kMinimal + "min_chars = 400\n"));
    CHECK(p.what == "queries.min_chars (400) is more than queries.max_chars (300)");
    CHECK(p.where == dir.file("autoif.toml") + ":6:13");
  }
  SECTION("an http NLI judge without its URL") {
    const auto& p = only_problem(must_fail(dir, kMinimal + "[back_translation]\nnli = \"http\"\n"));
    CHECK(p.key == "back_translation.nli_url");
    CHECK_THAT(p.what, Contains("missing required key 'back_translation.nli_url'"));
  }
  SECTION("rejected pass rate not below chosen") {
    const auto& p = only_problem(must_fail(dir, kMinimal, {"select.rejected_pass_rate=0.5"}));
    CHECK(p.where == "--set select.rejected_pass_rate");
    CHECK_THAT(p.what, Contains("must be less than select.chosen_pass_rate"));
  }
  SECTION("base_url and endpoints in the same table") {
    const auto& p = only_problem(
        must_fail(dir, kMinimal + "[llm.policy]\nbase_url = \"http://a/v1\"\nendpoints = [\"http://b/v1\"]\n"));
    CHECK(p.what == "set either llm.policy.base_url or llm.policy.endpoints, not both");
  }
}

TEST_CASE("a missing required key is named with where to put it") {
  TempDir dir;
  SECTION("llm.model") {
    const auto& p = only_problem(must_fail(dir, "[queries]\nfile = \"q.jsonl\"\n"));
    CHECK(p.where == dir.file("autoif.toml"));
    CHECK(p.key == "llm.model");
    CHECK_THAT(p.what, Contains("missing required key 'llm.model'"));
    CHECK_THAT(p.what, Contains("--set llm.model=NAME"));
  }
  SECTION("llm.policy.model when the policy has its own table but [llm] names no model") {
    auto error = must_fail(dir, "[llm.supervisor]\nmodel = \"big\"\n[llm.policy]\ntemperature = 1.0\n[queries]\nfile = \"q.jsonl\"\n");
    CHECK(only_problem(error).key == "llm.policy.model");
  }
  SECTION("queries.file, unless the caller will not reach the query stage") {
    const auto& p = only_problem(must_fail(dir, "[llm]\nmodel = \"m\"\n"));
    CHECK(p.key == "queries.file");
    CHECK_THAT(p.what, Contains("missing required key 'queries.file'"));
    CHECK(load_text(dir, "[llm]\nmodel = \"m\"\n", {}, LoadOptions{.require_queries = false}));
  }
}

TEST_CASE("a TOML syntax error names the file, line and column with toml++'s description") {
  TempDir dir;
  const auto& p = only_problem(must_fail(dir, kMinimal + "[crossval\nmin_cases = 3\n"));
  CHECK(p.where == dir.file("autoif.toml") + ":6:10");
  CHECK_THAT(p.what, Contains("TOML syntax error: "));
  CHECK_THAT(p.what, Contains("expected ']'"));
}

TEST_CASE("a missing config file is named with how to create one") {
  TempDir dir;
  auto config = load_config(dir.file("nope.toml"));
  REQUIRE_FALSE(config);
  const auto& p = only_problem(config.error());
  CHECK(p.where == dir.file("nope.toml"));
  CHECK_THAT(p.what, Contains("config file not found"));
  CHECK_THAT(p.what, Contains("autoif init"));
}

TEST_CASE("files the config names must exist, and the message gives the resolved path") {
  TempDir dir;
  SECTION("the query pool") {
    const auto& p = only_problem(must_fail(dir, "[llm]\nmodel = \"m\"\n[queries]\nfile = \"data/pool.jsonl\"\n"));
    CHECK(p.where == dir.file("autoif.toml") + ":4:8");
    CHECK(p.what.rfind("queries.file: " + dir.file("data/pool.jsonl") + " does not exist", 0) == 0);
  }
  SECTION("the seed file") {
    const auto& p = only_problem(must_fail(dir, kMinimal + "[seeds]\nfile = \"seeds.jsonl\"\n"));
    CHECK_THAT(p.what, Contains("seeds.file: " + dir.file("seeds.jsonl") + " does not exist"));
  }
  SECTION("a prompt override") {
    const auto& p = only_problem(must_fail(dir, kMinimal + "[prompts]\nscore = \"my_score.txt\"\n"));
    CHECK(p.key == "prompts.score");
    CHECK_THAT(p.what, Contains("prompts.score: cannot read " + dir.file("my_score.txt")));
  }
}

TEST_CASE("a prompt override using a placeholder its stage does not fill is refused") {
  TempDir dir;
  dir.write("score.txt", "Score {answer} for {query}.\n");
  const auto& p = only_problem(must_fail(dir, kMinimal + "[prompts]\nscore = \"score.txt\"\n"));
  CHECK(p.what == "prompts.score: " + dir.file("score.txt") +
                      " uses {answer}, which this prompt does not fill (it fills {instruction}, {query}, {response})");
}

TEST_CASE("every problem is reported at once, in file order, then --set arguments") {
  TempDir dir;
  auto error = must_fail(dir, "[llm]\nmodel = \"m\"\ntemperature = \"hot\"\n[queries]\nfile = \"q.jsonl\"\n[crossval]\nmin_cases = 0\n",
                         {"bogus", "verify.min_pass_rate=2"});
  REQUIRE(error.problems.size() == 4);
  CHECK(error.problems[0].key == "llm.temperature");
  CHECK(error.problems[1].key == "crossval.min_cases");
  CHECK(error.problems[2].where == "--set bogus");
  CHECK(error.problems[2].what == "expected KEY=VALUE, e.g. --set llm.model=NAME");
  CHECK(error.problems[3].key == "verify.min_pass_rate");
}

TEST_CASE("an empty config file names both required keys") {
  TempDir dir;
  auto error = must_fail(dir, "");
  REQUIRE(error.problems.size() == 2);
  CHECK(error.problems[0].key == "llm.model");
  CHECK(error.problems[1].key == "queries.file");
}

TEST_CASE("a config file with invalid UTF-8 is a syntax error at its position") {
  TempDir dir;
  auto problem = only_problem(must_fail(dir, "[llm]\nmodel = \"m\xff\"\n"));
  CHECK_THAT(problem.where, Contains(dir.file("autoif.toml") + ":2:"));
  CHECK_THAT(problem.what, Contains("TOML syntax error"));
}
