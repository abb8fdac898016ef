#include <catch2/catch.hpp>

#include <functional>
#include <set>
#include <string>

#include "pipeline/llm/request.h"

using namespace autoif::llm;

namespace {

ModelConfig base_config() {
  ModelConfig config;
  config.endpoints = {{"http://127.0.0.1:8000/v1", ""}};
  config.model = "qwen2-72b-instruct";
  config.temperature = 0.7;
  config.top_p = 0.95;
  config.max_tokens = 512;
  config.seed = 1000;
  config.stop = {"###"};
  config.extra_body = {{"top_k", 20}};
  return config;
}

const std::vector<Message> kMessages = {{"system", "You write instructions."},
                                        {"user", "Write ten new instructions."}};

}  // namespace

TEST_CASE("request key is a 64-digit hex digest that does not change between calls") {
  ModelConfig config = base_config();
  std::string key = request_key(config, kMessages, 3);
  CHECK(key.size() == 64);
  CHECK(key.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(request_key(config, kMessages, 3) == key);
  ModelConfig copy = base_config();
  CHECK(request_key(copy, kMessages, 3) == key);
}

TEST_CASE("request key of a fixed request is pinned, so a scheme change cannot slip in") {
  // If this value changes, every stored cache is silently invalidated: bump the scheme name
  // in request.cpp on purpose instead, and update this value with it.
  CHECK(canonical_request_json(base_config(), kMessages, 3) ==
        R"({"extra_body":{"top_k":20},"messages":[{"content":"You write instructions.","role":"system"},)"
        R"({"content":"Write ten new instructions.","role":"user"}],"model":"qwen2-72b-instruct",)"
        R"("sample_index":3,"sampling":{"max_tokens":512,"seed":1000,"stop":["###"],"temperature":0.7,)"
        R"("top_p":0.95},"scheme":"autoif-request-key-v1"})");
  CHECK(request_key(base_config(), kMessages, 3) ==
        "14f21e2d7f7a6394d0f5f6f02827a2c5cd3923ce9f6a36a81151a071ebd97e27");
}

TEST_CASE("request key changes with everything that decides the answer") {
  const std::string original = request_key(base_config(), kMessages, 3);
  std::vector<std::function<void(ModelConfig&, std::vector<Message>&, std::size_t&)>> changes = {
      [](ModelConfig& c, auto&, auto&) { c.model = "other-model"; },
      [](ModelConfig& c, auto&, auto&) { c.temperature = 0.8; },
      [](ModelConfig& c, auto&, auto&) { c.temperature.reset(); },
      [](ModelConfig& c, auto&, auto&) { c.top_p = 0.9; },
      [](ModelConfig& c, auto&, auto&) { c.max_tokens = 513; },
      [](ModelConfig& c, auto&, auto&) { c.seed = 1001; },
      [](ModelConfig& c, auto&, auto&) { c.seed.reset(); },
      [](ModelConfig& c, auto&, auto&) { c.stop = {"##"}; },
      [](ModelConfig& c, auto&, auto&) { c.extra_body["top_k"] = 21; },
      [](ModelConfig& c, auto&, auto&) { c.extra_body = nlohmann::json::object(); },
      [](auto&, std::vector<Message>& m, auto&) { m[1].content += " "; },
      [](auto&, std::vector<Message>& m, auto&) { m[0].role = "user"; },
      [](auto&, std::vector<Message>& m, auto&) { m.pop_back(); },
      [](auto&, std::vector<Message>& m, auto&) { std::swap(m[0], m[1]); },
      [](auto&, auto&, std::size_t& i) { i = 4; },
  };
  std::set<std::string> keys = {original};
  for (auto& change : changes) {
    ModelConfig config = base_config();
    std::vector<Message> messages = kMessages;
    std::size_t index = 3;
    change(config, messages, index);
    keys.insert(request_key(config, messages, index));
  }
  CHECK(keys.size() == changes.size() + 1);
}

TEST_CASE("request key ignores endpoints, timeouts, limits and batching settings") {
  const std::string original = request_key(base_config(), kMessages, 3);
  ModelConfig config = base_config();
  config.endpoints = {{"https://api.example.com/v1", "OTHER_KEY"}, {"http://10.0.0.2/v1", ""}};
  config.request_timeout = std::chrono::seconds(5);
  config.max_in_flight = 7;
  config.requests_per_minute = 10;
  config.tokens_per_minute = 1000;
  config.max_retries = 1;
  config.n_per_request = NPerRequest::off;
  CHECK(request_key(config, kMessages, 3) == original);
}

TEST_CASE("request body sends seed S+i for sample i and n only when asking for several") {
  ModelConfig config = base_config();
  nlohmann::json one = request_body(config, kMessages, 5, 1);
  CHECK(one["seed"] == 1005);
  CHECK_FALSE(one.contains("n"));
  CHECK(one["model"] == "qwen2-72b-instruct");
  CHECK(one["messages"].size() == 2);
  CHECK(one["messages"][1]["content"] == "Write ten new instructions.");
  CHECK(one["temperature"] == 0.7);
  CHECK(one["max_tokens"] == 512);
  CHECK(one["stop"] == nlohmann::json::array({"###"}));
  CHECK(one["top_k"] == 20);
  CHECK(one["stream"] == false);

  nlohmann::json several = request_body(config, kMessages, 5, 4);
  CHECK(several["seed"] == 1005);
  CHECK(several["n"] == 4);

  config.seed.reset();
  config.temperature.reset();
  nlohmann::json unseeded = request_body(config, kMessages, 5, 1);
  CHECK_FALSE(unseeded.contains("seed"));
  CHECK_FALSE(unseeded.contains("temperature"));
}

TEST_CASE("request body lets the client's own fields win over extra_body") {
  ModelConfig config = base_config();
  config.extra_body = {{"model", "hijack"}, {"n", 9}, {"seed", 1}, {"stream", true}, {"top_k", 3}};
  nlohmann::json body = request_body(config, kMessages, 0, 1);
  CHECK(body["model"] == "qwen2-72b-instruct");
  CHECK_FALSE(body.contains("n"));
  CHECK(body["seed"] == 1000);
  CHECK(body["stream"] == false);
  CHECK(body["top_k"] == 3);
}
