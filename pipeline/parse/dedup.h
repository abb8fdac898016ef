// De-duplication of instructions (AUTOIF.md stage 2): exact duplicates after normalisation,
// and near duplicates by Jaccard similarity of shingle sets.
//
// Normalisation: ASCII lower case; every quote variant (' " ` ‘ ’ “ ” « » ...) becomes ";
// dashes become -, non-breaking spaces become spaces; whitespace runs collapse to one space;
// punctuation and spaces at both ends are stripped. Shingles: word n-grams over the words of
// the normalised text (punctuation separates words), or character n-grams of it; a text
// shorter than n yields one shingle, itself. Shingles are 64-bit FNV-1a hashes, so results do
// not depend on the platform or the standard library.
//
// Near duplicate: Jaccard(shingles(a), shingles(b)) >= threshold (exactly at the threshold
// counts). The index is exact, not sampled: an inverted index over each kept text's prefix
// shingles (in a global order that puts frequent shingles last, rebuilt each time the number of
// kept texts doubles, so the total cost of reordering stays linear) (prefix filtering for set-similarity joins, Bayardo et al. 2007), a length
// filter and a positional filter (PPJoin, Xiao et al. 2008) prune candidates, and every
// surviving candidate's Jaccard is computed in full. So the answer
// equals a brute-force scan while work grows far slower than n^2 for instruction-like texts.
//
// Contract: not thread-safe (check() uses scratch space). Ids are positions in the sequence of
// add() calls, counted from 0, whatever their verdicts; only texts judged new are kept and can
// be matched later. The constructor throws std::invalid_argument for n == 0 or a threshold that
// is not > 0 (a configuration error); a threshold above 1 turns near-duplicate search off.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace autoif::parse {

struct DedupOptions {
  enum class Shingle { words, chars };
  Shingle shingle = Shingle::words;
  std::size_t n = 2;        // words (or characters) per shingle
  double threshold = 0.7;   // Jaccard at or above which two texts are near duplicates
};

enum class DedupKind { new_text, exact, near, empty };
std::string_view to_string(DedupKind kind);

struct DedupVerdict {
  DedupKind kind = DedupKind::new_text;
  std::size_t of = 0;       // exact/near: id of the kept text it duplicates (the most similar;
                            // the earliest among equals)
  double similarity = 0.0;  // exact: 1; near: the Jaccard similarity; otherwise 0
};

std::string normalise_for_dedup(std::string_view text);
// Sorted, distinct shingle hashes of an already normalised text.
std::vector<std::uint64_t> shingles(std::string_view normalised, const DedupOptions& options);
// Jaccard similarity of two sorted distinct sets; 0 when both are empty.
double jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b);
// Convenience for tests and tuning: Jaccard of two raw texts under `options`.
double text_similarity(std::string_view a, std::string_view b, const DedupOptions& options = {});

class Deduplicator {
 public:
  explicit Deduplicator(DedupOptions options = {});

  // Judges `text` against every kept text and keeps it when it is new; consumes one id.
  DedupVerdict add(std::string_view text);
  // The verdict add() would give now, without keeping anything or consuming an id.
  DedupVerdict check(std::string_view text) const;

  std::size_t kept() const { return docs_.size(); }
  std::size_t next_id() const { return next_id_; }
  // Full Jaccard computations done so far: what the index saves against n^2 / 2.
  std::size_t comparisons() const { return comparisons_; }

 private:
  // A shingle in the global order that prefix filtering needs: rarer shingles first, so that
  // prefixes hold rare shingles and posting lists stay short. `rank` is the shingle's document
  // frequency when the order was last rebuilt (0 for shingles unseen then).
  struct Key {
    std::uint32_t rank;
    std::uint64_t hash;
    friend auto operator<=>(const Key&, const Key&) = default;
  };
  struct Doc {
    std::vector<Key> keys;  // sorted
    std::size_t id;
  };
  struct Posting {
    std::uint32_t slot;  // index into docs_
    std::uint32_t pos;   // where the shingle sits in that doc's keys
  };

  std::vector<Key> keys_of(const std::vector<std::uint64_t>& hashes) const;
  DedupVerdict judge(const std::string& normalised, const std::vector<Key>& a) const;
  std::size_t prefix_length(std::size_t size) const;
  void index_doc(std::uint32_t slot);
  void reorder();

  DedupOptions options_;
  std::size_t next_id_ = 0;
  std::vector<Doc> docs_;
  std::unordered_map<std::string, std::size_t> exact_;              // normalised -> id
  std::unordered_map<std::uint64_t, std::vector<Posting>> index_;  // prefix shingle -> docs
  std::unordered_map<std::uint64_t, std::uint32_t> df_;     // kept docs holding each shingle
  std::unordered_map<std::uint64_t, std::uint32_t> rank_;   // df_ as of the last reorder()
  std::size_t next_reorder_ = 256;  // reorder when this many texts are kept (then doubles)
  mutable std::vector<std::uint32_t> stamp_;  // per doc: last query that looked at it
  mutable std::uint32_t query_ = 0;
  mutable std::size_t comparisons_ = 0;
};

}  // namespace autoif::parse
