// LineReader: the input files' line reader, and the UTF-8 rule it applies.
#include <catch2/catch.hpp>

#include "pipeline/config/line_reader.h"
#include "tests/errors/cli_harness.h"

using namespace autoif::config;
using autoif::errors_test::TempDir;

namespace {

std::vector<std::string> all_lines(LineReader reader) {
  std::vector<std::string> lines;
  for (;;) {
    auto line = reader.next();
    if (!line) FAIL("unexpected failure at line " << line.error().line);
    if (!*line) return lines;
    lines.emplace_back(**line);
  }
}

}  // namespace

TEST_CASE("line reader splits on LF and CRLF, keeps blank lines, reads a last line without newline, drops a BOM") {
  CHECK(all_lines(LineReader::from_text("a\nb\r\n\nc")) == std::vector<std::string>{"a", "b", "", "c"});
  CHECK(all_lines(LineReader::from_text("\xEF\xBB\xBFhello\n")) == std::vector<std::string>{"hello"});
  CHECK(all_lines(LineReader::from_text("")).empty());
  CHECK(all_lines(LineReader::from_text("\n")) == std::vector<std::string>{""});
}

TEST_CASE("line reader numbers lines across its buffer boundary") {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i + 1) + "\n";  // > 64 KiB
  auto reader = LineReader::from_text(text);
  for (int i = 0; i < 20000; ++i) {
    auto line = reader.next();
    REQUIRE(line);
    REQUIRE(*line);
    REQUIRE(std::string(**line) == "line " + std::to_string(i + 1));
    REQUIRE(reader.line_number() == i + 1);
  }
  CHECK_FALSE(*reader.next());
}

TEST_CASE("a line at the limit is read and one byte more is refused with its number and first bytes") {
  auto reader = LineReader::from_text("ok\n" + std::string(100, 'x') + "\n[" + std::string(100, 'y') + "\nnext\n", 100);
  REQUIRE(**reader.next() == "ok");
  REQUIRE((*reader.next())->size() == 100);
  auto failed = reader.next();
  REQUIRE_FALSE(failed);
  CHECK(failed.error().fault == LineFault::too_long);
  CHECK(failed.error().line == 3);
  CHECK(failed.error().line_start.substr(0, 3) == "[yy");
  // The reader is done after a failure: the same failure again, not the next line.
  auto again = reader.next();
  REQUIRE_FALSE(again);
  CHECK(again.error().line == 3);
}

TEST_CASE("invalid UTF-8 is found at its byte: bad lead bytes, overlong forms, surrogates, beyond U+10FFFF, cut sequences") {
  CHECK_FALSE(invalid_utf8_at("plain ascii"));
  CHECK_FALSE(invalid_utf8_at("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));  // é € 😀 U+10FFFF
  CHECK(invalid_utf8_at("caf\xE9!") == 3u);                 // Latin-1 é
  CHECK(invalid_utf8_at("\x80") == 0u);                     // lone continuation byte
  CHECK(invalid_utf8_at("a\xC0\xAF") == 1u);                // overlong '/'
  CHECK(invalid_utf8_at("ab\xE0\x80\xAF") == 2u);           // overlong 3-byte
  CHECK(invalid_utf8_at("\xED\xA0\x80") == 0u);             // UTF-16 surrogate D800
  CHECK(invalid_utf8_at("x\xF4\x90\x80\x80") == 1u);        // U+110000
  CHECK(invalid_utf8_at("end \xE2\x82") == 4u);             // cut at the end
  CHECK(invalid_utf8_at("\xFF\xFE{") == 0u);                // UTF-16 byte-order mark
}

TEST_CASE("line reader reports invalid UTF-8 with line number and byte, and a missing file with errno's text") {
  auto reader = LineReader::from_text("fine\nalso fine\nna\xEFve\n");
  REQUIRE(*reader.next());
  REQUIRE(*reader.next());
  auto failed = reader.next();
  REQUIRE_FALSE(failed);
  CHECK(failed.error().fault == LineFault::bad_utf8);
  CHECK(failed.error().line == 3);
  CHECK(failed.error().detail == "byte 3 of the line (0xEF)");

  TempDir dir;
  auto missing = LineReader::open(dir.file("nope.jsonl"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().fault == LineFault::open);
  CHECK(missing.error().detail == "No such file or directory");
}
