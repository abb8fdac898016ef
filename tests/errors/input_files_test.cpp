// The query pool and seed file as the stages read them, and check_input_files' messages: each
// names FILE:LINE (or FILE), the config key, and how to fix the file.
#include <catch2/catch.hpp>

#include "pipeline/config/input_files.h"
#include "tests/errors/cli_harness.h"

using namespace autoif::config;
using autoif::errors_test::TempDir;
using Catch::Contains;
using Catch::StartsWith;

namespace {

Config with_pool(const std::string& path) {
  Config config;
  config.queries.file = path;
  return config;
}

std::string pool_error(const TempDir& dir, const std::string& bytes) {
  auto checked = check_input_files(with_pool(dir.write("pool.jsonl", bytes)));
  if (checked) FAIL("the pool was accepted");
  return checked.error();
}

const std::string kQuery = "What is the capital of France, and why is it there?";

}  // namespace

TEST_CASE("the pool scan passes each eligible query with its line, skips rows without the field, counts the rest") {
  TempDir dir;
  QuerySettings settings;
  settings.file = dir.write("pool.jsonl", "{\"text\": \"" + kQuery + "\"}\n\n{\"id\": 7}\n\"" + kQuery +
                                              " (string row)\"\r\n{\"text\": \"too short\"}\n{\"text\": 3}\n");
  std::vector<std::pair<std::int64_t, std::string>> seen;
  auto summary = scan_query_pool(settings, [&](std::int64_t line, std::string text) { seen.emplace_back(line, text); });
  REQUIRE(summary);
  CHECK(summary->rows == 5);
  CHECK(summary->with_field == 3);
  CHECK(summary->eligible == 2);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == std::make_pair(std::int64_t{1}, kQuery));
  CHECK(seen[1].first == 4);
}

TEST_CASE("an empty query pool is refused with the key and the row format") {
  TempDir dir;
  for (const std::string bytes : {"", "\n\n  \n"}) {
    auto error = pool_error(dir, bytes);
    CHECK(error == dir.file("pool.jsonl") + ": the query pool (queries.file) is empty; it needs one JSON object per line "
                                            "such as {\"text\": \"How do I ...?\"} (`autoif init DIR` writes a sample pool).");
  }
}

TEST_CASE("a pool line that is not JSON names its line and the likely cause") {
  TempDir dir;
  std::string good = "{\"text\": \"" + kQuery + "\"}\n";
  SECTION("a broken row among good ones") {
    auto error = pool_error(dir, good + good + "{\"text\": \"unterminated}\n");
    CHECK_THAT(error, StartsWith(dir.file("pool.jsonl") + ":3: not valid JSON (column "));
    CHECK_THAT(error, Contains("fix or remove this line"));
  }
  SECTION("a plain-text file: how to convert it, with the configured field") {
    Config config = with_pool(dir.write("pool.txt", kQuery + "\n"));
    config.queries.field = "prompt";
    auto error = check_input_files(config).error();
    CHECK_THAT(error, StartsWith(dir.file("pool.txt") + ":1: not valid JSON"));
    CHECK_THAT(error, Contains("jq -R -c '{\"prompt\": .}' " + dir.file("pool.txt") + " > " + dir.file("pool.jsonl")));
  }
  SECTION("pretty-printed JSON") {
    auto error = pool_error(dir, "[\n  {\"text\": \"" + kQuery + "\"}\n]\n");
    CHECK_THAT(error, StartsWith(dir.file("pool.jsonl") + ":1: not valid JSON"));
    CHECK_THAT(error, Contains("spread over several lines") && Contains("jq -c '.[]' " + dir.file("pool.jsonl") + " > " + dir.file("pool.fixed.jsonl")));
  }
  SECTION("a JSON array on one line") {
    auto error = pool_error(dir, "[{\"text\": \"" + kQuery + "\"}, {\"text\": \"" + kQuery + "\"}]\n");
    CHECK_THAT(error, StartsWith(dir.file("pool.jsonl") + ":1: this row is a JSON array, not an object"));
    CHECK_THAT(error, Contains("jq -c '.[]'"));
  }
  SECTION("a number row") {
    CHECK_THAT(pool_error(dir, good + "42\n"), StartsWith(dir.file("pool.jsonl") + ":2: this row is a JSON number"));
  }
}

TEST_CASE("a pool that is not UTF-8 names the line and byte and how to convert it") {
  TempDir dir;
  SECTION("Latin-1") {
    auto error = pool_error(dir, "{\"text\": \"" + kQuery + "\"}\n{\"text\": \"Caf\xe9 au lait: how is it made at home?\"}\n");
    CHECK(error == dir.file("pool.jsonl") + ":2: not valid UTF-8 at byte 14 of the line (0xE9); the query pool "
                                            "(queries.file) must be UTF-8. If the file is Latin-1 or Windows-1252, "
                                            "convert it with iconv -f WINDOWS-1252 -t UTF-8 " + dir.file("pool.jsonl") +
                                            " > " + dir.file("pool.utf8.jsonl") + "; otherwise fix or remove that line.");
  }
  SECTION("UTF-16") {
    CHECK_THAT(pool_error(dir, std::string("\xFF\xFE{\0\"\0", 6)), Contains("The file is UTF-16"));
  }
  SECTION("gzip") {
    CHECK_THAT(pool_error(dir, std::string("\x1F\x8B\x08\x00\x00\x00\x00\x00", 8)), Contains("gzip-compressed"));
  }
}

TEST_CASE("a pool with no usable query says which field and lengths it looked for") {
  TempDir dir;
  SECTION("the field is named differently") {
    auto error = pool_error(dir, "{\"prompt\": \"" + kQuery + "\", \"id\": 1}\n");
    CHECK(error == dir.file("pool.jsonl") + ": no row of the query pool has a string field \"text\" (queries.field); the "
                                            "first object row has the fields \"id\", \"prompt\". Set queries.field to "
                                            "the field that holds the query text.");
  }
  SECTION("every query is too short or too long") {
    auto error = pool_error(dir, "{\"text\": \"hi\"}\n{\"text\": \"hello there\"}\n");
    CHECK(error == dir.file("pool.jsonl") + ": none of the 2 queries in field \"text\" is 20 to 300 characters long "
                                            "(queries.min_chars, queries.max_chars); the shortest has 2 and the longest "
                                            "11. Change those keys or use another pool.");
  }
}

TEST_CASE("seed files: plain lines, JSON strings and objects are read, comments and blank lines skipped") {
  TempDir dir;
  SeedSettings settings{dir.write("seeds.txt", "# my seeds\nAnswer in French.\n\n\"Use no commas.\"\n"
                                              "{\"instruction\": \" End with a question. \"}\n[Bracketed] is plain text\n")};
  auto seeds = read_seeds(settings);
  REQUIRE(seeds);
  CHECK(*seeds == std::vector<std::string>{"Answer in French.", "Use no commas.", "End with a question.",
                                           "[Bracketed] is plain text"});
  auto builtin = read_seeds(SeedSettings{});
  REQUIRE(builtin);
  CHECK(builtin->size() > 10);
}

TEST_CASE("a bad seed file names its line and what a seed row looks like") {
  TempDir dir;
  auto error_of = [&](const std::string& bytes) {
    auto seeds = read_seeds(SeedSettings{dir.write("seeds.jsonl", bytes)});
    if (seeds) FAIL("the seed file was accepted");
    return seeds.error();
  };
  CHECK(error_of("{\"instruction\": \"Answer in French.\"}\n{\"text\": \"Use no commas.\"}\n") ==
        dir.file("seeds.jsonl") + ":2: expected an object with a string field \"instruction\" (this row has \"text\"); "
                                  "seed rows look like {\"instruction\": \"Answer in French.\"}.");
  CHECK_THAT(error_of("Answer in French.\n{\"instruction\": oops}\n"),
             StartsWith(dir.file("seeds.jsonl") + ":2: starts like JSON but is not valid JSON"));
  CHECK_THAT(error_of("[{\"instruction\": \"Answer in French.\"}]\n"),
             StartsWith(dir.file("seeds.jsonl") + ":1: this row is a JSON array"));
  CHECK_THAT(error_of("R\xe9ponds en fran\xe7" "ais.\n"), StartsWith(dir.file("seeds.jsonl") + ":1: not valid UTF-8 at byte 2"));
  CHECK(error_of("# nothing but comments\n\n") ==
        dir.file("seeds.jsonl") + ": the seed file (seeds.file) holds no instruction (only blank lines or # comments); "
                                  "add one instruction per line, or remove seeds.file to use the built-in seeds.");
}

TEST_CASE("check_input_files reports the seed file and the pool together, one line each") {
  TempDir dir;
  Config config = with_pool(dir.write("pool.jsonl", ""));
  config.seeds.file = dir.write("seeds.jsonl", "\n");
  auto error = check_input_files(config);
  REQUIRE_FALSE(error);
  CHECK_THAT(error.error(), StartsWith(dir.file("seeds.jsonl") + ": the seed file"));
  CHECK_THAT(error.error(), Contains("\n" + dir.file("pool.jsonl") + ": the query pool (queries.file) is empty"));
}
