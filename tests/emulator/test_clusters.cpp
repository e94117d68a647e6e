#include <catch2/catch.hpp>

#include "jobs_support/jobs_harness.hpp"

using dbk::emulator::testing::JobsHarness;
using json = nlohmann::json;

namespace {
const std::string kLocal = "0101-000000-dbklocal";
}

TEST_CASE("one local all-purpose cluster exists from the start", "[clusters]") {
  JobsHarness h;
  auto list = h.get("/api/2.0/clusters/list");
  REQUIRE(list.status == 200);
  REQUIRE(list.body["clusters"].size() == 1);
  const auto& cluster = list.body["clusters"][0];
  CHECK(cluster["cluster_id"] == kLocal);
  CHECK(cluster["cluster_name"] == "dbk-local");
  CHECK(cluster["state"] == "RUNNING");
  CHECK(cluster["cluster_source"] == "UI");
  CHECK(cluster["num_workers"] == 0);
  CHECK(cluster["spark_version"].get<std::string>().find("scala2.12") != std::string::npos);
  CHECK(cluster["creator_user_name"].is_string());
  CHECK(h.get("/api/2.0/clusters/get?cluster_id=" + kLocal).body["cluster_name"] == "dbk-local");
}

TEST_CASE("clusters/get on a missing cluster answers 400 INVALID_PARAMETER_VALUE", "[clusters]") {
  JobsHarness h;
  auto reply = h.get("/api/2.0/clusters/get?cluster_id=nope");
  CHECK(reply.status == 400);
  CHECK(reply.body["error_code"] == "INVALID_PARAMETER_VALUE");
  CHECK(reply.body["message"] == "Cluster nope does not exist");
  CHECK(h.post("/api/2.0/clusters/start", {{"cluster_id", "nope"}}).status == 400);
  CHECK(h.post("/api/2.0/clusters/start", json::object()).status == 400);
}

TEST_CASE("delete, start and restart move through states on the emulated clock", "[clusters]") {
  JobsHarness h;
  auto state = [&] {
    return h.get("/api/2.0/clusters/get?cluster_id=" + kLocal).body["state"].get<std::string>();
  };
  // RUNNING + start: the documented no-op.
  REQUIRE(h.post("/api/2.0/clusters/start", {{"cluster_id", kLocal}}).status == 200);
  CHECK(state() == "RUNNING");

  REQUIRE(h.post("/api/2.0/clusters/delete", {{"cluster_id", kLocal}}).status == 200);
  CHECK(state() == "TERMINATING");
  h.advance(1000);
  CHECK(state() == "TERMINATED");
  auto terminated = h.get("/api/2.0/clusters/get?cluster_id=" + kLocal).body;
  CHECK(terminated["termination_reason"]["code"] == "USER_REQUEST");
  CHECK(terminated.contains("terminated_time"));
  CHECK(h.post("/api/2.0/clusters/restart", {{"cluster_id", kLocal}}).body["error_code"] ==
        "INVALID_STATE");

  REQUIRE(h.post("/api/2.0/clusters/start", {{"cluster_id", kLocal}}).status == 200);
  CHECK(state() == "PENDING");
  h.advance(3000);
  CHECK(state() == "RUNNING");

  REQUIRE(h.post("/api/2.0/clusters/restart", {{"cluster_id", kLocal}}).status == 200);
  CHECK(state() == "RESTARTING");
  h.advance(3000);
  CHECK(state() == "RUNNING");
}

TEST_CASE("clusters/create, permanent-delete, spark-versions and node types", "[clusters]") {
  JobsHarness h;
  auto created = h.post("/api/2.0/clusters/create",
                        {{"cluster_name", "mine"}, {"spark_version", "15.4.x-scala2.12"}});
  REQUIRE(created.status == 200);
  const std::string id = created.body["cluster_id"];
  CHECK(h.get("/api/2.0/clusters/get?cluster_id=" + id).body["state"] == "PENDING");
  h.advance(3000);
  CHECK(h.get("/api/2.0/clusters/get?cluster_id=" + id).body["state"] == "RUNNING");
  CHECK(h.post("/api/2.0/clusters/create", {{"cluster_name", "bad"}}).status == 400);
  REQUIRE(h.post("/api/2.0/clusters/permanent-delete", {{"cluster_id", id}}).status == 200);
  CHECK(h.get("/api/2.0/clusters/get?cluster_id=" + id).status == 400);

  auto versions = h.get("/api/2.0/clusters/spark-versions");
  REQUIRE(versions.body["versions"].size() >= 1);
  CHECK(versions.body["versions"][0].contains("key"));
  CHECK(versions.body["versions"][0].contains("name"));
  auto nodes = h.get("/api/2.0/clusters/list-node-types");
  CHECK(nodes.body["node_types"][0]["node_type_id"] == "local");
  // The instance behind it has a local disk (the SDK's select_node_type(local_disk=True)).
  const auto& instance = nodes.body["node_types"][0]["node_instance_type"];
  CHECK(instance["instance_type_id"] == "local");
  CHECK(instance["local_disks"] == 1);
  CHECK(instance["local_disk_size_gb"].get<std::int64_t>() >= 0);
  CHECK(instance["local_nvme_disks"] == 0);
}

TEST_CASE("clusters/edit restarts a running cluster with its new attributes", "[clusters]") {
  JobsHarness h;
  auto created = h.post("/api/2.0/clusters/create", {{"cluster_name", "mine"},
                                                     {"spark_version", "15.4.x-scala2.12"},
                                                     {"num_workers", 1},
                                                     {"custom_tags", {{"team", "a"}}}});
  REQUIRE(created.status == 200);
  const std::string id = created.body["cluster_id"];
  json edit = {{"cluster_id", id},
               {"cluster_name", "renamed"},
               {"spark_version", "14.3.x-scala2.12"},
               {"num_workers", 2}};
  // PENDING: not editable yet.
  auto pending = h.post("/api/2.0/clusters/edit", edit);
  CHECK(pending.status == 400);
  CHECK(pending.body["error_code"] == "INVALID_STATE");
  CHECK(pending.body["message"] == "Cluster " + id + " is in unexpected state PENDING.");
  h.advance(3000);
  REQUIRE(h.post("/api/2.0/clusters/edit", edit).status == 200);
  auto cluster = h.get("/api/2.0/clusters/get?cluster_id=" + id).body;
  CHECK(cluster["state"] == "RESTARTING");
  CHECK(cluster["cluster_name"] == "renamed");
  CHECK(cluster["spark_version"] == "14.3.x-scala2.12");
  CHECK(cluster["num_workers"] == 2);
  CHECK_FALSE(cluster.contains("custom_tags"));  // the spec replaces every attribute
  CHECK(cluster["creator_user_name"] == "emulator@dbk.local");
  h.advance(3000);
  CHECK(h.get("/api/2.0/clusters/get?cluster_id=" + id).body["state"] == "RUNNING");

  // A terminated cluster keeps the new attributes and stays terminated.
  REQUIRE(h.post("/api/2.0/clusters/delete", {{"cluster_id", id}}).status == 200);
  h.advance(1000);
  edit["num_workers"] = 4;
  REQUIRE(h.post("/api/2.0/clusters/edit", edit).status == 200);
  cluster = h.get("/api/2.0/clusters/get?cluster_id=" + id).body;
  CHECK(cluster["state"] == "TERMINATED");
  CHECK(cluster["num_workers"] == 4);

  CHECK(h.post("/api/2.0/clusters/edit", {{"cluster_id", id}}).body["message"] ==
        "Missing required field: spark_version");
  CHECK(h.post("/api/2.0/clusters/edit", {{"cluster_id", "nope"}, {"spark_version", "x"}})
            .body["message"] == "Cluster nope does not exist");
  edit["num_workers"] = -1;
  CHECK(h.post("/api/2.0/clusters/edit", edit).status == 400);
}

TEST_CASE("clusters/resize works on running clusters only", "[clusters]") {
  JobsHarness h;
  REQUIRE(h.post("/api/2.0/clusters/resize", {{"cluster_id", kLocal}, {"num_workers", 3}}).status ==
          200);
  auto cluster = h.get("/api/2.0/clusters/get?cluster_id=" + kLocal).body;
  CHECK(cluster["state"] == "RESIZING");
  CHECK(cluster["num_workers"] == 3);
  const auto context = cluster["spark_context_id"];
  auto busy = h.post("/api/2.0/clusters/resize", {{"cluster_id", kLocal}, {"num_workers", 1}});
  CHECK(busy.status == 400);
  CHECK(busy.body["error_code"] == "INVALID_STATE");
  h.advance(3000);
  cluster = h.get("/api/2.0/clusters/get?cluster_id=" + kLocal).body;
  CHECK(cluster["state"] == "RUNNING");
  CHECK(cluster["spark_context_id"] == context);  // a resize keeps the Spark context
  // Exactly one of num_workers and autoscale.
  CHECK(h.post("/api/2.0/clusters/resize", {{"cluster_id", kLocal}}).status == 400);
  CHECK(
      h.post("/api/2.0/clusters/resize", {{"cluster_id", kLocal},
                                          {"num_workers", 1},
                                          {"autoscale", {{"min_workers", 1}, {"max_workers", 2}}}})
          .status == 400);
  REQUIRE(h.post("/api/2.0/clusters/resize",
                 {{"cluster_id", kLocal}, {"autoscale", {{"min_workers", 1}, {"max_workers", 4}}}})
              .status == 200);
  cluster = h.get("/api/2.0/clusters/get?cluster_id=" + kLocal).body;
  CHECK(cluster["autoscale"]["max_workers"] == 4);
  CHECK_FALSE(cluster.contains("num_workers"));
}

TEST_CASE("clusters/events records the life cycle and pages through it", "[clusters]") {
  JobsHarness h;
  h.advance(1000);  // everything below happens after the default cluster's creation
  REQUIRE(h.post("/api/2.0/clusters/resize", {{"cluster_id", kLocal}, {"num_workers", 2}}).status ==
          200);
  h.advance(3000);
  h.get("/api/2.0/clusters/list");  // the state moves on when the clusters are looked at
  REQUIRE(h.post("/api/2.0/clusters/restart", {{"cluster_id", kLocal}}).status == 200);
  h.advance(3000);
  REQUIRE(h.post("/api/2.0/clusters/delete", {{"cluster_id", kLocal}}).status == 200);
  h.advance(1000);
  auto all = h.post("/api/2.0/clusters/events", {{"cluster_id", kLocal}, {"order", "ASC"}});
  REQUIRE(all.status == 200);
  std::vector<std::string> types;
  for (const auto& event : all.body["events"]) {
    types.push_back(event["type"]);
    CHECK(event["cluster_id"] == kLocal);
    CHECK(event["timestamp"].is_number_integer());
  }
  CHECK(types == std::vector<std::string>{"CREATING", "RUNNING", "RESIZING", "UPSIZE_COMPLETED",
                                          "RESTARTING", "RUNNING", "TERMINATING"});
  CHECK(all.body["total_count"] == 7);
  CHECK_FALSE(all.body.contains("next_page"));
  const auto& resizing = all.body["events"][2]["details"];
  CHECK(resizing["current_num_workers"] == 0);
  CHECK(resizing["target_num_workers"] == 2);
  CHECK(all.body["events"][6]["details"]["reason"]["code"] == "USER_REQUEST");

  // Newest first by default; pages of `limit` with the request for the next one.
  auto page = h.post("/api/2.0/clusters/events", {{"cluster_id", kLocal}, {"limit", 3}});
  REQUIRE(page.body["events"].size() == 3);
  CHECK(page.body["events"][0]["type"] == "TERMINATING");
  CHECK(page.body["next_page"]["offset"] == 3);
  auto next = h.post("/api/2.0/clusters/events", page.body["next_page"]);
  CHECK(next.body["events"][0]["type"] == "UPSIZE_COMPLETED");
  // Filters by type and time; the legacy CLI sends numbers as strings.
  auto typed = h.post("/api/2.0/clusters/events",
                      {{"cluster_id", kLocal}, {"event_types", {"RUNNING", "RESTARTING"}}});
  CHECK(typed.body["total_count"] == 3);
  const std::int64_t created = all.body["events"][0]["timestamp"];
  auto early = h.post("/api/2.0/clusters/events",
                      {{"cluster_id", kLocal}, {"end_time", std::to_string(created)}});
  CHECK(early.body["total_count"] == 2);
  CHECK(h.post("/api/2.0/clusters/events", {{"cluster_id", "nope"}}).status == 400);
  CHECK(h.post("/api/2.0/clusters/events", {{"cluster_id", kLocal}, {"limit", 501}}).status == 400);
  CHECK(h.post("/api/2.0/clusters/events", {{"cluster_id", kLocal}, {"order", "UP"}}).status ==
        400);
  auto zones = h.get("/api/2.0/clusters/list-zones");
  CHECK(zones.body["zones"] == json::array({"local"}));
  CHECK(zones.body["default_zone"] == "local");
}
