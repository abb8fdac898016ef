// Joining query and instruction into the model input.
#include <catch2/catch.hpp>

#include "pipeline/parse/query_template.h"

using autoif::parse::kDefaultQueryTemplate;
using autoif::parse::QueryTemplate;

TEST_CASE("query template: the default puts the instruction after the query") {
  auto t = QueryTemplate::parse(kDefaultQueryTemplate);
  REQUIRE(t);
  CHECK(t->render("What is the capital of France?", "Answer in all capital letters.") ==
        "What is the capital of France?\n\nAnswer in all capital letters.");
}

TEST_CASE("query template: a missing placeholder is an error that names it") {
  auto no_query = QueryTemplate::parse("Instruction: {instruction}");
  REQUIRE_FALSE(no_query);
  CHECK(no_query.error().find("{query}") != std::string::npos);
  CHECK(no_query.error().find("{instruction}") == std::string::npos);

  auto no_instruction = QueryTemplate::parse("{query}\nFollow this: {instrucion}");
  REQUIRE_FALSE(no_instruction);
  CHECK(no_instruction.error().find("{instruction}") != std::string::npos);

  auto neither = QueryTemplate::parse("plain text");
  REQUIRE_FALSE(neither);
  CHECK(neither.error().find("{query}") != std::string::npos);
  CHECK(neither.error().find("{instruction}") != std::string::npos);
}

TEST_CASE("query template: other braces and repeated placeholders") {
  auto t = QueryTemplate::parse("{instruction}\n{query}\nReply as JSON like {\"a\": 1}. Remember: {instruction}");
  REQUIRE(t);
  CHECK(t->render("Q", "I") == "I\nQ\nReply as JSON like {\"a\": 1}. Remember: I");
}

TEST_CASE("query template: placeholders inside the values are not expanded") {
  auto t = QueryTemplate::parse("{query} -- {instruction}");
  REQUIRE(t);
  CHECK(t->render("Explain {instruction} in Python", "Use {query} literally") ==
        "Explain {instruction} in Python -- Use {query} literally");
  CHECK(t->text() == "{query} -- {instruction}");
}
