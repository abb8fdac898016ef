// The meta table: configuration snapshot and run info.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "helpers.h"
#include "storage/meta.h"

using namespace autoif::storage;
using namespace autoif::storage::testing;

TEST_CASE("meta values are set, replaced and read back, and survive a reopen") {
  TempDir dir;
  std::string path = dir.file("run.db");
  {
    auto db = Database::open(path, OpenMode::run);
    REQUIRE(db);
    auto meta = Meta::open(*db);
    REQUIRE(meta);
    CHECK_FALSE(meta->get("run.started")->has_value());
    REQUIRE(meta->set("run.started", "yesterday"));
    REQUIRE(meta->set("run.started", "today"));
    REQUIRE(meta->set("a.first", ""));
    CHECK(**meta->get("run.started") == "today");
    CHECK(**meta->get("a.first") == "");
  }
  auto db = Database::open(path, OpenMode::read_only);
  REQUIRE(db);
  auto meta = Meta::open(*db);
  REQUIRE(meta);
  auto all = meta->all();
  REQUIRE(all);
  REQUIRE(all->size() == 2);
  CHECK((*all)[0] == std::pair<std::string, std::string>("a.first", ""));
  CHECK((*all)[1] == std::pair<std::string, std::string>("run.started", "today"));
}

TEST_CASE("a JSON meta value is stored canonically and parsed back") {
  auto db = Database::open(":memory:", OpenMode::run);
  REQUIRE(db);
  auto meta = Meta::open(*db);
  REQUIRE(meta);
  nlohmann::json config = {{"zeta", 1}, {"alpha", {{"b", true}, {"a", nullptr}}}};
  REQUIRE(meta->set_json("config", config));
  CHECK(**meta->get("config") == R"({"alpha":{"a":null,"b":true},"zeta":1})");
  CHECK(**meta->get_json("config") == config);

  REQUIRE(meta->set("broken", "{not json"));
  auto broken = meta->get_json("broken");
  REQUIRE_FALSE(broken);
  CHECK(broken.error().what().find("broken") != std::string::npos);

  auto bad_utf8 = meta->set_json("bad", nlohmann::json(std::string("\xff\xfe")));
  REQUIRE_FALSE(bad_utf8);
  CHECK_FALSE(meta->get("bad")->has_value());
}
