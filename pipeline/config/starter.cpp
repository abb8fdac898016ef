#include "pipeline/config/starter.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "prompts/prompts.h"

namespace autoif::config {
namespace {

namespace fs = std::filesystem;

// One JSONL row {field: line} per non-empty line of a built-in text.
std::pair<std::string, std::size_t> jsonl_rows(std::string_view builtin_name, const char* field) {
  std::string_view text = prompts::builtin(builtin_name).value_or("");
  std::string out;
  std::size_t rows = 0;
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    out += nlohmann::json{{field, std::string(line)}}.dump() + "\n";
    ++rows;
  }
  return {out, rows};
}

tl::expected<void, std::string> write_file(const fs::path& path, const std::string& contents) {
  fs::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << contents;
    if (!out.flush()) return tl::unexpected(temporary.string() + ": cannot write: " + std::strerror(errno));
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) return tl::unexpected(path.string() + ": cannot write: " + ec.message());
  return {};
}

}  // namespace

std::vector<StarterFile> starter_files() {
  auto [seeds, seed_count] = jsonl_rows("default_seeds", "instruction");
  auto [queries, query_count] = jsonl_rows("init_queries", "text");
  return {
      {"autoif.toml", std::string(prompts::builtin("init_config").value_or("")),
       "the run configuration (set llm.model to your server's model)"},
      {"seeds.jsonl", seeds, std::to_string(seed_count) + " seed instructions, {\"instruction\": ...} per line"},
      {"queries.jsonl", queries, std::to_string(query_count) + " sample user queries, {\"text\": ...} per line"},
  };
}

tl::expected<std::vector<std::string>, std::string> write_starter(const std::string& dir, bool force) {
  fs::path folder(dir);
  std::error_code ec;
  if (fs::exists(folder, ec) && !fs::is_directory(folder, ec))
    return tl::unexpected(dir + " exists and is not a folder");
  auto files = starter_files();
  if (!force) {
    std::string in_the_way;
    for (const auto& file : files)
      if (fs::exists(folder / file.name, ec)) in_the_way += (in_the_way.empty() ? "" : ", ") + (folder / file.name).string();
    if (!in_the_way.empty())
      return tl::unexpected("not overwriting " + in_the_way + " (pass --force to replace them, or choose another folder)");
  }
  fs::create_directories(folder, ec);
  if (ec) return tl::unexpected(dir + ": cannot create the folder: " + ec.message());
  std::vector<std::string> written;
  for (const auto& file : files) {
    auto done = write_file(folder / file.name, file.contents);
    if (!done) return tl::unexpected(done.error());
    written.push_back((folder / file.name).string());
  }
  return written;
}

}  // namespace autoif::config
