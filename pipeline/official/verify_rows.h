// `autoif verify`: verification of responses in the released AutoIF scripts' format.
//
// Input row:  {"eval_func": [[source, score], ...], "gpt-answer": [response, ...], ...}
//             (an eval_func entry may also be a bare source string)
// Output row: the same row, key order kept, with "gpt-answer" replaced in place by
//             "response": [[text, pass_rate], ...] in the same order as the responses.
//
// Every function runs on every response (one sandbox job per distinct source, all responses
// as its inputs). pass_rate = functions that returned True / functions listed; an error, a
// timeout, a non-bool or a source that does not compile counts as not passing. A row with no
// function gives every response a pass rate of 0 (nothing vouches for it).
//
// Contract: verify_row is safe to call from several threads at once on one Pool and never
// throws for anything a model wrote. read_verify_row only checks shapes.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "pipeline/official/row_stream.h"
#include "sandbox/pool.h"

namespace autoif::official {

struct VerifyInputRow {
  Row row;                              // the whole input row, passed through
  std::vector<std::string> functions;   // sources from "eval_func", in order (repeats kept)
  std::vector<std::string> responses;   // "gpt-answer"
};

tl::expected<VerifyInputRow, std::string> read_verify_row(Row row);

struct VerifyCounts {
  std::size_t rows = 0;
  std::size_t rows_without_functions = 0;
  std::size_t responses = 0;
  std::size_t responses_passing = 0;         // pass rate above 0.5
  std::size_t functions = 0;                 // listed, over all rows
  std::size_t functions_not_compiled = 0;
  std::size_t evaluations = 0;               // sandbox evaluations run
  std::size_t evaluation_errors = 0;         // verdicts other than ok (error, timeout, ...)

  VerifyCounts& operator+=(const VerifyCounts& other);
};

struct VerifyRowResult {
  Row row;
  std::vector<double> pass_rates;  // per response, as written into the row
  VerifyCounts counts;
};

VerifyRowResult verify_row(sandbox::Pool& pool, const VerifyInputRow& input,
                           const sandbox::Limits& limits);

struct VerifyFileSummary {
  StreamCounts stream;
  VerifyCounts counts;
};

tl::expected<VerifyFileSummary, std::string> verify_file(sandbox::Pool& pool,
                                                         const std::string& in_path,
                                                         const std::string& out_path,
                                                         const sandbox::Limits& limits,
                                                         const StreamOptions& stream);

}  // namespace autoif::official
