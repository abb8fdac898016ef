// The LLM request cache (table llm_calls).
#include <catch2/catch.hpp>

#include <regex>
#include <vector>

#include "helpers.h"
#include "storage/llm_cache.h"
#include "storage/transaction.h"

using namespace autoif::storage;
using namespace autoif::storage::testing;

namespace {

struct Fixture {
  TempDir dir;
  Database db = must_open(dir.file("run.db"));
  LlmCache cache = must_open_cache(db);
};

}  // namespace

TEST_CASE_METHOD(Fixture, "a stored call is looked up with every field identical") {
  LlmCall call = call_for(1);
  call.request = "{\"messages\":[{\"content\":\"h\\u00e9llo \\\"quoted\\\"\\n\"}]}";
  call.response = std::string("{\"x\":\"caf\xc3\xa9\"}");
  REQUIRE(*cache.store(call) == true);
  auto got = cache.lookup(call.key);
  REQUIRE(got);
  REQUIRE(got->has_value());
  CHECK(**got == call);
}

TEST_CASE_METHOD(Fixture, "optional fields and non-ok statuses round-trip") {
  LlmCall truncated = call_for(2);
  truncated.status = CallStatus::truncated;
  truncated.finish_reason = "length";
  LlmCall failed = call_for(3);
  failed.status = CallStatus::error;
  failed.finish_reason.reset();
  failed.prompt_tokens.reset();
  failed.completion_tokens.reset();
  failed.response = "";
  REQUIRE(cache.store(truncated));
  REQUIRE(cache.store(failed));
  CHECK(**cache.lookup(truncated.key) == truncated);
  CHECK(**cache.lookup(failed.key) == failed);
}

TEST_CASE_METHOD(Fixture, "storing the same key twice keeps the first answer") {
  LlmCall first = call_for(5);
  LlmCall second = call_for(5);
  second.response = "{\"answer\":\"a different one\"}";
  second.attempts = 9;
  CHECK(*cache.store(first) == true);
  CHECK(*cache.store(second) == false);
  CHECK(*cache.count() == 1);
  CHECK(**cache.lookup(first.key) == first);
}

TEST_CASE_METHOD(Fixture, "looking up a key never stored finds nothing") {
  REQUIRE(cache.store(call_for(1)));
  auto got = cache.lookup(key_for(2));
  REQUIRE(got);
  CHECK_FALSE(got->has_value());
}

TEST_CASE_METHOD(Fixture, "an empty created_at is set to the current UTC time") {
  LlmCall call = call_for(1);
  call.created_at.clear();
  REQUIRE(cache.store(call));
  std::string stamp = (**cache.lookup(call.key)).created_at;
  INFO(stamp);
  CHECK(std::regex_match(stamp, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
}

TEST_CASE("credentials and query strings are removed from endpoints") {
  CHECK(LlmCache::strip_credentials("https://user:sk-123@api.example.com:8443/v1?api_key=sk#x") ==
        "https://api.example.com:8443/v1");
  CHECK(LlmCache::strip_credentials("http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1");
  CHECK(LlmCache::strip_credentials("http://tok@host") == "http://host");
  CHECK(LlmCache::strip_credentials("http://host/path/with@sign") == "http://host/path/with@sign");
}

TEST_CASE_METHOD(Fixture, "a stored endpoint never carries credentials") {
  LlmCall call = call_for(1);
  call.endpoint = "https://me:sk-live-secret@api.example.com/v1?key=sk-live-secret";
  REQUIRE(cache.store(call));
  auto stmt = db.prepare("SELECT count(*) FROM llm_calls WHERE endpoint LIKE '%secret%'");
  REQUIRE(*stmt->step());
  CHECK(stmt->column_int64(0) == 0);
  stmt->reset();
  CHECK((**cache.lookup(call.key)).endpoint == "https://api.example.com/v1");
}

TEST_CASE_METHOD(Fixture, "store_batch commits all calls at once and counts only new keys") {
  REQUIRE(cache.store(call_for(0)));
  std::vector<LlmCall> calls;
  for (int i = 0; i < 20; ++i) calls.push_back(call_for(i));
  calls.push_back(call_for(3));  // a duplicate inside the batch
  auto added = cache.store_batch(calls);
  REQUIRE(added);
  CHECK(*added == 19);
  CHECK(*cache.count() == 20);
  for (int i = 0; i < 20; ++i) CHECK(**cache.lookup(key_for(i)) == call_for(i));
}

TEST_CASE_METHOD(Fixture, "a batch with an invalid call stores none of its calls") {
  std::vector<LlmCall> calls{call_for(1), call_for(2), call_for(3)};
  // The third insert fails half-way through the batch.
  REQUIRE(db.exec("CREATE TRIGGER no_three BEFORE INSERT ON llm_calls WHEN NEW.key = '" +
                  key_for(3) + "' BEGIN SELECT RAISE(ABORT, 'refused'); END"));
  auto r = cache.store_batch(calls);
  REQUIRE_FALSE(r);
  CHECK(r.error().what().find("refused") != std::string::npos);
  CHECK(*cache.count() == 0);
  CHECK_FALSE(db.in_transaction());
}

TEST_CASE_METHOD(Fixture, "a store inside a caller's transaction is durable only with it") {
  {
    auto tx = Transaction::begin(db);
    REQUIRE(tx);
    REQUIRE(cache.store(call_for(1)));
    CHECK(cache.lookup(key_for(1))->has_value());  // visible to its own transaction
  }  // rolled back
  CHECK(*cache.count() == 0);
}

TEST_CASE_METHOD(Fixture, "queued calls become visible when the writer flushes") {
  BatchWriter writer(db, {.max_rows = 100});
  for (int i = 0; i < 10; ++i) REQUIRE(cache.queue(writer, call_for(i)));
  CHECK(*cache.count() == 0);
  REQUIRE(writer.flush());
  CHECK(*cache.count() == 10);
  CHECK(**cache.lookup(key_for(4)) == call_for(4));
  REQUIRE(cache.queue(writer, call_for(4)));  // already stored: ignored, not an error
  REQUIRE(writer.flush());
  CHECK(*cache.count() == 10);
}

TEST_CASE("a cache on a read-only database looks up but refuses to store") {
  TempDir dir;
  std::string path = dir.file("run.db");
  {
    auto db = Database::open(path, OpenMode::run);
    REQUIRE(db);
    REQUIRE(LlmCache::open(*db)->store(call_for(1)));
  }
  auto db = Database::open(path, OpenMode::read_only);
  REQUIRE(db);
  auto cache = LlmCache::open(*db);
  REQUIRE(cache);
  CHECK(**cache->lookup(key_for(1)) == call_for(1));
  auto r = cache->store(call_for(2));
  REQUIRE_FALSE(r);
  CHECK(r.error().what().find(path) != std::string::npos);
}
