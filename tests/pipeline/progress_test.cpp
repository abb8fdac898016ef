// Progress counting and rendering (pipeline/run/progress.h): what people see on a terminal and
// in a log file, and the JSON that `autoif status` reads.
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "pipeline/run/progress.h"

namespace autoif::run {
namespace {

std::string read_all(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) text.append(buffer, n);
  return text;
}

}  // namespace

TEST_CASE("progress: durations read as minutes or hours") {
  CHECK(format_duration(0) == "0:00");
  CHECK(format_duration(65) == "1:05");
  CHECK(format_duration(3600 + 62) == "1:01:02");
  CHECK(format_duration(-3) == "0:00");
}

TEST_CASE("progress: rate and ETA come from items done over the stage's time") {
  StageCount stage{"verifiers", 50, 200, true, false, 25.0};
  REQUIRE(stage_rate(stage));
  CHECK(*stage_rate(stage) == Approx(2.0));
  REQUIRE(stage_eta(stage));
  CHECK(*stage_eta(stage) == Approx(75.0));
  stage.total = 0;  // unknown total: no ETA
  CHECK_FALSE(stage_eta(stage));
  stage.done = 0;  // nothing done: no rate
  CHECK_FALSE(stage_rate(stage));
}

TEST_CASE("progress: counts per stage, verdicts and requests land in the snapshot") {
  std::FILE* out = std::tmpfile();
  Progress progress({"verifiers", "responses"}, out, Display::off, std::chrono::milliseconds(1000));
  progress.begin("verifiers", 10);
  progress.advance("verifiers", 3);
  progress.advance("verifiers");
  progress.verdict("ok", 5);
  progress.verdict("timeout");
  progress.add_cached(7);
  progress.set_client_counts({2, 40, 0, 3, 1, 1000, 500});
  auto s = progress.snapshot();
  REQUIRE(s.stages.size() == 2);
  CHECK(s.stages[0].done == 4);
  CHECK(s.stages[0].total == 10);
  CHECK(s.stages[0].started);
  CHECK_FALSE(s.stages[1].started);
  CHECK(s.current == "verifiers");
  CHECK(s.verdicts.at("ok") == 5);
  CHECK(s.verdicts.at("timeout") == 1);
  CHECK(s.requests.cached == 7);  // the gateway's count survives the clients' update
  CHECK(s.requests.in_flight == 2);
  CHECK(s.requests.retried == 3);
  progress.tick();
  progress.close();
  CHECK(read_all(out).empty());  // Display::off prints nothing
  std::fclose(out);
}

TEST_CASE("progress: the status line names the stage, its count, requests, tokens and verdicts") {
  ProgressSnapshot s;
  s.elapsed_s = 125;
  s.stages = {{"verifiers", 50, 200, true, false, 25.0}, {"responses", 0, 0, false, false, 0}};
  s.current = "verifiers";
  s.requests = {8, 120, 30, 2, 1, 5000, 1200};
  s.verdicts = {{"ok", 90}, {"timeout", 1}};
  auto line = status_line(s);
  CHECK_THAT(line, Catch::StartsWith("[2:05] verifiers 50/200 (2.00/s, ETA 1:15)"));
  CHECK_THAT(line, Catch::Contains("8 in flight") && Catch::Contains("120 sent") && Catch::Contains("2 retried"));
  CHECK_THAT(line, Catch::Contains("tokens 5000 in, 1200 out"));
  CHECK_THAT(line, Catch::Contains("ok 90, timeout 1"));
  auto lines = live_lines(s);
  REQUIRE(lines.size() == 4);  // header, two stages, verdicts
  CHECK_THAT(lines[1], Catch::Contains("> verifiers") && Catch::Contains("50/200") && Catch::Contains("ETA 1:15"));
  CHECK_THAT(lines[2], Catch::Contains("responses") && Catch::Contains("waiting"));
}

TEST_CASE("progress: plain mode prints a status line at its interval and never redraws") {
  std::FILE* out = std::tmpfile();
  Progress progress({"responses"}, out, Display::plain, std::chrono::milliseconds(0));
  progress.begin("responses", 4);
  progress.advance("responses");
  progress.tick();
  progress.note("responses: something happened");
  progress.tick();
  progress.close();
  auto text = read_all(out);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find("responses 1/4") != std::string::npos);
  CHECK(text.find("responses: something happened\n") != std::string::npos);
  std::fclose(out);

  std::FILE* slow = std::tmpfile();
  Progress hourly({"responses"}, slow, Display::plain, std::chrono::hours(1));
  hourly.begin("responses", 4);
  hourly.tick();
  CHECK(read_all(slow).empty());  // not due yet
  std::fclose(slow);
}

TEST_CASE("progress: live mode redraws its block in place and keeps notes above it") {
  std::FILE* out = std::tmpfile();
  Progress progress({"verifiers"}, out, Display::live, std::chrono::milliseconds(0));
  progress.begin("verifiers", 2);
  progress.tick();
  progress.advance("verifiers");
  progress.tick();
  progress.note("verifiers: a note");
  progress.close();
  auto text = read_all(out);
  // Three lines per block: every redraw after the first moves up three lines and clears.
  CHECK(text.find("\x1b[3A\r\x1b[J") != std::string::npos);
  auto note = text.find("verifiers: a note\n");
  REQUIRE(note != std::string::npos);
  CHECK(text.find("1/2", note) != std::string::npos);  // the block is drawn again below the note
  std::fclose(out);
}

TEST_CASE("progress: the saved JSON carries state, times, stages and counters") {
  ProgressSnapshot s;
  s.elapsed_s = 10;
  s.stages = {{"verifiers", 5, 10, true, false, 5.0}, {"responses", 0, 0, false, false, 0}};
  s.current = "verifiers";
  s.requests = {1, 2, 3, 4, 5, 6, 7};
  s.verdicts = {{"ok", 9}};
  auto start = std::chrono::system_clock::from_time_t(1795761000);
  auto json = progress_json(s, "running", "", start, start + std::chrono::seconds(10));
  CHECK(json["state"] == "running");
  CHECK(json["started_at"] == "2026-11-27T06:30:00Z");
  CHECK(json["updated_at"] == "2026-11-27T06:30:10Z");
  CHECK(json["stage"] == "verifiers");
  CHECK(json["stages"]["verifiers"]["done"] == 5);
  CHECK(json["stages"]["verifiers"]["eta_s"].get<double>() == Approx(5.0));
  CHECK_FALSE(json["stages"].contains("responses"));  // not started
  CHECK(json["requests"]["retried"] == 4);
  CHECK(json["tokens"]["completion"] == 7);
  CHECK(json["sandbox"]["ok"] == 9);
}

}  // namespace autoif::run
