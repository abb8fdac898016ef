// Decontamination (the paper's check): a training row is dropped when it shares any sequence
// of 13 consecutive words with a benchmark prompt, so a model is never trained on text it
// will be evaluated on.
//
// Words: the text is lowercased (ASCII, Latin-1, Greek and Cyrillic capitals), punctuation is
// deleted (ASCII punctuation and the common Unicode quotes, dashes, ellipses, guillemets,
// inverted marks and CJK/full-width punctuation), and what remains is split at whitespace
// (ASCII and Unicode spaces). So "Don't -- STOP!" is the two words "dont stop".
//
// Contract: load() reads a JSONL file whose lines are JSON strings or objects with a string
// "prompt" (IFEval's rows); blank lines are skipped; anything else is an error naming the file
// and line, as is a file that cannot be read or holds no prompt. N-grams are kept as 64-bit
// hashes (a false match needs a hash collision: about one in 10^14 per check for a benchmark
// the size of IFEval). Prompts shorter than n words cannot match anything; they are counted.
// Queries are const and may run from several threads.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace autoif::exports {

std::vector<std::string> normalized_words(std::string_view text);

class NgramIndex {
 public:
  explicit NgramIndex(std::size_t n = 13) : n_(n) {}
  static tl::expected<NgramIndex, std::string> load(const std::string& path, std::size_t n = 13);

  void add(std::string_view prompt);
  bool shares_ngram(std::string_view text) const;

  std::size_t n() const { return n_; }
  std::size_t prompts() const { return prompts_; }
  std::size_t short_prompts() const { return short_prompts_; }  // fewer than n words

 private:
  std::size_t n_;
  std::size_t prompts_ = 0, short_prompts_ = 0;
  std::unordered_set<std::uint64_t> hashes_;
};

}  // namespace autoif::exports
