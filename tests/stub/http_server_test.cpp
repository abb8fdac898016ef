#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "pipeline/stub/http_server.h"
#include "tests/stub/test_client.h"

using namespace autoif::stub;
using autoif::stub::testing::TestClient;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<HttpServer> serve(Handler handler) {
  auto server = HttpServer::start({}, std::move(handler));
  REQUIRE(server);
  return std::move(*server);
}

Handler echo() {
  return [](const Request& request) {
    return Response::text(200, request.method + " " + request.target + " " + request.body);
  };
}

}  // namespace

TEST_CASE("http server hands the handler method, path, headers and body and sends its answer") {
  auto seen = std::make_shared<std::vector<Request>>();
  auto server = serve([seen](const Request& request) {
    seen->push_back(request);
    return Response::json(201, R"({"ok":true})").with_header("X-Test", "yes");
  });
  CHECK(server->port() != 0);
  TestClient client(server->port());
  client.send_request("POST", "/v1/thing?x=1", "hello", "X-Custom: Value\r\n");
  auto reply = client.read_reply();
  REQUIRE(reply);
  CHECK(reply->status == 201);
  CHECK(reply->body == R"({"ok":true})");
  CHECK(reply->headers["x-test"] == "yes");
  CHECK(reply->headers["content-type"] == "application/json");
  CHECK(reply->headers["connection"] == "keep-alive");
  server->stop();
  REQUIRE(seen->size() == 1);
  const Request& request = seen->front();
  CHECK(request.method == "POST");
  CHECK(request.target == "/v1/thing?x=1");
  CHECK(request.path == "/v1/thing");
  CHECK(request.body == "hello");
  CHECK(request.header("x-custom") == "Value");
  CHECK(request.header("X-CUSTOM") == "Value");
}

TEST_CASE("http server keeps a connection alive across requests") {
  auto server = serve(echo());
  TestClient client(server->port());
  for (int i = 0; i < 5; ++i) {
    auto reply = client.post("/n", std::to_string(i));
    REQUIRE(reply);
    CHECK(reply->body == "POST /n " + std::to_string(i));
  }
  CHECK(server->stats().connections_accepted == 1);
  CHECK(server->stats().requests == 5);
}

TEST_CASE("http server answers pipelined requests in order") {
  auto server = serve(echo());
  TestClient client(server->port());
  client.send_raw(TestClient::format("POST", "/a", "1") + TestClient::format("POST", "/b", "22"));
  auto first = client.read_reply();
  auto second = client.read_reply();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->body == "POST /a 1");
  CHECK(second->body == "POST /b 22");
}

TEST_CASE("http server assembles a body that arrives in pieces") {
  auto server = serve(echo());
  TestClient client(server->port());
  std::string text = TestClient::format("POST", "/slow", "abcdefghij");
  for (char c : text) client.send_raw(std::string(1, c));
  auto reply = client.read_reply();
  REQUIRE(reply);
  CHECK(reply->body == "POST /slow abcdefghij");
}

TEST_CASE("http server answers Expect: 100-continue before the body") {
  auto server = serve(echo());
  TestClient client(server->port());
  client.send_raw("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  std::string interim(25, '\0');
  REQUIRE(recv(client.fd(), interim.data(), interim.size(), MSG_WAITALL) == 25);
  CHECK(interim == "HTTP/1.1 100 Continue\r\n\r\n");
  client.send_raw("xyz");
  auto reply = client.read_reply();
  REQUIRE(reply);
  CHECK(reply->body == "POST /big xyz");
}

TEST_CASE("http server closes after answering when the client says Connection: close") {
  auto server = serve(echo());
  TestClient client(server->port());
  client.send_request("GET", "/", "", "Connection: close\r\n");
  auto reply = client.read_reply();
  REQUIRE(reply);
  CHECK(reply->headers["connection"] == "close");
  CHECK(client.wait_close() == "eof");
}

TEST_CASE("http server answers a client that half-closes after its request, then closes") {
  auto server = serve([](const Request& request) {
    return Response::text(200, request.path).with_delay(request.path == "/late" ? 50ms : 0ms);
  });
  for (std::string path : {"/now", "/late"}) {
    TestClient client(server->port());
    client.send_request("GET", path);
    ::shutdown(client.fd(), SHUT_WR);
    auto reply = client.read_reply();
    REQUIRE(reply);
    CHECK(reply->body == path);
    CHECK(reply->headers["connection"] == "close");
    CHECK(client.wait_close() == "eof");
  }
}

TEST_CASE("http server closes a connection whose client hangs up mid-request") {
  auto server = serve(echo());
  TestClient client(server->port());
  client.send_raw("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly part");
  ::shutdown(client.fd(), SHUT_WR);
  CHECK(client.wait_close() == "eof");
  CHECK(server->stats().requests == 0);
}

TEST_CASE("http server refuses malformed and unsupported requests and closes") {
  auto server = serve(echo());
  SECTION("garbage request line") {
    TestClient client(server->port());
    client.send_raw("NONSENSE\r\n\r\n");
    auto reply = client.read_reply();
    REQUIRE(reply);
    CHECK(reply->status == 400);
    CHECK(client.wait_close() == "eof");
  }
  SECTION("chunked body") {
    TestClient client(server->port());
    client.send_raw("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    auto reply = client.read_reply();
    REQUIRE(reply);
    CHECK(reply->status == 501);
  }
  SECTION("oversized head") {
    TestClient client(server->port());
    client.send_raw("GET / HTTP/1.1\r\nX-Big: " + std::string(70 * 1024, 'a') + "\r\n\r\n");
    auto reply = client.read_reply();
    REQUIRE(reply);
    CHECK(reply->status == 431);
  }
  CHECK(server->stats().requests == 0);
}

TEST_CASE("http server turns a throwing handler into a 500") {
  auto server = serve([](const Request&) -> Response { throw std::runtime_error("boom"); });
  TestClient client(server->port());
  auto reply = client.get("/");
  REQUIRE(reply);
  CHECK(reply->status == 500);
  CHECK(reply->body.find("boom") != std::string::npos);
}

TEST_CASE("http server waits at least the response delay before answering") {
  auto server = serve([](const Request&) { return Response::text(200, "late").with_delay(300ms); });
  TestClient client(server->port());
  auto start = std::chrono::steady_clock::now();
  auto reply = client.get("/");
  auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(reply);
  CHECK(reply->body == "late");
  CHECK(elapsed >= 300ms);
}

TEST_CASE("http server keeps serving other connections while a delayed answer waits") {
  auto server = serve([](const Request& request) {
    auto response = Response::text(200, request.path);
    if (request.path == "/slow") response.delay = 30s;  // stop() drops it; nobody waits
    return response;
  });
  TestClient slow(server->port());
  TestClient fast(server->port());
  slow.send_request("GET", "/slow");
  auto quick = fast.get("/fast");
  REQUIRE(quick);
  CHECK(quick->body == "/fast");
  // Had the loop slept on the delay, the slow answer would have gone out first.
  CHECK_FALSE(slow.has_data());
  server->stop();
  CHECK(slow.wait_close() == "eof");
}

TEST_CASE("http server fault actions are what the client observes") {
  auto server = serve([](const Request& request) {
    if (request.path == "/close") return Response::close_connection();
    if (request.path == "/reset") return Response::reset_connection();
    if (request.path == "/cut") return Response::json(200, std::string(1000, 'x')).cut_after(100);
    if (request.path == "/busy") return Response::json(429, "{}").with_retry_after(7);
    return Response::text(200, "fine");
  });
  SECTION("close without answering") {
    TestClient client(server->port());
    CHECK(client.get("/close").error() == "eof");
  }
  SECTION("reset") {
    TestClient client(server->port());
    CHECK(client.get("/reset").error() == "reset");
  }
  SECTION("partial body then close") {
    TestClient client(server->port());
    CHECK(client.get("/cut").error() == "cut body: 100 of 1000 bytes");
  }
  SECTION("Retry-After") {
    TestClient client(server->port());
    auto reply = client.get("/busy");
    REQUIRE(reply);
    CHECK(reply->status == 429);
    CHECK(reply->headers["retry-after"] == "7");
    CHECK(client.get("/ok")->body == "fine");  // a 429 keeps the connection usable
  }
}

TEST_CASE("http server wrapped by a fault-injecting handler delegates the rest") {
  Handler inner = [](const Request&) { return Response::text(200, "real"); };
  auto calls = std::make_shared<int>(0);
  Handler flaky = [inner, calls](const Request& request) {
    return (*calls)++ == 0 ? Response::text(503, "try later").with_retry_after(1) : inner(request);
  };
  auto server = serve(flaky);
  TestClient client(server->port());
  CHECK(client.get("/")->status == 503);
  CHECK(client.get("/")->body == "real");
}

TEST_CASE("http server holds 2000 concurrent keep-alive connections") {
  auto server = serve(echo());
  constexpr int kConnections = 2000;
  std::vector<std::unique_ptr<TestClient>> clients;
  clients.reserve(kConnections);
  for (int i = 0; i < kConnections; ++i) clients.push_back(std::make_unique<TestClient>(server->port()));
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < kConnections; ++i) clients[i]->send_request("POST", "/c", std::to_string(i));
    int good = 0;
    for (int i = 0; i < kConnections; ++i) {
      auto reply = clients[i]->read_reply();
      good += reply && reply->body == "POST /c " + std::to_string(i);
    }
    CHECK(good == kConnections);
  }
  auto stats = server->stats();
  CHECK(stats.connections_accepted == kConnections);
  CHECK(stats.connections_open == kConnections);
  CHECK(stats.requests == 2 * kConnections);
}

TEST_CASE("http server stop closes connections, frees the port and is idempotent") {
  auto server = serve(echo());
  std::uint16_t port = server->port();
  TestClient client(port);
  REQUIRE(client.get("/"));
  server->stop();
  CHECK(client.wait_close() == "eof");
  CHECK(server->stats().connections_open == 0);
  CHECK_THROWS(TestClient(port));
  server->stop();
  // The port can be bound again right away.
  auto again = HttpServer::start({"127.0.0.1", port}, echo());
  REQUIRE(again);
  CHECK((*again)->port() == port);
}

TEST_CASE("http server reports a port already in use") {
  auto server = serve(echo());
  auto second = HttpServer::start({"127.0.0.1", server->port()}, echo());
  REQUIRE_FALSE(second);
  CHECK(second.error().find("bind") != std::string::npos);
  CHECK(second.error().find(std::to_string(server->port())) != std::string::npos);
}

TEST_CASE("http server rejects a host that is not a numeric address") {
  auto server = HttpServer::start({"example.com", 0}, echo());
  REQUIRE_FALSE(server);
  CHECK(server.error().find("example.com") != std::string::npos);
}
