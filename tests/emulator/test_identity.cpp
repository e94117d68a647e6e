#include <catch2/catch.hpp>

#include "identity/scim_service.hpp"
#include "jobs_support/jobs_harness.hpp"

using dbk::emulator::testing::JobsHarness;

TEST_CASE("SCIM Me names the one user that creates jobs and runs", "[scim]") {
  // The harness serves Jobs and Clusters; the SCIM service joins its router as it joins
  // the emulator's (the full wiring is covered by the CLI goldens and the pipeline test).
  JobsHarness h;
  dbk::emulator::ScimService scim(*h.context);
  scim.register_routes(h.router);
  auto me = h.get("/api/2.0/preview/scim/v2/Me");
  REQUIRE(me.status == 200);
  CHECK(me.body["userName"] == "emulator@dbk.local");
  CHECK(me.body["active"] == true);
  CHECK(me.body["emails"][0]["value"] == me.body["userName"]);
  // The same name as the creator of the local cluster, so /Users/<userName> is "mine".
  auto list = h.get("/api/2.0/clusters/list");
  REQUIRE(list.status == 200);
  CHECK(list.body["clusters"][0]["creator_user_name"] == me.body["userName"]);
  CHECK(h.post("/api/2.0/preview/scim/v2/Me", nlohmann::json::object()).status == 405);
}
