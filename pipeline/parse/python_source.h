// Picking the runnable form of a verification-function source taken from a model answer.
//
// Sources arrive damaged in a few typical ways (see AUTOIF.md, "What real model answers look
// like"): wrapped in a ```python fence; double-escaped, so the code holds the two characters
// backslash-n where a line break was meant; fully escaped one level too deep (\" for quotes
// as well); or single-escaped where the model wanted a Python "\n" escape, leaving a real line
// break inside a quoted string. choose_source builds the plausible repairs and picks one.
//
// Only repairs that cannot change a source that already compiles are offered, and the first
// candidate that compiles wins, in this order: as is; line breaks inside one-line string
// literals written as \n; backslash-n outside string literals (code and comments) turned into
// line breaks, while a backslash-n inside a string literal is kept (it is usually meant);
// one full level of escapes removed (\n, \t, \", \', \\).
//
// Contract: pure; the callback, when given, is called only when there is more than one
// candidate (a source with nothing to repair is never checked), at most four times,
// synchronously, and only decides; it must not throw. Without a callback a syntactic heuristic decides: a
// backslash outside any string literal or comment is never valid Python (except a line
// continuation), nor is a line break inside a one-line string literal.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace autoif::parse {

// True when `source` compiles and defines what the caller needs (the pipeline passes a
// sandbox-backed or `python3 -c compile(...)`-backed check).
using CompileCheck = std::function<bool(std::string_view source)>;

enum class SourceFix {
  none,                 // used as written (after the normalisation below)
  newlines_in_strings,  // real line breaks inside one-line string literals became \n
  code_newlines,        // literal backslash-n outside string literals became line breaks
  full_unescape,        // one level of backslash escapes removed everywhere
};
std::string_view to_string(SourceFix fix);

struct ChosenSource {
  std::string source;
  SourceFix fix = SourceFix::none;
};

// Normalisation applied before any candidate: a fence around the whole source is removed;
// a backspace character (JSON's "\b", which the model meant as the regex word boundary) is
// written back as the two characters \b, which means the same in every Python string; a
// source whose first line is indented is dedented by the common indentation.
std::string normalise_source(std::string_view raw);

ChosenSource choose_source(std::string_view raw, const CompileCheck& compiles = {});

}  // namespace autoif::parse
