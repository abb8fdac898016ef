// The HTML of `autoif report`; see report.h for the contract and html.h for the chart markup.
#include <cstdio>

#include "pipeline/llm/sha256.h"
#include "pipeline/report/html.h"
#include "pipeline/report/report.h"
#include "pipeline/report/status_render.h"

namespace autoif::report {
namespace {

constexpr std::string_view kStyle = R"css(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d2330;background:#fff;margin:0}
main{max-width:1060px;margin:0 auto;padding:18px 24px 48px}
h1{font-size:24px;margin:8px 0 2px}h2{font-size:18px;margin:30px 0 8px;border-bottom:1px solid #dfe3ea;padding-bottom:4px}
.sub{color:#5b6475;margin:0 0 12px}.note{color:#7a5a00;background:#fff8e1;border-left:3px solid #e0b000;padding:4px 8px;margin:6px 0}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}.card{border:1px solid #dfe3ea;border-radius:6px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:20px}.card span{color:#5b6475;font-size:12px}
figure.chart{margin:10px 0 18px}figcaption{font-weight:600;margin-bottom:4px}
.bar-label,.bar-value,.chart-empty{font-size:12px;fill:#1d2330}.bar-rect{fill:#3b6fb6}
#drop-reasons .bar-rect{fill:#c0504d}#pass-rate-histogram .bar-rect,#score-histogram .bar-rect{fill:#4e9a6a}
#response-verdicts .bar-rect,#case-verdicts .bar-rect{fill:#8064a2}#tokens-by-stage .bar-rect{fill:#d08a2c}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 24px}.grid svg{max-width:100%;height:auto}
table{border-collapse:collapse;margin:6px 0 14px;font-size:13px}th,td{border:1px solid #dfe3ea;padding:3px 8px;vertical-align:top;text-align:left}
th{background:#f3f5f9}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.samples{table-layout:fixed;width:100%}table.samples td{overflow-wrap:anywhere}
pre{white-space:pre-wrap;margin:4px 0;font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace}
summary{cursor:pointer}.reason{font-weight:600;color:#a33}.kept{color:#2a7a3a}
.controls{margin:8px 0}.controls input,.controls select{margin-right:12px}
)css";

constexpr std::string_view kScript = R"js(
(function () {
  window.addEventListener('error', function (e) {
    document.body.setAttribute('data-script-error', String(e.message));
  });
  var filter = document.getElementById('fate-filter');
  var search = document.getElementById('sample-search');
  function apply() {
    var fate = filter.value, text = search.value.toLowerCase();
    document.querySelectorAll('tr.sample').forEach(function (row) {
      var show = (fate === '' || row.getAttribute('data-fate') === fate) &&
                 (text === '' || row.textContent.toLowerCase().indexOf(text) >= 0);
      row.hidden = !show;
    });
  }
  filter.addEventListener('change', apply);
  search.addEventListener('input', apply);
  document.body.setAttribute('data-script-ok', '1');
})();
)js";

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string cell(std::int64_t n) { return "<td class=\"n\">" + std::to_string(n) + "</td>"; }
std::string cell(const std::string& text) { return "<td>" + escape_html(text) + "</td>"; }

std::string fate_label(const std::string& fate, const storage::ResponseThresholds& t) {
  if (fate == "truncated") return "truncated (cut by max_tokens)";
  if (fate == "pass_rate") return "pass rate <= " + fixed(t.min_pass_rate, 2);
  if (fate == "score_parse_failure") return "score unreadable";
  if (fate == "score") return "score < " + fixed(t.min_score, 1);
  if (fate == "unscored") return "not scored yet";
  return fate;
}

// A long model text: its start as the summary, the whole (clipped) text when opened.
std::string long_text(const std::string& text, std::size_t max_bytes) {
  bool cut = false;
  std::string body = clip_utf8(text, max_bytes, &cut);
  std::string preview = clip_utf8(text, 140);
  if (preview.size() < text.size()) preview += " ...";
  return "<details><summary>" + escape_html(preview) + "</summary><pre>" + escape_html(body) +
         (cut ? "\n[... " + std::to_string(text.size() - body.size()) + " more bytes]" : std::string()) +
         "</pre></details>";
}

std::string header(const ReportData& d) {
  const RunStatus& s = d.status;
  const RunTiming& t = s.run;
  std::string out = "<h1>autoif run report</h1><p class=\"sub\">" + escape_html(s.database) + "</p>";
  out += "<p>State <b id=\"run-state\">" + escape_html(t.state) + "</b>";
  if (!t.reason.empty()) out += " (" + escape_html(t.reason) + ")";
  if (t.elapsed_s) out += ", elapsed " + fixed(*t.elapsed_s, 1) + " s";
  if (t.eta_s) out += ", about " + fixed(*t.eta_s, 0) + " s left in stage " + escape_html(t.stage);
  if (t.started_at) out += ", started " + escape_html(*t.started_at);
  out += ".</p>";
  for (const auto& note : t.notes) out += "<p class=\"note\">" + escape_html(note) + "</p>";
  const auto& th = s.thresholds.responses;
  out += "<p>Responses from <b>" + escape_html(th.source) + "</b> are kept when their pass rate is above " +
         fixed(th.min_pass_rate, 2) + " and their score at least " + fixed(th.min_score, 1) + "; truncated answers " +
         (th.drop_truncated ? "are dropped" : "are kept") + " (" +
         (s.thresholds.from_snapshot ? "the run's configuration" : "defaults: no configuration stored") + ").</p>";

  std::int64_t tokens = 0;
  for (const auto& u : s.usage) tokens += u.prompt_tokens + u.completion_tokens;
  auto card = [](const std::string& key, const std::string& label, std::int64_t n) {
    return "<div class=\"card\"><b class=\"stat\" data-key=\"" + key + "\" data-count=\"" + std::to_string(n) +
           "\">" + std::to_string(n) + "</b><span>" + label + "</span></div>";
  };
  out += "<div class=\"cards\">" + card("kept_instructions", "kept instructions", s.funnel[2].out) +
         card("responses", "responses", s.funnel[4].out) + card("sft_rows", "SFT rows", s.funnel[6].out) +
         card("dpo_pairs", "DPO pairs", s.funnel[7].out) + card("tokens", "tokens", tokens) + "</div>";
  return out;
}

std::string funnel_section(const RunStatus& s) {
  const auto& f = s.funnel;
  std::vector<Bar> bars = {
      {"instructions", "instructions (seeds + augmented)", f[0].in},
      {"unique_instructions", "after near-duplicates", f[0].out},
      {"verified_instructions", "passed cross-validation", f[1].out},
      {"kept_instructions", "kept after back-translation", f[2].out},
      {"inputs", "inputs (query x instruction)", f[3].out},
      {"responses", "responses", f[4].out},
      {"passing_responses", "responses passing verification", f[5].out},
      {"sft_rows", "SFT rows (score kept)", f[6].out},
      {"dpo_pairs", "DPO pairs", f[7].out},
  };
  std::string out = "<h2>Funnel</h2>" + bar_chart("funnel-chart", "Items left after each stage", bars, Orientation::horizontal);
  out += "<table id=\"funnel-table\"><tr><th>stage</th><th>in</th><th>out</th><th>pending</th><th>dropped</th><th>details</th></tr>";
  auto list = [](const std::vector<storage::KeyCount>& counts) {
    std::string text;
    for (const auto& c : counts) text += (text.empty() ? "" : ", ") + c.key + " " + std::to_string(c.count);
    return text;
  };
  for (const auto& stage : f)
    out += "<tr>" + cell(stage.stage) + "<td class=\"n\">" + std::to_string(stage.in) + " " + escape_html(stage.in_unit) +
           "</td><td class=\"n\">" + std::to_string(stage.out) + " " + escape_html(stage.out_unit) + "</td>" +
           cell(stage.pending) + cell(list(stage.dropped)) + cell(list(stage.details)) + "</tr>";
  out += "</table>";

  std::vector<Bar> drops;
  for (const auto& d : s.drops)
    drops.push_back({d.stage + "." + d.reason, d.stage + ": " + d.reason + " (" + d.unit + ")", d.count});
  out += "<h2>Drop reasons</h2>" + bar_chart("drop-reasons", "Why items were dropped", drops, Orientation::horizontal);
  return out;
}

std::string histograms(const ReportData& d) {
  std::vector<Bar> pass, score;
  for (int i = 0; i <= 10; ++i) {
    pass.push_back({"bin" + std::to_string(i), fixed(i / 10.0, 1), d.pass_rate_bins[static_cast<std::size_t>(i)]});
    score.push_back({"bin" + std::to_string(i), std::to_string(i), d.score_bins[static_cast<std::size_t>(i)]});
  }
  return "<h2>Verification and scores</h2><div class=\"grid\"><div>" +
         bar_chart("pass-rate-histogram", "Pass rate of responses (rounded to 0.1)", pass, Orientation::vertical) +
         "</div><div>" + bar_chart("score-histogram", "Quality scores (whole points)", score, Orientation::vertical) +
         "</div></div>";
}

std::string verdicts(const RunStatus& s) {
  auto bars = [](const std::vector<storage::KeyCount>& counts) {
    std::vector<Bar> out;
    for (const auto& c : counts) out.push_back({c.key, c.key, c.count});
    return out;
  };
  return "<h2>Sandbox verdicts</h2><div class=\"grid\"><div>" +
         bar_chart("response-verdicts", "Verification functions on responses", bars(s.response_verdicts),
                   Orientation::horizontal) +
         "</div><div>" +
         bar_chart("case-verdicts", "Functions on cross-validation cases", bars(s.case_verdicts),
                   Orientation::horizontal) +
         "</div></div>";
}

std::string calls(const RunStatus& s) {
  std::vector<Bar> bars;
  for (const auto& u : usage_by_stage(s.usage))
    bars.push_back({u.stage, u.stage, u.prompt_tokens + u.completion_tokens});
  std::string out = "<h2>Tokens and calls</h2>" +
                    bar_chart("tokens-by-stage", "Tokens (prompt + completion) per stage", bars, Orientation::horizontal);
  out += "<table id=\"usage-table\"><tr><th>stage</th><th>model</th><th>calls</th><th>prompt tokens</th><th>completion tokens</th></tr>";
  for (const auto& u : s.usage)
    out += "<tr>" + cell(u.stage) + cell(u.model) + cell(u.calls) + cell(u.prompt_tokens) + cell(u.completion_tokens) + "</tr>";
  out += "</table><table id=\"latency-table\"><tr><th>model</th><th>calls</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th>"
         "<th>errors</th><th>truncated</th><th>retried</th></tr>";
  for (const auto& l : s.latency) {
    storage::CallHealth h;
    for (const auto& x : s.health)
      if (x.model == l.model) h = x;
    out += "<tr>" + cell(l.model) + cell(l.count) + cell(l.p50) + cell(l.p90) + cell(l.p99) + cell(l.max) +
           cell(h.errors) + cell(h.truncated) + cell(h.retried) + "</tr>";
  }
  return out + "</table>";
}

std::string samples(const ReportData& d, const ReportOptions& o) {
  const auto& t = d.status.thresholds.responses;
  std::string out = "<h2>Sample rows</h2><p>Up to " + std::to_string(o.sample_size) +
                    " kept and " + std::to_string(o.sample_size) +
                    " rejected responses, spread evenly over the run (the same rows every time). Click a text to "
                    "read it whole.</p><div class=\"controls\"><label>reason <select id=\"fate-filter\"><option value=\"\">all</option>";
  for (const char* fate : storage::kResponseFates)
    if (std::string(fate) != "unscored")
      out += "<option value=\"" + std::string(fate) + "\">" + escape_html(fate_label(fate, t)) + "</option>";
  out += "</select></label><label>search <input id=\"sample-search\" type=\"search\"></label></div>";
  auto table = [&](const std::string& id, const std::vector<storage::SampleResponse>& rows) {
    std::string html = "<table class=\"samples\" id=\"" + id + "\" data-rows=\"" + std::to_string(rows.size()) +
                       "\"><colgroup><col style=\"width:13%\"><col style=\"width:24%\"><col style=\"width:45%\">"
                       "<col style=\"width:9%\"><col style=\"width:9%\"></colgroup>"
                       "<tr><th>reason</th><th>prompt</th><th>response</th><th>pass rate</th><th>score</th></tr>";
    for (const auto& r : rows)
      html += "<tr class=\"sample\" data-fate=\"" + escape_html(r.fate) + "\"><td class=\"" +
              (r.fate == "kept" ? "kept" : "reason") + "\">" + escape_html(fate_label(r.fate, t)) + "</td><td>" +
              long_text(r.prompt, o.max_text_bytes) + "</td><td>" + long_text(r.response, o.max_text_bytes) +
              "</td><td class=\"n\">" + (r.pass_rate ? fixed(*r.pass_rate, 2) : "-") + "</td><td class=\"n\">" +
              (r.score ? fixed(*r.score, 1) : "-") + "</td></tr>";
    if (rows.empty()) html += "<tr><td colspan=\"5\">none yet</td></tr>";
    return html + "</table>";
  };
  out += "<h3>Kept (" + std::to_string(d.kept.size()) + ")</h3>" + table("kept-sample", d.kept);
  out += "<h3>Rejected (" + std::to_string(d.rejected.size()) + ")</h3>" + table("rejected-sample", d.rejected);

  auto instructions = [&](const std::string& id, const std::vector<storage::SampleInstruction>& rows) {
    std::string html = "<table class=\"samples\" id=\"" + id + "\" data-rows=\"" + std::to_string(rows.size()) +
                       "\"><colgroup><col style=\"width:16%\"><col style=\"width:10%\"><col></colgroup>"
                       "<tr><th>reason</th><th>origin</th><th>instruction</th></tr>";
    for (const auto& r : rows)
      html += "<tr class=\"instruction\" data-reason=\"" + escape_html(r.drop_reason.value_or("kept")) + "\"><td class=\"" +
              (r.drop_reason ? "reason" : "kept") + "\">" + escape_html(r.drop_reason.value_or("kept")) + "</td>" +
              cell(r.origin) + "<td>" + long_text(r.text, o.max_text_bytes) + "</td></tr>";
    if (rows.empty()) html += "<tr><td colspan=\"3\">none yet</td></tr>";
    return html + "</table>";
  };
  out += "<h3>Instructions kept (up to " + std::to_string(o.instructions_per_reason) + ")</h3>" +
         instructions("kept-instructions", d.kept_instructions);
  out += "<h3>Instructions dropped (up to " + std::to_string(o.instructions_per_reason) + " per reason)</h3>" +
         instructions("dropped-instructions", d.dropped_instructions);
  return out;
}

std::string script_hash() {
  llm::Sha256 hash;
  hash.update(kScript);
  auto digest = hash.digest();
  return base64(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace

std::string render_report_html(const ReportData& d, const ReportOptions& o) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      "script-src 'sha256-" + script_hash() + "'\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>autoif report</title><style>" +
      std::string(kStyle) + "</style></head>\n<body><main>";
  out += header(d) + funnel_section(d.status) + histograms(d) + verdicts(d.status) + calls(d.status) + samples(d, o);
  out += "</main><script>" + std::string(kScript) + "</script></body></html>\n";
  return out;
}

}  // namespace autoif::report
