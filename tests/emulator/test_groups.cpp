#include <catch2/catch.hpp>

#include "identity/groups_service.hpp"
#include "identity/scim_service.hpp"
#include "jobs_support/jobs_harness.hpp"
#include "secrets/secrets_service.hpp"

using dbk::emulator::testing::JobsHarness;
using nlohmann::json;

namespace {

// The harness serves Jobs and Clusters; the Groups service joins its router (and recovers,
// which creates the built-in groups) as it does in the emulator.
struct GroupsHarness {
  GroupsHarness() {
    groups.recover();
    groups.register_routes(h.router);
  }
  JobsHarness h;
  dbk::emulator::GroupsService groups{*h.context};
};

}  // namespace

TEST_CASE("groups 2.0: built-ins, create, members, parents, delete", "[groups]") {
  GroupsHarness g;
  auto& h = g.h;
  CHECK(h.get("/api/2.0/groups/list").body == json({{"group_names", {"admins", "users"}}}));
  CHECK(h.get("/api/2.0/groups/list-members?group_name=admins").body ==
        json({{"members", {{{"user_name", "emulator@dbk.local"}}}}}));

  auto created = h.post("/api/2.0/groups/create", {{"group_name", "data"}});
  REQUIRE(created.status == 200);
  CHECK(created.body == json({{"group_name", "data"}}));
  auto twice = h.post("/api/2.0/groups/create", {{"group_name", "data"}});
  CHECK(twice.status == 400);
  CHECK(twice.body["error_code"] == "RESOURCE_ALREADY_EXISTS");
  REQUIRE(h.post("/api/2.0/groups/create", {{"group_name", "eng"}}).status == 200);

  REQUIRE(h.post("/api/2.0/groups/add-member",
                 {{"parent_name", "data"}, {"user_name", "emulator@dbk.local"}})
              .status == 200);
  // Adding again keeps one membership.
  REQUIRE(h.post("/api/2.0/groups/add-member",
                 {{"parent_name", "data"}, {"user_name", "emulator@dbk.local"}})
              .status == 200);
  REQUIRE(h.post("/api/2.0/groups/add-member", {{"parent_name", "data"}, {"group_name", "eng"}})
              .status == 200);
  CHECK(h.get("/api/2.0/groups/list-members?group_name=data").body ==
        json({{"members", {{{"user_name", "emulator@dbk.local"}}, {{"group_name", "eng"}}}}}));
  CHECK(h.get("/api/2.0/groups/list-parents?group_name=eng").body ==
        json({{"group_names", {"data"}}}));
  CHECK(h.get("/api/2.0/groups/list-parents?user_name=emulator@dbk.local").body ==
        json({{"group_names", {"admins", "data", "users"}}}));

  SECTION("errors") {
    CHECK(h.post("/api/2.0/groups/add-member", {{"parent_name", "none"}, {"group_name", "eng"}})
              .status == 404);
    CHECK(h.post("/api/2.0/groups/add-member", {{"parent_name", "data"}, {"user_name", "x@y"}})
              .body["error_code"] == "RESOURCE_DOES_NOT_EXIST");
    CHECK(h.post("/api/2.0/groups/add-member", {{"parent_name", "data"}}).body["error_code"] ==
          "INVALID_PARAMETER_VALUE");
    CHECK(h.post("/api/2.0/groups/add-member", {{"parent_name", "data"}, {"group_name", "data"}})
              .status == 400);
    CHECK(h.get("/api/2.0/groups/list-members?group_name=none").status == 404);
    CHECK(h.post("/api/2.0/groups/delete", {{"group_name", "admins"}}).status == 400);
    CHECK(h.post("/api/2.0/groups/delete", {{"group_name", "none"}}).status == 404);
  }
  SECTION("remove a member, delete a group") {
    REQUIRE(h.post("/api/2.0/groups/remove-member",
                   {{"parent_name", "data"}, {"user_name", "emulator@dbk.local"}})
                .status == 200);
    CHECK(h.post("/api/2.0/groups/remove-member",
                 {{"parent_name", "data"}, {"user_name", "emulator@dbk.local"}})
              .status == 404);
    REQUIRE(h.post("/api/2.0/groups/delete", {{"group_name", "eng"}}).status == 200);
    // A deleted group is no longer anybody's member.
    CHECK(h.get("/api/2.0/groups/list-members?group_name=data").body ==
          json({{"members", json::array()}}));
    CHECK(h.get("/api/2.0/groups/list").body ==
          json({{"group_names", {"admins", "data", "users"}}}));
  }
}

TEST_CASE("SCIM groups see the same groups", "[groups]") {
  GroupsHarness g;
  auto& h = g.h;
  auto created = h.post("/api/2.0/preview/scim/v2/Groups", {{"displayName", "ml"}});
  REQUIRE(created.status == 201);
  const std::string id = created.body["id"];
  CHECK(h.get("/api/2.0/groups/list").body["group_names"].size() == 3);
  auto found = h.get("/api/2.0/preview/scim/v2/Groups?filter=displayName eq \"ml\"");
  REQUIRE(found.body["Resources"].size() == 1);
  CHECK(found.body["Resources"][0]["id"] == id);
  CHECK(h.get("/api/2.0/preview/scim/v2/Groups/" + id).body["displayName"] == "ml");
  CHECK(h.call("DELETE", "/api/2.0/preview/scim/v2/Groups/" + id).status == 204);
  CHECK(h.get("/api/2.0/preview/scim/v2/Groups/" + id).status == 404);
}

TEST_CASE("secret ACLs name existing groups", "[groups][secrets]") {
  GroupsHarness g;
  auto& h = g.h;
  dbk::emulator::SecretsService secrets(*h.context);
  secrets.register_routes(h.router);
  REQUIRE(h.post("/api/2.0/secrets/scopes/create", {{"scope", "s"}}).status == 200);
  CHECK(h.post("/api/2.0/secrets/acls/put",
               {{"scope", "s"}, {"principal", "data"}, {"permission", "READ"}})
            .status == 404);
  REQUIRE(h.post("/api/2.0/groups/create", {{"group_name", "data"}}).status == 200);
  CHECK(h.post("/api/2.0/secrets/acls/put",
               {{"scope", "s"}, {"principal", "data"}, {"permission", "READ"}})
            .status == 200);
}

TEST_CASE("SCIM Me lists the groups the user is directly in", "[groups][scim]") {
  GroupsHarness g;
  auto& h = g.h;
  dbk::emulator::ScimService scim(*h.context);
  scim.register_routes(h.router);
  REQUIRE(h.post("/api/2.0/groups/create", {{"group_name", "data"}}).status == 200);
  REQUIRE(h.post("/api/2.0/groups/create", {{"group_name", "other"}}).status == 200);
  REQUIRE(h.post("/api/2.0/groups/add-member",
                 {{"parent_name", "data"}, {"user_name", "emulator@dbk.local"}})
              .status == 200);
  std::vector<std::string> names;
  const auto me = h.get("/api/2.0/preview/scim/v2/Me");
  for (const auto& group : me.body["groups"]) {
    names.push_back(group["display"]);
  }
  CHECK(names == std::vector<std::string>{"admins", "data", "users"});
}

TEST_CASE("SCIM users: memberships agree with groups 2.0, errors in the SCIM shape",
          "[groups][scim]") {
  GroupsHarness g;
  auto& h = g.h;
  dbk::emulator::ScimService scim(*h.context);
  scim.recover();
  scim.register_routes(h.router);
  REQUIRE(h.post("/api/2.0/groups/create", {{"group_name", "data"}}).status == 200);
  auto created = h.post("/api/2.0/preview/scim/v2/Users", {{"userName", "a@x.org"}});
  REQUIRE(created.status == 201);
  const std::string id = created.body["id"];
  // The legacy API adds the SCIM user; SCIM sees the membership, and the other way round.
  REQUIRE(h.post("/api/2.0/groups/add-member", {{"parent_name", "data"}, {"user_name", "A@x.org"}})
              .status == 200);
  CHECK(h.get("/api/2.0/groups/list-members?group_name=data").body ==
        json({{"members", {{{"user_name", "a@x.org"}}}}}));
  auto user = h.get("/api/2.0/preview/scim/v2/Users/" + id);
  REQUIRE(user.body["groups"].size() == 2);
  CHECK(user.body["groups"][0]["display"] == "data");
  CHECK(h.call("DELETE", "/api/2.0/preview/scim/v2/Users/" + id).status == 204);
  CHECK(h.get("/api/2.0/groups/list-members?group_name=data").body ==
        json({{"members", json::array()}}));

  auto missing = h.get("/api/2.0/preview/scim/v2/Users/" + id);
  CHECK(missing.status == 404);
  CHECK(missing.body["schemas"] == json({"urn:ietf:params:scim:api:messages:2.0:Error"}));
  CHECK(missing.body["status"] == "404");
  auto bad_filter = h.get("/api/2.0/preview/scim/v2/Users?filter=userName%20xx%20%22a%22");
  CHECK(bad_filter.status == 400);
  CHECK(bad_filter.body["scimType"] == "invalidFilter");
  // Paging past the end answers no Resources, which ends the SDKs' paging loops.
  auto past = h.get("/api/2.0/preview/scim/v2/Users?startIndex=5&count=2");
  CHECK(past.body["totalResults"] == 1);
  CHECK_FALSE(past.body.contains("Resources"));
}
