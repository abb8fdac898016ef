// Stage 9: the supervisor scores each verified response from 0 to 10 for answering the query
// while following the instruction; the score is parsed from the answer's last "Score:" line.
// An unparsable score is stored as such (it keeps the response out of SFT, never crashes).
#include <memory>

#include "pipeline/parse/score.h"
#include "pipeline/stages/stages.h"

namespace autoif::stages {

void score_responses(run::RunContext& ctx, std::vector<storage::ScoreWork> work, std::function<void()> done) {
  if (work.empty()) {
    done();
    return;
  }
  auto pending = std::make_shared<std::size_t>(work.size());
  auto finish = std::make_shared<std::function<void()>>(std::move(done));
  for (const auto& item : work) {
    auto prompt = ctx.render("score", {{"instruction", item.instruction}, {"query", item.query},
                                       {"response", item.response}});
    ctx.supervisor.ask(user_message(prompt), 0, 1, [&ctx, id = item.response_id, pending, finish](run::Answers got) {
      if (got[0]) {
        auto parsed = parse::parse_quality_score(got[0]->content);
        ctx.store.add_score(id, got[0]->key, parsed.score, std::string(parse::to_string(parsed.status)));
      }
      if (--*pending == 0) (*finish)();
    });
  }
}

}  // namespace autoif::stages
