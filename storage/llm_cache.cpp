#include "storage/llm_cache.h"

#include <utility>

#include "storage/transaction.h"

namespace autoif::storage {
namespace {

// ON CONFLICT DO NOTHING rather than OR IGNORE: only a duplicate key is ignored; a CHECK
// or NOT NULL violation is still an error.
constexpr std::string_view kInsert =
    "INSERT INTO llm_calls(key, role, model, endpoint, request, response, finish_reason,"
    " prompt_tokens, completion_tokens, latency_ms, attempts, status, created_at)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
    " COALESCE(NULLIF(?13, ''), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
    " ON CONFLICT(key) DO NOTHING";

constexpr std::string_view kSelect =
    "SELECT key, role, model, endpoint, request, response, finish_reason, prompt_tokens,"
    " completion_tokens, latency_ms, attempts, status, created_at"
    " FROM llm_calls WHERE key = ?1";

constexpr std::string_view kCount = "SELECT count(*) FROM llm_calls";

}  // namespace

std::string_view to_string(CallStatus status) {
  switch (status) {
    case CallStatus::ok: return "ok";
    case CallStatus::truncated: return "truncated";
    case CallStatus::error: return "error";
  }
  return "error";
}

std::optional<CallStatus> parse_call_status(std::string_view text) {
  if (text == "ok") return CallStatus::ok;
  if (text == "truncated") return CallStatus::truncated;
  if (text == "error") return CallStatus::error;
  return std::nullopt;
}

std::string LlmCache::strip_credentials(std::string_view url) {
  std::size_t cut = url.find_first_of("?#");
  if (cut != std::string_view::npos) url = url.substr(0, cut);
  std::size_t scheme = url.find("://");
  std::size_t authority = scheme == std::string_view::npos ? 0 : scheme + 3;
  std::size_t path = url.find('/', authority);
  std::string_view host_part = url.substr(authority, path == std::string_view::npos
                                                         ? std::string_view::npos
                                                         : path - authority);
  std::size_t at = host_part.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, authority));
  out += url.substr(authority + at + 1);
  return out;
}

tl::expected<LlmCache, StorageError> LlmCache::open(Database& db) {
  auto insert = db.prepare(kInsert);
  if (!insert) return tl::unexpected(std::move(insert.error()));
  auto select = db.prepare(kSelect);
  if (!select) return tl::unexpected(std::move(select.error()));
  auto count = db.prepare(kCount);
  if (!count) return tl::unexpected(std::move(count.error()));
  return LlmCache(db.alias(), std::move(*insert), std::move(*select), std::move(*count));
}

tl::expected<std::optional<LlmCall>, StorageError> LlmCache::lookup(std::string_view key) {
  select_.bind(1, key);
  auto row = select_.step();
  if (!row) return tl::unexpected(std::move(row.error()));
  if (!*row) return std::optional<LlmCall>();
  LlmCall call;
  call.key = select_.column_string(0);
  call.role = select_.column_string(1);
  call.model = select_.column_string(2);
  call.endpoint = select_.column_string(3);
  call.request = select_.column_string(4);
  call.response = select_.column_string(5);
  call.finish_reason = select_.column_optional_string(6);
  call.prompt_tokens = select_.column_optional_int64(7);
  call.completion_tokens = select_.column_optional_int64(8);
  call.latency_ms = select_.column_int64(9);
  call.attempts = select_.column_int64(10);
  // The CHECK constraint admits only the three names.
  call.status = parse_call_status(select_.column_text(11)).value_or(CallStatus::error);
  call.created_at = select_.column_string(12);
  select_.reset();  // release the read snapshot
  return std::optional<LlmCall>(std::move(call));
}

tl::expected<bool, StorageError> LlmCache::insert(const LlmCall& call) {
  insert_.bind_all(call.key, call.role, call.model, strip_credentials(call.endpoint),
                   call.request, call.response, call.finish_reason, call.prompt_tokens,
                   call.completion_tokens, call.latency_ms, call.attempts,
                   to_string(call.status), call.created_at);
  if (auto r = insert_.run(); !r) return tl::unexpected(std::move(r.error()));
  return db_.changes() > 0;
}

tl::expected<bool, StorageError> LlmCache::store(const LlmCall& call) {
  // An explicit transaction (a savepoint inside a caller's) so that the commit, and any
  // failure of it, is reported here.
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(std::move(tx.error()));
  auto added = insert(call);
  if (!added) return added;
  if (auto r = tx->commit(); !r) return tl::unexpected(std::move(r.error()));
  return *added;
}

tl::expected<std::size_t, StorageError> LlmCache::store_batch(std::span<const LlmCall> calls) {
  auto tx = Transaction::begin(db_);
  if (!tx) return tl::unexpected(std::move(tx.error()));
  std::size_t added = 0;
  for (const LlmCall& call : calls) {
    auto r = insert(call);
    if (!r) return tl::unexpected(std::move(r.error()));
    added += *r ? 1 : 0;
  }
  if (auto r = tx->commit(); !r) return tl::unexpected(std::move(r.error()));
  return added;
}

tl::expected<void, StorageError> LlmCache::queue(BatchWriter& writer, const LlmCall& call) {
  auto id = writer.add_statement(kInsert);
  if (!id) return tl::unexpected(std::move(id.error()));
  return writer.queue(*id, call.key, call.role, call.model, strip_credentials(call.endpoint),
                      call.request, call.response, call.finish_reason, call.prompt_tokens,
                      call.completion_tokens, call.latency_ms, call.attempts,
                      to_string(call.status), call.created_at);
}

tl::expected<std::int64_t, StorageError> LlmCache::count() {
  auto row = count_.step();
  if (!row) return tl::unexpected(std::move(row.error()));
  std::int64_t n = *row ? count_.column_int64(0) : 0;
  count_.reset();
  return n;
}

}  // namespace autoif::storage
