// Stage 5: up to N kept functions per verified instruction are translated back into an
// instruction, and each back-translation is judged against the original (NLI: the supervisor
// by default). Any contradiction drops the instruction (AUTOIF.md 1.5).
#include <memory>
#include <stdexcept>

#include "pipeline/parse/back_translation.h"
#include "pipeline/run/throttle.h"
#include "pipeline/stages/stages.h"
#include "storage/transaction.h"

namespace autoif::stages {
namespace {

nlohmann::json fingerprint(const config::Config& config) {
  return {{"functions", config.back_translation.functions},
          {"nli", config.back_translation.nli},
          {"nli_url", config.back_translation.nli_url},
          {"model", config.supervisor.model}};
}

struct Judged {
  std::int64_t function = 0;
  std::string bt_key, text, label;
  std::optional<std::string> nli_key;
};

struct Item {
  storage::InstructionRow instruction;
  std::vector<Judged> judged;
  std::size_t pending = 0;
  bool failed = false;
};

void finish(run::RunContext& ctx, Item& item) {
  if (item.failed) return;  // left verified: the next run asks again for what is missing
  auto tx = storage::Transaction::begin(ctx.store.db());
  if (!tx) throw std::runtime_error(tx.error().what());
  bool contradiction = false;
  for (const auto& judged : item.judged) {
    ctx.store.add_back_translation(item.instruction.id, judged.function, judged.bt_key, judged.text, judged.label,
                                   judged.nli_key);
    contradiction |= judged.label == "contradiction";
  }
  if (contradiction)
    ctx.store.set_status(item.instruction.id, "dropped", "contradiction");
  else
    ctx.store.set_status(item.instruction.id, "kept");
  if (auto committed = tx->commit(); !committed) throw std::runtime_error(committed.error().what());
}

void run_stage(run::RunContext& ctx) {
  if (ctx.config.back_translation.nli != "llm")
    throw std::runtime_error("back_translation.nli = \"" + ctx.config.back_translation.nli +
                             "\" is not available in this build; use \"llm\"");
  auto work = ctx.store.instructions("verified");
  std::size_t next = 0;
  const std::size_t per = std::max<std::size_t>(1, ctx.config.back_translation.functions);
  run::Throttle throttle(ctx.supervisor.window(2 * per), [&]() -> bool {
    if (next >= work.size()) return false;
    auto item = std::make_shared<Item>();
    item->instruction = work[next++];
    auto functions = ctx.store.kept_functions(item->instruction.id);
    if (functions.size() > ctx.config.back_translation.functions) functions.resize(ctx.config.back_translation.functions);
    item->judged.resize(functions.size());
    item->pending = functions.size();
    if (functions.empty()) {
      finish(ctx, *item);
      throttle.finished();
      return true;
    }
    for (std::size_t i = 0; i < functions.size(); ++i) {
      item->judged[i].function = functions[i].id;
      auto prompt = ctx.render("back_translate", {{"function", functions[i].source}});
      ctx.supervisor.ask(user_message(prompt), 0, 1, [&, item, i](run::Answers bt) {
        auto complete = [&, item] {
          if (--item->pending == 0) {
            finish(ctx, *item);
            throttle.finished();
          }
        };
        if (!bt[0]) {
          item->failed = true;
          return complete();
        }
        auto& judged = item->judged[i];
        judged.bt_key = bt[0]->key;
        judged.text = parse::extract_back_translation(bt[0]->content).instruction;
        if (judged.text.empty()) {  // nothing to judge: counts as neutral, never as a drop
          judged.label = "unparsed";
          return complete();
        }
        auto nli = ctx.render("nli", {{"premise", item->instruction.text}, {"hypothesis", judged.text}});
        ctx.supervisor.ask(user_message(nli), 0, 1, [&, item, i, complete](run::Answers label) {
          auto& judged = item->judged[i];
          if (!label[0]) {
            item->failed = true;
          } else {
            judged.nli_key = label[0]->key;
            auto parsed = parse::parse_nli_label(label[0]->content);
            judged.label = parsed.label ? std::string(parse::to_string(*parsed.label)) : "unparsed";
          }
          complete();
        });
      });
    }
    return true;
  });
  throttle.start();
  drive(ctx);
  std::fprintf(ctx.log, "back_translation: %zu instructions judged\n", work.size());
}

}  // namespace

run::Stage back_translation_stage() {
  return {"back_translation", "back-translation of kept functions and NLI against the instruction", fingerprint,
          run_stage};
}

}  // namespace autoif::stages
