// Deterministic train/test splits: a row goes to the split picked by a hash of its prompt, so
// the same prompt always lands in the same split (never in two), whatever else the database
// holds, on every machine and every run.
//
// Contract: pure functions, no I/O. parse_split reads "NAME:FRACTION,NAME:FRACTION,..." and
// refuses (with a message naming the bad part) empty or repeated names, names other than
// letters, digits, '-' and '_', fractions outside (0, 1], and fractions whose sum differs
// from 1 by more than 1e-9.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace autoif::exports {

struct SplitPart {
  std::string name;
  double fraction = 0;
};

tl::expected<std::vector<SplitPart>, std::string> parse_split(std::string_view spec);

// FNV-1a 64 of the bytes with a final avalanche step, so nearby prompts spread evenly.
std::uint64_t stable_hash(std::string_view bytes);

// The index of the split `prompt` belongs to: the first part whose cumulative fraction is
// above the prompt's hash mapped to [0, 1). `parts` must not be empty.
std::size_t split_of(std::string_view prompt, const std::vector<SplitPart>& parts);

// "dir/sft.jsonl" + "train" -> "dir/sft.train.jsonl"; without an extension, "dir/sft.train".
std::string split_path(const std::string& out, const std::string& name);

}  // namespace autoif::exports
