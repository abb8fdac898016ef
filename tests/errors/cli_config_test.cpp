// `autoif run` with a config mistake: every problem printed at once under "configuration:",
// each with FILE:LINE:COLUMN (or the --set argument), the key and what to do; exit status 2;
// nothing created, nothing sent. (The loader's own tests, tests/config/errors_test.cpp, pin
// each message; these pin what a person running the command sees.)
#include <catch2/catch.hpp>

#include "tests/errors/cli_harness.h"

using namespace autoif::errors_test;
using Catch::Contains;

namespace {

struct ConfigRun {
  TempDir dir;
  ChildResult result;
};

// Writes autoif.toml (the lines given after a working [llm] and [queries]) and runs it.
void run_config(ConfigRun& run, const std::string& extra, const std::vector<std::string>& args = {}) {
  run.dir.write("q.jsonl", "{\"text\": \"What is the capital of France, and why is it there?\"}\n");
  std::string config = run.dir.write("autoif.toml", "[llm]\nmodel = \"m\"\nbase_url = \"http://127.0.0.1:9/v1\"\n\n"
                                                    "[queries]\nfile = \"q.jsonl\"\n" + extra);
  std::vector<std::string> argv{"run", "--config", config};
  argv.insert(argv.end(), args.begin(), args.end());
  run.result = run_autoif(argv, run.dir);
  INFO(run.result.err);
  CHECK(run.result.exit_code == 2);
  CHECK_FALSE(fs::exists(run.dir.file("autoif.db")));
}

}  // namespace

TEST_CASE("autoif run names a misspelt key's line and column and suggests the nearest key") {
  ConfigRun run;
  run_config(run, "\n[crossval]\ncase_treshold = 0.6\n");
  CHECK(run.result.err == "autoif run: configuration:\n" + run.dir.file("autoif.toml") +
                              ":9:1: unknown key 'crossval.case_treshold'; did you mean 'crossval.case_threshold'?\n");
}

TEST_CASE("autoif run names a value of the wrong type with the type expected") {
  ConfigRun run;
  run_config(run, "[responses]\nsamples = \"eight\"\n");
  CHECK(run.result.err == "autoif run: configuration:\n" + run.dir.file("autoif.toml") +
                              ":8:11: responses.samples: expected an integer, got a string \"eight\"\n");
}

TEST_CASE("autoif run names a missing required key and where to put it") {
  ConfigRun run;
  run.dir.write("autoif.toml", "[queries]\nfile = \"q.jsonl\"\n");
  run.dir.write("q.jsonl", "{\"text\": \"What is the capital of France, and why is it there?\"}\n");
  run.result = run_autoif({"run", "--config", run.dir.file("autoif.toml")}, run.dir);
  CHECK(run.result.exit_code == 2);
  CHECK_THAT(run.result.err, Contains(run.dir.file("autoif.toml") + ": missing required key 'llm.model': name the "
                                                                    "model your server serves under [llm]"));
  CHECK_THAT(run.result.err, Contains("--set llm.model=NAME"));
}

TEST_CASE("autoif run lists every config problem at once, --set ones last") {
  ConfigRun run;
  run_config(run, "[llm.supervisor]\nmodle = \"big\"\n[sandbox]\ntimeout_ms = 0\n", {"--set", "llm.unreachable_timeout_s=-1"});
  auto lines = lines_starting(run.result.err, run.dir.file("autoif.toml") + ":");
  REQUIRE(lines.size() == 2);
  CHECK_THAT(lines[0], Contains("unknown key 'llm.supervisor.modle'; did you mean 'llm.supervisor.model'?"));
  CHECK_THAT(lines[1], Contains("sandbox.timeout_ms: must be from 1 to 3.6e+06 (got 0)"));
  CHECK_THAT(run.result.err, Contains("\n--set llm.unreachable_timeout_s: llm.unreachable_timeout_s: must be at least 0 (got -1"));
}
