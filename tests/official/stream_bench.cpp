// Not a test: measures what streaming costs. The same sandbox jobs are run twice on one pool,
// once submitted all at once (the floor: the sandbox never waits) and once through
// verify_file / crossval_file (bounded window, in-order output), alternating, and the ratio
// streamed / direct is printed per round. Near 1.0 means the commands keep the sandbox busy.
//   official_stream_bench [rows=120] [rounds=3] [workers=2]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>

#include "pipeline/official/command_support.h"
#include "pipeline/official/crossval_rows.h"
#include "pipeline/official/verify_rows.h"
#include "support.h"

using namespace autoif;
using namespace official_test;
using Clock = std::chrono::steady_clock;

namespace {

const std::vector<std::string> kSources = {
    "def evaluate(response):\n    return response == response.lower()",
    "def _letters(t):\n    return [c for c in t if c.isalpha()]\n\ndef evaluate(response):\n"
    "    return all(c.islower() for c in _letters(response))",
    "import re\n\ndef evaluate(response):\n    return re.search(r'[A-Z]', response) is None",
};

std::string numbered(const std::string& source, std::size_t row) {
  return source + "\n# row " + std::to_string(row);  // distinct per row, as in real data
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t rows = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 120;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  sandbox::PoolOptions options;
  options.worker_path = AUTOIF_WORKER_PATH;
  options.workers = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 2;
  auto pool = sandbox::Pool::start(options);
  if (!pool) return std::fprintf(stderr, "%s\n", pool.error().c_str()), 1;

  ScratchDir dir;
  std::vector<official::Row> verify_rows, crossval_rows;
  std::vector<sandbox::Job> verify_jobs, crossval_jobs;
  std::vector<std::string> responses, case_inputs{"hello world", "Hello", "abc def", "ABC"};
  for (int k = 0; k < 8; ++k) responses.push_back(k % 2 ? "a response in lowercase" : "A Response");
  for (std::size_t r = 0; r < rows; ++r) {
    official::Row funcs = official::Row::array(), answers = official::Row::array();
    for (const auto& source : kSources) {
      funcs.push_back(official::Row::array({numbered(source, r), 1.0}));
      verify_jobs.push_back({numbered(source, r), responses, {}});
      official::Row answer{{"func", numbered(source, r)},
                           {"cases", {{{"input", "hello world"}, {"output", true}},
                                      {{"input", "Hello"}, {"output", false}},
                                      {{"input", "abc def"}, {"output", true}},
                                      {{"input", "ABC"}, {"output", false}}}}};
      answers.push_back("Here it is:\n```json\n" + answer.dump(2) + "\n```");
      crossval_jobs.push_back({numbered(source, r), case_inputs, {}});
    }
    verify_rows.push_back({{"id", r}, {"eval_func", funcs}, {"gpt-answer", responses}});
    crossval_rows.push_back({{"id", r}, {"instruction", "lowercase"}, {"gpt-answer", answers}});
  }
  write_text(dir.file("verify.jsonl"), jsonl(verify_rows));
  write_text(dir.file("crossval.jsonl"), jsonl(crossval_rows));

  auto direct = [&](const std::vector<sandbox::Job>& jobs) {
    auto start = Clock::now();
    std::vector<std::future<sandbox::JobResult>> results;
    for (const auto& job : jobs) results.push_back((*pool)->submit(job));
    for (auto& result : results) result.get();
    return seconds_since(start);
  };
  official::StreamOptions stream{false, official::window_for(options.workers), {}};
  std::printf("%zu rows, %zu workers, window %zu\n", rows, options.workers, stream.window);
  for (int round = 1; round <= rounds; ++round) {
    double floor = direct(verify_jobs);
    auto start = Clock::now();
    if (!official::verify_file(**pool, dir.file("verify.jsonl"), dir.file("out.jsonl"), {}, stream))
      return 1;
    double verify = seconds_since(start);
    double cv_floor = direct(crossval_jobs);
    start = Clock::now();
    if (!official::crossval_file(**pool, dir.file("crossval.jsonl"), dir.file("out.jsonl"), {}, stream))
      return 1;
    double crossval = seconds_since(start);
    std::printf("round %d: verify %.2f s / direct %.2f s = %.2f; crossval %.2f s / direct %.2f s = %.2f\n",
                round, verify, floor, verify / floor, crossval, cv_floor, crossval / cv_floor);
  }
  return 0;
}
