// A cassette: recorded chat-completion exchanges that the stub LLM replays (format:
// pipeline/stub/CASSETTE.md). Loading validates every line and names FILE:LINE for each bad
// one; lookup finds the most specific entry whose listed request fields all equal the
// incoming request's, through an index on the messages so 10^5 entries cost one hash probe.
//
// A loaded Cassette is immutable, so any number of threads may call find() at once.
#pragma once

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace autoif::stub {

struct CassetteEntry {
  nlohmann::json request;                // object: the fields a request must have, and their values
  std::vector<nlohmann::json> choices;   // complete choice objects {index, message, finish_reason}
  nlohmann::json usage;                  // the recorded usage object, or null (then estimated)
  nlohmann::json extra;                  // other recorded response fields (id, system_fingerprint...)
  std::size_t line = 0;                  // 1-based line in the cassette file

  std::size_t field_count() const { return request.size(); }
};

class Cassette {
 public:
  // Reads and validates a cassette file. The error lists every bad line as "FILE:LINE: problem"
  // (one per line of the message, at most 20 of them).
  static tl::expected<Cassette, std::string> load(const std::string& path);
  // The same from text in memory; `name` stands in for the file name in errors.
  static tl::expected<Cassette, std::string> parse(std::string_view text, std::string_view name);

  // The entry answering `request` (a chat-completions body), or nullptr when none matches.
  // Matching: every field of an entry's "request" equals the request's field of the same name
  // (JSON equality, so 1 == 1.0 and messages compare exactly); the entry listing the most
  // fields wins; ties go to the earlier line.
  const CassetteEntry* find(const nlohmann::json& request) const;

  // Every "model" named by an entry's request, sorted, without duplicates.
  const std::vector<std::string>& models() const { return models_; }
  // True when some entry names no model and so answers any model.
  bool has_any_model_entry() const { return any_model_; }

  std::size_t size() const { return entries_.size(); }
  const std::vector<CassetteEntry>& entries() const { return entries_; }

 private:
  std::vector<CassetteEntry> entries_;
  // Hash of an entry's serialized messages -> its positions in entries_, in file order.
  std::unordered_map<std::size_t, std::vector<std::size_t>> by_messages_;
  std::vector<std::size_t> without_messages_;  // entries that match any messages
  std::vector<std::string> models_;
  bool any_model_ = false;
};

// Turns one cassette line (already parsed) into an entry, or says what is wrong with it.
tl::expected<CassetteEntry, std::string> parse_cassette_entry(nlohmann::json line);

}  // namespace autoif::stub
