#include "pipeline/parse/query_template.h"

namespace autoif::parse {

tl::expected<QueryTemplate, std::string> QueryTemplate::parse(std::string_view text) {
  constexpr std::string_view kQuery = "{query}", kInstruction = "{instruction}";
  std::vector<Piece> pieces;
  bool has_query = false, has_instruction = false;
  std::string literal;
  for (std::size_t i = 0; i < text.size();) {
    const bool q = text.compare(i, kQuery.size(), kQuery) == 0;
    const bool in = text.compare(i, kInstruction.size(), kInstruction) == 0;
    if (!q && !in) {
      literal += text[i++];
      continue;
    }
    if (!literal.empty()) pieces.push_back({Piece::literal, std::move(literal)});
    literal.clear();
    pieces.push_back({q ? Piece::query : Piece::instruction, {}});
    (q ? has_query : has_instruction) = true;
    i += q ? kQuery.size() : kInstruction.size();
  }
  if (!literal.empty()) pieces.push_back({Piece::literal, std::move(literal)});
  if (!has_query && !has_instruction)
    return tl::unexpected(std::string("query template is missing the {query} and {instruction} placeholders"));
  if (!has_query) return tl::unexpected(std::string("query template is missing the {query} placeholder"));
  if (!has_instruction)
    return tl::unexpected(std::string("query template is missing the {instruction} placeholder"));
  return QueryTemplate(std::string(text), std::move(pieces));
}

std::string QueryTemplate::render(std::string_view query, std::string_view instruction) const {
  std::string out;
  out.reserve(text_.size() + query.size() + instruction.size());
  for (const Piece& p : pieces_) {
    switch (p.kind) {
      case Piece::literal: out += p.literal_text; break;
      case Piece::query: out += query; break;
      case Piece::instruction: out += instruction; break;
    }
  }
  return out;
}

}  // namespace autoif::parse
