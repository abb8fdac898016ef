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
  return {{"prompts", {prompt_digest(config, "back_translate"), prompt_digest(config, "nli")}},
          {"functions", config.back_translation.functions},
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

// The label a classifier service returned: {"label": "..."}, or a list of {"label", "score"}
// (the Hugging Face text-classification shape, best score wins), label text in any case.
std::optional<std::string> classifier_label(const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  std::string label;
  if (json.is_object() && json.contains("label") && json["label"].is_string()) {
    label = json["label"].get<std::string>();
  } else {
    if (json.is_array() && json.size() == 1 && json[0].is_array()) json = json[0];
    double best = -1;
    if (json.is_array())
      for (const auto& item : json)
        if (item.is_object() && item.value("score", 0.0) > best && item.contains("label") && item["label"].is_string()) {
          best = item.value("score", 0.0);
          label = item["label"].get<std::string>();
        }
  }
  auto parsed = parse::parse_nli_label(label);
  if (!parsed.label) return std::nullopt;
  return std::string(parse::to_string(*parsed.label));
}

// Asks the classifier at back_translation.nli_url, retrying a failed exchange a few times;
// `done` gets the label, or nullopt when the service kept failing (the item is left for the
// next run).
void classify(run::RunContext& ctx, const std::string& premise, const std::string& hypothesis,
              std::function<void(std::optional<std::string>)> done, int attempts_left = 3) {
  llm::HttpRequest request;
  request.url = ctx.config.back_translation.nli_url;
  request.body = nlohmann::json{{"premise", premise}, {"hypothesis", hypothesis}}.dump();
  request.timeout = std::chrono::seconds(60);
  ctx.loop.hold();
  ctx.transport->send(std::move(request), [&ctx, premise, hypothesis, done, attempts_left](llm::HttpOutcome outcome) {
    ctx.loop.post([&ctx, premise, hypothesis, done, attempts_left, outcome = std::move(outcome)] {
      std::optional<std::string> label;
      if (outcome && outcome->status == 200) label = classifier_label(outcome->body);
      if (!label && attempts_left > 1)
        classify(ctx, premise, hypothesis, done, attempts_left - 1);
      else
        done(label);
      ctx.loop.release();
    });
  });
}

void run_stage(run::RunContext& ctx) {
  const bool http_nli = ctx.config.back_translation.nli == "http";
  if (!http_nli && ctx.config.back_translation.nli != "llm")
    throw std::runtime_error("back_translation.nli must be \"llm\" or \"http\", not \"" +
                             ctx.config.back_translation.nli + "\"");
  if (http_nli && (ctx.config.back_translation.nli_url.empty() || !ctx.transport))
    throw std::runtime_error("back_translation.nli = \"http\" needs back_translation.nli_url");
  auto work = ctx.store.instructions("verified");
  std::size_t next = 0;
  const std::size_t per = std::max<std::size_t>(1, ctx.config.back_translation.functions);
  ctx.begin("back_translation", work.size());
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
      ctx.advance("back_translation");
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
            if (!item->failed) ctx.advance("back_translation");
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
        if (http_nli) {
          classify(ctx, item->instruction.text, judged.text, [item, i, complete](std::optional<std::string> label) {
            if (label)
              item->judged[i].label = *label;
            else
              item->failed = true;
            complete();
          });
          return;
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
  }, ctx.control);
  throttle.start();
  drive(ctx);
  ctx.note(format("back_translation: %zu instructions judged", work.size()));
}

}  // namespace

run::Stage back_translation_stage() {
  return {"back_translation", "back-translation of kept functions and NLI against the instruction", fingerprint,
          run_stage};
}

}  // namespace autoif::stages
