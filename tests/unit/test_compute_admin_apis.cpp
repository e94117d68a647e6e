// InstancePoolsApi, ClusterPoliciesApi and LibrariesApi against the fake transport: the
// requests they send, what they parse, and which calls are safe to replay.
#include <catch2/catch.hpp>

#include "dbk/cluster_policies.hpp"
#include "dbk/instance_pools.hpp"
#include "dbk/libraries.hpp"
#include "fake_api_fixture.hpp"

using dbk::Idempotency;
using nlohmann::json;

namespace {
struct Fixture : FakeApiFixture {
  dbk::InstancePoolsApi pools{caller};
  dbk::ClusterPoliciesApi policies{caller};
  dbk::LibrariesApi libraries{caller};
};
}  // namespace

TEST_CASE_METHOD(Fixture, "instance pools: create, edit, delete, get and list") {
  fake->expect("POST", "/api/2.0/instance-pools/create")
      .with_json_body({{"instance_pool_name", "p"}, {"node_type_id", "local"}})
      .respond_json(200, {{"instance_pool_id", "pool-1"}});
  auto id =
      pools.create(nlohmann::ordered_json{{"instance_pool_name", "p"}, {"node_type_id", "local"}});
  REQUIRE(id.ok());
  CHECK(*id == "pool-1");
  CHECK(idempotency(0) == Idempotency::kNonIdempotent);  // a replay makes a second pool

  fake->expect("POST", "/api/2.0/instance-pools/edit").respond_json(200, json::object());
  REQUIRE(pools.edit(nlohmann::ordered_json{{"instance_pool_id", "pool-1"}}).ok());
  CHECK(idempotency(1) == Idempotency::kIdempotent);

  fake->expect("POST", "/api/2.0/instance-pools/delete")
      .with_json_body({{"instance_pool_id", "pool-1"}})
      .respond_json(200, json::object());
  REQUIRE(pools.remove("pool-1").ok());
  CHECK(idempotency(2) == Idempotency::kIdempotent);

  fake->expect("GET", "/api/2.0/instance-pools/get")
      .with_query("instance_pool_id=pool-1")
      .respond(200, R"({"instance_pool_id": "pool-1", "instance_pool_name": "p", "state": "ACTIVE",
                        "stats": {"idle_count": 2, "used_count": 3, "pending_idle_count": 0,
                                  "pending_used_count": 1}, "future_field": {"x": 1}})");
  auto pool = pools.get("pool-1");
  REQUIRE(pool.ok());
  CHECK(pool->state == "ACTIVE");
  CHECK(pool->stats.idle_count == 2);
  CHECK(pool->stats.used_count == 3);
  CHECK(pool->stats.pending_used_count == 1);
  CHECK(pool->raw["future_field"]["x"] == 1);  // unknown fields are kept, not rejected

  fake->expect("GET", "/api/2.0/instance-pools/list").respond(200, "{}");
  auto none = pools.list();
  REQUIRE(none.ok());
  CHECK(none->empty());
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(Fixture, "instance pools: errors and a non-object spec") {
  fake->expect("GET", "/api/2.0/instance-pools/get")
      .respond_json(400, {{"error_code", "INVALID_PARAMETER_VALUE"},
                          {"message", "Instance pool x does not exist"}});
  auto missing = pools.get("x");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().error_code == "INVALID_PARAMETER_VALUE");
  auto bad = pools.create(nlohmann::ordered_json::array());
  REQUIRE_FALSE(bad.ok());
  CHECK(fake->requests().size() == 1);  // never sent
  fake->expect("POST", "/api/2.0/instance-pools/create").respond_json(200, json::object());
  auto no_id = pools.create(nlohmann::ordered_json{{"instance_pool_name", "p"}});
  REQUIRE_FALSE(no_id.ok());
  CHECK(no_id.error().message.find("instance_pool_id") != std::string::npos);
}

TEST_CASE_METHOD(Fixture, "cluster policies send an object definition as its JSON text") {
  fake->expect("POST", "/api/2.0/policies/clusters/create")
      .with_json_body(
          {{"name", "small"}, {"definition", R"({"num_workers":{"type":"fixed","value":1}})"}})
      .respond_json(200, {{"policy_id", "ABC"}});
  auto id = policies.create(nlohmann::ordered_json{
      {"name", "small"}, {"definition", {{"num_workers", {{"type", "fixed"}, {"value", 1}}}}}});
  REQUIRE(id.ok());
  CHECK(*id == "ABC");
  CHECK(idempotency(0) == Idempotency::kNonIdempotent);

  // A definition already given as text is sent unchanged.
  fake->expect("POST", "/api/2.0/policies/clusters/edit")
      .with_json_body({{"policy_id", "ABC"}, {"name", "small"}, {"definition", "{}"}})
      .respond_json(200, json::object());
  REQUIRE(policies
              .edit(nlohmann::ordered_json{
                  {"policy_id", "ABC"}, {"name", "small"}, {"definition", "{}"}})
              .ok());
  CHECK(idempotency(1) == Idempotency::kIdempotent);

  fake->expect("GET", "/api/2.0/policies/clusters/get")
      .with_query("policy_id=ABC")
      .respond(200, R"({"policy_id": "ABC", "name": "small", "definition": "{}",
                        "created_at_timestamp": 1})");
  auto policy = policies.get("ABC");
  REQUIRE(policy.ok());
  CHECK(policy->name == "small");
  CHECK(policy->definition == "{}");

  fake->expect("GET", "/api/2.0/policies/clusters/list")
      .respond(200, R"({"policies": [{"policy_id": "ABC", "name": "small", "definition": "{}"},
                                     "not an object"], "total_count": 1})");
  auto list = policies.list();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].policy_id == "ABC");

  // A delete replayed after a lost response that finds nothing left succeeded the first time.
  fake->expect("POST", "/api/2.0/policies/clusters/delete")
      .with_json_body({{"policy_id", "ABC"}})
      .respond_json(200, json::object());
  REQUIRE(policies.remove("ABC").ok());
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(Fixture, "libraries: install, uninstall and statuses") {
  const nlohmann::ordered_json wheel{{"whl", "dbfs:/libs/x-1.0-py3-none-any.whl"}};
  fake->expect("POST", "/api/2.0/libraries/install")
      .with_json_body({{"cluster_id", "c"}, {"libraries", json::array({wheel})}})
      .respond_json(200, json::object());
  REQUIRE(libraries.install("c", {wheel}).ok());
  CHECK(idempotency(0) == Idempotency::kIdempotent);

  fake->expect("POST", "/api/2.0/libraries/uninstall")
      .with_json_body({{"cluster_id", "c"}, {"libraries", json::array({wheel})}})
      .respond_json(200, json::object());
  REQUIRE(libraries.uninstall("c", {wheel}).ok());

  fake->expect("GET", "/api/2.0/libraries/cluster-status")
      .with_query("cluster_id=c")
      .respond(200, R"({"cluster_id": "c", "library_statuses": [
                         {"library": {"pypi": {"package": "six"}}, "status": "FAILED",
                          "messages": ["no index", 7], "is_library_for_all_clusters": false}]})");
  auto statuses = libraries.cluster_status("c");
  REQUIRE(statuses.ok());
  REQUIRE(statuses->library_statuses.size() == 1);
  const auto& status = statuses->library_statuses[0];
  CHECK(status.status == "FAILED");
  CHECK(status.library["pypi"]["package"] == "six");
  CHECK(status.messages == std::vector<std::string>{"no index"});

  fake->expect("GET", "/api/2.0/libraries/all-cluster-statuses")
      .respond(200, R"({"statuses": []})");
  auto all = libraries.all_cluster_statuses();
  REQUIRE(all.ok());
  CHECK(all->contains("statuses"));
  CHECK(fake->all_consumed());
}
