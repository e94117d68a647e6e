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
