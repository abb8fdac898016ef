// storage_bench: rows per second of batched inserts (BatchWriter, one transaction per
// --batch rows) against per-row autocommit inserts, measured in the same invocation on the
// same kind of file, for two row shapes: small entity rows and ~1 KB LLM calls. Also the
// rate of cache lookups. Run through scripts/bench-storage.
//
//   storage_bench --dir DIR [--rows N] [--autocommit-rows N] [--batch N] [--pragma SQL]... [--lookups 0]
#include <sqlite3.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>

#include "storage/batch_writer.h"
#include "storage/database.h"
#include "storage/llm_cache.h"

using namespace autoif::storage;

namespace {

struct Args {
  std::string dir;
  std::size_t rows = 200000;
  std::size_t autocommit_rows = 20000;
  std::size_t batch = 1000;
  bool lookups = true;
  std::string pragmas;  // extra SQL run on every fresh database, to compare settings
};

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "storage_bench: %s\n", message.c_str());
  std::exit(1);
}

template <typename T>
T must(tl::expected<T, StorageError> r) {
  if (!r) die(r.error().what());
  return std::move(*r);
}

void must(tl::expected<void, StorageError> r) {
  if (!r) die(r.error().what());
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) die("missing value after " + flag);
    std::string value = argv[++i];
    if (flag == "--dir") a.dir = value;
    else if (flag == "--rows") a.rows = std::stoul(value);
    else if (flag == "--autocommit-rows") a.autocommit_rows = std::stoul(value);
    else if (flag == "--batch") a.batch = std::stoul(value);
    else if (flag == "--pragma") a.pragmas += value + ";";
    else if (flag == "--lookups") a.lookups = value != "0";
    else die("unknown flag " + flag);
  }
  if (a.dir.empty()) die("usage: storage_bench --dir DIR [--rows N] [--autocommit-rows N] [--batch N] [--pragma SQL]... [--lookups 0]");
  return a;
}

std::string key_for(std::size_t i) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016zx", i);
  return buf;
}

LlmCall call_for(std::size_t i) {
  LlmCall c;
  c.key = key_for(i) + key_for(i * 7919) + key_for(i * 104729) + key_for(~i);  // 64 hex
  c.role = "supervisor";
  c.model = "Qwen2-72B-Instruct";
  c.endpoint = "http://127.0.0.1:8000/v1";
  c.request = R"({"model":"Qwen2-72B-Instruct","messages":[{"role":"user","content":")" +
              std::string(400, 'q') + key_for(i) + R"("}],"temperature":0.7,"top_p":0.95})";
  c.response = R"({"choices":[{"message":{"role":"assistant","content":")" +
               std::string(500, 'r') + key_for(i) + R"("},"finish_reason":"stop"}]})";
  c.finish_reason = "stop";
  c.prompt_tokens = 120;
  c.completion_tokens = 140;
  c.latency_ms = static_cast<std::int64_t>(i % 1000);
  c.created_at = "2024-01-01T00:00:00.000Z";
  return c;
}

std::string query_text(std::size_t i) {
  return "Write a short note about topic number " + std::to_string(i) +
         " for a general audience, please.";
}

Database fresh(const Args& args, const std::string& name) {
  std::string path = args.dir + "/" + name;
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + suffix);
  Database db = must(Database::open(path, OpenMode::run));
  if (!args.pragmas.empty()) must(db.exec(args.pragmas));
  return db;
}

double cpu_now() {
  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return tv(ru.ru_utime) + tv(ru.ru_stime);
}

struct Rate {
  std::size_t rows = 0;
  double secs = 0;  // wall clock
  double cpu = 0;   // user + sys of this process: stable on a shared, loaded machine
  double per_second() const { return static_cast<double>(rows) / secs; }
  double per_cpu_second() const { return static_cast<double>(rows) / cpu; }
};

void measure(Rate& rate, const std::function<void()>& body) {
  double cpu = cpu_now();
  auto start = std::chrono::steady_clock::now();
  body();
  rate.secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rate.cpu = cpu_now() - cpu;
}

void report(const char* what, const Rate& batched, const Rate& autocommit, std::size_t batch) {
  std::printf("%s\n", what);
  auto line = [](const char* name, const Rate& r) {
    std::printf("  %-22s %8zu rows in %6.3f s = %9.0f rows/s  (%9.0f rows per CPU-second)\n",
                name, r.rows, r.secs, r.per_second(), r.per_cpu_second());
  };
  std::string name = "batched (" + std::to_string(batch) + "/tx):";
  line(name.c_str(), batched);
  line("autocommit (1/tx):", autocommit);
  std::printf("  ratio batched/autocommit: %.1fx wall, %.1fx CPU\n",
              batched.per_second() / autocommit.per_second(),
              batched.per_cpu_second() / autocommit.per_cpu_second());
}

constexpr const char* kQueryInsert = "INSERT INTO queries(pool_line, text) VALUES(?1, ?2)";

}  // namespace

int main(int argc, char** argv) {
  Args args = parse(argc, argv);
  std::printf("storage bench: %s, SQLite %s, WAL, synchronous=NORMAL\n", args.dir.c_str(),
              sqlite3_libversion());

  // Small entity rows (the query pool): one integer and ~80 bytes of text.
  Rate small_batched{.rows = args.rows};
  {
    Database db = fresh(args, "small-batched.db");
    BatchWriter writer(db, {.max_rows = args.batch});
    auto insert = must(writer.add_statement(kQueryInsert));
    measure(small_batched, [&] {
      for (std::size_t i = 0; i < args.rows; ++i) must(writer.queue(insert, i, query_text(i)));
      must(writer.flush());
    });
  }
  Rate small_auto{.rows = args.autocommit_rows};
  {
    Database db = fresh(args, "small-autocommit.db");
    Statement insert = must(db.prepare(kQueryInsert));
    measure(small_auto, [&] {
      for (std::size_t i = 0; i < args.autocommit_rows; ++i) {
        must(insert.bind_all(i, query_text(i)).run());
      }
    });
  }
  report("small rows (queries: integer + ~80 B text)", small_batched, small_auto, args.batch);

  // LLM calls: 64-hex key, ~0.5 KB request and ~0.6 KB response JSON.
  Rate calls_batched{.rows = args.rows};
  Rate lookups{.rows = args.rows};
  {
    Database db = fresh(args, "calls-batched.db");
    LlmCache cache = must(LlmCache::open(db));
    BatchWriter writer(db, {.max_rows = args.batch});
    measure(calls_batched, [&] {
      for (std::size_t i = 0; i < args.rows; ++i) must(cache.queue(writer, call_for(i)));
      must(writer.flush());
    });
    if (static_cast<std::size_t>(must(cache.count())) != args.rows) die("rows missing");
    if (!args.lookups) lookups.rows = 0;
    std::size_t found = 0;
    measure(lookups, [&] {
      for (std::size_t i = 0; i < lookups.rows; ++i) {
        std::size_t k = (i * 2654435761u) % args.rows;  // scattered over the table
        found += must(cache.lookup(call_for(k).key)).has_value() ? 1 : 0;
      }
    });
    if (found != lookups.rows) die("lookups missed");
  }
  Rate calls_auto{.rows = args.autocommit_rows};
  {
    Database db = fresh(args, "calls-autocommit.db");
    LlmCache cache = must(LlmCache::open(db));
    measure(calls_auto, [&] {
      for (std::size_t i = 0; i < args.autocommit_rows; ++i) must(cache.store(call_for(i)));
    });
  }
  report("llm_calls rows (~1.2 KB each, LlmCache::queue vs LlmCache::store)", calls_batched,
         calls_auto, args.batch);
  if (lookups.rows > 0) std::printf("cache lookups (hits, scattered keys, building each key included): %.0f/s"
              " (%.0f per CPU-second)\n",
              lookups.per_second(), lookups.per_cpu_second());
  return 0;
}
