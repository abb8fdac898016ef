// LlmCache: every LLM call of a run, keyed by the request's digest, so that a request whose
// answer is stored is never sent again (table llm_calls).
//
// The key is computed by the LLM module (a hex digest of model, messages, sampling
// parameters and sample index); storage only stores and looks it up.
//
// Contract
// - Answer before derivation: store() commits the call before it returns, so anything the
//   caller derives from the answer afterwards can only be committed after it. A run killed
//   between receiving an answer and store() returning asks again for that call only.
//   Batched paths keep the same guarantee: store_batch() commits all of its calls in one
//   transaction before returning; queue() puts the call in a BatchWriter, which writes rows
//   in queue order, so queue derived rows *after* the call. (Inside a caller's open
//   Transaction these commits become part of it and are durable when it commits.)
// - Idempotent: storing a key that is already stored keeps the first row unchanged and
//   reports that nothing was added.
// - lookup() sees committed rows only (and rows of the caller's own open transaction), not
//   rows still queued in a BatchWriter.
// - The endpoint is stored without credentials: user:password@ and the query string (where
//   some providers take an API key) are removed by store()/queue(). Requests and responses
//   are stored as given: the LLM module keeps keys out of them (they travel in headers).
// - created_at: ISO-8601 UTC; when empty, store() sets the current time.
// - Move-only; keeps its connection alive; one thread at a time, like its Database.
#pragma once

#include <tl/expected.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "storage/batch_writer.h"
#include "storage/database.h"
#include "storage/error.h"
#include "storage/statement.h"

namespace autoif::storage {

enum class CallStatus { ok, truncated, error };

std::string_view to_string(CallStatus status);
std::optional<CallStatus> parse_call_status(std::string_view text);

struct LlmCall {
  std::string key;       // hex digest of the request
  std::string role;      // supervisor, policy...
  std::string model;
  std::string endpoint;  // base URL the answer came from
  std::string request;   // JSON body sent
  std::string response;  // JSON body received (the error body for status error)
  std::optional<std::string> finish_reason;
  std::optional<std::int64_t> prompt_tokens;
  std::optional<std::int64_t> completion_tokens;
  std::int64_t latency_ms = 0;
  std::int64_t attempts = 1;
  CallStatus status = CallStatus::ok;
  std::string created_at;

  bool operator==(const LlmCall&) const = default;
};

class LlmCache {
 public:
  static tl::expected<LlmCache, StorageError> open(Database& db);

  tl::expected<std::optional<LlmCall>, StorageError> lookup(std::string_view key);
  // true if the call was added, false if its key was already stored.
  tl::expected<bool, StorageError> store(const LlmCall& call);
  // Stores all calls in one transaction; returns how many were added.
  tl::expected<std::size_t, StorageError> store_batch(std::span<const LlmCall> calls);
  // Queues the call in `writer` (see BatchWriter for when it is written).
  tl::expected<void, StorageError> queue(BatchWriter& writer, const LlmCall& call);
  tl::expected<std::int64_t, StorageError> count();

  // "https://user:key@host:8000/v1?api_key=x#f" -> "https://host:8000/v1"
  static std::string strip_credentials(std::string_view url);

 private:
  LlmCache(Database db, Statement insert, Statement select, Statement count)
      : db_(std::move(db)),
        insert_(std::move(insert)),
        select_(std::move(select)),
        count_(std::move(count)) {}
  tl::expected<bool, StorageError> insert(const LlmCall& call);

  Database db_;  // alias sharing the caller's connection
  Statement insert_;
  Statement select_;
  Statement count_;
};

}  // namespace autoif::storage
