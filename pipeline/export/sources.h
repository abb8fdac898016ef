// Turning a run's stored rows into export rows: which stored rows each format reads, which
// filter drops which of them (counted by reason), and the row written for each one kept.
// Decontamination, --limit and --split come after, in export.cpp, for every format alike.
//
// Contract: produce() streams the rows of the format's Source (formats.h) through
// storage::ExportQueries in content order and calls `emit` once per kept row, in that order;
// when `emit` returns false it stops reading. Every drop is counted in `drops` under a reason
// that names the filter and its threshold; the reasons a format can use are declared up front
// (so a summary lists them even at zero), in the order the filters apply. Storage errors come
// back as a message naming the file; exceptions from `emit` propagate.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/export/formats.h"
#include "pipeline/export/options.h"
#include "storage/export_queries.h"

namespace autoif::exports {

class Drops {
 public:
  void declare(const std::string& reason);
  void add(const std::string& reason, std::size_t count = 1);
  const std::vector<std::pair<std::string, std::size_t>>& counts() const { return counts_; }
  std::size_t total() const;

 private:
  std::vector<std::pair<std::string, std::size_t>> counts_;
};

struct Candidate {
  std::string_view key;                 // what --split hashes: the prompt (verifiers: the instruction)
  std::vector<std::string_view> texts;  // what --decontaminate checks: the natural-language fields
  Row row;
};

using Emit = std::function<bool(const Candidate&)>;  // false: stop reading

tl::expected<void, std::string> produce(storage::ExportQueries& queries, const ExportRequest& request, Drops& drops,
                                        const Emit& emit);

// "%g" of a threshold, for the reasons: 0.5, 8, 0.333333.
std::string number(double value);

}  // namespace autoif::exports
