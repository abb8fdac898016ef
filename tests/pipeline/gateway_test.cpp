// The model gateway (pipeline/run/gateway.h) over the real client and a recording fake
// transport: in-flight sharing of identical samples and the stop/budget rules.
#include "tests/pipeline/stage_harness.h"

using namespace autoif;
using testing::StageHarness;

namespace {

std::vector<std::string> echo(const std::string& prompt, int n, std::int64_t seed) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(prompt + " #" + std::to_string(seed + i));
  return out;
}

// Asks on the loop thread (the test's), then runs the loop until every answer is in.
struct Asker {
  run::Gateway& gateway;
  run::EventLoop& loop;
  std::vector<run::Answers> got;
  void ask(const std::string& text, std::size_t first, std::size_t count) {
    std::size_t index = got.size();
    got.emplace_back();
    gateway.ask({llm::Message{"user", text}}, first, count, [this, index](run::Answers answers) {
      got[index] = std::move(answers);
    });
  }
  void finish() { REQUIRE(loop.run()); }
};

}  // namespace

TEST_CASE("identical samples asked while the first ask is in flight are sent once and shared") {
  StageHarness h(echo);
  Asker asker{h.ctx().supervisor, h.ctx().loop, {}};
  asker.ask("Score this response.", 0, 2);
  asker.ask("Score this response.", 0, 2);  // the same two samples, before any answer arrived
  asker.ask("Score this response.", 1, 2);  // overlaps in sample 1, adds sample 2
  asker.finish();
  const auto sent = h.requests();
  CHECK(h.ctx().supervisor.stats().shared == 3);
  CHECK(h.ctx().supervisor.stats().sent == 3);  // samples 0, 1, 2: each asked once
  REQUIRE(asker.got.size() == 3);
  for (const auto& answers : asker.got)
    for (const auto& answer : answers) REQUIRE(answer);
  CHECK(asker.got[0][0]->content == asker.got[1][0]->content);
  CHECK(asker.got[0][1]->content == asker.got[1][1]->content);
  CHECK(asker.got[2][0]->content == asker.got[0][1]->content);
  CHECK(asker.got[0][0]->content != asker.got[0][1]->content);
  asker.ask("Score this response.", 0, 3);  // now stored: nothing more is sent
  asker.finish();
  CHECK(h.requests() == sent);
  CHECK(asker.got[3][2]->content == asker.got[2][1]->content);
}

TEST_CASE("a shared sample that fails comes back empty to every caller waiting for it") {
  StageHarness h(echo);
  h.set_script([](const llm::HttpRequest&, std::size_t) { return llm::status_reply(503, "{\"error\": \"busy\"}"); });
  Asker asker{h.ctx().supervisor, h.ctx().loop, {}};
  asker.ask("Say anything.", 0, 1);
  asker.ask("Say anything.", 0, 1);
  asker.finish();
  CHECK_FALSE(asker.got[0][0]);
  CHECK_FALSE(asker.got[1][0]);
  CHECK(h.ctx().supervisor.stats().shared == 1);
}

TEST_CASE("once a budget is spent the gateway sends nothing more and answers what is stored") {
  StageHarness h(echo);
  run::RunControl control(run::Budgets{std::nullopt, 1, std::nullopt});
  h.ctx().supervisor.attach(&control, nullptr);
  Asker asker{h.ctx().supervisor, h.ctx().loop, {}};
  asker.ask("First question.", 0, 1);
  asker.finish();
  const auto sent = h.requests();
  asker.ask("Second question.", 0, 2);  // over budget: not sent
  asker.ask("First question.", 0, 1);   // stored: still answered
  asker.finish();
  CHECK(h.requests() == sent);
  CHECK(control.stopping());
  CHECK_FALSE(asker.got[1][0]);
  CHECK_FALSE(asker.got[1][1]);
  CHECK(h.ctx().supervisor.stats().skipped == 2);
  REQUIRE(asker.got[2][0]);
  CHECK(asker.got[2][0]->content == asker.got[0][0]->content);
  CHECK(control.requests() == 1);
  CHECK(control.tokens() == 15);  // the one answer's usage: 10 prompt + 5 completion tokens
}
