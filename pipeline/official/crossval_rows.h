// `autoif crossval`: cross-validation of rows in the released AutoIF scripts' format.
//
// Input row:  {"instruction": str, "gpt-answer": [raw model answer, ...], ...other fields}
// Output row, one per SURVIVING instruction, with the input's key order and other fields
// kept and "gpt-answer" replaced in place by
//   "eval_func": [[source, accuracy], ...]  kept functions, first-seen order
//   "cases":     [[input, expected_bool], ...] kept cases, first-seen order
//
// Per row: every answer is read with parse::parse_verifier_answer (its source repairs are
// decided by compiling in the sandbox); an answer that yields no function is "unparsable";
// an answer with a function but no usable case still contributes its function (and cases
// count whether or not their answer's function compiles). Functions are merged by source
// after trimming, cases by (input, expected). Every compiled function runs on every case (one
// sandbox job per distinct source, all cases as its inputs; that job is also its compile
// check) and core::cross_validate makes the decision.
//
// Contract: crossval_row is safe to call from several threads at once on one Pool; it never
// throws for anything a model wrote. read_crossval_row only checks shapes.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/core/crossval.h"
#include "pipeline/official/row_stream.h"
#include "sandbox/pool.h"

namespace autoif::official {

struct CrossvalSettings {
  core::CrossvalOptions decision;
  sandbox::Limits limits;
};

struct CrossvalInputRow {
  Row row;                           // the whole input row, passed through
  std::vector<std::string> answers;  // "gpt-answer"
};

// Checks that `row` is an object with a string "instruction" and a list of strings
// "gpt-answer"; the error names the field and what it held instead.
tl::expected<CrossvalInputRow, std::string> read_crossval_row(Row row);

struct CrossvalCounts {
  std::size_t rows = 0;                    // rows cross-validated
  std::size_t rows_kept = 0;               // rows that survived
  std::size_t answers = 0;
  std::size_t answers_unparsable = 0;      // no function could be read from the answer
  std::size_t unreadable_cases = 0;        // cases dropped while reading (bad input/output)
  std::size_t functions = 0;               // distinct functions
  std::size_t functions_not_compiled = 0;
  std::size_t functions_kept = 0;          // in surviving rows
  std::size_t cases = 0;                   // distinct cases
  std::size_t cases_dropped = 0;           // distinct cases the functions did not agree on
  std::size_t cases_kept = 0;              // in surviving rows

  CrossvalCounts& operator+=(const CrossvalCounts& other);
};

struct CrossvalRowResult {
  std::optional<Row> row;  // set iff the instruction survives
  CrossvalCounts counts;
};

CrossvalRowResult crossval_row(sandbox::Pool& pool, const CrossvalInputRow& input,
                               const CrossvalSettings& settings);

struct CrossvalFileSummary {
  StreamCounts stream;
  CrossvalCounts counts;
};

// The whole command: streams `in_path` to `out_path` (see row_stream.h for bad rows).
tl::expected<CrossvalFileSummary, std::string> crossval_file(sandbox::Pool& pool,
                                                             const std::string& in_path,
                                                             const std::string& out_path,
                                                             const CrossvalSettings& settings,
                                                             const StreamOptions& stream);

}  // namespace autoif::official
