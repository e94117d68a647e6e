#include <catch2/catch.hpp>

#include "api_caller.hpp"
#include "dbk/clusters.hpp"
#include "dbk/testing/fake_transport.hpp"

using dbk::testing::FakeTransport;
using nlohmann::json;

namespace {
struct ClustersFixture {
  std::shared_ptr<FakeTransport> fake = std::make_shared<FakeTransport>();
  dbk::ClustersApi api{std::make_shared<dbk::detail::ApiCaller>("https://h", fake)};
};
}  // namespace

TEST_CASE_METHOD(ClustersFixture, "list parses clusters and follows next_page_token") {
  fake->expect("GET", "/api/2.0/clusters/list")
      .with_query("")
      .respond(200, R"({"clusters": [{"cluster_id": "1", "cluster_name": "a", "state": "RUNNING"}],
                        "next_page_token": "t2"})");
  fake->expect("GET", "/api/2.0/clusters/list")
      .with_query("page_token=t2")
      .respond(200, R"({"clusters": [{"cluster_id": "2", "cluster_name": "b",
                                      "state": "TERMINATED"}]})");
  auto clusters = api.list();
  REQUIRE(clusters.ok());
  REQUIRE(clusters->size() == 2);
  CHECK((*clusters)[1].state == "TERMINATED");
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(ClustersFixture, "list of none has no clusters key") {
  fake->expect("GET", "/api/2.0/clusters/list").respond(200, "{}");
  auto clusters = api.list();
  REQUIRE(clusters.ok());
  CHECK(clusters->empty());
}

TEST_CASE_METHOD(ClustersFixture, "get and the missing-cluster 400") {
  fake->expect("GET", "/api/2.0/clusters/get")
      .with_query("cluster_id=0925-141122-narcs242")
      .respond(200, R"({"cluster_id": "0925-141122-narcs242", "state": "PENDING",
                        "state_message": "Starting", "spark_version": "13.3.x-scala2.12"})");
  fake->expect("GET", "/api/2.0/clusters/get")
      .respond_json(400, {{"error_code", "INVALID_PARAMETER_VALUE"},
                          {"message", "Cluster x does not exist"}});
  auto cluster = api.get("0925-141122-narcs242");
  REQUIRE(cluster.ok());
  CHECK(cluster->state_message == "Starting");
  CHECK(cluster->spark_version == "13.3.x-scala2.12");
  auto missing = api.get("x");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().error_code == "INVALID_PARAMETER_VALUE");
}

TEST_CASE_METHOD(ClustersFixture, "start, restart, terminate and permanent delete") {
  fake->expect("POST", "/api/2.0/clusters/start").with_json_body({{"cluster_id", "c"}});
  fake->expect("POST", "/api/2.0/clusters/restart").with_json_body({{"cluster_id", "c"}});
  fake->expect("POST", "/api/2.0/clusters/delete").with_json_body({{"cluster_id", "c"}});
  fake->expect("POST", "/api/2.0/clusters/permanent-delete").with_json_body({{"cluster_id", "c"}});
  CHECK(api.start("c").ok());
  CHECK(api.restart("c").ok());
  CHECK(api.terminate("c").ok());
  CHECK(api.permanent_delete("c").ok());
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(ClustersFixture, "spark versions and node types keep the whole response") {
  fake->expect("GET", "/api/2.0/clusters/spark-versions")
      .respond(200, R"({"versions": [{"key": "13.3.x", "name": "13.3 LTS"}], "extra": 1})");
  fake->expect("GET", "/api/2.0/clusters/list-node-types")
      .respond(200, R"({"node_types": [{"node_type_id": "Standard_DS3_v2", "num_cores": 4,
                                        "memory_mb": 14336, "category": "General"}]})");
  auto versions = api.spark_versions();
  REQUIRE(versions.ok());
  REQUIRE(versions->versions.size() == 1);
  CHECK(versions->versions[0].name == "13.3 LTS");
  CHECK(versions->raw["extra"] == 1);
  auto nodes = api.list_node_types();
  REQUIRE(nodes.ok());
  REQUIRE(nodes->node_types.size() == 1);
  CHECK(nodes->node_types[0].num_cores == 4);
  CHECK(nodes->node_types[0].memory_mb == 14336);
}

TEST_CASE_METHOD(ClustersFixture, "find by name: one, none, several") {
  const char* listing = R"({"clusters": [
      {"cluster_id": "1", "cluster_name": "etl"}, {"cluster_id": "2", "cluster_name": "ml"},
      {"cluster_id": "3", "cluster_name": "ml"}, {"cluster_id": "4", "cluster_name": "ETL2"}]})";
  fake->expect("GET", "/api/2.0/clusters/list").respond(200, listing).reusable();
  auto one = api.find_by_name("etl");
  REQUIRE(one.ok());
  CHECK(one->cluster_id == "1");
  auto none = api.find_by_name("ETL");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().error_code == dbk::error_codes::kNotFound);
  auto several = api.find_by_name("ml");
  REQUIRE_FALSE(several.ok());
  CHECK(several.error().error_code == dbk::error_codes::kInvalidArgument);
  CHECK(several.error().message.find("2, 3") != std::string::npos);
}
