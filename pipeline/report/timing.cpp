#include "pipeline/report/timing.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace autoif::report {
namespace {

double rounded(double seconds) { return std::round(seconds * 1000.0) / 1000.0; }

std::optional<double> number(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::string> optional_text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// Integer counts of an object, `first` keys first (in that order), then the rest by name.
std::vector<storage::KeyCount> counts(const nlohmann::json& j, const char* key,
                                      std::initializer_list<const char*> first) {
  std::vector<storage::KeyCount> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return out;
  for (const char* name : first)
    if (auto n = number(*it, name)) out.push_back({name, static_cast<std::int64_t>(*n)});
  for (const auto& [name, value] : it->items()) {
    bool listed = std::any_of(first.begin(), first.end(), [&](const char* f) { return name == f; });
    if (!listed && value.is_number()) out.push_back({name, value.get<std::int64_t>()});
  }
  return out;
}

int stage_rank(const std::string& name) {
  static const char* kOrder[] = {"instructions", "seeds",     "augment",      "verifiers", "crossval",
                                 "back_translation", "nli",   "queries",      "pairing",   "responses",
                                 "verification", "verify",    "scoring",      "score",     "select",
                                 "selection"};
  for (std::size_t i = 0; i < std::size(kOrder); ++i)
    if (name == kOrder[i]) return static_cast<int>(i);
  return static_cast<int>(std::size(kOrder));
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f s", s);
  return buf;
}

}  // namespace

std::optional<Clock::time_point> parse_iso8601(std::string_view t) {
  int y, mo, d, h, mi, s, used = 0;
  std::string copy(t);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &used) != 6) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::string_view rest = t.substr(static_cast<std::size_t>(used));
  double fraction = 0;
  if (!rest.empty() && rest.front() == '.') {
    std::size_t n = 1;
    double scale = 0.1;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') {
      fraction += (rest[n] - '0') * scale;
      scale /= 10;
      ++n;
    }
    rest.remove_prefix(n);
  }
  if (!(rest.empty() || rest == "Z" || rest == "+00:00")) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  std::time_t epoch = ::timegm(&tm);
  auto point = Clock::from_time_t(epoch);
  return point + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(fraction));
}

tl::expected<RunTiming, std::string> timing_from_progress(const nlohmann::json& p, Clock::time_point now,
                                                          std::chrono::seconds stale_after) {
  if (!p.is_object()) return tl::unexpected(std::string("meta run_progress is not a JSON object"));
  RunTiming t;
  t.source = "run_progress";
  t.state = text(p, "state");
  if (t.state.empty()) t.state = "unknown";
  t.reason = text(p, "reason");
  t.started_at = optional_text(p, "started_at");
  t.updated_at = optional_text(p, "updated_at");
  t.stage = text(p, "stage");
  if (auto e = number(p, "elapsed_s")) t.elapsed_s = rounded(*e);
  if (auto it = p.find("stages"); it != p.end() && it->is_object()) {
    for (const auto& [name, s] : it->items()) {
      StageProgress sp;
      sp.stage = name;
      sp.done = static_cast<std::int64_t>(number(s, "done").value_or(0));
      sp.total = static_cast<std::int64_t>(number(s, "total").value_or(0));
      if (auto rate = number(s, "rate_per_s")) sp.rate_per_s = rounded(*rate);
      if (auto eta = number(s, "eta_s")) sp.eta_s = rounded(*eta);
      t.stages.push_back(std::move(sp));
    }
    std::stable_sort(t.stages.begin(), t.stages.end(), [](const StageProgress& a, const StageProgress& b) {
      return stage_rank(a.stage) < stage_rank(b.stage);
    });
  }
  t.requests = counts(p, "requests", {"in_flight", "sent", "cached", "retried", "failed"});
  t.tokens = counts(p, "tokens", {"prompt", "completion"});
  t.sandbox = counts(p, "sandbox", {});

  if (t.state != "running") return t;
  auto updated = t.updated_at ? parse_iso8601(*t.updated_at) : std::nullopt;
  if (!updated) {
    t.notes.push_back("the run says it is running but recorded no readable updated_at: cannot tell whether it still is");
    return t;
  }
  double since = std::chrono::duration<double>(now - *updated).count();
  t.since_update_s = rounded(std::max(0.0, since));
  if (since > static_cast<double>(stale_after.count())) {
    t.state = "stale";
    t.notes.push_back("the run recorded progress last at " + *t.updated_at + " (" + seconds_text(since) +
                      " ago) and is no longer running (killed, or stuck); run `autoif run` again to resume it");
    return t;
  }
  if (t.elapsed_s) t.elapsed_s = rounded(*t.elapsed_s + std::max(0.0, since));
  for (const auto& s : t.stages)
    if (s.stage == t.stage && s.eta_s) t.eta_s = rounded(*s.eta_s);
  if (!t.eta_s) t.notes.push_back("no estimate of the remaining time yet for stage " + t.stage);
  return t;
}

RunTiming timing_from_database(const storage::TimeRange& calls, const std::vector<storage::StageStateRow>& stages) {
  RunTiming t;
  t.source = "database";
  // The earliest and latest of every stored timestamp. ISO-8601 UTC strings of one format sort
  // as times, but the formats differ in fractional seconds, so compare parsed times.
  std::optional<std::pair<Clock::time_point, std::string>> first, last;
  auto consider = [&](const std::optional<std::string>& stamp) {
    if (!stamp) return;
    auto when = parse_iso8601(*stamp);
    if (!when) return;
    if (!first || *when < first->first) first = {{*when, *stamp}};
    if (!last || *when > last->first) last = {{*when, *stamp}};
  };
  consider(calls.first);
  consider(calls.last);
  bool finished = false;
  for (const auto& s : stages) {
    consider(s.updated_at);
    if (s.stage == "select" && s.done) finished = true;
  }
  if (finished) t.state = "finished";
  if (first) {
    t.started_at = first->second;
    t.updated_at = last->second;
    t.elapsed_s = rounded(std::chrono::duration<double>(last->first - first->first).count());
  }
  t.notes.push_back(
      "no progress record in this database (meta run_progress: a run of an older version, or one that has only "
      "just started): elapsed is the span of its stored LLM calls and stage updates, and there is no estimate of "
      "the remaining time");
  return t;
}

}  // namespace autoif::report
