#include "storage/migrations.h"

#include <array>
#include <string>

#include "storage/transaction.h"

namespace autoif::storage {
namespace {

// Version 1: the whole run in one file. Every LLM answer lives in llm_calls and every
// entity derived from one points at it by call_key, so lineage can be walked back from a
// training pair to the calls that produced it. Later pipeline stages only add statements.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE meta(
  key TEXT PRIMARY KEY,
  value TEXT
);

CREATE TABLE llm_calls(
  key TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  model TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  request TEXT NOT NULL,
  response TEXT NOT NULL,
  finish_reason TEXT,
  prompt_tokens INTEGER,
  completion_tokens INTEGER,
  latency_ms INTEGER,
  attempts INTEGER NOT NULL DEFAULT 1,
  status TEXT NOT NULL CHECK(status IN ('ok','truncated','error')),
  created_at TEXT NOT NULL
);

CREATE TABLE instructions(
  id INTEGER PRIMARY KEY,
  text TEXT NOT NULL UNIQUE,
  norm TEXT NOT NULL,
  origin TEXT NOT NULL CHECK(origin IN ('seed','augment')),
  call_key TEXT REFERENCES llm_calls(key),
  status TEXT NOT NULL DEFAULT 'candidate',
  drop_reason TEXT
);
CREATE INDEX instructions_status ON instructions(status);
CREATE INDEX instructions_norm ON instructions(norm);

CREATE TABLE function_samples(
  id INTEGER PRIMARY KEY,
  instruction_id INTEGER NOT NULL REFERENCES instructions(id),
  sample_index INTEGER NOT NULL,
  call_key TEXT REFERENCES llm_calls(key),
  parse_status TEXT NOT NULL,
  UNIQUE(instruction_id, sample_index)
);

CREATE TABLE functions(
  id INTEGER PRIMARY KEY,
  instruction_id INTEGER NOT NULL REFERENCES instructions(id),
  sample_id INTEGER REFERENCES function_samples(id),
  source TEXT NOT NULL,
  compiled INTEGER,
  compile_message TEXT,
  accuracy REAL,
  kept INTEGER NOT NULL DEFAULT 0,
  UNIQUE(instruction_id, source)
);
CREATE INDEX functions_sample ON functions(sample_id);

CREATE TABLE cases(
  id INTEGER PRIMARY KEY,
  instruction_id INTEGER NOT NULL REFERENCES instructions(id),
  input TEXT NOT NULL,
  expected INTEGER NOT NULL,
  kept INTEGER NOT NULL DEFAULT 0,
  UNIQUE(instruction_id, input, expected)
);

CREATE TABLE case_results(
  function_id INTEGER NOT NULL REFERENCES functions(id),
  case_id INTEGER NOT NULL REFERENCES cases(id),
  status TEXT NOT NULL,
  result INTEGER,
  PRIMARY KEY(function_id, case_id)
);
CREATE INDEX case_results_case ON case_results(case_id);

CREATE TABLE back_translations(
  id INTEGER PRIMARY KEY,
  instruction_id INTEGER NOT NULL REFERENCES instructions(id),
  function_id INTEGER NOT NULL REFERENCES functions(id),
  call_key TEXT REFERENCES llm_calls(key),
  text TEXT,
  nli_label TEXT,
  nli_call_key TEXT REFERENCES llm_calls(key),
  UNIQUE(function_id)
);
CREATE INDEX back_translations_instruction ON back_translations(instruction_id);

CREATE TABLE queries(
  id INTEGER PRIMARY KEY,
  pool_line INTEGER NOT NULL UNIQUE,
  text TEXT NOT NULL
);

CREATE TABLE inputs(
  id INTEGER PRIMARY KEY,
  instruction_id INTEGER NOT NULL REFERENCES instructions(id),
  query_id INTEGER NOT NULL REFERENCES queries(id),
  prompt TEXT NOT NULL,
  UNIQUE(instruction_id, query_id)
);
CREATE INDEX inputs_query ON inputs(query_id);

CREATE TABLE responses(
  id INTEGER PRIMARY KEY,
  input_id INTEGER NOT NULL REFERENCES inputs(id),
  source TEXT NOT NULL DEFAULT 'supervisor',
  sample_index INTEGER NOT NULL,
  call_key TEXT REFERENCES llm_calls(key),
  text TEXT NOT NULL,
  finish_reason TEXT,
  pass_rate REAL,
  UNIQUE(input_id, source, sample_index)
);

CREATE TABLE response_verdicts(
  response_id INTEGER NOT NULL REFERENCES responses(id),
  function_id INTEGER NOT NULL REFERENCES functions(id),
  status TEXT NOT NULL,
  result INTEGER,
  PRIMARY KEY(response_id, function_id)
);
CREATE INDEX response_verdicts_function ON response_verdicts(function_id);

CREATE TABLE scores(
  response_id INTEGER PRIMARY KEY REFERENCES responses(id),
  call_key TEXT REFERENCES llm_calls(key),
  score REAL,
  parse_status TEXT NOT NULL
);

CREATE TABLE pairs(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK(kind IN ('query','instruction')),
  instruction_id INTEGER NOT NULL REFERENCES instructions(id),
  input_id INTEGER REFERENCES inputs(id),
  prompt TEXT NOT NULL,
  chosen TEXT NOT NULL,
  rejected TEXT NOT NULL,
  chosen_pass REAL,
  rejected_pass REAL,
  UNIQUE(kind, instruction_id, prompt, chosen, rejected)
);
CREATE INDEX pairs_instruction ON pairs(instruction_id);
CREATE INDEX pairs_input ON pairs(input_id);

CREATE TABLE stage_state(
  stage TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT
);
)sql";

constexpr std::array kBuiltin = {
    Migration{1, "initial schema", kSchemaV1},
};

StorageError version_error(const Database& db, std::string message) {
  StorageError e;
  e.path = db.path();
  e.message = std::move(message);
  return e;
}

tl::expected<std::int64_t, StorageError> read_pragma(Database& db, std::string_view pragma) {
  auto stmt = db.prepare("PRAGMA " + std::string(pragma));
  if (!stmt) return tl::unexpected(std::move(stmt.error()));
  auto row = stmt->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  std::int64_t v = *row ? stmt->column_int64(0) : 0;
  stmt->reset();
  return v;
}

// Refuses files that are not ours: an application_id of somebody else, or a non-empty
// database that never got ours.
tl::expected<void, StorageError> check_ownership(Database& db, int version) {
  auto app = read_pragma(db, "application_id");
  if (!app) return tl::unexpected(std::move(app.error()));
  if (*app == kApplicationId) return {};
  if (*app != 0) {
    return tl::unexpected(version_error(
        db, "not an autoif database (application_id " + std::to_string(*app) + ")"));
  }
  auto tables = db.prepare("SELECT count(*) FROM sqlite_schema");
  if (!tables) return tl::unexpected(std::move(tables.error()));
  auto row = tables->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  std::int64_t n = *row ? tables->column_int64(0) : 0;
  tables->reset();
  if (version != 0 || n != 0) {
    return tl::unexpected(version_error(
        db, "not an autoif database (it has tables but no autoif application_id)"));
  }
  return {};
}

std::string newer_message(int found, int known) {
  return "database schema version " + std::to_string(found) +
         " is newer than this build of autoif supports (version " + std::to_string(known) +
         "); use a newer autoif to open it";
}

}  // namespace

std::span<const Migration> builtin_migrations() { return kBuiltin; }

int latest_schema_version() { return kBuiltin.back().version; }

tl::expected<void, StorageError> migrate(Database& db, std::span<const Migration> steps) {
  int known = steps.empty() ? 0 : steps.back().version;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].version != static_cast<int>(i) + 1) {
      return tl::unexpected(version_error(db, "migration list is not numbered 1, 2, 3..."));
    }
  }
  auto version = db.schema_version();
  if (!version) return tl::unexpected(std::move(version.error()));
  if (*version > known) return tl::unexpected(version_error(db, newer_message(*version, known)));
  if (auto owned = check_ownership(db, *version); !owned) return owned;

  for (const Migration& step : steps) {
    if (step.version <= *version) continue;
    auto fail = [&](const StorageError& cause) {
      StorageError e = cause;
      e.message = "migration to schema version " + std::to_string(step.version) + " (" +
                  std::string(step.name) + ") failed: " + cause.message;
      return tl::unexpected(std::move(e));
    };
    auto tx = Transaction::begin(db);
    if (!tx) return fail(tx.error());
    // Re-read under the write lock: another opener may have migrated meanwhile.
    auto now = db.schema_version();
    if (!now) return fail(now.error());
    if (*now >= step.version) {
      *version = *now;
      continue;
    }
    if (auto r = db.exec(step.sql); !r) return fail(r.error());
    std::string bump = "PRAGMA user_version = " + std::to_string(step.version);
    if (step.version == 1) bump += "; PRAGMA application_id = " + std::to_string(kApplicationId);
    if (auto r = db.exec(bump); !r) return fail(r.error());
    if (auto r = tx->commit(); !r) return fail(r.error());
    *version = step.version;
  }
  return {};
}

tl::expected<void, StorageError> check_schema(Database& db, int expected) {
  auto version = db.schema_version();
  if (!version) return tl::unexpected(std::move(version.error()));
  if (*version == 0) {
    return tl::unexpected(version_error(db, "not an autoif database (no schema yet)"));
  }
  if (auto owned = check_ownership(db, *version); !owned) return owned;
  if (*version > expected) {
    return tl::unexpected(version_error(db, newer_message(*version, expected)));
  }
  if (*version < expected) {
    return tl::unexpected(version_error(
        db, "database schema version " + std::to_string(*version) +
                " is older than this build's (version " + std::to_string(expected) +
                "); open it once for a run to migrate it, then read it"));
  }
  return {};
}

}  // namespace autoif::storage
