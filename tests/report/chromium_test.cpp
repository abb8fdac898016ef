// The report as Debian's headless Chromium renders it: scripts/check-report checks the DOM
// (charts, bar counts, data-count values, the report's script ran without error) and that the
// screenshot is not blank. Needs the chromium package (scripts/setup installs it).
#include <sys/wait.h>

#include <cstdio>

#include <catch2/catch.hpp>

#include "helpers.h"
#include "pipeline/report/report.h"

namespace autoif::report::testing {
namespace {

struct Ran {
  int status = -1;
  std::string output;
};

// Runs a shell command (arguments already quoted), capturing stdout and stderr together.
Ran run(const std::string& command) {
  Ran ran;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) FAIL("popen failed");
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) ran.output.append(buf, n);
  int raw = ::pclose(pipe);
  ran.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return ran;
}

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

TEST_CASE("report renders in headless Chromium with every chart, matching numbers and a non-blank screenshot") {
  TempDir dir;
  SyntheticOptions options;
  options.hostile = kHostileText;
  build_synthetic_run(dir.file("run.db"), options);
  auto db = open_read_only(dir.file("run.db"));
  REQUIRE(write_report(db, dir.file("report.html")));

  const std::string script = std::string(AUTOIF_SOURCE_DIR) + "/scripts/check-report";
  auto ran = run("timeout 300 " + quoted(script) + " " + quoted(dir.file("report.html")) + " --screenshot " +
                 quoted(dir.file("report.png")) + " --dom-out " + quoted(dir.file("dom.html")) +
                 " --expect-bars drop-reasons=10 --expect-bars tokens-by-stage=7 --expect-bars response-verdicts=3"
                 " --expect-bars case-verdicts=3 --timeout 120");
  INFO(ran.output);
  if (ran.status == 3) FAIL("chromium is missing: run scripts/setup (it installs Debian's chromium package)");
  REQUIRE(ran.status == 0);
  CHECK_THAT(ran.output, Catch::Contains("check-report: OK"));

  // The hostile response was rendered as text: its script never ran, its image never loaded.
  auto dom = read_file(dir.file("dom.html"));
  CHECK(dom.find("data-script-ok=\"1\"") != std::string::npos);
  CHECK(dom.find("data-pwned=\"") == std::string::npos);
  CHECK(dom.find("&lt;script&gt;document.body.setAttribute('data-pwned'") != std::string::npos);
}

TEST_CASE("check-report fails a report whose numbers disagree with its bars") {
  TempDir dir;
  build_synthetic_run(dir.file("run.db"));
  auto db = open_read_only(dir.file("run.db"));
  REQUIRE(write_report(db, dir.file("report.html")));
  // Tamper: the funnel's responses bar claims 10 while it shows 9.
  auto html = read_file(dir.file("report.html"));
  const std::string honest = "<g class=\"bar\" data-key=\"responses\" data-count=\"9\"";
  auto at = html.find(honest);
  REQUIRE(at != std::string::npos);
  html.replace(at, honest.size(), "<g class=\"bar\" data-key=\"responses\" data-count=\"10\"");
  {
    std::ofstream out(dir.file("tampered.html"));
    out << html;
  }
  auto ran = run("timeout 300 " + quoted(std::string(AUTOIF_SOURCE_DIR) + "/scripts/check-report") + " " +
                 quoted(dir.file("tampered.html")) + " --timeout 120");
  INFO(ran.output);
  if (ran.status == 3) FAIL("chromium is missing: run scripts/setup (it installs Debian's chromium package)");
  CHECK(ran.status == 1);
  CHECK_THAT(ran.output, Catch::Contains("funnel-chart/responses: shows 9 but data-count is 10"));
}

}  // namespace
}  // namespace autoif::report::testing
