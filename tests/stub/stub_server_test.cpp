#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <vector>

#include "pipeline/stub/listen_address.h"
#include "pipeline/stub/stub_server.h"
#include "tests/stub/test_client.h"

using namespace autoif::stub;
using autoif::stub::testing::Reply;
using autoif::stub::testing::TestClient;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kCassette = R"({"request": {"model": "tiny", "messages": [{"role": "user", "content": "Hello there"}]}, "response": "General Kenobi"}
{"request": {"model": "tiny", "messages": [{"role": "user", "content": "Hello there"}], "temperature": 0}, "response": "Greedy Kenobi"}
{"request": {"model": "tiny", "messages": [{"role": "user", "content": "three"}]}, "responses": ["one", "two", "three"]}
{"request": {"model": "big", "messages": [{"role": "user", "content": "usage"}]}, "response": {"choices": [{"message": {"role": "assistant", "content": "counted"}, "finish_reason": "length"}], "usage": {"prompt_tokens": 11, "completion_tokens": 22, "total_tokens": 33}}}
)";

std::unique_ptr<StubServer> serve(StubOptions options = {}) {
  auto cassette = Cassette::parse(kCassette, "test.jsonl");
  REQUIRE(cassette);
  auto server = StubServer::start(std::move(*cassette), std::move(options));
  REQUIRE(server);
  return std::move(*server);
}

json ask(const std::string& model, const std::string& content, json extra = json::object()) {
  json request{{"model", model}, {"messages", {{{"role", "user"}, {"content", content}}}}};
  request.update(extra);
  return request;
}

// POSTs to /v1/chat/completions and parses the JSON answer.
std::pair<int, json> complete(TestClient& client, const std::string& body) {
  auto reply = client.post("/v1/chat/completions", body);
  REQUIRE(reply);
  json parsed = json::parse(reply->body, nullptr, false);
  REQUIRE_FALSE(parsed.is_discarded());
  return {reply->status, parsed};
}

}  // namespace

TEST_CASE("stub answers a chat completion from the cassette in OpenAI's shape") {
  auto server = serve();
  TestClient client(server->port());
  auto [status, body] = complete(client, ask("tiny", "Hello there").dump());
  CHECK(status == 200);
  CHECK(body["object"] == "chat.completion");
  CHECK(body["model"] == "tiny");
  CHECK(body["id"].get<std::string>().rfind("chatcmpl-", 0) == 0);
  CHECK(body["created"].is_number_integer());
  REQUIRE(body["choices"].size() == 1);
  CHECK(body["choices"][0]["index"] == 0);
  CHECK(body["choices"][0]["message"] == json{{"role", "assistant"}, {"content", "General Kenobi"}});
  CHECK(body["choices"][0]["finish_reason"] == "stop");
  CHECK(body["usage"]["completion_tokens"].get<int>() > 0);
  CHECK(body["usage"]["total_tokens"] ==
        body["usage"]["prompt_tokens"].get<int>() + body["usage"]["completion_tokens"].get<int>());
  CHECK(server->stats().served == 1);
}

TEST_CASE("stub matches on listed fields only and prefers the most specific entry") {
  auto server = serve();
  TestClient client(server->port());
  auto text = [&](const json& request) {
    return complete(client, request.dump()).second["choices"][0]["message"]["content"];
  };
  CHECK(text(ask("tiny", "Hello there", {{"max_tokens", 50}})) == "General Kenobi");
  CHECK(text(ask("tiny", "Hello there", {{"temperature", 0}, {"max_tokens", 50}})) == "Greedy Kenobi");
  CHECK(text(ask("tiny", "Hello there", {{"temperature", 0.0}})) == "Greedy Kenobi");
}

TEST_CASE("stub returns the first n choices and refuses n beyond the entry") {
  auto server = serve();
  TestClient client(server->port());
  auto [status, body] = complete(client, ask("tiny", "three", {{"n", 2}}).dump());
  CHECK(status == 200);
  REQUIRE(body["choices"].size() == 2);
  CHECK(body["choices"][0]["message"]["content"] == "one");
  CHECK(body["choices"][1]["index"] == 1);
  CHECK(body["choices"][1]["message"]["content"] == "two");

  auto [too_many, error] = complete(client, ask("tiny", "three", {{"n", 4}}).dump());
  CHECK(too_many == 400);
  CHECK(error["error"]["code"] == "cassette_too_few_choices");
  CHECK(error["error"]["message"] == "stub-llm: the cassette entry at line 3 has 3 choice(s) but the request asks n=4");
}

TEST_CASE("stub keeps recorded usage and finish reasons") {
  auto server = serve();
  TestClient client(server->port());
  auto [status, body] = complete(client, ask("big", "usage").dump());
  CHECK(status == 200);
  CHECK(body["usage"] == json{{"prompt_tokens", 11}, {"completion_tokens", 22}, {"total_tokens", 33}});
  CHECK(body["choices"][0]["finish_reason"] == "length");
}

TEST_CASE("stub answers an unknown request with 400 cassette_miss naming model and message") {
  auto server = serve();
  TestClient client(server->port());
  auto [status, body] = complete(client, ask("tiny", "Where is the library? " + std::string(100, 'x')).dump());
  CHECK(status == 400);
  CHECK(body["error"]["type"] == "invalid_request_error");
  CHECK(body["error"]["code"] == "cassette_miss");
  CHECK(body["error"]["message"] ==
        "stub-llm: no cassette entry for this request (model tiny, last message starts 'Where is the library? " +
            std::string(38, 'x') + "...')");
  CHECK(server->stats().missed == 1);
  CHECK(server->stats().served == 0);
}

TEST_CASE("stub answers an unknown model with 404 model_not_found") {
  auto server = serve();
  TestClient client(server->port());
  auto [status, body] = complete(client, ask("gpt-99", "Hello there").dump());
  CHECK(status == 404);
  CHECK(body["error"]["code"] == "model_not_found");
  CHECK(body["error"]["message"].get<std::string>().find("'gpt-99'") != std::string::npos);
}

TEST_CASE("stub refuses malformed JSON and streaming with 400") {
  auto server = serve();
  TestClient client(server->port());
  auto [status, body] = complete(client, "{\"model\": ");
  CHECK(status == 400);
  CHECK(body["error"]["code"] == "invalid_json");
  auto [streamed, refusal] = complete(client, ask("tiny", "Hello there", {{"stream", true}}).dump());
  CHECK(streamed == 400);
  CHECK(refusal["error"]["code"] == "stream_unsupported");
  CHECK(server->stats().bad_requests == 2);
  // The connection stays usable after an error answer.
  CHECK(complete(client, ask("tiny", "Hello there").dump()).first == 200);
}

TEST_CASE("stub lists the cassette's models") {
  auto server = serve();
  TestClient client(server->port());
  auto reply = client.get("/v1/models");
  REQUIRE(reply);
  CHECK(reply->status == 200);
  json body = json::parse(reply->body);
  CHECK(body["object"] == "list");
  REQUIRE(body["data"].size() == 2);
  CHECK(body["data"][0]["id"] == "big");
  CHECK(body["data"][1]["id"] == "tiny");
  CHECK(client.get("/v1/models/tiny")->status == 200);
  CHECK(client.get("/v1/models/nope")->status == 404);
  CHECK(client.get("/v1/unknown")->status == 404);
}

TEST_CASE("stub applies its latency to every answer") {
  StubOptions options;
  options.latency = 250ms;
  auto server = serve(options);
  TestClient client(server->port());
  auto start = std::chrono::steady_clock::now();
  auto [status, body] = complete(client, ask("tiny", "Hello there").dump());
  CHECK(status == 200);
  CHECK(std::chrono::steady_clock::now() - start >= 250ms);
}

TEST_CASE("stub serves many concurrent delayed requests, each after at least the latency") {
  StubOptions options;
  options.latency = 200ms;
  auto server = serve(options);
  constexpr int kClients = 300;
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(std::make_unique<TestClient>(server->port()));
  std::string body = ask("tiny", "three", {{"n", 3}}).dump();
  auto start = std::chrono::steady_clock::now();
  for (auto& client : clients) client->send_request("POST", "/v1/chat/completions", body);
  int answered = 0;
  for (auto& client : clients) {
    auto reply = client->read_reply();
    answered += reply && reply->status == 200 && json::parse(reply->body)["choices"].size() == 3;
  }
  CHECK(answered == kClients);
  CHECK(std::chrono::steady_clock::now() - start >= 200ms);
  CHECK(server->stats().served == kClients);
}

TEST_CASE("stub can be wrapped to inject faults in front of the cassette") {
  StubOptions options;
  options.wrap = [](Handler inner) -> Handler {
    auto calls = std::make_shared<int>(0);
    return [inner, calls](const Request& request) {
      int call = (*calls)++;
      if (call == 0) return Response::json(429, R"({"error":{"message":"slow down"}})").with_retry_after(2);
      if (call == 1) return inner(request).cut_after(20);
      return inner(request);
    };
  };
  auto server = serve(options);
  std::string body = ask("tiny", "Hello there").dump();
  TestClient first(server->port());
  auto limited = first.post("/v1/chat/completions", body);
  REQUIRE(limited);
  CHECK(limited->status == 429);
  CHECK(limited->headers["retry-after"] == "2");
  auto cut = first.post("/v1/chat/completions", body);
  REQUIRE_FALSE(cut);
  CHECK(cut.error().rfind("cut body: 20 of ", 0) == 0);
  TestClient second(server->port());
  CHECK(complete(second, body).first == 200);
}

TEST_CASE("listen address parsing accepts HOST:PORT forms and spots loopback") {
  auto v4 = parse_listen_address("127.0.0.1:8080");
  REQUIRE(v4);
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 8080);
  auto v6 = parse_listen_address("[::1]:0");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 0);
  CHECK_FALSE(parse_listen_address("127.0.0.1"));
  CHECK_FALSE(parse_listen_address("127.0.0.1:70000"));
  CHECK_FALSE(parse_listen_address(":80"));
  CHECK_FALSE(parse_listen_address("::1:80"));
  CHECK(is_loopback("127.0.0.1"));
  CHECK(is_loopback("127.1.2.3"));
  CHECK(is_loopback("::1"));
  CHECK(is_loopback("localhost"));
  CHECK_FALSE(is_loopback("0.0.0.0"));
  CHECK_FALSE(is_loopback("192.168.1.10"));
  CHECK_FALSE(is_loopback("::"));
  CHECK_FALSE(is_loopback("example.com"));
}

TEST_CASE("stub serves on IPv6 loopback too") {
  auto cassette = Cassette::parse(kCassette, "test.jsonl");
  REQUIRE(cassette);
  StubOptions options;
  options.host = "::1";
  auto server = StubServer::start(std::move(*cassette), options);
  if (!server) SUCCEED("no IPv6 loopback here: " + server.error());
  else CHECK((*server)->base_url() == "http://[::1]:" + std::to_string((*server)->port()) + "/v1");
}
