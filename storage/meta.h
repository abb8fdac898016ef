// Meta: small named values of a run (table meta): the configuration snapshot, run info,
// anything a later `autoif status` or a resumed run needs to read back.
//
// Contract
// - set() replaces any previous value and commits before returning (inside a caller's
//   Transaction it is durable when that commits). get() returns nullopt for a missing key.
// - set_json() stores a canonical dump (object keys sorted, no spaces), so the same value
//   always gives the same bytes: fit for fingerprints and byte-identical exports.
// - Move-only; keeps its connection alive; one thread at a time, like its Database.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <tl/expected.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/database.h"
#include "storage/error.h"
#include "storage/statement.h"

namespace autoif::storage {

class Meta {
 public:
  static tl::expected<Meta, StorageError> open(Database& db);

  tl::expected<std::optional<std::string>, StorageError> get(std::string_view key);
  tl::expected<void, StorageError> set(std::string_view key, std::string_view value);
  // A stored value that is not valid JSON is an error naming the key.
  tl::expected<std::optional<nlohmann::json>, StorageError> get_json(std::string_view key);
  tl::expected<void, StorageError> set_json(std::string_view key, const nlohmann::json& value);
  // Every entry, ordered by key.
  tl::expected<std::vector<std::pair<std::string, std::string>>, StorageError> all();

 private:
  Meta(Database db, Statement get, Statement set, Statement all)
      : db_(std::move(db)), get_(std::move(get)), set_(std::move(set)), all_(std::move(all)) {}

  Database db_;  // alias sharing the caller's connection
  Statement get_;
  Statement set_;
  Statement all_;
};

}  // namespace autoif::storage
