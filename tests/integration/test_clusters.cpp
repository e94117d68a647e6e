// Clusters API through the client against the shared emulator.
#include <catch2/catch.hpp>

#include "integration_env.hpp"

using dbk::test::client_for;
using dbk::test::shared_emulator_url;

TEST_CASE("clusters: the local cluster is listed, found and described", "[integration][clusters]") {
  auto client = client_for(shared_emulator_url());
  auto clusters = client.clusters().list();
  REQUIRE(clusters.ok());
  REQUIRE_FALSE(clusters->empty());
  const auto& local = clusters->front();
  CHECK_FALSE(local.cluster_id.empty());

  auto got = client.clusters().get(local.cluster_id);
  REQUIRE(got.ok());
  CHECK(got->cluster_name == local.cluster_name);
  auto by_name = client.clusters().find_by_name(local.cluster_name);
  REQUIRE(by_name.ok());
  CHECK(by_name->cluster_id == local.cluster_id);

  auto missing = client.clusters().get("0000-000000-nothere");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().http_status == 400);
  CHECK(missing.error().error_code == "INVALID_PARAMETER_VALUE");
  CHECK(missing.error().is_not_found());

  auto versions = client.clusters().spark_versions();
  REQUIRE(versions.ok());
  auto node_types = client.clusters().list_node_types();
  REQUIRE(node_types.ok());
}
