#include "tests/export/fixture.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "pipeline/cli/commands.h"
#include "pipeline/config/loader.h"
#include "storage/meta.h"
#include "storage/pipeline_store.h"

namespace autoif::testing {


namespace {

using namespace fixture;

template <typename T, typename E>
T must(tl::expected<T, E> value) {
  if (!value) throw std::runtime_error(value.error().what());
  if constexpr (!std::is_void_v<T>) return std::move(*value);
}

storage::Database open_run(const std::string& path) { return must(storage::Database::open(path, storage::OpenMode::run)); }

void store_config(storage::Database& db, double min_score) {
  config::Config config;
  config.score.min_score = min_score;
  auto meta = must(storage::Meta::open(db));
  if (auto stored = meta.set_json("config", config::to_json(config)); !stored)
    throw std::runtime_error(stored.error().what());
}

std::int64_t input_id(storage::PipelineStore& store, const std::string& prompt) {
  for (const auto& input : store.inputs_without_responses("supervisor"))
    if (input.prompt == prompt) return input.id;
  throw std::runtime_error("no input " + prompt);
}

}  // namespace

// What each stored row is for (supervisor responses; pass rate, score, finish):
//   lower x cats   "cats are nice."   1.0  9  stop    SFT, KTO true, chosen of a pair
//                  "Cats are nice."   0.0  -  stop    KTO false, rejected
//                  "cats purr."       1.0  5  stop    dropped: score (chosen of a pair)
//                  "cats sleep all"   1.0  9  length  dropped: cut at max_tokens
//   lower x sea    kBigSea  1.0  8  stop    SFT (score exactly the minimum)
//                  "The sea."         0.5  -  stop    dropped: pass rate not above 0.5
//                  "THE SEA"          0.0  -  stop    KTO false
//   commas x cats  "cats, dogs"       0.0  -  stop    KTO false
//                  "cats and dogs"    1.0  -  stop    dropped: unscored
//   commas x ocean "The ocean is vast." 1.0 10 stop   SFT; its prompt is in the benchmark
//   spanish x cats "gatos"            1.0  9  stop    dropped: instruction no longer kept
//   vowels x cats  (no responses; the instruction kept no function)
// plus one policy response (never in a supervisor export).
void build_run(const std::string& path, double stored_min_score) {
  auto db = open_run(path);
  store_config(db, stored_min_score);
  must(db.exec("INSERT INTO llm_calls(key, role, model, endpoint, request, response, status, created_at) "
               "VALUES('k', 'supervisor', 'm', 'http://127.0.0.1', '{}', '{}', 'ok', '2024-01-01T00:00:00Z')"));
  storage::PipelineStore store(db);
  auto lower = store.add_instruction(kLower, kLower, "seed", std::nullopt, "kept");
  auto commas = store.add_instruction(kCommas, kCommas, "seed", std::nullopt, "kept");
  auto spanish = store.add_instruction(kSpanish, kSpanish, "augment", std::nullopt, "kept");
  auto vowels = store.add_instruction(kVowels, kVowels, "augment", std::nullopt, "kept");

  store.add_function(lower, std::nullopt, "def evaluate(r):\n    return r == r.lower()", true, "", 1.0, true);
  store.add_function(lower, std::nullopt, "def evaluate(r):\n    return not any(c.isupper() for c in r)", true, "",
                     0.75, true);
  store.add_function(lower, std::nullopt, "def evaluate(r) return", false, "SyntaxError", std::nullopt, false);
  store.add_case(lower, "hello", true, true);
  store.add_case(lower, "Hello", false, true);
  store.add_case(lower, "HeLLo", true, false);
  store.add_function(commas, std::nullopt, "def evaluate(r):\n    return ',' not in r", true, "", 1.0, true);
  store.add_case(commas, "a b", true, true);
  store.add_case(commas, "a, b", false, true);
  store.add_function(spanish, std::nullopt, "def evaluate(r):\n    return 'el' in r", true, "", 1.0, true);
  store.add_case(spanish, "el gato", true, true);
  store.add_function(vowels, std::nullopt, "def evaluate(r):\n    return False", true, "", 0.2, false);
  store.add_case(vowels, "xyz", true, true);

  auto cats = store.add_query(1, kCats), sea = store.add_query(2, kSea), ocean = store.add_query(3, kOcean);
  store.add_input(lower, cats, prompt(kCats, kLower));
  store.add_input(lower, sea, prompt(kSea, kLower));
  store.add_input(commas, cats, prompt(kCats, kCommas));
  store.add_input(commas, ocean, prompt(kOcean, kCommas));
  store.add_input(spanish, cats, prompt(kCats, kSpanish));
  store.add_input(vowels, cats, prompt(kCats, kVowels));

  auto lower_cats = prompt(kCats, kLower), lower_sea = prompt(kSea, kLower);
  auto commas_cats = prompt(kCats, kCommas), commas_ocean = prompt(kOcean, kCommas);
  auto spanish_cats = prompt(kCats, kSpanish);
  // Inputs are looked up among those without responses: ask for every input id first.
  std::map<std::string, std::int64_t> ids;
  for (const auto& p : {lower_cats, lower_sea, commas_cats, commas_ocean, spanish_cats}) ids[p] = input_id(store, p);
  auto add = [&](const std::string& p, std::int64_t sample, const std::string& text, double pass,
                 std::optional<double> score, const char* finish = "stop", const char* source = "supervisor") {
    auto id = store.add_response(ids[p], source, sample, "k", text, finish, pass);
    if (score) store.add_score(id, "k", score, "ok");
  };
  add(lower_cats, 0, "cats are nice.", 1.0, 9);
  add(lower_cats, 1, "Cats are nice.", 0.0, std::nullopt);
  add(lower_cats, 2, "cats purr.", 1.0, 5);
  add(lower_cats, 3, "cats sleep all", 1.0, 9, "length");
  add(lower_cats, 0, "policy answer", 1.0, 10, "stop", "policy");
  add(lower_sea, 0, kBigSea, 1.0, 8);
  add(lower_sea, 1, "The sea.", 0.5, std::nullopt);
  add(lower_sea, 2, "THE SEA", 0.0, std::nullopt);
  add(commas_cats, 0, "cats, dogs", 0.0, std::nullopt);
  add(commas_cats, 1, "cats and dogs", 1.0, std::nullopt);
  add(commas_ocean, 0, "The ocean is vast.", 1.0, 10);
  add(spanish_cats, 0, "gatos", 1.0, 9);

  auto pair = [&](const char* kind, std::int64_t instruction, std::optional<std::int64_t> input, const std::string& p,
                  const std::string& chosen, const std::string& rejected, double chosen_pass) {
    store.add_pair({kind, instruction, input, p, chosen, rejected, chosen_pass, 0.0});
  };
  // Stored out of content order on purpose: the export orders them.
  pair("instruction", commas, std::nullopt, kCommas, "a b", "a, b", 1.0);
  pair("instruction", lower, std::nullopt, kLower, "hello", "Hello", 1.0);
  pair("query", spanish, ids[spanish_cats], spanish_cats, "gatos", "cats", 1.0);
  pair("query", commas, ids[commas_cats], commas_cats, "cats and dogs", "cats, dogs", 1.0);
  pair("query", lower, ids[lower_sea], lower_sea, kBigSea, "THE SEA", 1.0);
  pair("query", lower, ids[lower_sea], lower_sea, "The sea.", "THE SEA", 0.5);
  pair("query", lower, ids[lower_cats], lower_cats, "cats are nice.", "Cats are nice.", 1.0);
  pair("query", lower, ids[lower_cats], lower_cats, "cats purr.", "Cats are nice.", 1.0);

  // Back-translation contradicted it after its inputs were made.
  store.set_status(spanish, "dropped", "contradiction");
}

void build_empty_run(const std::string& path) {
  auto db = open_run(path);
  store_config(db, 8.0);
}

storage::Database open_read(const std::string& path) {
  return must(storage::Database::open(path, storage::OpenMode::read_only));
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::vector<json> read_rows(const std::string& path) {
  std::vector<json> rows;
  std::istringstream lines(read_text(path));
  for (std::string line; std::getline(lines, line);) rows.push_back(json::parse(line));
  return rows;
}

std::vector<std::string> hidden_files(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().front() == '.') names.push_back(entry.path().filename().string());
  return names;
}

std::vector<std::string> keys(const json& object) {
  std::vector<std::string> names;
  for (auto it = object.begin(); it != object.end(); ++it) names.push_back(it.key());
  return names;
}

CommandResult run_export_command(const std::vector<std::string>& args) {
  // stderr goes to a temporary file while the command runs.
  TempDir dir;
  auto capture = dir / "stderr";
  std::fflush(stderr);
  int saved = ::dup(2);
  int fd = ::open(capture.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ::dup2(fd, 2);
  ::close(fd);
  CommandResult result;
  try {
    result.status = cli::export_command().run(args);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "autoif export: %s\n", error.what());
    result.status = 2;
  }
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  result.err = read_text(capture);
  return result;
}

exports::ExportSummary export_or_fail(const std::string& db_path, exports::ExportRequest request) {
  auto db = open_read(db_path);
  auto summary = exports::export_dataset(db, request);
  INFO((summary ? std::string() : summary.error()));
  REQUIRE(summary);
  return *summary;
}

}  // namespace autoif::testing
