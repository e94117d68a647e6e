// Instance pools and cluster policies in the emulator (docs/emulator.md).
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "jobs_support/compute_harness.hpp"

using dbk::emulator::testing::ComputeHarness;
using dbk::emulator::testing::JobsHarness;
using dbk::emulator::testing::kLocal;
using dbk::emulator::testing::Reply;
using dbk::emulator::testing::temp_folder;
using json = nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("instance pools: create, get, list, edit and delete", "[pools]") {
  ComputeHarness h;
  CHECK(h.get("/api/2.0/instance-pools/list").body == json::object());  // none: no key
  const auto id = h.create_pool({{"min_idle_instances", 2}, {"custom_tags", {{"team", "a"}}}});
  auto pool = h.get("/api/2.0/instance-pools/get?instance_pool_id=" + id);
  REQUIRE(pool.status == 200);
  CHECK(pool.body["instance_pool_name"] == "pool");
  CHECK(pool.body["state"] == "ACTIVE");
  CHECK(pool.body["custom_tags"]["team"] == "a");
  CHECK(pool.body["default_tags"]["DatabricksInstancePoolId"] == id);
  CHECK(pool.body["stats"] == json{{"used_count", 0},
                                   {"idle_count", 2},
                                   {"pending_used_count", 0},
                                   {"pending_idle_count", 0}});
  REQUIRE(h.get("/api/2.0/instance-pools/list").body["instance_pools"].size() == 1);

  // A cluster on the pool takes its node type; while it starts its instances are pending.
  auto cluster = h.create_cluster({{"instance_pool_id", id}, {"num_workers", 2}});
  REQUIRE(cluster.status == 200);
  const std::string cluster_id = cluster.body["cluster_id"];
  CHECK(h.get("/api/2.0/clusters/get?cluster_id=" + cluster_id).body["node_type_id"] == "local");
  const auto stats = h.get("/api/2.0/instance-pools/get?instance_pool_id=" + id).body["stats"];
  CHECK(stats["used_count"] == 0);
  CHECK(stats["pending_used_count"] == 3);

  auto edited = h.post("/api/2.0/instance-pools/edit", {{"instance_pool_id", id},
                                                        {"instance_pool_name", "renamed"},
                                                        {"node_type_id", "local"},
                                                        {"min_idle_instances", 0}});
  REQUIRE(edited.status == 200);
  pool = h.get("/api/2.0/instance-pools/get?instance_pool_id=" + id);
  CHECK(pool.body["instance_pool_name"] == "renamed");
  CHECK_FALSE(pool.body.contains("custom_tags"));  // edit replaces the settings
  CHECK(pool.body["stats"]["idle_count"] == 0);
  auto retyped =
      h.post("/api/2.0/instance-pools/edit",
             {{"instance_pool_id", id}, {"instance_pool_name", "x"}, {"node_type_id", "other"}});
  CHECK(retyped.status == 400);

  REQUIRE(h.post("/api/2.0/instance-pools/delete", {{"instance_pool_id", id}}).status == 200);
  CHECK(h.get("/api/2.0/instance-pools/get?instance_pool_id=" + id).body["state"] == "DELETED");
  CHECK(h.get("/api/2.0/instance-pools/list").body == json::object());
  auto on_deleted = h.create_cluster({{"instance_pool_id", id}});
  CHECK(on_deleted.status == 400);
  CHECK(on_deleted.body["message"] == "Instance pool " + id + " does not exist");
}

TEST_CASE("instance pools reject bad requests and unknown ids", "[pools]") {
  ComputeHarness h;
  auto no_name = h.post("/api/2.0/instance-pools/create", {{"node_type_id", "local"}});
  CHECK(no_name.status == 400);
  CHECK(no_name.body["message"] == "Missing required field: instance_pool_name");
  CHECK(h.post("/api/2.0/instance-pools/create", {{"instance_pool_name", "p"},
                                                  {"node_type_id", "local"},
                                                  {"min_idle_instances", 5},
                                                  {"max_capacity", 2}})
            .status == 400);
  CHECK(h.post("/api/2.0/instance-pools/create",
               {{"instance_pool_name", "p"}, {"node_type_id", "local"}, {"max_capacity", -1}})
            .status == 400);
  auto missing = h.get("/api/2.0/instance-pools/get?instance_pool_id=nope");
  CHECK(missing.status == 400);
  CHECK(missing.body["error_code"] == "INVALID_PARAMETER_VALUE");
  CHECK(h.post("/api/2.0/instance-pools/delete", {{"instance_pool_id", "nope"}}).status == 400);
  CHECK(h.create_cluster({{"instance_pool_id", "nope"}}).status == 400);
  CHECK(h.create_cluster({{"instance_pool_id", 7}}).status == 400);
}

TEST_CASE("cluster policies: create, get, list, edit, delete and unique names", "[policies]") {
  ComputeHarness h;
  CHECK(h.get("/api/2.0/policies/clusters/list").body == json{{"total_count", 0}});
  const auto id = h.create_policy("small", {{"num_workers", {{"type", "fixed"}, {"value", 1}}}});
  CHECK(id.size() == 16);
  auto policy = h.get("/api/2.0/policies/clusters/get?policy_id=" + id);
  REQUIRE(policy.status == 200);
  CHECK(policy.body["name"] == "small");
  CHECK(json::parse(policy.body["definition"].get<std::string>())["num_workers"]["value"] == 1);
  CHECK(policy.body["created_at_timestamp"].is_number_integer());
  auto duplicate =
      h.post("/api/2.0/policies/clusters/create", {{"name", "small"}, {"definition", "{}"}});
  CHECK(duplicate.status == 400);
  auto bad_json =
      h.post("/api/2.0/policies/clusters/create", {{"name", "x"}, {"definition", "{nope"}});
  CHECK(bad_json.status == 400);
  auto bad_rule = h.post("/api/2.0/policies/clusters/create",
                         {{"name", "x"}, {"definition", R"({"a": {"type": "sometimes"}})"}});
  CHECK(bad_rule.status == 400);
  auto bad_regex =
      h.post("/api/2.0/policies/clusters/create",
             {{"name", "x"}, {"definition", R"({"a": {"type": "regex", "pattern": "("}})"}});
  CHECK(bad_regex.status == 400);

  REQUIRE(h.post("/api/2.0/policies/clusters/edit",
                 {{"policy_id", id}, {"name", "renamed"}, {"definition", "{}"}})
              .status == 200);
  CHECK(h.get("/api/2.0/policies/clusters/get?policy_id=" + id).body["name"] == "renamed");
  auto list = h.get("/api/2.0/policies/clusters/list");
  CHECK(list.body["total_count"] == 1);
  CHECK(list.body["policies"][0]["policy_id"] == id);

  REQUIRE(h.post("/api/2.0/policies/clusters/delete", {{"policy_id", id}}).status == 200);
  auto gone = h.get("/api/2.0/policies/clusters/get?policy_id=" + id);
  CHECK(gone.status == 404);
  CHECK(gone.body["error_code"] == "RESOURCE_DOES_NOT_EXIST");
  CHECK(gone.body["message"] == "Can't find a cluster policy with id: " + id + ".");
  CHECK(h.create_cluster({{"policy_id", id}}).status == 404);
}

TEST_CASE("a cluster with a policy is checked against every rule type", "[policies]") {
  ComputeHarness h;
  const auto id = h.create_policy(
      "rules",
      {{"spark_version", {{"type", "fixed"}, {"value", "15.4.x-scala2.12"}}},
       {"autotermination_minutes",
        {{"type", "range"}, {"minValue", 10}, {"maxValue", 60}, {"defaultValue", 30}}},
       {"node_type_id", {{"type", "allowlist"}, {"values", {"local", "big"}}}},
       {"custom_tags.team", {{"type", "regex"}, {"pattern", "[a-z]+"}}},
       {"spark_conf.spark.secret", {{"type", "forbidden"}}},
       {"driver_node_type_id", {{"type", "blocklist"}, {"values", {"huge"}}, {"isOptional", true}}},
       {"num_workers", {{"type", "unlimited"}, {"defaultValue", 1}}},
       {"cluster_type", {{"type", "allowlist"}, {"values", {"all-purpose"}}}}});
  SECTION("a spec within the policy gets its defaults and fixed values") {
    auto made = h.post("/api/2.0/clusters/create", {{"cluster_name", "ok"},
                                                    {"policy_id", id},
                                                    {"node_type_id", "local"},
                                                    {"custom_tags", {{"team", "data"}}}});
    REQUIRE(made.status == 200);
    auto cluster =
        h.get("/api/2.0/clusters/get?cluster_id=" + made.body["cluster_id"].get<std::string>());
    CHECK(cluster.body["spark_version"] == "15.4.x-scala2.12");
    CHECK(cluster.body["autotermination_minutes"] == 30);
    CHECK(cluster.body["num_workers"] == 1);
    CHECK(cluster.body["policy_id"] == id);
  }
  SECTION("every violation is reported at once") {
    auto refused = h.create_cluster({{"policy_id", id},
                                     {"spark_version", "13.3.x-scala2.12"},
                                     {"autotermination_minutes", 5},
                                     {"node_type_id", "tiny"},
                                     {"driver_node_type_id", "huge"},
                                     {"spark_conf", {{"spark.secret", "x"}}},
                                     {"custom_tags", {{"team", "Data 1"}}}});
    REQUIRE(refused.status == 400);
    CHECK(refused.body["error_code"] == "INVALID_PARAMETER_VALUE");
    const std::string message = refused.body["message"];
    CAPTURE(message);
    CHECK(message.find("Validation failed for spark_version, the value must be "
                       "15.4.x-scala2.12 (is \"13.3.x-scala2.12\")") != std::string::npos);
    CHECK(message.find("Validation failed for autotermination_minutes, the value must be at "
                       "least 10") != std::string::npos);
    CHECK(message.find("Validation failed for node_type_id") != std::string::npos);
    CHECK(message.find("Validation failed for driver_node_type_id") != std::string::npos);
    CHECK(message.find("Validation failed for spark_conf.spark.secret") != std::string::npos);
    CHECK(message.find("Validation failed for custom_tags.team") != std::string::npos);
  }
  SECTION("a required attribute that is missing") {
    auto refused = h.create_cluster({{"policy_id", id}, {"node_type_id", "local"}});
    REQUIRE(refused.status == 400);
    CHECK(refused.body["message"] == "Validation failed for custom_tags, team must be present");
  }
  SECTION("clusters/edit is checked too") {
    auto made = h.create_cluster({{"cluster_name", "plain"}});
    REQUIRE(made.status == 200);
    h.advance(5000);
    auto edit = h.post("/api/2.0/clusters/edit", {{"cluster_id", made.body["cluster_id"]},
                                                  {"spark_version", "15.4.x-scala2.12"},
                                                  {"policy_id", id},
                                                  {"node_type_id", "tiny"},
                                                  {"custom_tags", {{"team", "x"}}}});
    CHECK(edit.status == 400);
  }
}

TEST_CASE("policy regexes are bounded: long values and patterns are refused, not matched",
          "[policies]") {
  ComputeHarness h;
  auto long_pattern = h.post(
      "/api/2.0/policies/clusters/create",
      {{"name", "p"},
       {"definition",
        json{{"cluster_name", {{"type", "regex"}, {"pattern", std::string(1001, 'a')}}}}.dump()}});
  CHECK(long_pattern.status == 400);
  const auto id =
      h.create_policy("names", {{"cluster_name", {{"type", "regex"}, {"pattern", "(a+)+"}}}});
  // A long value is refused before std::regex sees it; the message quotes only its start.
  auto refused = h.create_cluster({{"policy_id", id}, {"cluster_name", std::string(200000, 'a')}});
  REQUIRE(refused.status == 400);
  const std::string message = refused.body["message"];
  CHECK(message.find("too long to match the pattern (a+)+") != std::string::npos);
  CHECK(message.size() < 500);
  CHECK(h.create_cluster({{"policy_id", id}, {"cluster_name", "aaaa"}}).status == 200);
}
