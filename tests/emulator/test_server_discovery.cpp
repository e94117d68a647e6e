// What clients fetch from a workspace host before their first API call.
#include <catch2/catch.hpp>

#include "emulator_fixture.hpp"

using namespace dbk::emulator::testing;

TEST_CASE("host metadata is served without credentials, as on a workspace", "[emulator][server]") {
  dbk::emulator::EmulatorOptions options;
  options.token = "dapi-secret";
  TestEmulator emu(options);
  // No Authorization header: the SDKs fetch it before they authenticate.
  HttpClient anonymous("127.0.0.1", emu.port(), false, "");
  auto reply = anonymous.get("/.well-known/databricks-config");
  REQUIRE(reply.status == 200);
  auto body = reply.json();
  CHECK(body["oidc_endpoint"] == emu.emulator().base_url() + "/oidc");
  CHECK(body["workspace_id"] == "1");
  CHECK_FALSE(body.contains("account_id"));
  // The API itself still needs the token.
  CHECK(anonymous.get("/api/2.0/clusters/list").status == 401);
  CHECK(emu.client().get("/api/2.0/clusters/list").status == 200);
}
