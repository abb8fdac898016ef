// Joining a user query and an instruction into the model input (AUTOIF.md stage 6: "the model
// input is the query plus the instruction, joined by a template").
//
// A template is plain text holding the placeholders {query} and {instruction}, each at least
// once; every other character, braces included, is copied as written. Substitution is one pass
// over the template, so a query that itself contains "{instruction}" stays as the user wrote it.
//
// Contract: parse() fails with a message naming each missing placeholder; render() cannot
// fail. Values are immutable and cheap to copy.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace autoif::parse {

inline constexpr std::string_view kDefaultQueryTemplate = "{query}\n\n{instruction}";

class QueryTemplate {
 public:
  static tl::expected<QueryTemplate, std::string> parse(std::string_view text);

  std::string render(std::string_view query, std::string_view instruction) const;
  const std::string& text() const { return text_; }

 private:
  struct Piece {
    enum Kind { literal, query, instruction } kind;
    std::string literal_text;
  };
  explicit QueryTemplate(std::string text, std::vector<Piece> pieces)
      : text_(std::move(text)), pieces_(std::move(pieces)) {}

  std::string text_;
  std::vector<Piece> pieces_;
};

}  // namespace autoif::parse
