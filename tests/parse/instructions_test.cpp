// Self-instruct augmentation answers: lists in every style models use.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "pipeline/parse/instructions.h"

using autoif::parse::clean_instruction_line;
using autoif::parse::InstructionListOptions;
using autoif::parse::parse_instruction_list;
using autoif::parse::strip_enclosing_quotes;
using autoif::parse::utf8_length;
using Lines = std::vector<std::string>;

TEST_CASE("instruction list: numbered answer with preamble and closing remark") {
  const char* answer = R"ANS(Here are 5 new instructions:

1. Answer using only words that start with a capital letter.
2. Your response must contain exactly three paragraphs separated by blank lines.
3) Do not use the letter "z" anywhere in your response.
4. End your response with the phrase "That is all."
5. Wrap your entire response in double quotation marks.

I hope these are helpful! Let me know if you need more.)ANS";
  auto list = parse_instruction_list(answer);
  CHECK(list.instructions == Lines{
      "Answer using only words that start with a capital letter.",
      "Your response must contain exactly three paragraphs separated by blank lines.",
      "Do not use the letter \"z\" anywhere in your response.",
      "End your response with the phrase \"That is all.\"",
      "Wrap your entire response in double quotation marks."});
  CHECK(list.dropped_prose == 2);
  CHECK(list.dropped_length == 0);
}

TEST_CASE("instruction list: bullets, bold, labels and quotes are stripped") {
  const char* answer = R"ANS(Sure! Below are some new format instructions.

- **Instruction 1:** Respond in all lowercase letters.
* "Include at least 3 bullet points in your answer."
• Use no more than 50 words.
+ Instruction: Start every sentence with the word 'Indeed'.
(5) **Answer with a single sentence.**
#6 “Separate each paragraph with three asterisks.”
- New instruction: Put the title in double angular brackets, like <<title>>.)ANS";
  auto list = parse_instruction_list(answer);
  CHECK(list.instructions == Lines{
      "Respond in all lowercase letters.",
      "Include at least 3 bullet points in your answer.",
      "Use no more than 50 words.",
      "Start every sentence with the word 'Indeed'.",
      "Answer with a single sentence.",
      "Separate each paragraph with three asterisks.",
      "Put the title in double angular brackets, like <<title>>."});
  CHECK(list.dropped_prose == 1);
}

TEST_CASE("instruction list: plain lines without markers keep everything but the chatter") {
  const char* answer = R"ANS(Here are 3 new instructions:
Respond with exactly two sentences.
Use at least one exclamation mark.
Do not use any commas in your answer.
Hope this helps!)ANS";
  auto list = parse_instruction_list(answer);
  CHECK(list.instructions == Lines{"Respond with exactly two sentences.", "Use at least one exclamation mark.",
                                   "Do not use any commas in your answer."});
  CHECK(list.dropped_prose == 2);
}

TEST_CASE("instruction list: headings, rules, fences and section labels are prose") {
  const char* answer = R"ANS(## New instructions

**Formatting constraints:**
```
1. Write your answer as a numbered list of five items.
2. Use Markdown headers for every section.
```
---
**Lexical constraints:**
3. Avoid the word "very".
   This makes the text stronger.)ANS";
  auto list = parse_instruction_list(answer);
  CHECK(list.instructions == Lines{"Write your answer as a numbered list of five items.",
                                   "Use Markdown headers for every section.", "Avoid the word \"very\"."});
  CHECK(list.dropped_prose == 4);  // heading, two section labels, the unmarked continuation
}

TEST_CASE("instruction list: numbers inside an instruction are not markers") {
  const char* answer = "3 bullet points must appear in your answer.\n10 words or fewer per sentence, please.\n1.5 times longer than the question.";
  auto list = parse_instruction_list(answer);
  CHECK(list.instructions == Lines{"3 bullet points must appear in your answer.",
                                   "10 words or fewer per sentence, please.", "1.5 times longer than the question."});
}

TEST_CASE("instruction list: a JSON array answer is read as the list") {
  const char* answer = R"ANS(```json
["Respond only in uppercase.", "Mention the word 'banana' twice.", "", "ok", {"instruction": "End with a question."}, 42, "2. Number your paragraphs."]
```)ANS";
  auto list = parse_instruction_list(answer);
  CHECK(list.instructions == Lines{"Respond only in uppercase.", "Mention the word 'banana' twice.",
                                   "End with a question.", "Number your paragraphs."});
  CHECK(list.dropped_length == 1);  // "ok"
  CHECK(list.dropped_prose == 2);   // "" and 42
}

TEST_CASE("instruction list: a JSON list of instruction objects is read too") {
  auto list = parse_instruction_list(R"([{"instruction": "Respond only in uppercase."}, {"instruction": "Use exactly four sentences."}])");
  CHECK(list.instructions == Lines{"Respond only in uppercase.", "Use exactly four sentences."});
}

TEST_CASE("instruction list: length limits are inclusive at both ends") {
  InstructionListOptions options;
  options.min_chars = 11;
  options.max_chars = 18;
  // 11, 10, 18 and 19 characters.
  auto list = parse_instruction_list("- Use no dots\n- Use no ink\n- Use no commas, ok?\n- Use no commas, okay\n", options);
  CHECK(list.instructions == Lines{"Use no dots", "Use no commas, ok?"});
  CHECK(list.dropped_length == 2);
}

TEST_CASE("instruction list: lengths count characters, not bytes") {
  InstructionListOptions options;
  options.min_chars = 1;
  options.max_chars = 12;
  auto list = parse_instruction_list("- Écris en été.\n", options);  // 13 characters, 16 bytes
  CHECK(list.dropped_length == 1);
  options.max_chars = 13;
  CHECK(parse_instruction_list("- Écris en été.\n", options).instructions.size() == 1);
}

TEST_CASE("instruction list: a reasoning block before the list is ignored") {
  auto list = parse_instruction_list("<think>\n1. maybe something about rhymes\n</think>\n1. Make every line rhyme with the previous one.");
  CHECK(list.instructions == Lines{"Make every line rhyme with the previous one."});
}

TEST_CASE("instruction line cleaning keeps inner quotes that do not enclose the line") {
  CHECK(clean_instruction_line(R"(1. "Yes" or "No" must be the first word of your answer.)").text ==
        R"("Yes" or "No" must be the first word of your answer.)");
  CHECK(clean_instruction_line(R"(- "Use the word "therefore" twice.",)").text == R"(Use the word "therefore" twice.)");
  CHECK(clean_instruction_line("2) *Answer in French.*").text == "Answer in French.");
  CHECK(clean_instruction_line("- 3. Nested markers go too.").had_marker);
  CHECK(clean_instruction_line("- 3. Nested markers go too.").text == "Nested markers go too.");
}

TEST_CASE("enclosing quotes: typographic, nested and trailing punctuation") {
  CHECK(strip_enclosing_quotes("“Answer in haiku form.”") == "Answer in haiku form.");
  CHECK(strip_enclosing_quotes("'\"Double wrapped.\"'") == "Double wrapped.");
  CHECK(strip_enclosing_quotes("\"Quoted, then a dot\".") == "Quoted, then a dot");
  CHECK(strip_enclosing_quotes("No quotes at all") == "No quotes at all");
  CHECK(strip_enclosing_quotes("\"") == "\"");
}

TEST_CASE("instruction list: bold category lead-ins are removed, colons inside instructions stay") {
  const char* answer = R"ANS(1. **Word limit**: Your response should contain fewer than 80 words.
2. **Capitalization:** Write your entire response in uppercase letters.
3. Use the format "Title: subtitle" for the first line.
4. **Not a label** but bold words in the instruction.)ANS";
  auto list = parse_instruction_list(answer);
  CHECK(list.instructions == Lines{"Your response should contain fewer than 80 words.",
                                   "Write your entire response in uppercase letters.",
                                   "Use the format \"Title: subtitle\" for the first line.",
                                   "Not a label but bold words in the instruction."});
}

TEST_CASE("instruction list: sub-items under an instruction are its examples and are dropped") {
  const char* answer = R"ANS(Here are new instructions:
1. Use exactly 4 bullet points, in markdown such as
   * This is a point.
   * This is another point.
2. Answer in fewer than 3 sentences.)ANS";
  auto list = parse_instruction_list(answer);
  CHECK(list.instructions == Lines{"Use exactly 4 bullet points, in markdown such as",
                                   "Answer in fewer than 3 sentences."});
  CHECK(list.dropped_prose == 3);
}

TEST_CASE("instruction list: sub-items under a heading item are the instructions") {
  const char* answer = R"ANS(1. **Length constraints:**
   - Answer in under 50 words.
   - Use at least 3 sentences.
2. Formatting
   * Use markdown headers for each section.
3. Use bullet points in your answer.)ANS";
  auto list = parse_instruction_list(answer);
  CHECK(list.instructions == Lines{"Answer in under 50 words.", "Use at least 3 sentences.",
                                   "Use markdown headers for each section.", "Use bullet points in your answer."});
  CHECK(list.dropped_prose == 2);
}

TEST_CASE("instruction list: a list indented as a whole is read as top-level items") {
  auto list = parse_instruction_list("   1. Respond in exactly two paragraphs.\n   2. Do not use the word 'the'.\n");
  CHECK(list.instructions == Lines{"Respond in exactly two paragraphs.", "Do not use the word 'the'."});
}
