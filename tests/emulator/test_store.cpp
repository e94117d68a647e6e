#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "clock.hpp"
#include "emulator_fixture.hpp"
#include "http/router.hpp"
#include "state/store.hpp"

using namespace dbk::emulator;
using namespace dbk::emulator::testing;
using nlohmann::json;

TEST_CASE("store survives reopen, replays the journal and ignores a torn tail",
          "[emulator][store]") {
  TempDir dir;
  {
    auto store = Store::open(dir.path());
    REQUIRE(store.ok());
    REQUIRE((*store)->put("job", "1", {{"name", "a"}}).ok());
    REQUIRE((*store)->put("job", "10", {{"name", "b"}}).ok());
    REQUIRE((*store)->put("job", "2", {{"name", "c"}}).ok());
    REQUIRE((*store)->erase("job", "10").ok());
    REQUIRE((*store)->next_id("job").value() == 1);
    REQUIRE((*store)->next_id("job").value() == 2);
    REQUIRE((*store)
                ->transaction([](Store::Transaction& tx) -> dbk::Status {
                  auto id = tx.next_id("run");
                  tx.put("run", std::to_string(id), {{"state", "PENDING"}});
                  CHECK(tx.get("run", "1").has_value());
                  return {};
                })
                .ok());
    // A failed transaction changes nothing.
    REQUIRE_FALSE((*store)
                      ->transaction([](Store::Transaction& tx) -> dbk::Status {
                        tx.put("run", "99", json::object());
                        tx.next_id("run");
                        return invalid_parameter("no");
                      })
                      .ok());
  }
  // Simulate a crash in the middle of an append.
  std::ofstream(dir.path() / "journal.jsonl", std::ios::app) << "{\"ops\":[{\"op\":\"put\",\"kin";
  auto store = Store::open(dir.path());
  REQUIRE(store.ok());
  auto jobs = (*store)->list("job");
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].first == "1");  // numeric keys list in numeric order
  CHECK(jobs[1].first == "2");
  CHECK((*store)->get("run", "1").value()["state"] == "PENDING");
  CHECK_FALSE((*store)->get("run", "99").has_value());
  CHECK((*store)->next_id("job").value() == 3);
  CHECK((*store)->next_id("run").value() == 2);
  REQUIRE((*store)->clear().ok());
  CHECK((*store)->list("job").empty());
}

TEST_CASE("store compacts a long journal into the snapshot", "[emulator][store]") {
  TempDir dir;
  {
    auto store = Store::open(dir.path());
    REQUIRE(store.ok());
    for (int i = 0; i < 2500; ++i)
      REQUIRE((*store)->put("k", std::to_string(i % 10), {{"i", i}}).ok());
    CHECK((*store)->journal_records() < 2000);
  }
  auto store = Store::open(dir.path());
  REQUIRE(store.ok());
  CHECK((*store)->list("k").size() == 10);
  CHECK((*store)->get("k", "9").value()["i"] == 2499);
}

TEST_CASE("router serves several API versions, 404 and 405", "[emulator][router]") {
  Router router;
  router.add_versions("GET", {"2.0", "2.1", "2.2"}, "jobs/get", [](const Request&) {
    return json_response(200, {{"ok", true}});
  });
  const auto versions = {"2.0", "2.1"};
  router.add_versions("POST", versions, "jobs/create",
                      [](const Request&) { return empty_response(); });
  router.add("GET", "/files/*", [](const Request& r) {
    return json_response(200, {{"tail", r.path_tail}});
  });
  router.add("GET", "/boom", [](const Request&) -> Response { throw std::runtime_error("bug"); });
  auto call = [&](std::string method, std::string path) {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    return router.route(r);
  };
  CHECK(call("GET", "/api/2.1/jobs/get").status == 200);
  CHECK(call("GET", "/api/2.2/jobs/get/").status == 200);
  CHECK(call("POST", "/api/2.1/jobs/create").status == 200);
  auto missing = call("GET", "/api/2.0/nope");
  CHECK(missing.status == 404);
  CHECK(json::parse(missing.body)["error_code"] == "ENDPOINT_NOT_FOUND");
  auto wrong = call("POST", "/api/2.0/jobs/get");
  CHECK(wrong.status == 405);
  CHECK(json::parse(wrong.body).contains("error_code"));
  CHECK(json::parse(call("GET", "/files/a/b.txt").body)["tail"] == "a/b.txt");
  auto boom = call("GET", "/boom");
  CHECK(boom.status == 500);
  CHECK(json::parse(boom.body)["error_code"] == "INTERNAL_ERROR");
}

TEST_CASE("params parse booleans case-insensitively and check types", "[emulator][params]") {
  auto query = Params::from_query({{"recursive", "True"}, {"offset", "12"}, {"bad", "maybe"}});
  CHECK(query.optional_bool("recursive", false).value() == true);
  CHECK(query.optional_int64("offset").value() == 12);
  CHECK_FALSE(query.optional_bool("bad", false).ok());
  CHECK(query.optional_bool("absent", true).value() == true);
  auto body = Params::from_json({{"path", 5}, {"flag", "FALSE"}, {"id", "123"}});
  CHECK(body.required_string("path").error().error_code == "INVALID_PARAMETER_VALUE");
  CHECK(body.optional_bool("flag", true).value() == false);
  CHECK(body.required_int64("id").value() == 123);
  auto missing = body.required_string("nope");
  CHECK(missing.error().http_status == 400);
  CHECK(missing.error().message == "Missing required field: nope");
}

TEST_CASE("emulated clock wakes sleepers when advanced", "[emulator][clock]") {
  EmulatedClock clock;
  int notified = 0;
  auto id = clock.add_listener([&] { ++notified; });
  std::int64_t deadline = clock.now_ms() + 3'600'000;
  std::thread advancer([&] {
    while (notified == 0) {
      clock.advance(3'600'000);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  bool reached = false;
  for (int i = 0; i < 1000 && !reached; ++i)
    reached = clock.sleep_until(deadline, std::chrono::seconds(5));
  advancer.join();
  CHECK(reached);
  CHECK(notified >= 1);
  clock.remove_listener(id);
}
