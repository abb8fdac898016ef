// The run configuration: every setting of the pipeline with its default (AUTOIF.md's numbers),
// loaded from TOML (see loader.h) and overridable key by key with `--set key=value`.
//
// Paths in the file are relative to the file's folder; the loader resolves them to absolute
// paths. Model roles: [llm] holds the defaults every role inherits; [llm.supervisor] and
// [llm.policy] override any of them. The policy role exists only when [llm.policy] is present
// (or responses.source = "policy").
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/core/crossval.h"
#include "pipeline/llm/config.h"

namespace autoif::config {

struct RunSettings {
  std::string db = "autoif.db";  // the run's SQLite file
  std::string out_dir = "out";   // where `autoif run` writes its exports
  std::int64_t seed = 0;         // query sampling and any other seeded choice
};

struct SandboxSettings {
  std::size_t workers = 0;  // 0: one per CPU
  std::int64_t timeout_ms = 1000;
  std::int64_t memory_mb = 256;
  std::vector<std::string> extra_modules;  // e.g. ["nltk", "langdetect"]
};

struct SeedSettings {
  std::string file;  // JSONL or plain text, one instruction per line; empty: built-in seeds
};

struct AugmentSettings {
  std::size_t rounds = 100;            // K rewrite rounds (paper)
  std::size_t examples_per_round = 8;  // seed instructions shown in each round
  std::size_t per_round = 10;          // new instructions asked for in each round
  double near_duplicate = 0.7;         // word-bigram Jaccard at or above which texts are duplicates
  std::size_t min_chars = 15;
  std::size_t max_chars = 300;
};

struct VerifierSettings {
  std::size_t samples = 8;  // K answers (function + cases) per instruction
};

struct BackTranslationSettings {
  std::size_t functions = 3;  // kept functions back-translated per instruction
  std::string nli = "llm";    // "llm": the supervisor judges; "http": a classifier at nli_url
  std::string nli_url;        // POST {"premise","hypothesis"} -> {"label"}
};

struct QuerySettings {
  std::string file;            // JSONL query pool (required for stage 6)
  std::string field = "text";  // the field holding the query text (also "query", "prompt"...)
  std::size_t min_chars = 20;
  std::size_t max_chars = 300;
  std::size_t per_instruction = 16;
  std::string template_text = "{query}\n\n{instruction}";  // key: queries.template
};

struct ResponseSettings {
  std::size_t samples = 8;               // K responses per input (paper)
  std::string source = "supervisor";     // or "policy" (online DPO)
};

struct VerifySettings {
  double min_pass_rate = 0.5;  // a response is kept when its pass rate is MORE than this
};

struct ScoreSettings {
  double min_score = 8.0;  // kept at this score or above
};

struct SelectSettings {
  double chosen_pass_rate = 0.5;    // query-level chosen: pass rate at least this
  double rejected_pass_rate = 0.0;  // rejected: pass rate at most this
  std::size_t max_pairs_per_prompt = 4;
  bool instruction_pairs = true;    // also emit instruction-level pairs from test cases
  bool drop_truncated = true;       // never train on answers cut by max_tokens
};

struct Config {
  std::string source_path;  // the TOML file this came from ("" when built in code)
  RunSettings run;
  llm::ModelConfig supervisor;
  std::optional<llm::ModelConfig> policy;
  SandboxSettings sandbox;
  SeedSettings seeds;
  AugmentSettings augment;
  VerifierSettings verifiers;
  core::CrossvalOptions crossval;
  BackTranslationSettings back_translation;
  QuerySettings queries;
  ResponseSettings responses;
  VerifySettings verify;
  ScoreSettings score;
  SelectSettings select;
  std::map<std::string, std::string> prompts;  // prompt name -> file overriding the built-in text
};

}  // namespace autoif::config
