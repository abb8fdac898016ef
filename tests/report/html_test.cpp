// The HTML report as a file: escaping of model text, self-containment, chart markup, samples,
// atomic writing. (What a browser makes of it: chromium_test.cpp.)
#include <sys/stat.h>

#include <regex>

#include <catch2/catch.hpp>

#include "helpers.h"
#include "pipeline/report/html.h"
#include "pipeline/report/report.h"

namespace autoif::report::testing {
namespace {

std::string report_of(const TempDir& dir, const SyntheticOptions& options = {}, const ReportOptions& report = {}) {
  build_synthetic_run(dir.file("run.db"), options);
  auto db = open_read_only(dir.file("run.db"));
  auto data = gather_report(db, report);
  if (!data) FAIL(data.error());
  return render_report_html(*data, report);
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST_CASE("escape_html makes markup inert text") {
  CHECK(escape_html("<script>alert('x')</script>") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  CHECK(escape_html("a & \"b\"") == "a &amp; &quot;b&quot;");
  CHECK(escape_html(std::string("a\0b", 3)) == "a\xEF\xBF\xBD" "b");
  CHECK(escape_html("plain ü") == "plain ü");
}

TEST_CASE("clip_utf8 never splits a character") {
  bool cut = false;
  CHECK(clip_utf8("aü", 2, &cut) == "a");  // ü is two bytes
  CHECK(cut);
  CHECK(clip_utf8("abc", 5, &cut) == "abc");
  CHECK_FALSE(cut);
}

TEST_CASE("base64 encodes with padding") {
  CHECK(base64("") == "");
  CHECK(base64("f") == "Zg==");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("foo") == "Zm9v");
  CHECK(base64("foobar") == "Zm9vYmFy");
}

TEST_CASE("report escapes hostile model text: no tag or attribute of it survives") {
  TempDir dir;
  SyntheticOptions options;
  options.hostile = kHostileText;
  auto html = report_of(dir, options);
  CHECK(html.find("data-pwned") != std::string::npos);  // shown, as text
  CHECK(html.find("<script>document") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("onerror=\"") == std::string::npos);
  CHECK(html.find("&lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;") != std::string::npos);
  // Exactly one script element: the report's own.
  CHECK(occurrences(html, "<script") == 1);
  // The hostile "</table>" did not close a table early: every opened table is closed once.
  CHECK(occurrences(html, "<table") == occurrences(html, "</table>"));
}

TEST_CASE("report is self-contained: nothing is loaded from http(s) or any other place") {
  TempDir dir;
  SyntheticOptions options;
  options.hostile = kHostileText;  // carries an https:// link, as text
  auto html = report_of(dir, options);
  std::regex external(R"((src|href)\s*=\s*["']?\s*(https?:|//))", std::regex::icase);
  CHECK_FALSE(std::regex_search(html, external));
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  CHECK(html.find("url(") == std::string::npos);
  // The browser is told so too: no network, and only the report's own script.
  CHECK(html.find("default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-") != std::string::npos);
}

TEST_CASE("report charts carry ids, bar counts and data-count values of the run") {
  TempDir dir;
  auto html = report_of(dir);
  for (const char* id : {"funnel-chart", "drop-reasons", "pass-rate-histogram", "score-histogram",
                         "response-verdicts", "case-verdicts", "tokens-by-stage"})
    CHECK(html.find(std::string("id=\"") + id + "\"") != std::string::npos);
  CHECK(html.find("id=\"funnel-chart\" data-bars=\"9\"") != std::string::npos);
  CHECK(html.find("id=\"pass-rate-histogram\" data-bars=\"11\"") != std::string::npos);
  CHECK(html.find("id=\"score-histogram\" data-bars=\"11\"") != std::string::npos);
  CHECK(html.find("id=\"drop-reasons\" data-bars=\"10\"") != std::string::npos);
  CHECK(html.find("id=\"tokens-by-stage\" data-bars=\"7\"") != std::string::npos);
  CHECK(html.find("data-key=\"responses\" data-count=\"9\"") != std::string::npos);
  CHECK(html.find("data-key=\"sft_rows\" data-count=\"2\"") != std::string::npos);
  CHECK(html.find("data-key=\"verification.truncated\" data-count=\"2\"") != std::string::npos);
}

TEST_CASE("report histograms count every response's pass rate and every readable score") {
  TempDir dir;
  build_synthetic_run(dir.file("run.db"));
  auto db = open_read_only(dir.file("run.db"));
  auto data = gather_report(db);
  REQUIRE(data);
  std::vector<std::int64_t> pass(11, 0), score(11, 0);
  pass[0] = 2;  // r4, r9
  pass[5] = 1;  // r3
  pass[10] = 6;
  score[7] = score[9] = score[10] = 1;
  CHECK(data->pass_rate_bins == pass);
  CHECK(data->score_bins == score);
}

TEST_CASE("report samples kept and rejected rows with their reasons, bounded and deterministic") {
  TempDir dir;
  build_synthetic_run(dir.file("run.db"));
  auto db = open_read_only(dir.file("run.db"));
  auto data = gather_report(db);
  REQUIRE(data);
  REQUIRE(data->kept.size() == 2);
  CHECK(data->kept[0].response.rfind("rain is water", 0) == 0);
  CHECK(data->kept[0].score == 9.0);
  std::map<std::string, int> reasons;
  for (const auto& r : data->rejected) ++reasons[r.fate];
  CHECK(reasons == std::map<std::string, int>{{"truncated", 2}, {"pass_rate", 2}, {"score_parse_failure", 1},
                                               {"score", 1}});
  CHECK(data->kept_instructions.size() == 3);
  CHECK(data->dropped_instructions.size() == 4);  // one per reason, ordered by reason
  CHECK(data->dropped_instructions[0].drop_reason == "contradiction");

  ReportOptions small;
  small.sample_size = 2;
  small.instructions_per_reason = 1;
  auto bounded = gather_report(db, small);
  REQUIRE(bounded);
  CHECK(bounded->kept.size() == 2);
  CHECK(bounded->rejected.size() == 2);
  CHECK(bounded->kept_instructions.size() == 1);
  auto again = gather_report(db, small);
  REQUIRE(again);
  REQUIRE(again->rejected.size() == bounded->rejected.size());
  for (std::size_t i = 0; i < again->rejected.size(); ++i) CHECK(again->rejected[i].response == bounded->rejected[i].response);
}

TEST_CASE("share_sample gives small fates all their rows and splits the rest evenly") {
  std::vector<storage::KeyCount> fates = {{"a", 1000}, {"b", 2}, {"c", 0}, {"d", 1000}};
  auto shares = share_sample(fates, 50);
  CHECK(shares == std::vector<storage::KeyCount>{{"a", 24}, {"b", 2}, {"d", 24}});
  CHECK(share_sample(fates, 0) == std::vector<storage::KeyCount>{{"a", 0}, {"b", 0}, {"d", 0}});
}

TEST_CASE("report file is written whole, replaces an old one and leaves no temporary file") {
  TempDir dir;
  build_synthetic_run(dir.file("run.db"));
  auto db = open_read_only(dir.file("run.db"));
  const auto out = dir.file("report.html");
  {
    std::ofstream old(out);
    old << "old report";
  }
  auto written = write_report(db, out);
  REQUIRE(written);
  auto html = read_file(out);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("</html>") != std::string::npos);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);

  // A missing folder is made; one that cannot be (a file stands there) is an error naming it.
  REQUIRE(write_report(db, dir.file("new-folder/report.html")));
  std::ofstream(dir.file("plain")) << "a file, not a folder";
  auto failed = write_report(db, dir.file("plain/report.html"));
  REQUIRE_FALSE(failed);
  CHECK_THAT(failed.error(), Catch::Contains("plain/report.html"));
}

}  // namespace
}  // namespace autoif::report::testing
