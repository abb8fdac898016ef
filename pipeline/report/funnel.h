// The funnel: how many items entered and left each stage of a run, and why the others were
// dropped. A pure function of counts read from the database (storage/status_queries.h), so
// the arithmetic is tested without one.
//
// Contract
// - One StageFlow per stage, in pipeline order: instructions, verifiers, back_translation,
//   queries, responses, verification, scoring, select. For each, in = out + pending + the sum
//   of dropped (units may differ between in and out: queries turn instructions into inputs,
//   responses turn inputs into responses, select turns inputs into pairs; there the identity
//   is not claimed and dropped is empty).
// - drops lists every reason the pipeline knows, zeros included, in pipeline order, each in
//   the unit of what it drops (instructions, verifier answers, functions, responses, scores);
//   a drop reason stored in the database that this version does not know is listed after them
//   under stage "verifiers" (the stage that sets instruction drop reasons).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/status_queries.h"

namespace autoif::report {

struct StageFlow {
  std::string stage, in_unit, out_unit;
  std::int64_t in = 0, out = 0, pending = 0;
  std::vector<storage::KeyCount> dropped;  // reason -> count, pipeline order
  std::vector<storage::KeyCount> details;  // further counts of the stage's own items
};

struct DropReason {
  std::string stage, reason, unit;
  std::int64_t count = 0;
};

struct FunnelCounts {
  std::vector<storage::InstructionGroup> instructions;
  std::vector<storage::KeyCount> verifier_answers;  // by parse status
  storage::FunctionCounts functions;
  storage::InputCounts inputs;
  std::vector<storage::KeyCount> response_fates;  // kResponseFates
  std::int64_t truncated = 0;                     // responses cut by max_tokens, dropped or not
  std::vector<storage::KeyCount> scores;          // by parse status
  std::vector<storage::KeyCount> pairs;           // by kind
};

struct Funnel {
  std::vector<StageFlow> stages;
  std::vector<DropReason> drops;
};

Funnel build_funnel(const FunnelCounts& counts);

}  // namespace autoif::report
