// The streaming engine and the atomic output file, without the sandbox: input order, the
// window bound, bad lines (skipped or, with strict, fatal) and what is left on disk.
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

#include "pipeline/io/atomic_file.h"
#include "support.h"

using namespace autoif::official;
using namespace official_test;
using namespace std::chrono_literals;

namespace {

// Echoes each row's "id" back as {"id": ...}; rows without an id are rejected.
tl::expected<RowWork, std::string> echo(Row row) {
  if (!row.is_object() || !row.contains("id")) return tl::unexpected(std::string("no id"));
  return RowWork([id = row["id"]]() -> std::optional<Row> { return Row{{"id", id}}; });
}

std::vector<int> ids(const std::string& path) {
  std::vector<int> out;
  for (const auto& row : read_rows(path)) out.push_back(row["id"].get<int>());
  return out;
}

}  // namespace

TEST_CASE("an atomic file replaces the old file only when committed") {
  ScratchDir dir;
  write_text(dir.file("out.jsonl"), "old\n");
  auto file = autoif::io::AtomicFile::create(dir.file("out.jsonl"));
  REQUIRE(file);
  REQUIRE(file->write("new\n"));
  CHECK(read_text(dir.file("out.jsonl")) == "old\n");
  REQUIRE(file->commit());
  CHECK(read_text(dir.file("out.jsonl")) == "new\n");
  CHECK(dir.names() == std::vector<std::string>{"out.jsonl"});
  CHECK_FALSE(file->commit());
}

TEST_CASE("an atomic file that is never committed leaves the old file and no temporary behind") {
  ScratchDir dir;
  write_text(dir.file("out.jsonl"), "old\n");
  {
    auto file = autoif::io::AtomicFile::create(dir.file("out.jsonl"));
    REQUIRE(file);
    REQUIRE(file->write(std::string(200'000, 'x')));  // more than one buffer's worth
  }
  CHECK(read_text(dir.file("out.jsonl")) == "old\n");
  CHECK(dir.names() == std::vector<std::string>{"out.jsonl"});
}

TEST_CASE("an atomic file whose folder cannot be made fails naming the path") {
  ScratchDir dir;
  write_text(dir.file("plain"), "a file, not a folder\n");
  auto file = autoif::io::AtomicFile::create(dir.file("plain/out.jsonl"));
  REQUIRE_FALSE(file);
  CHECK_THAT(file.error(), Catch::Contains(dir.file("plain/out.jsonl")));
}

TEST_CASE("rows are written in input order even when later rows finish first") {
  ScratchDir dir;
  write_text(dir.file("in.jsonl"), jsonl({{{"id", 1}}, {{"id", 2}}, {{"id", 3}}}));
  // Rows 1 and 2 cannot finish before row 3 has: the engine must run them side by side and
  // still write 1, 2, 3. (The wait is bounded so a broken engine fails instead of hanging.)
  std::promise<void> third_done;
  std::shared_future<void> released = third_done.get_future().share();
  std::vector<int> finished;
  std::mutex mutex;
  auto prepare = [&](Row row) -> tl::expected<RowWork, std::string> {
    int id = row["id"].get<int>();
    return RowWork([&, id]() -> std::optional<Row> {
      if (id != 3 && released.wait_for(10s) != std::future_status::ready) return Row{{"id", -id}};
      {
        std::lock_guard lock(mutex);
        finished.push_back(id);
      }
      if (id == 3) third_done.set_value();
      return Row{{"id", id}};
    });
  };
  auto counts = stream_rows(dir.file("in.jsonl"), dir.file("out.jsonl"), {false, 3, {}}, prepare);
  REQUIRE(counts);
  CHECK(finished.front() == 3);
  CHECK(ids(dir.file("out.jsonl")) == std::vector<int>{1, 2, 3});
  CHECK(counts->rows_in == 3);
  CHECK(counts->rows_out == 3);
}

TEST_CASE("no more rows run at once than the window allows") {
  ScratchDir dir;
  std::vector<Row> rows;
  for (int id = 1; id <= 8; ++id) rows.push_back({{"id", id}});
  write_text(dir.file("in.jsonl"), jsonl(rows));
  std::mutex mutex;
  std::condition_variable changed;
  int running = 0, most = 0;
  auto prepare = [&](Row row) -> tl::expected<RowWork, std::string> {
    return RowWork([&, row]() -> std::optional<Row> {
      std::unique_lock lock(mutex);
      most = std::max(most, ++running);
      changed.notify_all();
      // Each row waits for a partner, so an engine that runs rows one by one shows up as
      // `most == 1` and one that ignores the window as `most > 2`.
      changed.wait_for(lock, 10s, [&] { return running >= 2; });
      --running;
      return row;
    });
  };
  REQUIRE(stream_rows(dir.file("in.jsonl"), dir.file("out.jsonl"), {false, 2, {}}, prepare));
  CHECK(most == 2);
  CHECK(ids(dir.file("out.jsonl")) == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8});
}

TEST_CASE("bad lines are skipped with a warning naming FILE:LINE, blank lines still counted") {
  ScratchDir dir;
  std::string in = dir.file("in.jsonl");
  write_text(in, "{\"id\": 1}\n\n{\"id\": 2\n[1, 2]\r\n{\"id\": 3}\r\n   \n{\"no\": 4}\n");
  RecordingSink warnings;
  auto counts = stream_rows(in, dir.file("out.jsonl"), {false, 4, warnings.sink()}, echo);
  REQUIRE(counts);
  CHECK(ids(dir.file("out.jsonl")) == std::vector<int>{1, 3});
  CHECK(counts->rows_in == 5);
  CHECK(counts->rows_out == 2);
  CHECK(counts->rows_skipped == 3);
  REQUIRE(warnings.messages.size() == 3);
  CHECK_THAT(warnings.messages[0], Catch::StartsWith(in + ":3: not valid JSON"));
  CHECK(warnings.messages[1] == in + ":4: no id; row skipped");
  CHECK(warnings.messages[2] == in + ":7: no id; row skipped");
}

TEST_CASE("with strict the first bad line stops the run and the old output stays") {
  ScratchDir dir;
  std::string in = dir.file("in.jsonl");
  write_text(in, "{\"id\": 1}\n{\"id\": 2}\nnot json\n{\"id\": 4}\n");
  write_text(dir.file("out.jsonl"), "previous\n");
  RecordingSink warnings;
  auto counts = stream_rows(in, dir.file("out.jsonl"), {true, 4, warnings.sink()}, echo);
  REQUIRE_FALSE(counts);
  CHECK_THAT(counts.error(), Catch::StartsWith(in + ":3: not valid JSON"));
  CHECK(warnings.messages.empty());
  CHECK(read_text(dir.file("out.jsonl")) == "previous\n");
  CHECK(dir.names() == std::vector<std::string>{"in.jsonl", "out.jsonl"});
}

TEST_CASE("a missing input file is an error naming it, and no output appears") {
  ScratchDir dir;
  auto counts = stream_rows(dir.file("absent.jsonl"), dir.file("out.jsonl"), {}, echo);
  REQUIRE_FALSE(counts);
  CHECK_THAT(counts.error(), Catch::StartsWith(dir.file("absent.jsonl") + ": cannot open"));
  CHECK(dir.names().empty());
}

TEST_CASE("an exception in a row's work stops the run naming that row's line") {
  ScratchDir dir;
  std::string in = dir.file("in.jsonl");
  write_text(in, "{\"id\": 1}\n{\"id\": 2}\n");
  auto prepare = [](Row row) -> tl::expected<RowWork, std::string> {
    return RowWork([row]() -> std::optional<Row> {
      if (row["id"] == 2) throw std::runtime_error("out of luck");
      return row;
    });
  };
  auto counts = stream_rows(in, dir.file("out.jsonl"), {}, prepare);
  REQUIRE_FALSE(counts);
  CHECK(counts.error() == in + ":2: out of luck");
  CHECK(dir.names() == std::vector<std::string>{"in.jsonl"});
}

TEST_CASE("rows whose work yields nothing are left out, and the output may be the input") {
  ScratchDir dir;
  std::string path = dir.file("rows.jsonl");
  write_text(path, jsonl({{{"id", 1}}, {{"id", 2}}, {{"id", 3}}}));
  auto prepare = [](Row row) -> tl::expected<RowWork, std::string> {
    return RowWork([row]() -> std::optional<Row> {
      if (row["id"] == 2) return std::nullopt;
      return row;
    });
  };
  auto counts = stream_rows(path, path, {}, prepare);
  REQUIRE(counts);
  CHECK(counts->rows_out == 2);
  CHECK(ids(path) == std::vector<int>{1, 3});
}
