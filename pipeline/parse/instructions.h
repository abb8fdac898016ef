// Reading a self-instruct augmentation answer (AUTOIF.md stage 2): new instructions, one per
// line, out of whatever list formatting and chatter surrounds them.
//
// Per line: list markers go ("1.", "1)", "(1)", "#1", "-", "*", "•", "+"), then a bold category
// lead-in of up to four words ("**Word limit**: ..."), Markdown bold, a leading "Instruction:" /
// "Instruction 3:" / "New instruction:" label, and quotes around the whole line (also the
// JSON-list form "...",). Dropped as prose: blank lines, fences, indented sub-items of a list,
// headings, rules, lines ending with ':' (preambles such as "Here are 10 new instructions:"),
// lines opening with chatter ("Sure", "Here are", "I hope", "Let me know"...), and, when the
// answer numbers or bullets its items, every line without a marker (continuations and closing
// remarks). An answer that is a JSON array of strings (fenced or bare) is read as the list.
// Lengths are counted in Unicode code points, after cleaning.
//
// Contract: pure; never throws. Order is preserved; duplicates are kept (see dedup.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace autoif::parse {

struct InstructionListOptions {
  std::size_t min_chars = 10;   // shorter cleaned lines are dropped
  std::size_t max_chars = 500;  // longer cleaned lines are dropped
};

struct InstructionList {
  std::vector<std::string> instructions;
  std::size_t dropped_prose = 0;   // preambles, headings, closing remarks, marker-less lines
  std::size_t dropped_length = 0;  // outside [min_chars, max_chars]
};

InstructionList parse_instruction_list(std::string_view answer,
                                       const InstructionListOptions& options = {});

// One line with its list marker, bold, label and quotes removed, trimmed. `had_marker` tells
// whether a list marker was found.
struct CleanLine {
  std::string text;
  bool had_marker = false;
};
CleanLine clean_instruction_line(std::string_view line);

// Removes one pair of quotes around the whole (trimmed) text, repeatedly: "", '', “”, ‘’,
// «», ``; a trailing comma or full stop just outside the closing quote goes with it.
std::string strip_enclosing_quotes(std::string_view text);

// Number of Unicode code points in UTF-8 text (continuation bytes are not counted).
std::size_t utf8_length(std::string_view text);

}  // namespace autoif::parse
