#include "storage/meta.h"

#include <nlohmann/json.hpp>

#include "storage/transaction.h"

namespace autoif::storage {

tl::expected<Meta, StorageError> Meta::open(Database& db) {
  auto get = db.prepare("SELECT value FROM meta WHERE key = ?1");
  if (!get) return tl::unexpected(std::move(get.error()));
  auto set = db.prepare(
      "INSERT INTO meta(key, value) VALUES(?1, ?2)"
      " ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  if (!set) return tl::unexpected(std::move(set.error()));
  auto all = db.prepare("SELECT key, value FROM meta ORDER BY key");
  if (!all) return tl::unexpected(std::move(all.error()));
  return Meta(db.alias(), std::move(*get), std::move(*set), std::move(*all));
}

tl::expected<std::optional<std::string>, StorageError> Meta::get(std::string_view key) {
  get_.bind(1, key);
  auto row = get_.step();
  if (!row) return tl::unexpected(std::move(row.error()));
  if (!*row) return std::optional<std::string>();
  std::optional<std::string> value = get_.column_optional_string(0);
  get_.reset();
  // A NULL value reads as an empty string: the key exists.
  return std::optional<std::string>(value.value_or(std::string()));
}

tl::expected<void, StorageError> Meta::set(std::string_view key, std::string_view value) {
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(std::move(tx.error()));
  if (auto r = set_.bind_all(key, value).run(); !r) return r;
  return tx->commit();
}

tl::expected<std::optional<nlohmann::json>, StorageError> Meta::get_json(std::string_view key) {
  auto text = get(key);
  if (!text) return tl::unexpected(std::move(text.error()));
  if (!*text) return std::optional<nlohmann::json>();
  nlohmann::json value = nlohmann::json::parse(**text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    StorageError e;
    e.path = db_.path();
    e.message = "meta value '" + std::string(key) + "' is not valid JSON";
    return tl::unexpected(std::move(e));
  }
  return std::optional<nlohmann::json>(std::move(value));
}

tl::expected<void, StorageError> Meta::set_json(std::string_view key,
                                                const nlohmann::json& value) {
  // nlohmann::json keeps object keys sorted, so dump() is already canonical.
  std::string text;
  try {
    text = value.dump();
  } catch (const nlohmann::json::exception& ex) {  // strings that are not UTF-8
    StorageError e;
    e.path = db_.path();
    e.message = "meta value '" + std::string(key) + "' cannot be stored as JSON: " + ex.what();
    return tl::unexpected(std::move(e));
  }
  return set(key, text);
}

tl::expected<std::vector<std::pair<std::string, std::string>>, StorageError> Meta::all() {
  std::vector<std::pair<std::string, std::string>> out;
  while (true) {
    auto row = all_.step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) break;
    out.emplace_back(all_.column_string(0), all_.column_string(1));
  }
  return out;
}

}  // namespace autoif::storage
