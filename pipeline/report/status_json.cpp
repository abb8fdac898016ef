#include <algorithm>

#include "pipeline/report/status_render.h"

namespace autoif::report {
namespace {

using Json = nlohmann::ordered_json;

Json counts_object(const std::vector<storage::KeyCount>& counts) {
  Json o = Json::object();
  for (const auto& c : counts) o[c.key] = c.count;
  return o;
}

template <typename T>
Json optional_value(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json usage_json(const storage::CallUsage& u) {
  return {{"stage", u.stage},
          {"model", u.model},
          {"calls", u.calls},
          {"prompt_tokens", u.prompt_tokens},
          {"completion_tokens", u.completion_tokens}};
}

Json run_json(const RunTiming& t) {
  Json run = {{"state", t.state},
              {"reason", t.reason},
              {"source", t.source},
              {"started_at", optional_value(t.started_at)},
              {"updated_at", optional_value(t.updated_at)},
              {"elapsed_s", optional_value(t.elapsed_s)},
              {"eta_s", optional_value(t.eta_s)},
              {"since_update_s", optional_value(t.since_update_s)},
              {"stage", t.stage}};
  Json stages = Json::array();
  for (const auto& s : t.stages)
    stages.push_back({{"stage", s.stage},
                      {"done", s.done},
                      {"total", s.total},
                      {"rate_per_s", optional_value(s.rate_per_s)},
                      {"eta_s", optional_value(s.eta_s)}});
  run["stages"] = std::move(stages);
  run["requests"] = counts_object(t.requests);
  run["tokens"] = counts_object(t.tokens);
  run["sandbox"] = counts_object(t.sandbox);
  run["notes"] = t.notes;
  return run;
}

}  // namespace

std::vector<storage::CallUsage> usage_by_stage(const std::vector<storage::CallUsage>& usage) {
  std::vector<storage::CallUsage> out;
  for (const auto& u : usage) {
    auto it = std::find_if(out.begin(), out.end(), [&](const storage::CallUsage& o) { return o.stage == u.stage; });
    if (it == out.end()) {
      out.push_back({u.stage, "", 0, 0, 0});
      it = out.end() - 1;
    }
    it->calls += u.calls;
    it->prompt_tokens += u.prompt_tokens;
    it->completion_tokens += u.completion_tokens;
  }
  return out;
}

nlohmann::ordered_json status_json(const RunStatus& s) {
  Json out;
  out["database"] = s.database;
  const auto& t = s.thresholds.responses;
  out["thresholds"] = {{"source", t.source},
                       {"min_pass_rate", t.min_pass_rate},
                       {"min_score", t.min_score},
                       {"drop_truncated", t.drop_truncated},
                       {"from", s.thresholds.from_snapshot ? "config snapshot" : "defaults"}};
  out["run"] = run_json(s.run);

  Json funnel = Json::array();
  for (const auto& f : s.funnel)
    funnel.push_back({{"stage", f.stage},
                      {"in", f.in},
                      {"in_unit", f.in_unit},
                      {"out", f.out},
                      {"out_unit", f.out_unit},
                      {"pending", f.pending},
                      {"dropped", counts_object(f.dropped)},
                      {"details", counts_object(f.details)}});
  out["funnel"] = std::move(funnel);

  Json drops = Json::array();
  for (const auto& d : s.drops)
    drops.push_back({{"stage", d.stage}, {"reason", d.reason}, {"unit", d.unit}, {"count", d.count}});
  out["drops"] = std::move(drops);

  Json by_stage_model = Json::array(), by_stage = Json::array();
  storage::CallUsage total{"total", "", 0, 0, 0};
  for (const auto& u : s.usage) {
    by_stage_model.push_back(usage_json(u));
    total.calls += u.calls;
    total.prompt_tokens += u.prompt_tokens;
    total.completion_tokens += u.completion_tokens;
  }
  for (const auto& u : usage_by_stage(s.usage)) {
    Json row = usage_json(u);
    row.erase("model");
    by_stage.push_back(std::move(row));
  }
  Json total_json = usage_json(total);
  total_json.erase("stage");
  total_json.erase("model");
  out["calls"] = {{"by_stage_and_model", std::move(by_stage_model)},
                  {"by_stage", std::move(by_stage)},
                  {"total", std::move(total_json)}};

  Json latency = Json::array();
  for (const auto& l : s.latency)
    latency.push_back({{"model", l.model},
                       {"calls", l.count},
                       {"p50_ms", l.p50},
                       {"p90_ms", l.p90},
                       {"p99_ms", l.p99},
                       {"max_ms", l.max}});
  out["latency"] = std::move(latency);

  Json errors = Json::array();
  for (const auto& h : s.health)
    errors.push_back({{"model", h.model},
                      {"calls", h.calls},
                      {"errors", h.errors},
                      {"truncated", h.truncated},
                      {"retried", h.retried},
                      {"extra_attempts", h.extra_attempts}});
  out["errors"] = std::move(errors);

  out["verdicts"] = {{"responses", counts_object(s.response_verdicts)}, {"cases", counts_object(s.case_verdicts)}};
  return out;
}

}  // namespace autoif::report
