// Small text helpers shared by the answer parsers: trimming, ASCII case folding, line
// splitting, reasoning-block removal and Markdown code fences.
//
// Contract: pure functions, no allocation beyond what a returned std::string needs. Every
// std::string_view returned points into the argument, so it lives as long as the caller's
// text does. "ASCII" helpers leave non-ASCII bytes (UTF-8 sequences) untouched.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autoif::parse {

// Leading and trailing ASCII whitespace removed.
std::string_view trim(std::string_view text);
std::string to_lower_ascii(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view text, std::string_view prefix);
bool is_ascii_space(char c);
bool is_ascii_alpha(char c);
bool is_ascii_digit(char c);
// Letters, digits, '_' and any non-ASCII byte: the characters a "word" is made of.
bool is_word_byte(char c);

// Lines without their terminators; "\r\n" and "\n" both end a line. An empty text has no lines.
std::vector<std::string_view> split_lines(std::string_view text);

// Reasoning models (Qwen3, DeepSeek-R1...) put a <think>...</think> block before the answer,
// and some servers drop the opening tag. The answer is what follows the last "</think>"; with
// an opening tag that never closes (a truncated answer) it is what precedes "<think>".
std::string_view strip_reasoning(std::string_view answer);

// One fenced code block ("```lang" ... "```", or with "~~~"). An opening line whose info
// string has a space or a brace is not a fence ("```json {...}```" on one line is prose that
// holds an object). A fence that never closes runs to the end of the text (truncated answer).
struct Fence {
  std::string_view info;     // language tag as written ("json", "Python", ""), trimmed
  std::string_view content;  // the lines between the opening and the closing line
  std::size_t begin = 0;     // offset of the opening line in the text
  std::size_t end = 0;       // offset just past the closing line (text size if unclosed)
  bool closed = false;
};
std::vector<Fence> find_fences(std::string_view text);

// When the trimmed text is exactly one fenced block (possibly unclosed), its content.
std::optional<std::string_view> fenced_body(std::string_view text);
// fenced_body(text) if there is one, otherwise the trimmed text.
std::string_view strip_code_fence(std::string_view text);

}  // namespace autoif::parse
