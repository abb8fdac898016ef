// `autoif init DIR`: the starter files load as they are and are never overwritten by accident.
#include "tests/config/helpers.h"

#include <fstream>
#include <set>
#include <sstream>

#include "pipeline/config/starter.h"

using namespace autoif::config;
using namespace autoif::config::testing;
using Catch::Contains;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<nlohmann::json> rows(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::istringstream lines(read(path));
  for (std::string line; std::getline(lines, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace

TEST_CASE("init: the starter files load without errors and point at a local vLLM") {
  TempDir dir;
  auto written = write_starter(dir.file("project"), false);
  REQUIRE(written);
  CHECK(*written == std::vector<std::string>{dir.file("project/autoif.toml"), dir.file("project/seeds.jsonl"),
                                             dir.file("project/queries.jsonl")});
  auto config = load_config(dir.file("project/autoif.toml"));
  if (!config) FAIL(config.error().message());
  CHECK(config->supervisor.endpoints[0].base_url == "http://127.0.0.1:8000/v1");
  CHECK(config->supervisor.model == "your-model-name");
  CHECK(config->seeds.file == dir.file("project/seeds.jsonl"));
  CHECK(config->queries.file == dir.file("project/queries.jsonl"));
  CHECK(config->run.db == dir.file("project/autoif.db"));
}

TEST_CASE("init: seeds.jsonl holds the built-in seeds as {\"instruction\"} rows") {
  TempDir dir;
  REQUIRE(write_starter(dir.file("p"), false));
  auto seeds = rows(dir.file("p/seeds.jsonl"));
  CHECK(seeds.size() >= 36);
  for (const auto& row : seeds) {
    REQUIRE(row.contains("instruction"));
    CHECK(!row["instruction"].get<std::string>().empty());
  }
}

TEST_CASE("init: queries.jsonl holds at least 60 distinct queries of 20 to 300 characters") {
  TempDir dir;
  REQUIRE(write_starter(dir.file("p"), false));
  auto queries = rows(dir.file("p/queries.jsonl"));
  CHECK(queries.size() >= 60);
  std::set<std::string> distinct;
  for (const auto& row : queries) {
    auto text = row.at("text").get<std::string>();
    INFO(text);
    CHECK(text.size() >= 20);
    CHECK(text.size() <= 300);
    distinct.insert(text);
  }
  CHECK(distinct.size() == queries.size());
}

TEST_CASE("init: existing files are not overwritten without force") {
  TempDir dir;
  REQUIRE(write_starter(dir.file("p"), false));
  dir.write("p/seeds.jsonl", "{\"instruction\": \"mine\"}\n");
  auto again = write_starter(dir.file("p"), false);
  REQUIRE_FALSE(again);
  CHECK_THAT(again.error(), Contains(dir.file("p/seeds.jsonl")));
  CHECK_THAT(again.error(), Contains("--force"));
  CHECK(read(dir.file("p/seeds.jsonl")) == "{\"instruction\": \"mine\"}\n");

  REQUIRE(write_starter(dir.file("p"), true));
  CHECK(rows(dir.file("p/seeds.jsonl")).size() >= 36);
}

TEST_CASE("init: a target that is a file is refused") {
  TempDir dir;
  dir.write("taken", "x");
  auto result = write_starter(dir.file("taken"), true);
  REQUIRE_FALSE(result);
  CHECK_THAT(result.error(), Contains("not a folder"));
}

TEST_CASE("init: examples/init holds exactly what `autoif init` writes") {
  for (const auto& file : starter_files()) {
    INFO(file.name);
    if (read(AUTOIF_SOURCE_DIR "/examples/init/" + file.name) != file.contents) {
      std::ofstream(AUTOIF_BINARY_DIR "/" + file.name, std::ios::binary) << file.contents;
      FAIL("examples/init/" + file.name + " is out of date: cp " AUTOIF_BINARY_DIR "/" + file.name +
           " examples/init/");
    }
  }
}
