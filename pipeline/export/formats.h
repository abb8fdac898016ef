// The export formats: their names, what each is made from, and the JSON of one row. Field
// names are exactly the ones the trainers document (TRL's dataset formats, LLaMA-Factory's
// data/README.md, open-instruct's RLVR rows); FORMATS.md shows one real row of each.
//
// Contract: pure functions, no I/O. A row is an ordered JSON object whose keys come in the
// order documented in FORMATS.md; line() dumps it on one line (UTF-8 kept as is, invalid
// UTF-8 replaced by U+FFFD so a model's stray bytes never make a line unparsable), followed
// by '\n'. The same inputs always give the same bytes.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/export_queries.h"

namespace autoif::exports {

enum class Format { trl_sft, trl_dpo, trl_kto, alpaca_sft, alpaca_dpo, sharegpt_sft, sharegpt_dpo, rlvr, verifiers };

// What a format's rows are made from.
enum class Source {
  responses,     // one row per response (SFT; KTO)
  pairs,         // one row per stored DPO pair
  inputs,        // one row per model input (instruction x query) of a kept instruction
  instructions,  // one row per kept instruction
};

std::optional<Format> parse_format(std::string_view name);
std::string_view format_name(Format format);
std::string format_names();  // "trl-sft, trl-dpo, ..." for usage and error messages
Source source_of(Format format);
bool is_llamafactory(Format format);  // alpaca-* and sharegpt-*: has a dataset_info.json entry

using Row = nlohmann::ordered_json;

// SFT formats: the model input and one response.
Row sft_row(Format format, const std::string& prompt, const std::string& response);
// DPO formats.
Row pair_row(Format format, const std::string& prompt, const std::string& chosen, const std::string& rejected);
// trl-kto.
Row kto_row(const std::string& prompt, const std::string& completion, bool label);
// rlvr: the ground truth is a JSON text (see FORMATS.md for why a string, and its fields).
Row rlvr_row(const std::string& prompt, const std::string& instruction,
             const std::vector<storage::ExportFunction>& functions, double min_pass_rate);
// verifiers: the shape `autoif crossval` writes (the released scripts' cross-validation output).
Row verifiers_row(const std::string& instruction, const std::vector<storage::ExportFunction>& functions,
                  const std::vector<storage::ExportCase>& cases);

std::string line(const Row& row);

}  // namespace autoif::exports
