// `autoif run` with a bad query pool or seed file: it stops before opening the database and
// before any model request (the pool used to be read only when the queries stage ran, hours
// in), exit status 2, one message naming FILE:LINE and the key.
#include <catch2/catch.hpp>
#include <fstream>

#include "tests/errors/cli_harness.h"

using namespace autoif::errors_test;
using Catch::Contains;
using Catch::StartsWith;

namespace {

const std::string kQuery = "What is the capital of France, and why is it there?";

// A model that must never be asked: every request gets a 500 and is counted.
struct UntouchedModel {
  LoopbackServer server{[](const autoif::stub::Request&) {
    return autoif::stub::Response::json(500, R"({"error":{"message":"this test sends no request"}})");
  }};
};

// Runs the quickstart with one key overridden; checks what every refused input has in common.
ChildResult refused(const TempDir& dir, const std::string& key, const std::string& path) {
  UntouchedModel model;
  auto result = run_autoif(quickstart_run(dir, model.server.base_url(), {"--set", key + "=" + path}), dir);
  INFO(result.err);
  CHECK(result.exit_code == 2);
  CHECK(model.server.requests() == 0);
  CHECK_FALSE(fs::exists(dir.file("run.db")));
  CHECK(result.out.empty());
  return result;
}

}  // namespace

TEST_CASE("autoif run with a missing query pool names the resolved path and the key, before anything else") {
  TempDir dir;
  auto result = refused(dir, "queries.file", dir.file("pools/missing.jsonl"));
  CHECK_THAT(result.err, StartsWith("autoif run: configuration:\n--set queries.file: queries.file: " +
                                    dir.file("pools/missing.jsonl") + " does not exist"));
}

TEST_CASE("autoif run with an empty query pool stops in its first second, before any request") {
  TempDir dir;
  auto result = refused(dir, "queries.file", dir.write("empty.jsonl", ""));
  CHECK(result.err == "autoif run: " + dir.file("empty.jsonl") +
                          ": the query pool (queries.file) is empty; it needs one JSON object per line such as "
                          "{\"text\": \"How do I ...?\"} (`autoif init DIR` writes a sample pool).\n");
}

TEST_CASE("autoif run with a query pool that is not JSONL names the line") {
  TempDir dir;
  std::string rows;
  for (int i = 0; i < 1000; ++i) rows += "{\"text\": \"" + kQuery + "\"}\n";
  auto result = refused(dir, "queries.file", dir.write("pool.jsonl", rows + "text: " + kQuery + "\n"));
  CHECK_THAT(result.err, StartsWith("autoif run: " + dir.file("pool.jsonl") + ":1001: not valid JSON (column "));
  CHECK_THAT(result.err, Contains("must be JSON Lines"));
}

TEST_CASE("autoif run with a query pool that is not UTF-8 names the line and byte") {
  TempDir dir;
  auto result = refused(dir, "queries.file",
                        dir.write("pool.jsonl", "{\"text\": \"" + kQuery + "\"}\n{\"text\": \"Na\xefve question about caf\xe9s and more?\"}\n"));
  CHECK_THAT(result.err, StartsWith("autoif run: " + dir.file("pool.jsonl") +
                                    ":2: not valid UTF-8 at byte 13 of the line (0xEF); the query pool (queries.file) "
                                    "must be UTF-8. If the file is Latin-1 or Windows-1252, convert it with iconv"));
}

TEST_CASE("autoif run with a 100 MB line in the query pool names the limit and the JSON-array cause without holding the line") {
  TempDir dir;
  // One JSON array of 100 MB on one line, written in pieces.
  std::string path = dir.file("pool.json");
  {
    std::string row = "{\"text\": \"" + kQuery + "\"}, ";
    std::string piece;
    while (piece.size() < (1u << 20)) piece += row;
    std::ofstream out(path, std::ios::binary);
    out << "[";
    for (std::size_t written = 0; written < 100u * 1000 * 1000; written += piece.size()) out << piece;
    out << "{\"text\": \"" << kQuery << "\"}]\n";
    REQUIRE(out.flush());
  }
  REQUIRE(fs::file_size(path) > 100u * 1000 * 1000);
  auto result = refused(dir, "queries.file", path);
  CHECK(result.err == "autoif run: " + path + ":1: this line is longer than 8 MiB, the limit for one row of the query "
                                              "pool (queries.file); reading stopped there. It starts with '[', so it is "
                                              "probably a whole JSON array on one line. If the file is one JSON array, "
                                              "convert it to JSON Lines (one row per line) with: jq -c '.[]' " + path +
                                              " > " + dir.file("pool.jsonl") + " and name that file in queries.file.\n");
  // The line is read up to the limit and no further: far less than 100 MB resident.
  CHECK(result.max_rss_kb < 64 * 1024);
}

TEST_CASE("autoif run with a bad seed file names the line and a seed row's shape, before any request") {
  TempDir dir;
  SECTION("a row without an instruction") {
    auto result = refused(dir, "seeds.file",
                          dir.write("seeds.jsonl", "{\"instruction\": \"Answer in French.\"}\n{\"prompt\": \"x\"}\n"));
    CHECK(result.err == "autoif run: " + dir.file("seeds.jsonl") +
                            ":2: expected an object with a string field \"instruction\" (this row has \"prompt\"); "
                            "seed rows look like {\"instruction\": \"Answer in French.\"}.\n");
  }
  SECTION("an empty file") {
    auto result = refused(dir, "seeds.file", dir.write("seeds.jsonl", ""));
    CHECK_THAT(result.err, Contains(dir.file("seeds.jsonl") + ": the seed file (seeds.file) holds no instruction"));
  }
  SECTION("a missing file") {
    auto result = refused(dir, "seeds.file", dir.file("nope.jsonl"));
    CHECK_THAT(result.err, Contains("seeds.file: " + dir.file("nope.jsonl") + " does not exist"));
  }
}
