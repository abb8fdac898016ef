// What exports do to files: LLaMA-Factory's dataset_info.json merged without disturbing other
// entries, and atomic writes that leave nothing behind when a write, fsync or rename fails.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>

#include "pipeline/io/atomic_file.h"
#include "pipeline/export/dataset_info.h"
#include "tests/export/fixture.h"

using namespace autoif;
using namespace autoif::testing;
using exports::Format;

namespace {

// Wraps the real file system and fails the chosen call with `error` (leveldb's fault injection
// by wrapping); records every call it gets.
class FailingFileSystem final : public io::FileSystem {
 public:
  enum class Call { none, write, sync, rename };
  FailingFileSystem(Call fail, int error) : fail_(fail), error_(error) {}

  int make_temp(std::string& pattern) override {
    calls.push_back("make_temp");
    return real_.make_temp(pattern);
  }
  long write(int fd, const char* data, std::size_t size) override {
    calls.push_back("write");
    if (fail_ == Call::write) return fail();
    return real_.write(fd, data, size);
  }
  int sync(int fd) override {
    calls.push_back("sync");
    if (fail_ == Call::sync) return fail();
    return real_.sync(fd);
  }
  int rename(const std::string& from, const std::string& to) override {
    calls.push_back("rename");
    if (fail_ == Call::rename) return fail();
    return real_.rename(from, to);
  }
  std::vector<std::string> calls;

 private:
  int fail() {
    errno = error_;
    return -1;
  }
  Call fail_;
  int error_;
  io::FileSystem& real_ = io::real_file_system();
};

const std::string kOtherEntries = R"({
  "identity": {
    "file_name": "identity.json"
  },
  "mine": {"file_name": "old.jsonl", "formatting": "alpaca"},
  "hh_rlhf_en": {
    "script_url": "hh_rlhf_en",
    "ranking": true,
    "columns": {"prompt": "instruction", "chosen": "chosen", "rejected": "rejected", "history": "history"},
    "weight": 1.5
  }
}
)";

}  // namespace

TEST_CASE("dataset_info.json gets a new entry appended or a same-named one replaced in place, and the other entries "
          "keep their order and values") {
  TempDir dir;
  build_run(dir / "run.db");
  fs::create_directories(dir / "lf");
  write_text(dir / "lf/dataset_info.json", kOtherEntries);
  auto before = nlohmann::ordered_json::parse(kOtherEntries);

  exports::ExportRequest r;
  r.format = Format::alpaca_dpo;
  r.out = dir / "lf/autoif_dpo.jsonl";
  r.llamafactory_info = dir / "lf";
  auto summary = export_or_fail(dir / "run.db", r);
  CHECK(summary.dataset_info == dir / "lf/dataset_info.json");
  auto after = nlohmann::ordered_json::parse(read_text(dir / "lf/dataset_info.json"));
  CHECK(keys(after) == std::vector<std::string>{"identity", "mine", "hh_rlhf_en", "autoif_dpo"});
  for (const auto& name : {"identity", "mine", "hh_rlhf_en"}) CHECK(after[name].dump() == before[name].dump());
  CHECK(after["autoif_dpo"].dump() ==
        R"({"file_name":"autoif_dpo.jsonl","formatting":"alpaca","ranking":true,)"
        R"("columns":{"prompt":"instruction","query":"input","chosen":"chosen","rejected":"rejected"}})");

  r.format = Format::sharegpt_sft;
  r.dataset_name = "mine";
  export_or_fail(dir / "run.db", r);
  after = nlohmann::ordered_json::parse(read_text(dir / "lf/dataset_info.json"));
  CHECK(keys(after) == std::vector<std::string>{"identity", "mine", "hh_rlhf_en", "autoif_dpo"});
  CHECK(after["mine"].dump() ==
        R"({"file_name":"autoif_dpo.jsonl","formatting":"sharegpt","ranking":false,)"
        R"("columns":{"messages":"conversations"},)"
        R"("tags":{"role_tag":"from","content_tag":"value","user_tag":"human","assistant_tag":"gpt"}})");
  CHECK(after["hh_rlhf_en"].dump() == before["hh_rlhf_en"].dump());
  CHECK(hidden_files(dir / "lf").empty());
}

TEST_CASE("dataset_info entries have the LLaMA-Factory shapes, a file_name relative inside the folder and absolute "
          "outside, and one entry per split file") {
  CHECK(exports::llamafactory_entry(Format::alpaca_sft, "a.jsonl").dump() ==
        R"({"file_name":"a.jsonl","formatting":"alpaca","ranking":false,)"
        R"("columns":{"prompt":"instruction","query":"input","response":"output"}})");
  CHECK(exports::llamafactory_entry(Format::sharegpt_dpo, "b.jsonl").dump() ==
        R"({"file_name":"b.jsonl","formatting":"sharegpt","ranking":true,)"
        R"("columns":{"messages":"conversations","chosen":"chosen","rejected":"rejected"},)"
        R"("tags":{"role_tag":"from","content_tag":"value","user_tag":"human","assistant_tag":"gpt"}})");

  TempDir dir;
  build_run(dir / "run.db");
  exports::ExportRequest r;
  r.format = Format::alpaca_sft;
  r.out = dir / "data/sft.jsonl";
  r.llamafactory_info = dir / "lf";  // created
  r.split = {{"train", 0.5}, {"test", 0.5}};
  export_or_fail(dir / "run.db", r);
  auto info = nlohmann::ordered_json::parse(read_text(dir / "lf/dataset_info.json"));
  CHECK(keys(info) == std::vector<std::string>{"sft.train", "sft.test"});
  CHECK(info["sft.train"]["file_name"] == fs::weakly_canonical(dir / "data/sft.train.jsonl").string());
  CHECK(fs::path(info["sft.test"]["file_name"].get<std::string>()).is_absolute());

  r.llamafactory_info = dir / "data";
  r.dataset_name = "autoif";
  export_or_fail(dir / "run.db", r);
  info = nlohmann::ordered_json::parse(read_text(dir / "data/dataset_info.json"));
  CHECK(info["autoif.train"]["file_name"] == "sft.train.jsonl");
  CHECK(info["autoif.test"]["file_name"] == "sft.test.jsonl");
}

TEST_CASE("a dataset_info.json that is not a JSON object is an error naming it, left untouched, and nothing is "
          "exported") {
  TempDir dir;
  build_run(dir / "run.db");
  fs::create_directories(dir / "lf");
  for (const std::string broken : {"{\"identity\": {\"file_name\": \"identity.json\"},\n", "[1, 2]\n"}) {
    write_text(dir / "lf/dataset_info.json", broken);
    exports::ExportRequest r;
    r.format = Format::sharegpt_dpo;
    r.out = dir / "lf/dpo.jsonl";
    r.llamafactory_info = dir / "lf";
    auto db = open_read(dir / "run.db");
    auto result = exports::export_dataset(db, r);
    REQUIRE_FALSE(result);
    CHECK(result.error().find(dir / "lf/dataset_info.json") != std::string::npos);
    CHECK(result.error().find("left untouched") != std::string::npos);
    CHECK(read_text(dir / "lf/dataset_info.json") == broken);
    CHECK_FALSE(fs::exists(dir / "lf/dpo.jsonl"));
    CHECK(hidden_files(dir / "lf").empty());
  }
}

TEST_CASE("a failing write, fsync or rename leaves the previous file as it was and no temporary file") {
  using Call = FailingFileSystem::Call;
  for (auto [call, error] : {std::pair{Call::write, ENOSPC}, std::pair{Call::sync, EIO}, std::pair{Call::rename, EXDEV}}) {
    TempDir dir;
    build_run(dir / "run.db");
    write_text(dir / "out.a.jsonl", "previous\n");
    FailingFileSystem failing(call, error);
    exports::ExportRequest r;
    r.format = Format::trl_kto;
    r.split = {{"a", 0.5}, {"b", 0.5}};
    r.out = dir / "out.jsonl";
    r.fs = &failing;
    auto db = open_read(dir / "run.db");
    auto result = exports::export_dataset(db, r);
    REQUIRE_FALSE(result);
    INFO(result.error());
    CHECK(result.error().find(std::strerror(error)) != std::string::npos);
    CHECK(result.error().find(dir.path().string()) != std::string::npos);
    CHECK(hidden_files(dir.path()).empty());
    CHECK(read_text(dir / "out.a.jsonl") == "previous\n");
    CHECK_FALSE(fs::exists(dir / "out.b.jsonl"));
    CHECK_FALSE(fs::exists(dir / "out.jsonl"));
    CHECK(failing.calls.front() == "make_temp");
  }
}

TEST_CASE("an output folder that cannot take a new file is an error naming the file, and nothing is left") {
  if (::geteuid() == 0) {
    SUCCEED("root ignores folder permissions: nothing to check");
    return;
  }
  TempDir dir;
  build_run(dir / "run.db");
  fs::create_directories(dir / "locked");
  fs::permissions(dir / "locked", fs::perms::owner_read | fs::perms::owner_exec);
  exports::ExportRequest r;
  r.format = Format::trl_sft;
  r.out = dir / "locked/out.jsonl";
  auto db = open_read(dir / "run.db");
  auto result = exports::export_dataset(db, r);
  fs::permissions(dir / "locked", fs::perms::owner_all);
  REQUIRE_FALSE(result);
  CHECK(result.error().find(dir / "locked/out.jsonl") != std::string::npos);
  CHECK(result.error().find("Permission denied") != std::string::npos);
  CHECK(fs::is_empty(dir / "locked"));
}

TEST_CASE("AtomicFile: nothing appears until commit, and an abandoned file leaves nothing") {
  TempDir dir;
  {
    auto file = io::AtomicFile::create(dir / "a.txt");
    REQUIRE(file);
    REQUIRE(file->write("hello\n"));
    REQUIRE(file->finish());
    CHECK_FALSE(fs::exists(dir / "a.txt"));
    CHECK(hidden_files(dir.path()).size() == 1);
  }
  CHECK(hidden_files(dir.path()).empty());
  CHECK_FALSE(fs::exists(dir / "a.txt"));
  auto file = io::AtomicFile::create(dir / "sub/b.txt");
  REQUIRE(file);
  REQUIRE(file->write(std::string(100000, 'x')));
  REQUIRE(file->commit());
  CHECK(read_text(dir / "sub/b.txt").size() == 100000);
  CHECK_FALSE(file->commit());
  CHECK(hidden_files(dir / "sub").empty());
  CHECK_FALSE(io::AtomicFile::create(dir.path().string()));  // a folder, not a file name
}
