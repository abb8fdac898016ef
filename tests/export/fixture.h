// A real run database for the export tests, built through storage::PipelineStore with content
// that exercises every filter (see fixture.cpp for the table of what each row is for), plus
// small helpers: a temporary folder, reading JSONL back, and capturing stderr.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/export/export.h"
#include "storage/database.h"
#include "tests/support/temp_dir.h"

namespace autoif::testing {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

struct TempDir : test_support::TempDir {
  TempDir() : test_support::TempDir("autoif-export") {}
  // These tests build messages from paths: a string, not a path.
  std::string operator/(const std::string& name) const { return file(name); }
};

// The instructions, queries and texts of the fixture, for expectations.
namespace fixture {
inline const std::string kLower = "Answer in lowercase.";
inline const std::string kCommas = "Do not use commas.";
inline const std::string kSpanish = "Write in Spanish.";  // dropped after its inputs were made
inline const std::string kVowels = "Use no vowels.";      // kept, but no function survived
inline const std::string kCats = "Tell me about cats.";
inline const std::string kSea = "Describe the sea.";
// Shares the 13 words "write a 300 word summary of the wikipedia page about the ocean and"
// with the benchmark prompt in kBenchmark.
inline const std::string kOcean = "Please write a 300+ word summary of the Wikipedia page about the ocean, and be brief.";
inline const std::string kBenchmark =
    "{\"key\": 1, \"prompt\": \"Write a 300+ word summary of the wikipedia page about the ocean and its tides.\"}\n"
    "\"A plain JSON string is a benchmark prompt too, and this one is long enough to count.\"\n";
// A response long enough to share 13 words with a benchmark prompt.
inline const std::string kBigSea = "the sea is big and blue and deep and full of fish that swim all day long.";
inline std::string prompt(const std::string& query, const std::string& instruction) {
  return query + "\n\n" + instruction;
}
}  // namespace fixture

// Builds the fixture run at `path` (with the config snapshot a run stores, min_score 8).
void build_run(const std::string& path, double stored_min_score = 8.0);
// An autoif database with the schema but nothing produced yet.
void build_empty_run(const std::string& path);

storage::Database open_read(const std::string& path);

std::vector<json> read_rows(const std::string& path);
std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);
// Files in `dir` whose name starts with '.' (where temporary files would be).
std::vector<std::string> hidden_files(const fs::path& dir);

// The keys of a JSON object, in order.
std::vector<std::string> keys(const json& object);

// Runs `autoif export ARGS`; returns the exit status and what it wrote to stderr (a fatal
// error comes back as status 2 and the message, the way main() reports it).
struct CommandResult {
  int status = 0;
  std::string err;
};
CommandResult run_export_command(const std::vector<std::string>& args);

exports::ExportSummary export_or_fail(const std::string& db_path, exports::ExportRequest request);

}  // namespace autoif::testing
