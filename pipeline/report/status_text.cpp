#include <algorithm>
#include <cmath>
#include <cstdio>

#include "pipeline/report/status_render.h"

namespace autoif::report {
namespace {

// Columns padded to their widest cell; the columns flagged in `right` align right (numbers).
class Table {
 public:
  Table(std::vector<std::string> header, std::vector<bool> right) : right_(std::move(right)) {
    rows_.push_back(std::move(header));
  }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render(const std::string& indent) const {
    std::vector<std::size_t> width;
    for (const auto& row : rows_)
      for (std::size_t c = 0; c < row.size(); ++c) {
        if (width.size() <= c) width.push_back(0);
        width[c] = std::max(width[c], row[c].size());
      }
    std::string out;
    for (const auto& row : rows_) {
      std::string line = indent;
      for (std::size_t c = 0; c < row.size(); ++c) {
        std::string pad(width[c] - row[c].size(), ' ');
        bool right = c < right_.size() && right_[c];
        line += right ? pad + row[c] : row[c] + (c + 1 < row.size() ? pad : "");
        if (c + 1 < row.size()) line += "  ";
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    return out;
  }

 private:
  std::vector<std::vector<std::string>> rows_;
  std::vector<bool> right_;
};

std::string num(std::int64_t n) { return std::to_string(n); }

std::string decimal(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string duration(double s) {
  char buf[64];
  if (s < 120) std::snprintf(buf, sizeof buf, "%.1f s", s);
  else if (s < 7200) std::snprintf(buf, sizeof buf, "%.0f min %02.0f s", std::floor(s / 60), std::fmod(s, 60));
  else std::snprintf(buf, sizeof buf, "%.0f h %02.0f min", std::floor(s / 3600), std::fmod(std::floor(s / 60), 60));
  return buf;
}

std::string joined(const std::vector<storage::KeyCount>& counts, bool skip_zero = false) {
  std::string out;
  for (const auto& c : counts) {
    if (skip_zero && c.count == 0) continue;
    if (!out.empty()) out += ", ";
    out += c.key + " " + num(c.count);
  }
  return out.empty() ? "-" : out;
}

std::string run_section(const RunTiming& t) {
  std::string out = "run\n  state    " + t.state;
  if (!t.reason.empty()) out += " (" + t.reason + ")";
  out += t.source == "run_progress" ? "  [from the run's progress record]\n" : "  [estimated from the database]\n";
  if (t.started_at) out += "  started  " + *t.started_at + "\n";
  if (t.updated_at) out += "  updated  " + *t.updated_at + "\n";
  out += "  elapsed  " + (t.elapsed_s ? duration(*t.elapsed_s) : std::string("unknown")) + "\n";
  if (t.state == "running")
    out += "  ETA      " + (t.eta_s ? duration(*t.eta_s) + " (stage " + t.stage + ")" : std::string("unknown")) + "\n";
  if (!t.requests.empty()) out += "  requests " + joined(t.requests) + "\n";
  if (!t.tokens.empty()) out += "  tokens   " + joined(t.tokens) + "\n";
  if (!t.sandbox.empty()) out += "  sandbox  " + joined(t.sandbox) + "\n";
  for (const auto& note : t.notes) out += "  note: " + note + "\n";
  if (!t.stages.empty()) {
    Table table({"stage", "done", "total", "rate/s", "ETA"}, {false, true, true, true, true});
    for (const auto& s : t.stages)
      table.add({s.stage, num(s.done), s.total > 0 ? num(s.total) : "?",
                 s.rate_per_s ? decimal(*s.rate_per_s, 2) : "-", s.eta_s ? duration(*s.eta_s) : "-"});
    out += table.render("  ");
  }
  return out;
}

}  // namespace

std::string status_text(const RunStatus& s) {
  std::string out = "autoif status: " + s.database + "\n\n" + run_section(s.run);

  const auto& t = s.thresholds.responses;
  out += "\nthresholds (" + std::string(s.thresholds.from_snapshot ? "the run's configuration" : "defaults: no configuration stored") +
         ")\n  responses from " + t.source + "; kept when pass rate > " + decimal(t.min_pass_rate, 2) +
         " and score >= " + decimal(t.min_score, 1) + "; truncated answers " +
         (t.drop_truncated ? "dropped" : "kept") + "\n";

  out += "\nfunnel\n";
  Table funnel({"stage", "in", "", "out", "", "pending", "dropped"}, {false, true, false, true, false, true, false});
  for (const auto& f : s.funnel)
    funnel.add({f.stage, num(f.in), f.in_unit, num(f.out), f.out_unit, num(f.pending),
                f.dropped.empty() ? "" : joined(f.dropped)});
  out += funnel.render("  ");
  for (const auto& f : s.funnel)
    if (!f.details.empty()) out += "  " + f.stage + ": " + joined(f.details) + "\n";

  out += "\ndrop reasons\n";
  Table drops({"stage", "reason", "count", "unit"}, {false, false, true, false});
  for (const auto& d : s.drops) drops.add({d.stage, d.reason, num(d.count), d.unit});
  out += drops.render("  ");

  out += "\nLLM calls and tokens\n";
  Table usage({"stage", "model", "calls", "prompt", "completion"}, {false, false, true, true, true});
  std::int64_t calls = 0, prompt = 0, completion = 0;
  for (const auto& u : s.usage) {
    usage.add({u.stage, u.model, num(u.calls), num(u.prompt_tokens), num(u.completion_tokens)});
    calls += u.calls;
    prompt += u.prompt_tokens;
    completion += u.completion_tokens;
  }
  usage.add({"total", "", num(calls), num(prompt), num(completion)});
  out += usage.render("  ");

  out += "\nlatency (ms, nearest rank)\n";
  Table latency({"model", "calls", "p50", "p90", "p99", "max"}, {false, true, true, true, true, true});
  for (const auto& l : s.latency)
    latency.add({l.model, num(l.count), num(l.p50), num(l.p90), num(l.p99), num(l.max)});
  out += latency.render("  ");

  out += "\nerrors\n";
  Table errors({"model", "calls", "errors", "truncated", "retried", "extra attempts"},
               {false, true, true, true, true, true});
  for (const auto& h : s.health)
    errors.add({h.model, num(h.calls), num(h.errors), num(h.truncated), num(h.retried), num(h.extra_attempts)});
  out += errors.render("  ");

  out += "\nsandbox verdicts\n  responses  " + joined(s.response_verdicts) + "\n  cases      " +
         joined(s.case_verdicts) + "\n";
  return out;
}

}  // namespace autoif::report
