#include "pipeline/stub/stub_server.h"

#include <algorithm>
#include <ctime>

namespace autoif::stub {
namespace {

using nlohmann::json;

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Response error(int status, const std::string& message, const char* code,
               const char* type = "invalid_request_error") {
  json body{{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}}}};
  return Response::json(status, dump(body));
}

// The first `limit` bytes of `text`, never ending inside a UTF-8 sequence.
std::string prefix(const std::string& text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

std::string text_of(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  if (content.is_null()) return {};
  return dump(content);  // multi-part content: count and quote it as its JSON
}

// A rough token count (about four bytes a token) for entries that carry no recorded usage.
std::uint64_t estimate_tokens(const std::string& text) { return (text.size() + 3) / 4; }

std::uint64_t estimate_prompt_tokens(const json& request) {
  std::uint64_t tokens = 0;
  if (auto messages = request.find("messages"); messages != request.end() && messages->is_array())
    for (const auto& message : *messages)
      tokens += 4 + estimate_tokens(text_of(message.value("content", json())));
  return tokens;
}

bool is_route(const std::string& path, std::string_view route) {
  return path == route || path == "/v1" + std::string(route);
}

}  // namespace

StubLlm::StubLlm(std::shared_ptr<const Cassette> cassette, std::chrono::milliseconds latency)
    : cassette_(std::move(cassette)), latency_(latency) {}

StubStats StubLlm::stats() const { return {served_.load(), missed_.load(), bad_.load()}; }

Response StubLlm::handle(const Request& request) {
  std::string path = request.path;
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  if (is_route(path, "/chat/completions")) {
    if (request.method != "POST") {
      ++bad_;
      return error(405, "stub-llm: use POST for " + path, "method_not_allowed");
    }
    return complete(request);
  }
  if (request.method == "GET" && is_route(path, "/models")) return list_models();
  if (request.method == "GET" && (path.rfind("/v1/models/", 0) == 0 || path.rfind("/models/", 0) == 0)) {
    std::string id = path.substr(path.find("/models/") + 8);
    const auto& models = cassette_->models();
    if (std::find(models.begin(), models.end(), id) == models.end())
      return error(404, "stub-llm: the model '" + id + "' is not in the cassette", "model_not_found");
    return Response::json(200, dump({{"id", id}, {"object", "model"}, {"created", 0}, {"owned_by", "stub-llm"}}));
  }
  if (request.method == "GET" && (path == "/health" || path == "/v1/health")) return Response::text(200, "ok\n");
  ++bad_;
  return error(404, "stub-llm: no route for " + request.method + " " + request.path, "not_found");
}

Response StubLlm::list_models() const {
  json data = json::array();
  for (const auto& model : cassette_->models())
    data.push_back({{"id", model}, {"object", "model"}, {"created", 0}, {"owned_by", "stub-llm"}});
  return Response::json(200, dump({{"object", "list"}, {"data", std::move(data)}}));
}

Response StubLlm::complete(const Request& request) {
  auto answer = [this](Response response) { return std::move(response).with_delay(latency_); };
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    ++bad_;
    return answer(error(400, "stub-llm: the request body is not a JSON object", "invalid_json"));
  }
  if (body.value("stream", false) == true) {
    ++bad_;
    return answer(error(400, "stub-llm: streaming is not supported; send \"stream\": false",
                        "stream_unsupported"));
  }
  std::size_t n = 1;
  if (auto field = body.find("n"); field != body.end() && !field->is_null()) {
    if (!field->is_number_integer() || field->get<long long>() < 1) {
      ++bad_;
      return answer(error(400, "stub-llm: \"n\" must be a whole number of at least 1", "invalid_n"));
    }
    n = field->get<std::size_t>();
  }
  std::string model = body.contains("model") ? text_of(body["model"]) : std::string();

  const CassetteEntry* entry = cassette_->find(body);
  if (!entry) {
    ++missed_;
    const auto& models = cassette_->models();
    if (!cassette_->has_any_model_entry() &&
        std::find(models.begin(), models.end(), model) == models.end()) {
      std::string known;
      for (const auto& name : models) known += (known.empty() ? "" : ", ") + name;
      return answer(error(404, "stub-llm: the model '" + model + "' does not exist in the cassette (it has: " +
                                   known + ")", "model_not_found"));
    }
    std::string last;
    if (auto messages = body.find("messages"); messages != body.end() && messages->is_array() &&
                                               !messages->empty() && messages->back().is_object())
      last = prefix(text_of(messages->back().value("content", json())), 60);
    return answer(error(400, "stub-llm: no cassette entry for this request (model " + model +
                                 ", last message starts '" + last + "')", "cassette_miss"));
  }
  if (entry->choices.size() < n) {
    ++missed_;
    return answer(error(400, "stub-llm: the cassette entry at line " + std::to_string(entry->line) + " has " +
                                 std::to_string(entry->choices.size()) + " choice(s) but the request asks n=" +
                                 std::to_string(n), "cassette_too_few_choices"));
  }

  json out = entry->extra.is_object() ? entry->extra : json::object();
  if (!out.contains("id")) out["id"] = "chatcmpl-stub-" + std::to_string(next_id_++);
  out["object"] = "chat.completion";
  if (!out.contains("created")) out["created"] = static_cast<std::int64_t>(std::time(nullptr));
  if (!out.contains("model")) out["model"] = model;
  json choices = json::array();
  std::uint64_t completion_tokens = 0;
  for (std::size_t i = 0; i < n; ++i) {
    json choice = entry->choices[i];
    choice["index"] = i;
    completion_tokens += estimate_tokens(text_of(choice["message"].value("content", json())));
    choices.push_back(std::move(choice));
  }
  out["choices"] = std::move(choices);
  if (!entry->usage.is_null() && n == entry->choices.size()) {
    out["usage"] = entry->usage;
  } else {
    std::uint64_t prompt_tokens = estimate_prompt_tokens(body);
    out["usage"] = {{"prompt_tokens", prompt_tokens},
                    {"completion_tokens", completion_tokens},
                    {"total_tokens", prompt_tokens + completion_tokens}};
  }
  ++served_;
  return answer(Response::json(200, dump(out)));
}

tl::expected<std::unique_ptr<StubServer>, std::string> StubServer::start(Cassette cassette,
                                                                        StubOptions options) {
  auto llm = std::make_shared<StubLlm>(std::make_shared<const Cassette>(std::move(cassette)),
                                       options.latency);
  Handler handler = [llm](const Request& request) { return llm->handle(request); };
  if (options.wrap) handler = options.wrap(std::move(handler));
  auto server = HttpServer::start({options.host, options.port}, std::move(handler));
  if (!server) return tl::unexpected(server.error());
  return std::unique_ptr<StubServer>(new StubServer(std::move(llm), std::move(*server)));
}

std::string StubServer::base_url() const {
  const std::string& host = server_->host();
  bool v6 = host.find(':') != std::string::npos && host.front() != '[';
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port()) + "/v1";
}

}  // namespace autoif::stub
