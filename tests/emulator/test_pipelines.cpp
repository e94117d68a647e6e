// The Pipelines API in the emulator (docs/emulator.md, "Pipelines"): settings checks,
// listing, and the update life cycle that ends FAILED because DLT does not run here.
#include <catch2/catch.hpp>

#include "jobs_support/jobs_harness.hpp"
#include "pipelines/pipelines_service.hpp"
#include "temp_dir.hpp"

using dbk::emulator::PipelinesService;
using dbk::emulator::testing::JobsHarness;
using nlohmann::json;

namespace {

// The harness takes query strings as written (no percent-decoding).
struct PipelinesHarness {
  explicit PipelinesHarness(const std::filesystem::path& state = {}) : h(state) {
    pipelines.register_routes(h.router);
  }
  std::string create(const json& settings) {
    auto reply = h.post("/api/2.0/pipelines", settings);
    REQUIRE(reply.status == 200);
    return reply.body["pipeline_id"];
  }
  std::string update_state(const std::string& id, const std::string& update) {
    auto reply = h.get("/api/2.0/pipelines/" + id + "/updates/" + update);
    REQUIRE(reply.status == 200);
    return reply.body["update"]["state"];
  }
  JobsHarness h;
  PipelinesService pipelines{*h.context};
};

}  // namespace

TEST_CASE("pipelines: an update goes QUEUED, INITIALIZING, FAILED and says why", "[pipelines]") {
  PipelinesHarness p;
  const std::string id = p.create({{"name", "p"}, {"development", true}});
  auto started = p.h.post("/api/2.0/pipelines/" + id + "/updates", {{"full_refresh", true}});
  REQUIRE(started.status == 200);
  const std::string update = started.body["update_id"];
  CHECK(p.update_state(id, update) == "QUEUED");
  CHECK(p.h.get("/api/2.0/pipelines/" + id).body["state"] == "RUNNING");
  // A second update while one is active is a conflict.
  CHECK(p.h.post("/api/2.0/pipelines/" + id + "/updates", json::object()).body["error_code"] ==
        "RESOURCE_CONFLICT");
  p.h.advance(PipelinesService::kStepMs);
  CHECK(p.update_state(id, update) == "INITIALIZING");
  p.h.advance(PipelinesService::kStepMs);
  CHECK(p.update_state(id, update) == "FAILED");
  auto pipeline = p.h.get("/api/2.0/pipelines/" + id).body;
  CHECK(pipeline["state"] == "IDLE");
  CHECK(pipeline["latest_updates"][0]["state"] == "FAILED");
  auto events = p.h.get("/api/2.0/pipelines/" + id + "/events?filter=level='ERROR'").body;
  REQUIRE(events["events"].size() == 1);
  CHECK(events["events"][0]["message"].get<std::string>().find(
            "does not run Delta Live Tables pipelines") != std::string::npos);
  CHECK(p.h.get("/api/2.0/pipelines/" + id + "/events").body["events"].size() == 4);
}

TEST_CASE("pipelines: stop cancels the active update", "[pipelines]") {
  PipelinesHarness p;
  const std::string id = p.create({{"name", "p"}});
  const std::string update =
      p.h.post("/api/2.0/pipelines/" + id + "/updates", json::object()).body["update_id"];
  REQUIRE(p.h.post("/api/2.0/pipelines/" + id + "/stop", json::object()).status == 200);
  p.h.advance(10 * PipelinesService::kStepMs);
  CHECK(p.update_state(id, update) == "CANCELED");
}

TEST_CASE("pipelines: the life cycle resumes after a restart", "[pipelines]") {
  dbk::test_support::TempDir state;
  std::string id;
  std::string update;
  {
    PipelinesHarness p(state.path());
    id = p.create({{"name", "durable"}});
    update = p.h.post("/api/2.0/pipelines/" + id + "/updates", json::object()).body["update_id"];
  }
  PipelinesHarness p(state.path());
  p.h.advance(2 * PipelinesService::kStepMs);
  CHECK(p.update_state(id, update) == "FAILED");
  CHECK(p.h.get("/api/2.0/pipelines/" + id).body["spec"]["name"] == "durable");
}

TEST_CASE("pipelines: settings, names, filters and pages", "[pipelines]") {
  PipelinesHarness p;
  CHECK(p.h.post("/api/2.0/pipelines", {{"name", ""}}).body["error_code"] ==
        "INVALID_PARAMETER_VALUE");
  CHECK(p.h.post("/api/2.0/pipelines", {{"name", "x"}, {"libraries", {{{"jar", 1}}}}})
            .body["error_code"] == "INVALID_PARAMETER_VALUE");
  CHECK(p.h.post("/api/2.0/pipelines", {{"name", "x"}, {"id", "1"}}).body["error_code"] ==
        "INVALID_PARAMETER_VALUE");
  const std::string a = p.create({{"name", "alpha"}});
  CHECK(p.h.post("/api/2.0/pipelines", {{"name", "alpha"}}).status == 409);
  const std::string b = p.create({{"name", "alpha"}, {"allow_duplicate_names", true}});
  const std::string c = p.create({{"name", "beta"}});
  auto dry = p.h.post("/api/2.0/pipelines", {{"name", "gamma"}, {"dry_run", true}});
  CHECK(dry.body.contains("effective_settings"));
  CHECK_FALSE(dry.body.contains("pipeline_id"));

  auto first = p.h.get("/api/2.0/pipelines?max_results=2").body;
  REQUIRE(first["statuses"].size() == 2);
  CHECK(first["statuses"][0]["pipeline_id"] == a);
  auto second = p.h.get("/api/2.0/pipelines?max_results=2&page_token=" +
                        first["next_page_token"].get<std::string>())
                    .body;
  REQUIRE(second["statuses"].size() == 1);
  CHECK(second["statuses"][0]["pipeline_id"] == c);
  CHECK_FALSE(second.contains("next_page_token"));
  auto filtered = p.h.get("/api/2.0/pipelines?filter=name LIKE 'al%'").body;
  CHECK(filtered["statuses"].size() == 2);
  CHECK(p.h.get("/api/2.0/pipelines?filter=state='x'").status == 400);
  CHECK(p.h.get("/api/2.0/pipelines?max_results=1000").status == 400);
  CHECK(p.h.get("/api/2.0/pipelines?page_token=abc").status == 400);

  // Edit replaces the settings; the id in the body must match the path.
  CHECK(p.h.call("PUT", "/api/2.0/pipelines/" + b, {{"id", a}, {"name", "b"}}).status == 400);
  REQUIRE(p.h.call("PUT", "/api/2.0/pipelines/" + b, {{"name", "renamed"}}).status == 200);
  CHECK(p.h.get("/api/2.0/pipelines/" + b).body["spec"]["name"] == "renamed");
  REQUIRE(p.h.call("DELETE", "/api/2.0/pipelines/" + b).status == 200);
  auto gone = p.h.get("/api/2.0/pipelines/" + b);
  CHECK(gone.status == 404);
  CHECK(gone.body["error_code"] == "RESOURCE_DOES_NOT_EXIST");
}
