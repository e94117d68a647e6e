#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <thread>

#include "api_caller.hpp"
#include "dbk/testing/fake_transport.hpp"

using dbk::detail::ApiCaller;
using dbk::testing::FakeTransport;

TEST_CASE("GET builds the URL with a percent-encoded query") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("GET", "/prefix/api/2.0/workspace/list")
      .with_query("path=%2FUsers%2Fa%20b&recursive=true")
      .respond_json(200, {{"objects", nlohmann::json::array()}});
  ApiCaller caller("http://127.0.0.1:8080/prefix/", fake);
  auto result =
      caller.get("/api/2.0/workspace/list", {{"path", "/Users/a b"}, {"recursive", "true"}});
  REQUIRE(result.ok());
  CHECK(result->contains("objects"));
  REQUIRE(fake->requests().size() == 1);
  CHECK(fake->requests()[0].url ==
        "http://127.0.0.1:8080/prefix/api/2.0/workspace/list?path=%2FUsers%2Fa%20b&recursive=true");
  CHECK(fake->all_consumed());
}

TEST_CASE("POST sends JSON and keeps the server's key order") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("POST", "/api/2.1/jobs/run-now")
      .with_json_body({{"job_id", 7}})
      .respond(200, R"({"run_id": 3, "number_in_job": 3, "a": 1})");
  ApiCaller caller("https://h", fake);
  auto result =
      caller.post("/api/2.1/jobs/run-now", {{"job_id", 7}}, dbk::Idempotency::kNonIdempotent);
  REQUIRE(result.ok());
  CHECK(result->dump() == R"({"run_id":3,"number_in_job":3,"a":1})");
  auto sent = fake->requests().at(0);
  CHECK(dbk::find_header(sent.headers, "content-type") == "application/json");
  CHECK(sent.body == R"({"job_id":7})");
}

TEST_CASE("an empty 2xx body is an empty object") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("POST", "/api/2.0/dbfs/mkdirs").respond(200, "");
  ApiCaller caller("https://h", fake);
  auto result =
      caller.post("/api/2.0/dbfs/mkdirs", {{"path", "/a"}}, dbk::Idempotency::kIdempotent);
  REQUIRE(result.ok());
  CHECK(*result == nlohmann::ordered_json::object());
}

TEST_CASE("HTTP errors become ApiErrors with method and path") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("GET", "/p/api/2.0/dbfs/get-status")
      .respond_json(404, {{"error_code", "RESOURCE_DOES_NOT_EXIST"}, {"message", "No file."}});
  ApiCaller caller("https://h/p", fake);
  auto result = caller.get("/api/2.0/dbfs/get-status", {{"path", "/x"}});
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().is_not_found());
  CHECK(result.error().to_string() ==
        "RESOURCE_DOES_NOT_EXIST: No file. (HTTP 404, GET /api/2.0/dbfs/get-status)");
}

TEST_CASE("a 200 HTML page is INVALID_RESPONSE explained in words") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("GET", "/api/2.0/clusters/list")
      .respond(200,
               "<!DOCTYPE html><html><head><title>Databricks</title></head><body></body></html>");
  ApiCaller caller("https://h", fake);
  auto result = caller.get("/api/2.0/clusters/list");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "INVALID_RESPONSE");
  CHECK_THAT(result.error().message, Catch::Contains("web page"));
  CHECK_THAT(result.error().message, Catch::Contains("wrong host"));
  CHECK(result.error().path == "/api/2.0/clusters/list");

  fake->expect("GET", "/api/2.0/clusters/list").respond(200, "not json at all");
  auto garbage = caller.get("/api/2.0/clusters/list");
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.error().error_code == "INVALID_RESPONSE");
  CHECK_THAT(garbage.error().message, Catch::Contains("not valid JSON"));
}

TEST_CASE("transport failures get method and path filled in") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("POST", "/api/2.0/dbfs/put")
      .fail(
          dbk::make_error("CONNECTION_ERROR", "cannot connect to 127.0.0.1:9: Connection refused"));
  ApiCaller caller("http://127.0.0.1:9", fake);
  auto result = caller.post("/api/2.0/dbfs/put", {{"path", "/a"}}, dbk::Idempotency::kIdempotent);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().to_string() ==
        "CONNECTION_ERROR: cannot connect to 127.0.0.1:9: Connection refused (POST "
        "/api/2.0/dbfs/put)");
}

TEST_CASE("raw send accepts a relative URL and maps error statuses") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("GET", "/files/a.bin").respond(200, std::string("\x00\x01", 2));
  fake->expect("GET", "/files/b.bin").respond(403, "");
  ApiCaller caller("https://h", fake);
  auto ok = caller.send(dbk::HttpRequest{"GET", "/files/a.bin", {}, ""});
  REQUIRE(ok.ok());
  CHECK(ok->body.size() == 2);
  auto denied = caller.send(dbk::HttpRequest{"GET", "/files/b.bin", {}, ""});
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().error_code == "PERMISSION_DENIED");
}

TEST_CASE("FakeTransport: an unexpected request yields a ready-to-paste stub") {
  auto fake = std::make_shared<FakeTransport>();
  ApiCaller caller("https://h", fake);
  auto result = caller.post("/api/2.0/dbfs/delete", {{"path", "/a"}, {"recursive", true}},
                            dbk::Idempotency::kIdempotent);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "MISSING_STUB");
  CHECK_THAT(result.error().message,
             Catch::Contains("missing stub, please add: expect(\"POST\", \"/api/2.0/dbfs/delete\")"
                             ".with_json_body(nlohmann::json::parse(R\"({\"path\":\"/a\","
                             "\"recursive\":true})\"))"));
  CHECK(fake->requests().size() == 1);
}

TEST_CASE("FakeTransport: in order by default, any order on request, reusable stubs") {
  auto in_order = std::make_shared<FakeTransport>();
  in_order->expect("GET", "/a").respond(200, "{}");
  in_order->expect("GET", "/b").respond(200, "{}");
  ApiCaller caller("https://h", in_order);
  auto out_of_order = caller.get("/b");
  REQUIRE_FALSE(out_of_order.ok());
  CHECK_THAT(out_of_order.error().message, Catch::Contains("next expected: GET /a"));
  CHECK(caller.get("/a").ok());
  CHECK(caller.get("/b").ok());
  CHECK(in_order->all_consumed());
  CHECK_FALSE(caller.get("/a").ok());  // consumed expectations do not match again

  auto any = std::make_shared<FakeTransport>(FakeTransport::Order::kAnyOrder);
  any->expect("GET", "/a").respond(200, "{}");
  any->expect("GET", "/b").reusable().respond(200, "{}");
  ApiCaller any_caller("https://h", any);
  CHECK(any_caller.get("/b").ok());
  CHECK_FALSE(any->all_consumed());
  CHECK(any->pending() == std::vector<std::string>{"GET /a"});
  CHECK(any_caller.get("/b").ok());
  CHECK(any_caller.get("/a").ok());
  CHECK(any->all_consumed());
}

TEST_CASE("FakeTransport is safe to use from several threads") {
  auto fake = std::make_shared<FakeTransport>(FakeTransport::Order::kAnyOrder);
  fake->expect("GET", "/x").reusable().respond(200, "{}");
  ApiCaller caller("https://h", fake);
  std::atomic<int> succeeded{0};  // Catch2 assertions are not thread-safe: count instead
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) succeeded += caller.get("/x").ok() ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(succeeded == 200);
  CHECK(fake->requests().size() == 200);
}

TEST_CASE("an answer nested too deep is an INVALID_RESPONSE, not a stack overflow") {
  // A job stored 45,000 deep crashed every client that read it.
  const std::string deep =
      R"({"job_id": 1, "settings": )" + std::string(45000, '[') + std::string(45000, ']') + "}";
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("GET", "/api/2.1/jobs/get").respond(200, deep);
  fake->expect("GET", "/api/2.1/jobs/get").respond(400, deep);
  ApiCaller caller("https://h", fake);
  auto result = caller.get("/api/2.1/jobs/get", {{"job_id", "1"}});
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "INVALID_RESPONSE");
  CHECK(result.error().message == "the response is JSON nested deeper than 512 levels; not read");
  // An error body that deep is kept as (cut) text.
  auto failed = caller.get("/api/2.1/jobs/get", {{"job_id", "1"}});
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().http_status == 400);
  CHECK(failed.error().message.size() < 2000);
}
