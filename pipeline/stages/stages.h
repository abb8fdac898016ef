// The pipeline's stages, one file each, in run order. Some stages hand each finished item
// straight to the next one (a verifier answer set to cross-validation, a response set to
// verification and scoring) so the sandbox works while further requests are in flight; they
// are still run, resumed and invalidated as units:
//   instructions      seeds.cpp + augment.cpp         stages 1-2
//   verifiers         verifiers.cpp + crossval.cpp    stages 3-4
//   back_translation  back_translation.cpp            stage 5
//   queries           queries.cpp                     stage 6
//   responses         responses.cpp + verification.cpp + scoring.cpp   stages 7-9
//   select            selection.cpp                   stage 10
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pipeline/run/context.h"

namespace autoif::stages {

std::span<const run::Stage> all();
// The unit a stage name (any of the ten, or a unit name) belongs to; nullopt if unknown.
std::optional<std::string> unit_of(std::string_view name);

// seeds.cpp: the seed instructions, from seeds.file (JSONL {"instruction": ...} or one per line)
// or the built-in set. Errors name the file and line.
std::vector<std::string> load_seeds(const config::Config& config);

// crossval.cpp: cross-validates one instruction's parsed verifier answers in the sandbox and
// stores functions, cases, results and the instruction's new status in one transaction.
struct VerifierSample {
  std::int64_t sample_index = 0;
  std::string call_key;
  std::string parse_status;
  std::string func;                          // empty when unparsable
  std::vector<std::pair<std::string, bool>> cases;
};
void cross_validate_instruction(run::RunContext& ctx, std::int64_t instruction,
                                std::vector<VerifierSample> samples, std::function<void()> done);

// verification.cpp: runs the instruction's kept functions on a set of responses and stores
// responses, verdicts and pass rates in one transaction; `done` gets the stored response ids
// with their pass rates.
struct NewResponse {
  std::int64_t sample_index = 0;
  std::string call_key;
  std::string text;
  std::string finish_reason;
};
void verify_responses(run::RunContext& ctx, std::int64_t input, std::int64_t instruction, const std::string& source,
                      std::vector<NewResponse> responses, std::function<void()> done);

// scoring.cpp: asks for and stores the quality score of each response in `work`.
void score_responses(run::RunContext& ctx, std::vector<storage::ScoreWork> work, std::function<void()> done);

// Walks the inputs a stage works on (PipelineStore::inputs_page) a page at a time, so a run
// with millions of inputs never holds them all.
class InputWalk {
 public:
  InputWalk(storage::PipelineStore& store, std::string source, bool with_responses, std::size_t page = 256)
      : store_(store), source_(std::move(source)), with_responses_(with_responses), page_size_(page) {}
  std::optional<storage::InputRow> next();

 private:
  storage::PipelineStore& store_;
  std::string source_;
  bool with_responses_;
  std::size_t page_size_;
  std::vector<storage::InputRow> page_;
  std::size_t at_ = 0;
  std::optional<storage::InputCursor> after_;
  bool exhausted_ = false;
};

// Shared helpers.
std::uint64_t stable_hash(std::string_view text, std::uint64_t seed = 0);
std::vector<llm::Message> user_message(std::string text);
// A digest of a prompt's current wording, for fingerprints: rewording a prompt changes the
// requests, so the stored work of the stage that sends it no longer matches the settings.
std::string prompt_digest(const config::Config& config, std::string_view name);
// printf into a std::string, for log lines.
std::string format(const char* format, ...) __attribute__((format(printf, 1, 2)));
// Runs the event loop until the stage's work is done; a stop (fatal model error, signal) is
// rethrown as an error carrying its reason.
void drive(run::RunContext& ctx);

}  // namespace autoif::stages
