// SecretsApi, TokensApi and GroupsApi against the fake transport: request shapes, parsed
// answers, tolerated unknown fields and each call's declared idempotency.
#include <catch2/catch.hpp>

#include "dbk/groups.hpp"
#include "dbk/secrets.hpp"
#include "dbk/tokens.hpp"
#include "fake_api_fixture.hpp"

using dbk::Idempotency;
using nlohmann::json;

namespace {
struct Fixture : FakeApiFixture {
  dbk::SecretsApi secrets{caller};
  dbk::TokensApi tokens{caller};
  dbk::GroupsApi groups{caller};
};
}  // namespace

TEST_CASE_METHOD(Fixture, "secret scopes: create, list, delete") {
  fake->expect("POST", "/api/2.0/secrets/scopes/create")
      .with_json_body({{"scope", "app"},
                       {"initial_manage_principal", "users"},
                       {"scope_backend_type", "DATABRICKS"}});
  fake->expect("GET", "/api/2.0/secrets/scopes/list")
      .respond(200, R"({"scopes": [{"name": "app", "backend_type": "DATABRICKS", "new": 1},
                                   {"name": "kv", "backend_type": "AZURE_KEYVAULT",
                                    "keyvault_metadata": {"dns_name": "https://kv/"}}]})");
  fake->expect("POST", "/api/2.0/secrets/scopes/delete").with_json_body({{"scope", "app"}});
  dbk::CreateScopeRequest request;
  request.scope = "app";
  request.initial_manage_principal = "users";
  REQUIRE(secrets.create_scope(request).ok());
  auto scopes = secrets.list_scopes();
  REQUIRE(scopes.ok());
  REQUIRE(scopes->items.size() == 2);
  CHECK(scopes->items[0].raw["new"] == 1);
  CHECK(scopes->items[1].keyvault_metadata["dns_name"] == "https://kv/");
  CHECK(scopes->raw["scopes"].size() == 2);
  REQUIRE(secrets.delete_scope("app").ok());
  CHECK(idempotency(0) == Idempotency::kNonIdempotent);  // a replay would find it existing
  CHECK(idempotency(2) == Idempotency::kIdempotent);
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(Fixture, "secrets: put needs exactly one value; list, get and delete") {
  dbk::PutSecretRequest neither{"app", "k", std::nullopt, std::nullopt};
  CHECK(secrets.put_secret(neither).error().error_code == "INVALID_ARGUMENT");
  fake->expect("POST", "/api/2.0/secrets/put")
      .with_json_body({{"scope", "app"}, {"key", "k"}, {"bytes_value", "AP8="}});
  fake->expect("GET", "/api/2.0/secrets/list")
      .with_query("scope=app")
      .respond(200, R"({"secrets": [{"key": "k", "last_updated_timestamp": 17}, {"key": "old"}]})");
  fake->expect("GET", "/api/2.0/secrets/get")
      .with_query("scope=app&key=k")
      .respond(200, R"({"key": "k", "value": "AP8="})");
  fake->expect("POST", "/api/2.0/secrets/delete").with_json_body({{"scope", "app"}, {"key", "k"}});
  REQUIRE(secrets.put_secret({"app", "k", std::nullopt, std::string("AP8=")}).ok());
  auto list = secrets.list_secrets("app");
  REQUIRE(list.ok());
  CHECK(list->items[0].last_updated_timestamp == 17);
  CHECK_FALSE(list->items[1].last_updated_timestamp.has_value());
  auto value = secrets.get_secret("app", "k");
  REQUIRE(value.ok());
  CHECK(*value == std::string("\x00\xff", 2));
  REQUIRE(secrets.delete_secret("app", "k").ok());
  CHECK(idempotency(0) == Idempotency::kIdempotent);  // the same value again
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(Fixture, "secret ACLs and a missing scope's error") {
  fake->expect("POST", "/api/2.0/secrets/acls/put")
      .with_json_body({{"scope", "app"}, {"principal", "users"}, {"permission", "READ"}});
  fake->expect("GET", "/api/2.0/secrets/acls/get")
      .with_query("scope=app&principal=users")
      .respond(200, R"({"principal": "users", "permission": "READ"})");
  fake->expect("GET", "/api/2.0/secrets/acls/list")
      .with_query("scope=none")
      .respond_json(404, {{"error_code", "RESOURCE_DOES_NOT_EXIST"},
                          {"message", "Scope none does not exist!"}});
  fake->expect("POST", "/api/2.0/secrets/acls/delete")
      .with_json_body({{"scope", "app"}, {"principal", "users"}});
  REQUIRE(secrets.put_acl("app", "users", "READ").ok());
  auto acl = secrets.get_acl("app", "users");
  REQUIRE(acl.ok());
  CHECK(acl->permission == "READ");
  auto missing = secrets.list_acls("none");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().is_not_found());
  REQUIRE(secrets.delete_acl("app", "users").ok());
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(Fixture, "tokens: create shows the value once, list, revoke") {
  fake->expect("POST", "/api/2.0/token/create")
      .with_json_body({{"lifetime_seconds", 60}, {"comment", "ci"}})
      .respond(200, R"({"token_value": "dapi1", "token_info": {"token_id": "t1",
                         "creation_time": 5, "expiry_time": 60005, "comment": "ci"}})");
  fake->expect("GET", "/api/2.0/token/list")
      .respond(200, R"({"token_infos": [{"token_id": "t1", "creation_time": 5,
                                         "expiry_time": -1, "comment": "ci"}]})");
  fake->expect("POST", "/api/2.0/token/delete").with_json_body({{"token_id", "t1"}});
  fake->expect("POST", "/api/2.0/token/create").respond(200, "{}");
  auto created = tokens.create({60, std::string("ci")});
  REQUIRE(created.ok());
  CHECK(created->token_value == "dapi1");
  CHECK(created->token_info.expiry_time == 60005);
  auto list = tokens.list();
  REQUIRE(list.ok());
  CHECK(list->token_infos.at(0).expiry_time == -1);
  REQUIRE(tokens.revoke("t1").ok());
  CHECK(tokens.create({}).error().error_code == "INVALID_RESPONSE");
  CHECK(idempotency(0) == Idempotency::kNonIdempotent);  // a replay mints a second token
  CHECK(idempotency(2) == Idempotency::kIdempotent);
}

TEST_CASE_METHOD(Fixture, "groups: create, members, parents, delete") {
  fake->expect("POST", "/api/2.0/groups/create")
      .with_json_body({{"group_name", "data"}})
      .respond(200, R"({"group_name": "data"})");
  fake->expect("POST", "/api/2.0/groups/add-member")
      .with_json_body({{"user_name", "u@x"}, {"parent_name", "data"}});
  fake->expect("GET", "/api/2.0/groups/list-members")
      .with_query("group_name=data")
      .respond(200, R"({"members": [{"user_name": "u@x"}, {"group_name": "eng"}]})");
  fake->expect("GET", "/api/2.0/groups/list-parents")
      .with_query("group_name=eng")
      .respond(200, R"({"group_names": ["data", 7]})");
  fake->expect("POST", "/api/2.0/groups/remove-member")
      .with_json_body({{"group_name", "eng"}, {"parent_name", "data"}});
  fake->expect("GET", "/api/2.0/groups/list").respond(200, R"({"group_names": ["data"]})");
  fake->expect("POST", "/api/2.0/groups/delete").with_json_body({{"group_name", "data"}});
  REQUIRE(groups.create("data").ok());
  REQUIRE(groups.add_member("data", {std::string("u@x"), std::nullopt}).ok());
  auto members = groups.list_members("data");
  REQUIRE(members.ok());
  CHECK(members->members[1].group_name == "eng");
  auto parents = groups.list_parents({std::nullopt, std::string("eng")});
  REQUIRE(parents.ok());
  CHECK(parents->group_names == std::vector<std::string>{"data"});
  REQUIRE(groups.remove_member("data", {std::nullopt, std::string("eng")}).ok());
  CHECK(groups.list()->group_names.size() == 1);
  REQUIRE(groups.remove("data").ok());
  // Exactly one of user and group, checked before any request.
  CHECK_FALSE(groups.add_member("data", {}).ok());
  CHECK_FALSE(groups.list_parents({std::string("u"), std::string("g")}).ok());
  CHECK(fake->all_consumed());
  CHECK(idempotency(0) == Idempotency::kNonIdempotent);
  CHECK(idempotency(1) == Idempotency::kIdempotent);
}
