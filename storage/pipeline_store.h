// PipelineStore: every statement the pipeline stages and exports run against the entity
// tables of a run (instructions, functions, cases, back-translations, queries, inputs,
// responses, verdicts, scores, pairs, stage state). The stages never write SQL themselves.
//
// Contract
// - Writes are idempotent where the schema has a natural key (INSERT OR IGNORE; the id of the
//   existing row is returned), so redoing an item after a kill adds nothing twice.
// - Group the writes of one item in a Transaction (storage/transaction.h): either all of an
//   item's rows exist or none do.
// - Lists come back in a deterministic order built from content (texts, query lines, sample
//   indexes), never from row ids, so exports do not depend on the order work finished in.
// - Errors are fatal to a run: they throw StoreFailure, whose message is the StorageError's
//   (naming the file and the statement); nothing committed before is lost.
// - One thread, like its Database.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/database.h"

namespace autoif::storage {

struct StoreFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct InstructionRow {
  std::int64_t id = 0;
  std::string text;
};
struct FunctionRow {
  std::int64_t id = 0;
  std::string source;
  double accuracy = 0;
};
struct CaseRow {
  std::int64_t id = 0;
  std::string input;
  bool expected = false;
};
// Where an input stands in the content order of inputs (instruction text, then query line).
struct InputCursor {
  std::string instruction_text;
  std::int64_t pool_line = 0;
};
struct InputRow {
  std::int64_t id = 0;
  std::int64_t instruction_id = 0;
  std::string prompt;
  InputCursor position;
};
struct ResponseRow {
  std::int64_t id = 0;
  std::int64_t sample_index = 0;
  std::string text;
  double pass_rate = 0;
  bool truncated = false;
  std::optional<double> score;
};
struct ScoreWork {
  std::int64_t response_id = 0;
  std::string instruction;
  std::string query;
  std::string response;
};
struct PairRow {
  std::string kind;
  std::int64_t instruction_id = 0;
  std::optional<std::int64_t> input_id;
  std::string prompt, chosen, rejected;
  double chosen_pass = 0, rejected_pass = 0;
};
struct SftRow {
  std::string prompt, response;
};

// How many items entered and left each stage, and why items were dropped.
struct Funnel {
  std::int64_t seeds = 0, augmented = 0, near_duplicates = 0;
  std::int64_t no_verifier = 0, failed_crossval = 0, passed_crossval = 0;
  std::int64_t contradictions = 0, kept_instructions = 0;
  std::int64_t functions = 0, compiled_functions = 0, kept_functions = 0, cases = 0, kept_cases = 0;
  std::int64_t inputs = 0, responses = 0, passing_responses = 0, scored = 0, sft_rows = 0;
  std::int64_t query_pairs = 0, instruction_pairs = 0;
};

class PipelineStore {
 public:
  explicit PipelineStore(Database& db) : db_(db) {}

  Database& db() { return db_; }

  // instructions
  std::int64_t add_instruction(const std::string& text, const std::string& norm, const std::string& origin,
                               const std::optional<std::string>& call_key, const std::string& status,
                               const std::optional<std::string>& drop_reason = std::nullopt);
  std::vector<InstructionRow> instructions(const std::string& status);
  void set_status(std::int64_t instruction, const std::string& status,
                  const std::optional<std::string>& drop_reason = std::nullopt);

  // verification functions and test cases
  std::int64_t add_function_sample(std::int64_t instruction, std::int64_t sample_index,
                                   const std::string& call_key, const std::string& parse_status);
  std::int64_t add_function(std::int64_t instruction, std::optional<std::int64_t> sample, const std::string& source,
                            bool compiled, const std::string& compile_message, std::optional<double> accuracy,
                            bool kept);
  std::int64_t add_case(std::int64_t instruction, const std::string& input, bool expected, bool kept);
  void add_case_result(std::int64_t function, std::int64_t case_id, const std::string& status,
                       std::optional<bool> result);
  std::vector<FunctionRow> kept_functions(std::int64_t instruction);  // best accuracy first
  std::vector<CaseRow> kept_cases(std::int64_t instruction);
  // Per kept case: how many kept functions returned True on it.
  std::map<std::int64_t, std::int64_t> case_passes(std::int64_t instruction);

  // back-translation
  void add_back_translation(std::int64_t instruction, std::int64_t function, const std::string& call_key,
                            const std::string& text, const std::string& label,
                            const std::optional<std::string>& nli_call_key);

  // queries and inputs
  std::vector<InstructionRow> kept_without_inputs();
  std::int64_t add_query(std::int64_t pool_line, const std::string& text);
  void add_input(std::int64_t instruction, std::int64_t query, const std::string& prompt);
  std::vector<InputRow> inputs_without_responses(const std::string& source);
  // A page of the inputs of kept instructions without responses from `source` (or, with
  // `with_responses`, the inputs of any instruction that have them), in content order, after
  // `after` (nullopt: from the start): long lists are walked a page at a time, never loaded.
  std::vector<InputRow> inputs_page(const std::string& source, bool with_responses,
                                    const std::optional<InputCursor>& after, std::size_t limit);
  std::int64_t count_inputs(const std::string& source, bool with_responses);

  // responses, verdicts, scores
  std::int64_t add_response(std::int64_t input, const std::string& source, std::int64_t sample_index,
                            const std::string& call_key, const std::string& text,
                            const std::string& finish_reason, double pass_rate);
  void add_response_verdict(std::int64_t response, std::int64_t function, const std::string& status,
                            std::optional<bool> result);
  std::vector<ScoreWork> responses_to_score(const std::string& source, double min_pass_rate, bool skip_truncated);
  std::vector<ScoreWork> responses_to_score_for(std::int64_t input, const std::string& source, double min_pass_rate,
                                                bool skip_truncated);
  void add_score(std::int64_t response, const std::string& call_key, std::optional<double> score,
                 const std::string& parse_status);

  // selection and export
  std::vector<InputRow> inputs_with_responses(const std::string& source);
  std::vector<ResponseRow> responses(std::int64_t input, const std::string& source);
  void clear_pairs();
  void add_pair(const PairRow& pair);
  void for_each_sft(const std::string& source, double min_pass_rate, double min_score, bool skip_truncated,
                    const std::function<void(const SftRow&)>& row);
  void for_each_pair(const std::function<void(const PairRow&)>& row);

  // stage bookkeeping
  std::optional<std::string> stage_fingerprint(const std::string& stage);
  bool stage_done(const std::string& stage);
  void set_stage(const std::string& stage, const std::string& fingerprint, bool done);
  // Deletes what `stages` produced (and their stage_state rows), for --allow-recompute.
  void reset_stages(const std::vector<std::string>& stages);

  Funnel funnel(const std::string& source, double min_pass_rate, double min_score);

 private:
  // one number: a SELECT that returns a single integer
  std::int64_t count(const std::string& sql);
  Statement& statement(const std::string& sql);
  std::int64_t returning_id(Statement& insert);
  std::vector<ScoreWork> score_work(std::optional<std::int64_t> input, const std::string& source,
                                    double min_pass_rate, bool skip_truncated);
  Database& db_;
  std::map<std::string, Statement> cache_;
};

}  // namespace autoif::storage
