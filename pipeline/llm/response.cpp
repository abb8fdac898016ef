#include "pipeline/llm/response.h"

#include <algorithm>

namespace autoif::llm {
namespace {

std::int64_t token_count(const nlohmann::json& usage, const char* field) {
  auto found = usage.find(field);
  if (found == usage.end() || !found->is_number_integer()) return 0;
  return std::max<std::int64_t>(0, found->get<std::int64_t>());
}

std::string one_line(std::string_view text, std::size_t max_chars) {
  std::string line;
  line.reserve(std::min(text.size(), max_chars));
  for (char c : text) {
    if (line.size() >= max_chars) {
      line += "...";
      break;
    }
    line.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace

tl::expected<Completion, std::string> parse_completion(std::string_view body) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return tl::unexpected(std::string("the body is not JSON"));
  if (!json.is_object()) return tl::unexpected(std::string("the body is not a JSON object"));
  auto choices = json.find("choices");
  if (choices == json.end() || !choices->is_array() || choices->empty()) {
    return tl::unexpected(std::string("the body has no \"choices\""));
  }
  Completion completion;
  completion.choices.reserve(choices->size());
  std::size_t position = 0;
  for (const auto& item : *choices) {
    if (!item.is_object()) return tl::unexpected(std::string("a choice is not an object"));
    auto message = item.find("message");
    if (message == item.end() || !message->is_object()) {
      return tl::unexpected(std::string("a choice has no \"message\""));
    }
    Choice choice;
    auto content = message->find("content");
    if (content != message->end() && content->is_string()) {
      choice.content = content->get<std::string>();
    } else if (content != message->end() && !content->is_null()) {
      return tl::unexpected(std::string("a message's \"content\" is not a string"));
    }
    auto index = item.find("index");
    choice.index = index != item.end() && index->is_number_unsigned()
                       ? index->get<std::size_t>()
                       : position;
    auto finish = item.find("finish_reason");
    if (finish != item.end() && finish->is_string()) choice.finish_reason = finish->get<std::string>();
    completion.choices.push_back(std::move(choice));
    ++position;
  }
  std::sort(completion.choices.begin(), completion.choices.end(),
            [](const Choice& a, const Choice& b) { return a.index < b.index; });
  for (std::size_t i = 1; i < completion.choices.size(); ++i) {
    if (completion.choices[i].index == completion.choices[i - 1].index) {
      return tl::unexpected(std::string("two choices have the same index"));
    }
  }
  if (auto usage = json.find("usage"); usage != json.end() && usage->is_object()) {
    completion.usage.prompt_tokens = token_count(*usage, "prompt_tokens");
    completion.usage.completion_tokens = token_count(*usage, "completion_tokens");
  }
  completion.raw = std::make_shared<const nlohmann::json>(std::move(json));
  return completion;
}

std::string error_text(std::string_view body, std::size_t max_chars) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object()) {
    auto error = json.find("error");
    if (error != json.end()) {
      if (error->is_string()) return one_line(error->get<std::string>(), max_chars);
      if (error->is_object()) {
        auto message = error->find("message");
        if (message != error->end() && message->is_string()) {
          return one_line(message->get<std::string>(), max_chars);
        }
      }
    }
    for (const char* field : {"detail", "message"}) {
      auto found = json.find(field);
      if (found != json.end()) {
        return one_line(found->is_string() ? found->get<std::string>() : found->dump(), max_chars);
      }
    }
  }
  if (body.empty()) return "(empty body)";
  return one_line(body, max_chars);
}

}  // namespace autoif::llm
