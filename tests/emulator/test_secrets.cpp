#include <catch2/catch.hpp>

#include "dbk/base64.hpp"
#include "identity/groups_service.hpp"
#include "jobs_support/jobs_harness.hpp"
#include "secrets/secrets_service.hpp"
#include "temp_dir.hpp"

using dbk::emulator::testing::JobsHarness;
using nlohmann::json;

namespace {

// The harness serves Jobs and Clusters; the Secrets service joins its router as it joins
// the emulator's, with the Groups service that makes the built-in groups (ACL principals).
struct SecretsHarness {
  explicit SecretsHarness(std::filesystem::path state = {}) : h(std::move(state)) {
    groups.recover();
    secrets.register_routes(h.router);
  }
  JobsHarness h;
  dbk::emulator::GroupsService groups{*h.context};
  dbk::emulator::SecretsService secrets{*h.context};
};

}  // namespace

TEST_CASE("secret scopes: create, list, duplicate, delete", "[secrets]") {
  SecretsHarness s;
  auto& h = s.h;
  CHECK(h.get("/api/2.0/secrets/scopes/list").body == json::object());
  REQUIRE(h.post("/api/2.0/secrets/scopes/create", {{"scope", "app"}}).status == 200);
  auto again = h.post("/api/2.0/secrets/scopes/create", {{"scope", "app"}});
  CHECK(again.status == 400);
  CHECK(again.body["error_code"] == "RESOURCE_ALREADY_EXISTS");
  CHECK(again.body["message"] == "Scope app already exists!");
  auto list = h.get("/api/2.0/secrets/scopes/list");
  CHECK(list.body["scopes"] == json::array({{{"backend_type", "DATABRICKS"}, {"name", "app"}}}));
  // The creator manages a new scope.
  auto acls = h.get("/api/2.0/secrets/acls/list?scope=app");
  CHECK(acls.body["items"] ==
        json::array({{{"permission", "MANAGE"}, {"principal", "emulator@dbk.local"}}}));

  for (const char* bad : {"has space", "", "a/b"}) {
    auto refused = h.post("/api/2.0/secrets/scopes/create", {{"scope", bad}});
    CHECK(refused.status == 400);
    CHECK(refused.body["error_code"] == "INVALID_PARAMETER_VALUE");
  }
  CHECK(h.post("/api/2.0/secrets/scopes/create", {{"scope", std::string(129, 'a')}}).status == 400);
  CHECK(h.post("/api/2.0/secrets/scopes/create", {{"scope", std::string(128, 'a')}}).status == 200);
  auto keyvault = h.post("/api/2.0/secrets/scopes/create",
                         {{"scope", "kv"}, {"scope_backend_type", "AZURE_KEYVAULT"}});
  CHECK(keyvault.status == 400);

  REQUIRE(h.post("/api/2.0/secrets/put", {{"scope", "app"}, {"key", "k"}, {"string_value", "v"}})
              .status == 200);
  REQUIRE(h.post("/api/2.0/secrets/scopes/delete", {{"scope", "app"}}).status == 200);
  auto gone = h.post("/api/2.0/secrets/scopes/delete", {{"scope", "app"}});
  CHECK(gone.status == 404);
  CHECK(gone.body["error_code"] == "RESOURCE_DOES_NOT_EXIST");
  CHECK(gone.body["message"] == "Scope app does not exist!");
  // Its secrets went with it: a new scope of that name starts empty.
  REQUIRE(h.post("/api/2.0/secrets/scopes/create", {{"scope", "app"}}).status == 200);
  CHECK(h.get("/api/2.0/secrets/list?scope=app").body == json::object());
}

TEST_CASE("secrets: put, overwrite, list without values, get, delete", "[secrets]") {
  SecretsHarness s;
  auto& h = s.h;
  REQUIRE(h.post("/api/2.0/secrets/scopes/create", {{"scope", "app"}}).status == 200);
  h.advance(1000);
  REQUIRE(h.post("/api/2.0/secrets/put", {{"scope", "app"}, {"key", "pw"}, {"string_value", "one"}})
              .status == 200);
  const std::string binary("\x00\xff\x01", 3);
  REQUIRE(h.post("/api/2.0/secrets/put",
                 {{"scope", "app"}, {"key", "bin"}, {"bytes_value", dbk::base64_encode(binary)}})
              .status == 200);
  h.advance(1000);
  REQUIRE(h.post("/api/2.0/secrets/put", {{"scope", "app"}, {"key", "pw"}, {"string_value", "two"}})
              .status == 200);
  auto list = h.get("/api/2.0/secrets/list?scope=app");
  REQUIRE(list.body["secrets"].size() == 2);
  CHECK(list.body.dump().find("two") == std::string::npos);
  CHECK(list.body["secrets"][1]["key"] == "pw");
  // Epoch milliseconds, whole (not cut to 32 bits).
  const auto updated = list.body["secrets"][1]["last_updated_timestamp"].get<std::int64_t>();
  CHECK(updated > std::int64_t{1500000000000});
  CHECK(updated <= h.clock.now_ms());
  CHECK(list.body["secrets"][1]["last_updated_timestamp"].get<std::int64_t>() >
        list.body["secrets"][0]["last_updated_timestamp"].get<std::int64_t>());
  auto got = h.get("/api/2.0/secrets/get?scope=app&key=pw");
  CHECK(got.body["value"] == dbk::base64_encode("two"));
  CHECK(h.get("/api/2.0/secrets/get?scope=app&key=bin").body["value"] ==
        dbk::base64_encode(binary));

  SECTION("bad requests") {
    auto both =
        h.post("/api/2.0/secrets/put",
               {{"scope", "app"}, {"key", "k"}, {"string_value", "a"}, {"bytes_value", "YQ=="}});
    CHECK(both.body["error_code"] == "INVALID_PARAMETER_VALUE");
    CHECK(h.post("/api/2.0/secrets/put", {{"scope", "app"}, {"key", "k"}}).status == 400);
    CHECK(h.post("/api/2.0/secrets/put", {{"scope", "app"}, {"key", "k y"}, {"string_value", "a"}})
              .body["error_code"] == "INVALID_PARAMETER_VALUE");
    auto big = h.post(
        "/api/2.0/secrets/put",
        {{"scope", "app"}, {"key", "big"}, {"string_value", std::string(128 * 1024 + 1, 'x')}});
    CHECK(big.body["error_code"] == "INVALID_PARAMETER_VALUE");
    CHECK(h.post("/api/2.0/secrets/put",
                 {{"scope", "app"}, {"key", "max"}, {"string_value", std::string(128 * 1024, 'x')}})
              .status == 200);
    CHECK(h.post("/api/2.0/secrets/put", {{"scope", "none"}, {"key", "k"}, {"string_value", "a"}})
              .status == 404);
    CHECK(h.post("/api/2.0/secrets/put", {{"scope", "app"}, {"key", "k"}, {"bytes_value", "!!"}})
              .body["error_code"] == "MALFORMED_REQUEST");
    CHECK(h.get("/api/2.0/secrets/list?scope=none").status == 404);
    CHECK(h.get("/api/2.0/secrets/get?scope=app&key=none").status == 404);
  }
  SECTION("delete") {
    REQUIRE(h.post("/api/2.0/secrets/delete", {{"scope", "app"}, {"key", "pw"}}).status == 200);
    auto again = h.post("/api/2.0/secrets/delete", {{"scope", "app"}, {"key", "pw"}});
    CHECK(again.status == 404);
    CHECK(again.body["error_code"] == "RESOURCE_DOES_NOT_EXIST");
    CHECK(h.get("/api/2.0/secrets/list?scope=app").body["secrets"].size() == 1);
  }
}

TEST_CASE("secret ACLs: put, get, list, delete", "[secrets]") {
  SecretsHarness s;
  auto& h = s.h;
  REQUIRE(h.post("/api/2.0/secrets/scopes/create",
                 {{"scope", "app"}, {"initial_manage_principal", "users"}})
              .status == 200);
  CHECK(h.get("/api/2.0/secrets/acls/get?scope=app&principal=users").body ==
        json({{"permission", "MANAGE"}, {"principal", "users"}}));
  REQUIRE(h.post("/api/2.0/secrets/acls/put",
                 {{"scope", "app"}, {"principal", "emulator@dbk.local"}, {"permission", "READ"}})
              .status == 200);
  CHECK(h.get("/api/2.0/secrets/acls/list?scope=app").body["items"].size() == 2);
  CHECK(h.post("/api/2.0/secrets/acls/put",
               {{"scope", "app"}, {"principal", "users"}, {"permission", "OWN"}})
            .body["error_code"] == "INVALID_PARAMETER_VALUE");
  CHECK(h.post("/api/2.0/secrets/acls/put",
               {{"scope", "app"}, {"principal", "nobody@x"}, {"permission", "READ"}})
            .body["error_code"] == "RESOURCE_DOES_NOT_EXIST");
  REQUIRE(
      h.post("/api/2.0/secrets/acls/delete", {{"scope", "app"}, {"principal", "users"}}).status ==
      200);
  CHECK(h.post("/api/2.0/secrets/acls/delete", {{"scope", "app"}, {"principal", "users"}}).status ==
        404);
  CHECK(h.get("/api/2.0/secrets/acls/get?scope=app&principal=users").status == 404);
}

TEST_CASE("secrets survive a restart on the same state", "[secrets][durability]") {
  dbk::test_support::TempDir dir;
  {
    SecretsHarness s(dir.path());
    REQUIRE(s.h.post("/api/2.0/secrets/scopes/create", {{"scope", "app"}}).status == 200);
    REQUIRE(s.h.post("/api/2.0/secrets/put",
                     {{"scope", "app"}, {"key", "pw"}, {"string_value", "kept"}})
                .status == 200);
  }
  SecretsHarness s(dir.path());
  CHECK(s.h.get("/api/2.0/secrets/get?scope=app&key=pw").body["value"] ==
        dbk::base64_encode("kept"));
}
