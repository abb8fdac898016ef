// Schema versions and forward migrations.
//
// The schema version lives in PRAGMA user_version; the file is marked as ours with PRAGMA
// application_id. Each Migration takes the schema from version-1 to version and runs in
// its own transaction together with the user_version bump, so an interrupted migration
// leaves the previous version intact and is simply redone on the next open.
//
// Adding a migration: append {N+1, name, sql} to the list in migrations.cpp; never edit a
// step that has shipped. Steps that rebuild tables must keep foreign keys valid (SQLite
// cannot switch foreign_keys off inside a transaction).
//
// Contract
// - migrate() applies, in order, every step above the file's version; it refuses a file
//   whose version is newer than the last step it knows, naming the file and both versions.
// - check_schema() is the read-only counterpart: it succeeds only if the file is exactly at
//   `expected` and never writes.
#pragma once

#include <tl/expected.hpp>

#include <cstdint>
#include <span>
#include <string_view>

#include "storage/database.h"
#include "storage/error.h"

namespace autoif::storage {

struct Migration {
  int version;             // 1, 2, 3... contiguous
  std::string_view name;   // for error messages
  std::string_view sql;    // one or more statements
};

// 'AuIF': marks autoif databases so that we never migrate somebody else's SQLite file.
inline constexpr std::int32_t kApplicationId = 0x41754946;

std::span<const Migration> builtin_migrations();
int latest_schema_version();

tl::expected<void, StorageError> migrate(Database& db, std::span<const Migration> steps);
tl::expected<void, StorageError> check_schema(Database& db, int expected);

}  // namespace autoif::storage
