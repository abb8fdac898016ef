// ExportQueries: every statement `autoif export` runs against a run's database. They only
// read, so they work on a read-only connection while a run goes on (WAL).
//
// Why a separate class: exports stream whole tables in content order and decide row by row
// which filter drops what (so they can say so), which the pipeline stages never need; and
// storage owns every SQL statement (ARCHITECTURE.md).
//
// Contract
// - Every for_each_* steps its statement one row at a time and hands each row to `row`;
//   nothing is collected. `row` returns true to go on, false to stop early (the statement
//   is reset either way, also when `row` throws, so no read lock is left behind).
// - Rows come in the store's content order (instruction text, query pool line, sample index;
//   pairs: query-level first), never row-id order, so the same database gives the same rows
//   in the same order whatever order the run finished its work in.
// - Filtering is the caller's: rows carry what the filters need (pass rate, score, truncation,
//   whether the instruction is still kept), so the caller can count each drop by its reason.
// - snapshot() opens a deferred read transaction: everything read while it lives sees one
//   committed state, even while a run commits. Dropping it ends the read.
// - Errors come back as StorageError (naming the file and the statement); nothing throws
//   except what `row` throws, which propagates unchanged.
// - Holds a reference to the Database (the caller keeps it alive); one thread, like it.
#pragma once

#include <tl/expected.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"
#include "storage/error.h"
#include "storage/transaction.h"

namespace autoif::storage {

// One response of the export's source, with its input and instruction.
struct ExportResponse {
  std::int64_t instruction_id = 0;
  bool instruction_kept = false;
  std::string prompt;  // the model input (query and instruction joined by the template)
  std::string text;
  std::optional<double> pass_rate;  // NULL until verified
  bool truncated = false;           // finish_reason 'length'
  std::optional<double> score;      // NULL when unscored or unparsable
};

// One stored DPO pair (see the select stage).
struct ExportPair {
  std::string kind;  // "query" or "instruction"
  bool instruction_kept = false;
  std::string prompt, chosen, rejected;
  double chosen_pass = 0, rejected_pass = 0;
  std::optional<double> chosen_score;  // best score of the chosen text among the input's responses
};

// One model input (instruction x query).
struct ExportInput {
  std::int64_t instruction_id = 0;
  std::string instruction;
  std::string prompt;
};

struct ExportInstruction {
  std::int64_t id = 0;
  std::string text;
};

struct ExportFunction {
  std::string source;
  double accuracy = 0;
};

struct ExportCase {
  std::string input;
  bool expected = false;
};

// How far a run got, for the note on an empty export.
struct ExportProgress {
  std::int64_t kept_instructions = 0;
  std::int64_t inputs = 0;
  std::int64_t responses = 0;  // of the source
  std::int64_t verified = 0;   // responses with a pass rate
  std::int64_t scored = 0;     // responses with a score
  std::int64_t pairs = 0;
  std::map<std::string, bool> stages;  // stage name -> done, for the stages that started
};

class ExportQueries {
 public:
  explicit ExportQueries(Database& db) : db_(db) {}

  tl::expected<Transaction, StorageError> snapshot();

  // Every response from `source`, with its score when it has one.
  tl::expected<void, StorageError> for_each_response(const std::string& source,
                                                     const std::function<bool(const ExportResponse&)>& row);
  // Every stored pair; `source` picks the responses the chosen score is looked up in.
  tl::expected<void, StorageError> for_each_pair(const std::string& source,
                                                 const std::function<bool(const ExportPair&)>& row);
  // Every input of a kept instruction.
  tl::expected<void, StorageError> for_each_input(const std::function<bool(const ExportInput&)>& row);
  // Every kept instruction, by text.
  tl::expected<void, StorageError> for_each_kept_instruction(
      const std::function<bool(const ExportInstruction&)>& row);

  // An instruction's kept functions (best accuracy first, then source) and kept cases
  // (by input, then expected value). Small lists: a few per instruction.
  tl::expected<std::vector<ExportFunction>, StorageError> kept_functions(std::int64_t instruction);
  tl::expected<std::vector<ExportCase>, StorageError> kept_cases(std::int64_t instruction);

  tl::expected<ExportProgress, StorageError> progress(const std::string& source);

 private:
  Database& db_;
  Statement functions_, cases_;  // prepared on first use: they run once per instruction
};

}  // namespace autoif::storage
