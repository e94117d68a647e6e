#include <catch2/catch.hpp>

#include "emulator_fixture.hpp"

using namespace dbk::emulator::testing;
using nlohmann::json;

TEST_CASE("admin health and clock", "[emulator][admin]") {
  TestEmulator emu;
  auto c = emu.client();
  auto health = c.get("/__dbk/health");
  REQUIRE(health.status == 200);
  CHECK(health.json()["status"] == "ok");

  auto before = c.get("/__dbk/clock").json();
  auto advanced = c.post("/__dbk/clock", {{"advance_ms", 3600000}}).json();
  CHECK(advanced["offset_ms"].get<std::int64_t>() >= 3600000);
  CHECK(advanced["now_ms"].get<std::int64_t>() - before["now_ms"].get<std::int64_t>() >= 3600000);

  auto set = c.post("/__dbk/clock", {{"set_ms", 1'700'000'000'000}}).json();
  CHECK(set["now_ms"].get<std::int64_t>() >= 1'700'000'000'000);
  CHECK(set["now_ms"].get<std::int64_t>() < 1'700'000'100'000);
  // Timestamps the API returns follow the emulated clock.
  REQUIRE(c.post("/api/2.0/workspace/mkdirs", {{"path", "/Shared/t"}}).status == 200);
  auto created = c.get("/api/2.0/workspace/get-status?path=/Shared/t").json()["created_at"];
  CHECK(created.get<std::int64_t>() < 1'700'000'100'000);

  CHECK(c.post("/__dbk/clock", json::object()).status == 400);
  CHECK(c.post("/__dbk/clock", {{"advance_ms", -5}}).status == 400);
}

TEST_CASE("fault injection: status, body, headers, times and offset", "[emulator][admin][faults]") {
  TestEmulator emu;
  auto c = emu.client();
  auto rule = c.post("/__dbk/faults", {{"method", "GET"},
                                       {"path_pattern", "/api/2.0/dbfs/*"},
                                       {"status", 429},
                                       {"headers", {{"Retry-After", "2"}}},
                                       {"times", 2},
                                       {"offset", 1}});
  REQUIRE(rule.status == 200);
  auto id = rule.json()["id"].get<std::int64_t>();

  CHECK(c.get("/api/2.0/dbfs/list?path=/").status == 200);  // offset: first match passes
  auto limited = c.get("/api/2.0/dbfs/list?path=/");
  CHECK(limited.status == 429);
  CHECK(limited.header("Retry-After") == "2");
  CHECK(limited.error_code() == "REQUEST_LIMIT_EXCEEDED");
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/").status == 429);
  CHECK(c.get("/api/2.0/dbfs/list?path=/").status == 200);                // times exhausted
  CHECK(c.post("/api/2.0/dbfs/mkdirs", {{"path", "/x"}}).status == 200);  // method differs

  auto listed = c.get("/__dbk/faults").json();
  REQUIRE(listed["faults"].size() == 1);
  CHECK(listed["faults"][0]["applied"] == 2);
  CHECK(c.request("DELETE", "/__dbk/faults/" + std::to_string(id)).status == 200);
  CHECK(c.get("/__dbk/faults").json() == json::object());

  REQUIRE(c.post("/__dbk/faults", {{"path_pattern", "/api/2.0/workspace/list"}, {"status", 503}})
              .status == 200);
  auto unavailable = c.get("/api/2.0/workspace/list?path=/");
  CHECK(unavailable.status == 503);
  CHECK(unavailable.error_code() == "TEMPORARILY_UNAVAILABLE");
  CHECK(c.get("/api/2.0/workspace/list?path=/").status == 503);  // forever by default
  CHECK(c.request("DELETE", "/__dbk/faults").status == 200);
  CHECK(c.get("/api/2.0/workspace/list?path=/").status == 200);

  REQUIRE(c.post("/__dbk/faults", {{"path_pattern", "*"},
                                   {"status", 502},
                                   {"body", "<html><title>Bad Gateway</title></html>"},
                                   {"times", 1}})
              .status == 200);
  auto html = c.get("/api/2.0/workspace/list?path=/");
  CHECK(html.status == 502);
  CHECK(html.header("Content-Type") == "text/html");
  CHECK(html.body == "<html><title>Bad Gateway</title></html>");

  REQUIRE(c.post("/__dbk/faults", {{"path_pattern", "*"},
                                   {"status", 400},
                                   {"body", {{"error_code", 5001}, {"message", "numeric"}}},
                                   {"times", 1}})
              .status == 200);
  auto numeric = c.get("/api/2.0/workspace/list?path=/");
  CHECK(numeric.status == 400);
  CHECK(numeric.json()["error_code"] == 5001);

  // The admin surface itself is never faulted.
  REQUIRE(c.post("/__dbk/faults", {{"path_pattern", "*"}, {"status", 500}}).status == 200);
  CHECK(c.get("/__dbk/health").status == 200);
  CHECK(c.request("DELETE", "/__dbk/faults").status == 200);

  CHECK(c.post("/__dbk/faults", {{"status", 42}}).status == 400);
  CHECK(c.post("/__dbk/faults", {{"times", "x"}}).status == 400);
}

TEST_CASE("latency-only faults delay and then serve normally", "[emulator][admin][faults]") {
  TestEmulator emu;
  auto c = emu.client();
  REQUIRE(c.post("/__dbk/faults", {{"path_pattern", "/api/*"}, {"latency_ms", 20}}).status == 200);
  auto reply = c.get("/api/2.0/workspace/list?path=/");
  CHECK(reply.status == 200);
  CHECK(reply.json()["objects"].size() == 2);
  CHECK(c.get("/__dbk/faults").json()["faults"][0]["applied"] == 1);
}

TEST_CASE("admin reset clears every piece of state", "[emulator][admin]") {
  TestEmulator emu;
  auto c = emu.client();
  REQUIRE(c.post("/api/2.0/dbfs/put", {{"path", "/f"}, {"contents", b64("x")}}).status == 200);
  REQUIRE(c.post("/api/2.0/workspace/mkdirs", {{"path", "/Users/a"}}).status == 200);
  REQUIRE(c.post("/__dbk/faults", {{"path_pattern", "/nothing"}, {"status", 500}}).status == 200);
  REQUIRE(c.post("/__dbk/clock", {{"advance_ms", 1000}}).status == 200);
  REQUIRE(c.post("/__dbk/reset", json::object()).status == 200);
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/f").status == 404);
  CHECK(c.get("/api/2.0/workspace/get-status?path=/Users/a").status == 404);
  CHECK(c.get("/api/2.0/workspace/get-status?path=/Users").status == 200);
  CHECK(c.get("/__dbk/faults").json() == json::object());
  CHECK(c.get("/__dbk/clock").json()["offset_ms"] == 0);
}
