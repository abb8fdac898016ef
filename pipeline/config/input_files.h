// The run's input files as the stages read them, and a check of both before a run starts.
//
// The query pool (queries.file) is JSON Lines: one row per line, either an object whose
// queries.field holds the query text, or a JSON string. Rows without that field are not
// queries and are passed over; anything else (a line that is not JSON, an array, a number)
// is an error. The seed file (seeds.file) holds one instruction per line: plain text, a JSON
// string, or an object with a string "instruction"; blank lines and lines starting with '#'
// are skipped. Both are read as streams through LineReader (line_reader.h): never loaded
// whole, at most kMaxLineBytes per line, UTF-8 only.
//
// Why a preflight: the pool is read only when the queries stage runs, hours into a run. A
// pool that is empty, not JSONL, not UTF-8, has a huge line or has no usable query must stop
// `autoif run` in its first second, before any model request, with the same message the
// stage would give.
//
// Errors: one message naming FILE:LINE (or FILE), the config key, what is wrong and how to fix
// the file (the likely cause when there is one: a JSON array, pretty-printed JSON, a plain
// text file, gzip, UTF-16, Latin-1). Thread-safe: no shared state.
#pragma once

#include <tl/expected.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pipeline/config/config.h"

namespace autoif::config {

struct PoolSummary {
  std::int64_t rows = 0;        // non-blank lines
  std::int64_t with_field = 0;  // rows holding a string in queries.field (or string rows)
  std::int64_t eligible = 0;    // of those, the ones within min_chars .. max_chars
};

// Calls `eligible(line_number, text)` for every query of the pool that passes the length
// filter, in file order. Fails on the first bad line. A pool whose rows are all valid but
// hold no eligible query is NOT an error here (see check_input_files).
using QueryVisitor = std::function<void(std::int64_t line, std::string text)>;
tl::expected<PoolSummary, std::string> scan_query_pool(const QuerySettings& settings, const QueryVisitor& eligible);

// The seed instructions of seeds.file, or the built-in ones when it is "". Fails on the first
// bad line, and when the file holds no instruction.
tl::expected<std::vector<std::string>, std::string> read_seeds(const SeedSettings& settings);

// Reads both files through (seeds.file when set, queries.file when set) and reports every
// problem found, one line each: the errors above, an empty pool, a pool where no row has the
// configured field (naming the fields the first row has), and a pool with no query of the
// allowed length (naming the shortest and longest found).
tl::expected<void, std::string> check_input_files(const Config& config);

}  // namespace autoif::config
