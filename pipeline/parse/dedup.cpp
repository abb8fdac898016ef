#include "pipeline/parse/dedup.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "pipeline/parse/text.h"

namespace autoif::parse {
namespace {

constexpr double kEps = 1e-9;  // keeps "exactly at the threshold" exact under rounding

struct Replacement {
  std::string_view from;
  char to;
};
constexpr std::array<Replacement, 21> kReplacements = {{
    {"“", '"'}, {"”", '"'}, {"„", '"'}, {"‟", '"'}, {"‘", '"'}, {"’", '"'}, {"‚", '"'},
    {"‛", '"'}, {"′", '"'}, {"″", '"'}, {"«", '"'}, {"»", '"'}, {"‐", '-'}, {"‑", '-'},
    {"‒", '-'}, {"–", '-'}, {"—", '-'}, {"−", '-'}, {"\u00a0", ' '}, {"\u202f", ' '},
    {"\u2009", ' '},
}};

bool is_ascii_punct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

class Fnv {
 public:
  void add(std::string_view s) {
    for (char c : s) add(c);
  }
  void add(char c) {
    h_ ^= static_cast<unsigned char>(c);
    h_ *= 1099511628211ULL;
  }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 14695981039346656037ULL;
};

template <typename T>
std::size_t overlap(const std::vector<T>& a, const std::vector<T>& b) {
  std::size_t i = 0, j = 0, o = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) ++i;
    else if (b[j] < a[i]) ++j;
    else ++o, ++i, ++j;
  }
  return o;
}

}  // namespace

std::string_view to_string(DedupKind kind) {
  switch (kind) {
    case DedupKind::new_text: return "new";
    case DedupKind::exact: return "exact";
    case DedupKind::near: return "near";
    case DedupKind::empty: return "empty";
  }
  return "unknown";
}

std::string normalise_for_dedup(std::string_view text) {
  std::string unified;
  unified.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      bool replaced = false;
      for (const Replacement& r : kReplacements)
        if (text.compare(i, r.from.size(), r.from) == 0) {
          unified += r.to;
          i += r.from.size();
          replaced = true;
          break;
        }
      if (replaced) continue;
      unified += c;
    } else if (c == '\'' || c == '`') {
      unified += '"';
    } else if (c >= 'A' && c <= 'Z') {
      unified += static_cast<char>(c - 'A' + 'a');
    } else {
      unified += c;
    }
    ++i;
  }
  std::string out;
  out.reserve(unified.size());
  bool space = false;
  for (char c : unified) {
    if (is_ascii_space(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  std::size_t b = 0, e = out.size();
  while (b < e && (is_ascii_punct(out[b]) || out[b] == ' ')) ++b;
  while (e > b && (is_ascii_punct(out[e - 1]) || out[e - 1] == ' ')) --e;
  return out.substr(b, e - b);
}

std::vector<std::uint64_t> shingles(std::string_view text, const DedupOptions& options) {
  std::vector<std::uint64_t> out;
  const std::size_t n = std::max<std::size_t>(options.n, 1);
  if (options.shingle == DedupOptions::Shingle::chars) {
    if (text.empty()) return out;
    if (text.size() <= n) {
      Fnv h;
      h.add(text);
      out.push_back(h.value());
    } else {
      for (std::size_t i = 0; i + n <= text.size(); ++i) {
        Fnv h;
        h.add(text.substr(i, n));
        out.push_back(h.value());
      }
    }
  } else {
    std::vector<std::string_view> words;
    for (std::size_t i = 0; i < text.size();) {
      if (!is_word_byte(text[i])) {
        ++i;
        continue;
      }
      std::size_t e = i;
      while (e < text.size() && is_word_byte(text[e])) ++e;
      words.push_back(text.substr(i, e - i));
      i = e;
    }
    if (words.empty()) return out;
    const std::size_t width = std::min(n, words.size());
    for (std::size_t i = 0; i + width <= words.size(); ++i) {
      Fnv h;
      for (std::size_t k = 0; k < width; ++k) {
        if (k) h.add(' ');
        h.add(words[i + k]);
      }
      out.push_back(h.value());
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  if (a.empty() && b.empty()) return 0.0;
  const std::size_t o = overlap(a, b);
  return static_cast<double>(o) / static_cast<double>(a.size() + b.size() - o);
}

double text_similarity(std::string_view a, std::string_view b, const DedupOptions& options) {
  return jaccard(shingles(normalise_for_dedup(a), options), shingles(normalise_for_dedup(b), options));
}

Deduplicator::Deduplicator(DedupOptions options) : options_(options) {
  if (options_.n == 0) throw std::invalid_argument("dedup: shingle size n must be at least 1");
  if (!(options_.threshold > 0.0))
    throw std::invalid_argument("dedup: threshold must be greater than 0 (above 1 disables near duplicates)");
}

// Prefix filtering: if J(A,B) >= t then |A ∩ B| >= ceil(t * |A|), and the first
// |A| - ceil(t * |A|) + 1 shingles of A (in any fixed global order) must meet the
// corresponding prefix of B.
std::size_t Deduplicator::prefix_length(std::size_t size) const {
  const auto need = static_cast<std::size_t>(std::ceil(options_.threshold * static_cast<double>(size) - kEps));
  const std::size_t p = size - std::min(need, size) + 1;
  return std::min(p, size);
}

std::vector<Deduplicator::Key> Deduplicator::keys_of(const std::vector<std::uint64_t>& hashes) const {
  std::vector<Key> keys;
  keys.reserve(hashes.size());
  for (std::uint64_t h : hashes) {
    auto it = rank_.find(h);
    keys.push_back({it == rank_.end() ? 0u : it->second, h});
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

DedupVerdict Deduplicator::judge(const std::string& normalised, const std::vector<Key>& a) const {
  if (normalised.empty()) return {DedupKind::empty, 0, 0.0};
  if (auto it = exact_.find(normalised); it != exact_.end()) return {DedupKind::exact, it->second, 1.0};
  if (options_.threshold > 1.0 || a.empty()) return {};

  const double t = options_.threshold;
  const double size_a = static_cast<double>(a.size());
  if (++query_ == 0) {  // wrapped: forget old stamps rather than confuse them
    std::fill(stamp_.begin(), stamp_.end(), 0);
    query_ = 1;
  }
  DedupVerdict best;
  const std::size_t pa = prefix_length(a.size());
  for (std::size_t k = 0; k < pa; ++k) {
    auto posting = index_.find(a[k].hash);
    if (posting == index_.end()) continue;
    for (const Posting& p : posting->second) {
      if (stamp_[p.slot] == query_) continue;
      stamp_[p.slot] = query_;
      const Doc& doc = docs_[p.slot];
      const double size_b = static_cast<double>(doc.keys.size());
      if (size_b < t * size_a - kEps || size_b > size_a / t + kEps) continue;
      // The first shared shingle is a[k] == b[pos] (a smaller one would have been met at an
      // earlier k), so the overlap is at most 1 + what follows it in the shorter remainder;
      // J >= t needs an overlap of at least t / (1 + t) * (|A| + |B|).
      const double bound = 1.0 + static_cast<double>(std::min(a.size() - k - 1, doc.keys.size() - p.pos - 1));
      if (bound + kEps < t / (1.0 + t) * (size_a + size_b)) continue;
      ++comparisons_;
      const std::size_t o = overlap(a, doc.keys);
      const double uni = size_a + size_b - static_cast<double>(o);
      if (static_cast<double>(o) + kEps < t * uni) continue;
      const double sim = static_cast<double>(o) / uni;
      if (best.kind != DedupKind::near || sim > best.similarity + kEps ||
          (std::abs(sim - best.similarity) <= kEps && doc.id < best.of))
        best = {DedupKind::near, doc.id, sim};
    }
  }
  return best;
}

DedupVerdict Deduplicator::check(std::string_view text) const {
  const std::string normalised = normalise_for_dedup(text);
  return judge(normalised, keys_of(shingles(normalised, options_)));
}

void Deduplicator::index_doc(std::uint32_t slot) {
  const std::vector<Key>& keys = docs_[slot].keys;
  const std::size_t p = prefix_length(keys.size());
  for (std::size_t k = 0; k < p && k < keys.size(); ++k)
    index_[keys[k].hash].push_back({slot, static_cast<std::uint32_t>(k)});
}

// Re-sorts every kept text by current shingle frequencies and rebuilds the index. Verdicts do
// not depend on the order (any fixed order makes prefix filtering exact); only speed does.
void Deduplicator::reorder() {
  rank_ = df_;
  index_.clear();
  for (std::uint32_t slot = 0; slot < docs_.size(); ++slot) {
    for (Key& k : docs_[slot].keys) k.rank = rank_[k.hash];
    std::sort(docs_[slot].keys.begin(), docs_[slot].keys.end());
    index_doc(slot);
  }
}

DedupVerdict Deduplicator::add(std::string_view text) {
  const std::size_t id = next_id_++;
  std::string normalised = normalise_for_dedup(text);
  const std::vector<std::uint64_t> hashes = shingles(normalised, options_);
  std::vector<Key> keys = keys_of(hashes);
  DedupVerdict verdict = judge(normalised, keys);
  if (verdict.kind != DedupKind::new_text) return verdict;

  for (std::uint64_t h : hashes) ++df_[h];
  const auto slot = static_cast<std::uint32_t>(docs_.size());
  exact_.emplace(std::move(normalised), id);
  docs_.push_back({std::move(keys), id});
  stamp_.push_back(0);
  index_doc(slot);
  if (docs_.size() >= next_reorder_) {
    reorder();
    next_reorder_ *= 2;
  }
  return verdict;
}

}  // namespace autoif::parse
