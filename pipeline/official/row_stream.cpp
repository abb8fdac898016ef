#include "pipeline/official/row_stream.h"

#include <cerrno>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <future>

#include "pipeline/io/atomic_file.h"

namespace autoif::official {
namespace {

struct Pending {
  std::size_t line = 0;
  std::future<std::optional<Row>> result;
};

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1,";
// the line is always 1 here and the tag means nothing to a user.
std::string json_problem(const nlohmann::json::parse_error& error) {
  std::string text = error.what();
  if (auto tag = text.find("] "); tag != std::string::npos) text.erase(0, tag + 2);
  if (text.rfind("parse error at line 1, ", 0) == 0) text.erase(0, 23);
  return "not valid JSON (" + text + ")";
}

}  // namespace

tl::expected<StreamCounts, std::string> stream_rows(const std::string& in_path,
                                                    const std::string& out_path,
                                                    const StreamOptions& options,
                                                    const PrepareRow& prepare) {
  std::error_code fs_error;
  if (std::filesystem::is_directory(in_path, fs_error))
    return tl::unexpected(in_path + ": is a folder, expected a JSONL file");
  std::ifstream in(in_path, std::ios::binary);
  if (!in) return tl::unexpected(in_path + ": cannot open (" + std::strerror(errno) + ")");
  auto out = io::AtomicFile::create(out_path);
  if (!out) return tl::unexpected(out.error());

  StreamCounts counts;
  const std::size_t window = std::max<std::size_t>(1, options.window);
  std::deque<Pending> pending;

  auto write_front = [&]() -> tl::expected<void, std::string> {
    Pending next = std::move(pending.front());
    pending.pop_front();
    std::optional<Row> row;
    try {
      row = next.result.get();
    } catch (const std::exception& error) {
      return tl::unexpected(in_path + ":" + std::to_string(next.line) + ": " + error.what());
    }
    if (!row) return {};
    ++counts.rows_out;
    // Invalid UTF-8 can only come from sandbox messages or model text; keep the row.
    return out->write(row->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  };

  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++counts.rows_in;

    tl::expected<RowWork, std::string> work = tl::unexpected(std::string());
    try {
      work = prepare(Row::parse(line));
    } catch (const nlohmann::json::parse_error& error) {
      work = tl::unexpected(json_problem(error));
    }
    if (!work) {
      std::string message = in_path + ":" + std::to_string(number) + ": " + work.error();
      if (options.strict) return tl::unexpected(message);
      ++counts.rows_skipped;
      if (options.warn) options.warn(message + "; row skipped");
      continue;
    }
    while (pending.size() >= window)
      if (auto written = write_front(); !written) return tl::unexpected(written.error());
    pending.push_back({number, std::async(std::launch::async, std::move(*work))});
  }
  if (in.bad()) return tl::unexpected(in_path + ": read error (" + std::strerror(errno) + ")");
  while (!pending.empty())
    if (auto written = write_front(); !written) return tl::unexpected(written.error());
  if (auto committed = out->commit(); !committed) return tl::unexpected(committed.error());
  return counts;
}

}  // namespace autoif::official
