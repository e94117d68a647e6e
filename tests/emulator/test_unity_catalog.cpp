#include <catch2/catch.hpp>

#include "jobs_support/jobs_harness.hpp"
#include "temp_dir.hpp"
#include "unity_catalog/unity_catalog_service.hpp"

using dbk::emulator::testing::JobsHarness;
using nlohmann::json;

namespace {

constexpr const char* kUc = "/api/2.1/unity-catalog/";

// The Unity Catalog service on the harness's router, recovered as the emulator does it.
struct UcHarness {
  explicit UcHarness(std::filesystem::path state = {}) : h(std::move(state)) {
    uc.recover();
    uc.register_routes(h.router);
  }
  dbk::emulator::testing::Reply get(const std::string& path) { return h.get(kUc + path); }
  dbk::emulator::testing::Reply post(const std::string& path, const json& body) {
    return h.post(kUc + path, body);
  }
  dbk::emulator::testing::Reply call(const std::string& method, const std::string& path,
                                     const json& body = nullptr) {
    return h.call(method, kUc + path, body);
  }
  JobsHarness h;
  dbk::emulator::UnityCatalogService uc{*h.context};
};

}  // namespace

TEST_CASE("unity catalog: one metastore, assigned to the workspace", "[unity-catalog]") {
  UcHarness s;
  auto assignment = s.get("current-metastore-assignment");
  REQUIRE(assignment.status == 200);
  CHECK(assignment.body["workspace_id"] == 1);
  CHECK(assignment.body["default_catalog_name"] == "hive_metastore");
  const std::string id = assignment.body["metastore_id"];
  CHECK(s.get("metastore_summary").body["metastore_id"] == id);
  CHECK(s.get("metastores/" + id).body["name"] == "emulator-metastore");
  CHECK(s.get("metastores").body["metastores"].size() == 1);
  auto missing = s.get("metastores/nope");
  CHECK(missing.status == 404);
  CHECK(missing.body["error_code"] == "METASTORE_DOES_NOT_EXIST");

  auto created = s.post("metastores", {{"name", "second"}, {"storage_root", "s3://b/r"}});
  REQUIRE(created.status == 200);
  const std::string second = created.body["metastore_id"];
  CHECK(second != id);
  // Legacy sends every flag of update, the unset ones as null.
  auto renamed = s.call("PATCH", "metastores/" + second, {{"name", "renamed"}, {"owner", nullptr}});
  CHECK(renamed.body["name"] == "renamed");
  CHECK(s.call("PUT", "workspaces/1/metastore", {{"metastore_id", second}}).status == 200);
  CHECK(s.get("current-metastore-assignment").body["metastore_id"] == second);
  // Unassigning another metastore than the assigned one is refused.
  CHECK(s.call("DELETE", "workspaces/1/metastore?metastore_id=" + id).status == 400);
  CHECK(s.call("DELETE", "workspaces/1/metastore?metastore_id=" + second).status == 200);
  auto none = s.get("catalogs");
  CHECK(none.status == 404);
  CHECK(none.body["message"] == "No metastore assigned for the current workspace.");
  CHECK(s.get("metastore_summary").status == 404);
  CHECK(s.call("DELETE", "metastores/" + second).status == 200);
  CHECK(s.get("metastores/" + second).status == 404);
  CHECK(s.call("PUT", "workspaces/abc/metastore", {{"metastore_id", id}}).status == 400);
}

TEST_CASE("unity catalog: catalogs, schemas and tables", "[unity-catalog]") {
  UcHarness s;
  auto created = s.post("catalogs", {{"name", "Sales"}, {"comment", "c"}});
  REQUIRE(created.status == 200);
  CHECK(created.body["name"] == "sales");  // names are stored in lower case
  CHECK(created.body["catalog_type"] == "MANAGED_CATALOG");
  auto again = s.post("catalogs", {{"name", "sales"}});
  CHECK(again.status == 409);
  CHECK(again.body["error_code"] == "CATALOG_ALREADY_EXISTS");
  auto schemas = s.get("schemas?catalog_name=sales");
  REQUIRE(schemas.body["schemas"].size() == 2);  // default and information_schema
  CHECK(schemas.body["schemas"][0]["full_name"] == "sales.default");

  REQUIRE(s.post("schemas", {{"catalog_name", "sales"}, {"name", "raw"}}).status == 200);
  auto no_catalog = s.post("schemas", {{"catalog_name", "nope"}, {"name", "raw"}});
  CHECK(no_catalog.status == 404);
  CHECK(no_catalog.body["error_code"] == "CATALOG_DOES_NOT_EXIST");
  CHECK(no_catalog.body["message"] == "Catalog 'nope' does not exist.");
  REQUIRE(s.post("tables", {{"catalog_name", "sales"},
                            {"schema_name", "raw"},
                            {"name", "t1"},
                            {"columns", json::array()}})
              .status == 200);
  auto table = s.get("tables/sales.raw.t1");
  CHECK(table.body["full_name"] == "sales.raw.t1");
  CHECK(table.body["table_type"] == "MANAGED");
  CHECK(s.get("tables?catalog_name=sales&schema_name=raw").body["tables"].size() == 1);
  CHECK(s.get("table-summaries?catalog_name=sales").body["tables"][0]["full_name"] ==
        "sales.raw.t1");

  // Not empty: refused without force.
  auto busy = s.call("DELETE", "schemas/sales.raw");
  CHECK(busy.status == 400);
  CHECK(busy.body["error_code"] == "SCHEMA_NOT_EMPTY");
  CHECK(s.call("DELETE", "catalogs/sales").body["error_code"] == "CATALOG_NOT_EMPTY");

  // A rename carries the children along.
  auto renamed = s.call("PATCH", "catalogs/sales", {{"new_name", "revenue"}, {"comment", "r"}});
  REQUIRE(renamed.status == 200);
  CHECK(renamed.body["comment"] == "r");
  CHECK(s.get("catalogs/sales").body["error_code"] == "CATALOG_DOES_NOT_EXIST");
  CHECK(s.get("tables/revenue.raw.t1").body["catalog_name"] == "revenue");
  CHECK(s.get("schemas/revenue.raw").body["full_name"] == "revenue.raw");

  CHECK(s.call("DELETE", "tables/revenue.raw.t1").status == 200);
  auto gone = s.get("tables/revenue.raw.t1");
  CHECK(gone.status == 404);
  CHECK(gone.body["error_code"] == "TABLE_DOES_NOT_EXIST");
  CHECK(s.call("DELETE", "schemas/revenue.information_schema").status == 403);
  CHECK(s.call("DELETE", "catalogs/revenue?force=true").status == 200);
  CHECK(s.get("schemas/revenue.raw").status == 404);
  CHECK(s.get("catalogs").body == json::object());
}

TEST_CASE("unity catalog: hostile names are refused", "[unity-catalog]") {
  UcHarness s;
  for (const std::string bad : {std::string("a.b"), std::string("a b"), std::string("a/b"),
                                std::string("a\nb"), std::string(256, 'x'), std::string()}) {
    auto refused = s.post("catalogs", {{"name", bad}});
    CHECK(refused.status == 400);
    CHECK(refused.body["error_code"] == "INVALID_PARAMETER_VALUE");
    CHECK(refused.body["message"].get<std::string>().find('\n') == std::string::npos);
  }
  CHECK(s.post("catalogs", {{"name", std::string(255, 'x')}}).status == 200);
  // Path traversal and malformed full names.
  for (const char* path : {"catalogs/..", "catalogs/a%2F..%2Fb", "schemas/onlyone", "schemas/a.b.c",
                           "tables/a.b", "tables/a..b"}) {
    auto refused = s.get(path);
    INFO(path);
    CHECK(refused.status == 400);
    CHECK(refused.body["error_code"] == "INVALID_PARAMETER_VALUE");
  }
  CHECK(s.get("catalogs?max_results=-1").status == 400);
  CHECK(s.get("catalogs?max_results=x").status == 400);
}

TEST_CASE("unity catalog: lists page with max_results and page_token", "[unity-catalog]") {
  UcHarness s;
  for (const char* name : {"c1", "c2", "c3"})
    REQUIRE(s.post("catalogs", {{"name", name}}).status == 200);
  auto first = s.get("catalogs?max_results=2");
  REQUIRE(first.body["catalogs"].size() == 2);
  const std::string token = first.body["next_page_token"];
  auto second = s.get("catalogs?max_results=2&page_token=" + token);
  REQUIRE(second.body["catalogs"].size() == 1);
  CHECK(second.body["catalogs"][0]["name"] == "c3");
  CHECK_FALSE(second.body.contains("next_page_token"));
  CHECK(s.get("catalogs").body["catalogs"].size() == 3);  // unpaginated: everything
}

TEST_CASE("unity catalog: state survives a restart", "[unity-catalog][durability]") {
  dbk::test_support::TempDir dir;
  std::string metastore;
  {
    UcHarness s(dir.path());
    REQUIRE(s.post("catalogs", {{"name", "kept"}}).status == 200);
    REQUIRE(s.post("schemas", {{"catalog_name", "kept"}, {"name", "s"}}).status == 200);
    metastore = s.get("metastore_summary").body["metastore_id"];
    // Deleting the seeded metastore sticks: a restart does not bring it back.
    REQUIRE(s.post("metastores", {{"name", "other"}}).status == 200);
  }
  {
    UcHarness s(dir.path());
    CHECK(s.get("metastore_summary").body["metastore_id"] == metastore);
    CHECK(s.get("schemas/kept.s").status == 200);
    CHECK(s.get("metastores").body["metastores"].size() == 2);
    REQUIRE(s.call("DELETE", "metastores/" + metastore + "?force=true").status == 200);
  }
  UcHarness after(dir.path());
  CHECK(after.get("metastores").body["metastores"].size() == 1);
  CHECK(after.get("catalogs").status == 404);
}
