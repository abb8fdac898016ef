#include "pipeline/stub/cassette.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace autoif::stub {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxReportedErrors = 20;

tl::unexpected<std::string> bad(std::string message) { return tl::unexpected(std::move(message)); }

// nlohmann's structural hash: no serialization, and equal messages hash equally.
std::size_t hash_messages(const json& messages) { return std::hash<json>{}(messages); }

json text_choice(std::size_t index, const std::string& text) {
  return {{"index", index},
          {"message", {{"role", "assistant"}, {"content", text}}},
          {"logprobs", nullptr},
          {"finish_reason", "stop"}};
}

// nlohmann's parse errors start with "[json.exception.parse_error.101] "; the rest is the news.
std::string parse_error_text(const json::parse_error& error) {
  std::string text = error.what();
  if (auto end = text.find("] "); text.rfind("[json.exception", 0) == 0 && end != std::string::npos)
    text.erase(0, end + 2);
  return "not valid JSON: " + text;
}

tl::expected<void, std::string> check_request(const json& request) {
  if (!request.is_object()) return bad("\"request\" must be an object, got " + std::string(request.type_name()));
  if (request.contains("messages")) {
    const json& messages = request["messages"];
    if (!messages.is_array() || messages.empty())
      return bad("\"request.messages\" must be a non-empty array");
    for (std::size_t i = 0; i < messages.size(); ++i)
      if (!messages[i].is_object() || !messages[i].contains("role") || !messages[i]["role"].is_string())
        return bad("\"request.messages[" + std::to_string(i) + "]\" must be an object with a string \"role\"");
  }
  if (request.contains("model") && !request["model"].is_string())
    return bad("\"request.model\" must be a string");
  if (request.contains("n") && (!request["n"].is_number_integer() || request["n"].get<long long>() < 1))
    return bad("\"request.n\" must be a whole number of at least 1");
  if (request.contains("stream") && request["stream"] == true)
    return bad("\"request.stream\": the stub does not stream answers");
  return {};
}

tl::expected<std::vector<json>, std::string> choices_from_object(const json& response) {
  if (!response.contains("choices") || !response["choices"].is_array() || response["choices"].empty())
    return bad("\"response.choices\" must be a non-empty array");
  std::vector<json> choices;
  for (std::size_t i = 0; i < response["choices"].size(); ++i) {
    json choice = response["choices"][i];
    std::string where = "\"response.choices[" + std::to_string(i) + "]";
    if (!choice.is_object()) return bad(where + "\" must be an object");
    if (!choice.contains("message") || !choice["message"].is_object())
      return bad(where + ".message\" must be an object");
    if (choice.contains("finish_reason") && !choice["finish_reason"].is_string() &&
        !choice["finish_reason"].is_null())
      return bad(where + ".finish_reason\" must be a string");
    if (!choice["message"].contains("role")) choice["message"]["role"] = "assistant";
    if (!choice.contains("finish_reason")) choice["finish_reason"] = "stop";
    choice["index"] = i;
    choices.push_back(std::move(choice));
  }
  return choices;
}

}  // namespace

tl::expected<CassetteEntry, std::string> parse_cassette_entry(json line) {
  if (!line.is_object()) return bad("expected a JSON object, got " + std::string(line.type_name()));
  for (const auto& [key, value] : line.items())
    if (key != "request" && key != "response" && key != "responses" && key != "comment")
      return bad("unknown field \"" + key + "\" (expected request, response or responses)");
  if (!line.contains("request")) return bad("missing \"request\"");
  if (auto checked = check_request(line["request"]); !checked) return bad(checked.error());
  bool has_response = line.contains("response"), has_responses = line.contains("responses");
  if (has_response == has_responses) return bad("needs exactly one of \"response\" and \"responses\"");

  CassetteEntry entry;
  entry.request = std::move(line["request"]);
  if (has_responses) {
    const json& texts = line["responses"];
    if (!texts.is_array() || texts.empty()) return bad("\"responses\" must be a non-empty array of strings");
    for (std::size_t i = 0; i < texts.size(); ++i) {
      if (!texts[i].is_string())
        return bad("\"responses[" + std::to_string(i) + "]\" must be a string");
      entry.choices.push_back(text_choice(i, texts[i].get<std::string>()));
    }
  } else if (line["response"].is_string()) {
    entry.choices.push_back(text_choice(0, line["response"].get<std::string>()));
  } else if (line["response"].is_object()) {
    auto choices = choices_from_object(line["response"]);
    if (!choices) return bad(choices.error());
    entry.choices = std::move(*choices);
    entry.extra = std::move(line["response"]);
    entry.extra.erase("choices");
    if (entry.extra.contains("usage")) {
      if (!entry.extra["usage"].is_object()) return bad("\"response.usage\" must be an object");
      entry.usage = entry.extra["usage"];
      entry.extra.erase("usage");
    }
  } else {
    return bad("\"response\" must be a string or a chat.completion object");
  }
  if (entry.request.contains("n")) {
    auto n = entry.request["n"].get<std::size_t>();
    if (entry.choices.size() < n)
      return bad("\"request.n\" is " + std::to_string(n) + " but the entry has only " +
                 std::to_string(entry.choices.size()) + " choice(s)");
  }
  return entry;
}

tl::expected<Cassette, std::string> Cassette::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad(path + ": cannot open the cassette");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return bad(path + ": cannot read the cassette");
  return parse(text.str(), path);
}

tl::expected<Cassette, std::string> Cassette::parse(std::string_view text, std::string_view name) {
  Cassette cassette;
  std::vector<std::string> errors;
  std::size_t errors_seen = 0;
  std::set<std::string> models;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte order mark
  auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  cassette.entries_.reserve(lines);
  cassette.by_messages_.reserve(lines);

  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;

    auto fail = [&](const std::string& problem) {
      if (errors_seen++ < kMaxReportedErrors)
        errors.push_back(std::string(name) + ":" + std::to_string(number) + ": " + problem);
    };
    json value;
    try {
      value = json::parse(line);
    } catch (const json::parse_error& error) {
      fail(parse_error_text(error));
      continue;
    }
    auto entry = parse_cassette_entry(std::move(value));
    if (!entry) {
      fail(entry.error());
      continue;
    }
    entry->line = number;
    const json& request = entry->request;
    if (request.contains("model"))
      models.insert(request["model"].get<std::string>());
    else
      cassette.any_model_ = true;
    std::size_t position = cassette.entries_.size();
    if (request.contains("messages"))
      cassette.by_messages_[hash_messages(request["messages"])].push_back(position);
    else
      cassette.without_messages_.push_back(position);
    cassette.entries_.push_back(std::move(*entry));
  }

  if (!errors.empty()) {
    std::string message;
    for (const auto& error : errors) message += (message.empty() ? "" : "\n") + error;
    if (errors_seen > errors.size())
      message += "\n(" + std::to_string(errors_seen - errors.size()) + " more bad lines)";
    return bad(message);
  }
  cassette.models_.assign(models.begin(), models.end());
  return cassette;
}

const CassetteEntry* Cassette::find(const json& request) const {
  if (!request.is_object()) return nullptr;
  const CassetteEntry* best = nullptr;
  auto consider = [&](std::size_t position) {
    const CassetteEntry& entry = entries_[position];
    if (best && (entry.field_count() < best->field_count() ||
                 (entry.field_count() == best->field_count() && entry.line > best->line)))
      return;
    for (const auto& [key, value] : entry.request.items()) {
      auto field = request.find(key);
      if (field == request.end() || *field != value) return;
    }
    best = &entry;
  };
  if (auto messages = request.find("messages"); messages != request.end()) {
    if (auto bucket = by_messages_.find(hash_messages(*messages)); bucket != by_messages_.end())
      for (std::size_t position : bucket->second) consider(position);
  }
  for (std::size_t position : without_messages_) consider(position);
  return best;
}

}  // namespace autoif::stub
