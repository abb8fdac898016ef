// De-duplication: normalisation, thresholds at their boundaries, and an index that gives
// exactly the brute-force answer with far fewer comparisons.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/parse/dedup.h"
#include "instruction_corpus.h"

using autoif::parse::DedupKind;
using autoif::parse::DedupOptions;
using autoif::parse::Deduplicator;
using autoif::parse::jaccard;
using autoif::parse::normalise_for_dedup;
using autoif::parse::shingles;
using autoif::parse::text_similarity;

namespace {

DedupOptions words(std::size_t n, double threshold) {
  DedupOptions o;
  o.shingle = DedupOptions::Shingle::words;
  o.n = n;
  o.threshold = threshold;
  return o;
}

}  // namespace

TEST_CASE("dedup normalisation folds case, spaces, quotes and end punctuation") {
  CHECK(normalise_for_dedup("  Answer   in ALL\tcaps!!  ") == "answer in all caps");
  CHECK(normalise_for_dedup("Use the letter 'B'.") == normalise_for_dedup("use the letter \xe2\x80\x9c" "B\xe2\x80\x9d"));
  CHECK(normalise_for_dedup("- Respond in French.") == "respond in french");
  CHECK(normalise_for_dedup("Don\xe2\x80\x99t use commas") == normalise_for_dedup("Don't  use commas."));
  CHECK(normalise_for_dedup("Use\xc2\xa0no dashes \xe2\x80\x94 ever") == "use no dashes - ever");
  CHECK(normalise_for_dedup("?!...") == "");
}

TEST_CASE("dedup flags exact duplicates after normalisation and names the first") {
  Deduplicator d(words(2, 0.9));
  CHECK(d.add("Answer in all caps.").kind == DedupKind::new_text);
  CHECK(d.add("Use exactly three bullet points.").kind == DedupKind::new_text);
  auto v = d.add("  answer IN all caps ");
  CHECK(v.kind == DedupKind::exact);
  CHECK(v.of == 0);
  CHECK(v.similarity == 1.0);
  CHECK(d.kept() == 2);
  CHECK(d.next_id() == 3);
}

TEST_CASE("dedup near duplicate at exactly the threshold counts, just above it does not") {
  // Word unigrams: {alpha beta gamma delta} vs {alpha beta gamma epsilon}: 3 / 5 = 0.6.
  REQUIRE(text_similarity("alpha beta gamma delta", "alpha beta gamma epsilon", words(1, 0.6)) == Approx(0.6));
  {
    Deduplicator d(words(1, 0.6));
    d.add("alpha beta gamma delta");
    auto v = d.add("alpha beta gamma epsilon");
    CHECK(v.kind == DedupKind::near);
    CHECK(v.of == 0);
    CHECK(v.similarity == Approx(0.6));
  }
  {
    Deduplicator d(words(1, 0.6000001));
    d.add("alpha beta gamma delta");
    CHECK(d.add("alpha beta gamma epsilon").kind == DedupKind::new_text);
  }
}

TEST_CASE("dedup threshold 0.7 is met by 7 shared words out of 10 despite rounding") {
  // 8 and 9 words with 7 in common: Jaccard 7/10, which is not exact in binary.
  const std::string a = "one two three four five six seven alpha";
  const std::string b = "one two three four five six seven beta gamma";
  Deduplicator at(words(1, 0.7));
  at.add(a);
  CHECK(at.add(b).kind == DedupKind::near);
  Deduplicator above(words(1, 0.71));
  above.add(a);
  CHECK(above.add(b).kind == DedupKind::new_text);
}

TEST_CASE("dedup word bigrams tell apart instructions that differ in one key word") {
  // Bigrams: {answer with, with at, at least, least 3, 3 bullet, bullet points} vs the same
  // with "most": 4 shared of 8.
  const DedupOptions o = words(2, 0.5);
  CHECK(text_similarity("Answer with at least 3 bullet points", "Answer with at most 3 bullet points", o) == Approx(0.5));
  Deduplicator d(o);
  d.add("Answer with at least 3 bullet points");
  CHECK(d.add("Answer with at most 3 bullet points").kind == DedupKind::near);
  Deduplicator strict(words(2, 0.51));
  strict.add("Answer with at least 3 bullet points");
  CHECK(strict.add("Answer with at most 3 bullet points").kind == DedupKind::new_text);
}

TEST_CASE("dedup character shingles catch small spelling changes") {
  DedupOptions o;
  o.shingle = DedupOptions::Shingle::chars;
  o.n = 4;
  o.threshold = 0.6;
  Deduplicator d(o);
  d.add("Respond using only lowercase letters.");
  auto v = d.add("Respond using only lower-case letters");
  CHECK(v.kind == DedupKind::near);
  CHECK(d.add("Include a title wrapped in double angular brackets").kind == DedupKind::new_text);
}

TEST_CASE("dedup names the most similar earlier text, the earliest among equals") {
  Deduplicator d(words(1, 0.75));
  d.add("red green blue yellow");                     // id 0
  d.add("red green blue yellow purple orange");       // id 1: 4/6 with id 0, kept
  d.add("cyan magenta");                              // id 2
  auto v = d.add("red green blue yellow purple");     // 4/5 with id 0, 5/6 with id 1
  CHECK(v.kind == DedupKind::near);
  CHECK(v.of == 1);
  CHECK(v.similarity == Approx(5.0 / 6.0));

  Deduplicator e(words(1, 0.5));
  e.add("a b x y");  // id 0
  e.add("a b z w");  // id 1: 2/6 with id 0, kept
  auto w = e.add("a b");  // 2/4 with both
  CHECK(w.kind == DedupKind::near);
  CHECK(w.of == 0);
}

TEST_CASE("dedup never matches a text that was itself judged a duplicate") {
  Deduplicator d(words(1, 0.75));
  d.add("w1 w2 w3 w4 w5 w6 w7 w8");                // id 0
  CHECK(d.add("w1 w2 w3 w4 w5 w6 w7 x8").kind == DedupKind::near);  // 7/9: not kept
  // 6/10 against id 0, 7/9 against the rejected one: new.
  CHECK(d.add("w1 w2 w3 w4 w5 w6 y7 x8").kind == DedupKind::new_text);
}

TEST_CASE("dedup check() judges without keeping or consuming an id") {
  Deduplicator d;
  d.add("Use exactly five sentences in your answer.");
  auto v = d.check("use exactly five sentences in your answer");
  CHECK(v.kind == DedupKind::exact);
  CHECK(d.check("Something else entirely, with a haiku.").kind == DedupKind::new_text);
  CHECK(d.kept() == 1);
  CHECK(d.next_id() == 1);
  CHECK(d.add("Something else entirely, with a haiku.").kind == DedupKind::new_text);
}

TEST_CASE("dedup threshold above 1 turns near duplicates off but keeps exact ones") {
  Deduplicator d(words(1, 1.5));
  d.add("alpha beta gamma delta");
  CHECK(d.add("alpha beta gamma delta epsilon").kind == DedupKind::new_text);
  CHECK(d.add("Alpha beta gamma delta.").kind == DedupKind::exact);
}

TEST_CASE("dedup threshold 1 flags only identical shingle sets") {
  Deduplicator d(words(1, 1.0));
  d.add("red blue");
  CHECK(d.add("blue red").kind == DedupKind::near);  // same set of words, other order
  CHECK(d.add("blue red green").kind == DedupKind::new_text);
}

TEST_CASE("dedup reports empty texts and keeps them out") {
  Deduplicator d;
  CHECK(d.add("   ").kind == DedupKind::empty);
  CHECK(d.add("...").kind == DedupKind::empty);
  CHECK(d.kept() == 0);
}

TEST_CASE("dedup rejects a shingle size of 0 and a threshold that is not positive") {
  CHECK_THROWS_AS(Deduplicator(words(0, 0.5)), std::invalid_argument);
  CHECK_THROWS_AS(Deduplicator(words(2, 0.0)), std::invalid_argument);
  CHECK_THROWS_AS(Deduplicator(words(2, -1.0)), std::invalid_argument);
  CHECK_THROWS_AS(Deduplicator(words(2, std::nan(""))), std::invalid_argument);
}

TEST_CASE("dedup shingles: short texts give one shingle, punctuation separates words") {
  CHECK(shingles("hello", words(3, 0.5)).size() == 1);
  CHECK(shingles("a,b;c", words(1, 0.5)) == shingles("a b c", words(1, 0.5)));
  CHECK(shingles("a b a b", words(1, 0.5)).size() == 2);
  CHECK(jaccard({}, {}) == 0.0);
}

TEST_CASE("dedup index gives exactly the brute-force verdicts") {
  const auto corpus = autoif::parse::testing::instruction_corpus(1500, 42);
  for (DedupOptions o : {words(1, 0.5), words(2, 0.7), words(3, 0.9), words(2, 0.3)}) {
    for (auto mode : {DedupOptions::Shingle::words, DedupOptions::Shingle::chars}) {
      o.shingle = mode;
      if (mode == DedupOptions::Shingle::chars) o.n += 2;
      Deduplicator d(o);
      std::vector<std::pair<std::vector<std::uint64_t>, std::size_t>> kept;
      std::vector<std::string> kept_norm;
      std::size_t near = 0;
      for (std::size_t id = 0; id < corpus.size(); ++id) {
        const std::string norm = normalise_for_dedup(corpus[id]);
        const auto sh = shingles(norm, o);
        DedupKind kind = DedupKind::new_text;
        std::size_t of = 0;
        double best = 0;
        for (std::size_t k = 0; k < kept.size() && kind != DedupKind::exact; ++k) {
          if (kept_norm[k] == norm) {
            kind = DedupKind::exact;
            of = kept[k].second;
            best = 1.0;
          }
        }
        for (std::size_t k = 0; k < kept.size() && kind != DedupKind::exact; ++k) {
          const double j = jaccard(sh, kept[k].first);
          if (j + 1e-9 >= o.threshold && (kind != DedupKind::near || j > best + 1e-9)) {
            kind = DedupKind::near;
            of = kept[k].second;
            best = j;
          }
        }
        auto v = d.add(corpus[id]);
        REQUIRE(v.kind == kind);
        if (kind != DedupKind::new_text) {
          REQUIRE(v.of == of);
          REQUIRE(v.similarity == Approx(best));
        }
        if (kind == DedupKind::near) ++near;
        if (kind == DedupKind::new_text) {
          kept.emplace_back(sh, id);
          kept_norm.push_back(norm);
        }
      }
      CHECK(near > 0);  // the corpus does exercise near duplicates
    }
  }
}

TEST_CASE("dedup index compares far fewer pairs than a full scan on 10^4 instructions") {
  const auto corpus = autoif::parse::testing::instruction_corpus(10000, 7);
  Deduplicator d;  // defaults: word bigrams, threshold 0.7
  std::size_t kept_pairs = 0;
  for (const std::string& text : corpus) {
    kept_pairs += d.kept();  // what a scan over the kept texts would compare
    d.add(text);
  }
  CHECK(d.kept() > corpus.size() / 3);
  CHECK(d.comparisons() * 100 < kept_pairs);
}
