// Workspace API through the client against the shared emulator.
#include <catch2/catch.hpp>

#include "integration_env.hpp"
#include "temp_dir.hpp"

using dbk::test::client_for;
using dbk::test::shared_emulator_url;
using dbk::test::unique_name;

namespace {
constexpr const char* kSource = "# Databricks notebook source\nprint('hi')\n";

dbk::ImportOptions python(bool overwrite = false) {
  dbk::ImportOptions options;
  options.language = "PYTHON";
  options.overwrite = overwrite;
  return options;
}
}  // namespace

TEST_CASE("workspace: import, status, list, export and delete a notebook",
          "[integration][workspace]") {
  auto client = client_for(shared_emulator_url());
  const std::string dir = "/Users/" + unique_name("ws");
  REQUIRE(client.workspace().mkdirs(dir + "/sub").ok());
  REQUIRE(client.workspace().import_object(dir + "/nb", kSource, python()).ok());

  auto status = client.workspace().get_status(dir + "/nb");
  REQUIRE(status.ok());
  CHECK(status->object_type == "NOTEBOOK");
  CHECK(status->language == "PYTHON");
  CHECK(status->path == dir + "/nb");
  CHECK(status->object_id > 0);

  auto listed = client.workspace().list(dir);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);

  auto exported = client.workspace().export_object(dir + "/nb");
  REQUIRE(exported.ok());
  CHECK(exported->content.find("print('hi')") != std::string::npos);

  auto empty = client.workspace().list(dir + "/sub");
  REQUIRE(empty.ok());
  CHECK(empty->empty());

  auto not_empty = client.workspace().remove(dir);
  REQUIRE_FALSE(not_empty.ok());
  CHECK(not_empty.error().http_status == 400);
  CHECK(not_empty.error().error_code == "DIRECTORY_NOT_EMPTY");
  REQUIRE(client.workspace().remove(dir, true).ok());
  CHECK(client.workspace().get_status(dir).error().is_not_found());
}

TEST_CASE("workspace: the service's errors come back as values", "[integration][workspace]") {
  auto client = client_for(shared_emulator_url());
  const std::string dir = "/Users/" + unique_name("ws-errors");
  REQUIRE(client.workspace().mkdirs(dir).ok());
  REQUIRE(client.workspace().import_object(dir + "/nb", kSource, python()).ok());

  auto again = client.workspace().import_object(dir + "/nb", kSource, python());
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().http_status == 400);
  CHECK(again.error().error_code == "RESOURCE_ALREADY_EXISTS");
  CHECK(client.workspace().import_object(dir + "/nb", kSource, python(true)).ok());

  auto missing = client.workspace().get_status(dir + "/nope");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().http_status == 404);
  CHECK(missing.error().error_code == "RESOURCE_DOES_NOT_EXIST");
  CHECK(missing.error().path == "/api/2.0/workspace/get-status");

  auto no_parent = client.workspace().import_object(dir + "/a/b/nb", kSource, python());
  REQUIRE_FALSE(no_parent.ok());
  CHECK(no_parent.error().http_status == 404);

  auto too_big =
      client.workspace().import_object(dir + "/big", std::string(10485761, 'x'), python());
  REQUIRE_FALSE(too_big.ok());
}

TEST_CASE("workspace: import_dir and export_dir round trip with the legacy mapping",
          "[integration][workspace]") {
  auto client = client_for(shared_emulator_url());
  dbk::test_support::TempDir local;
  local.write("src/etl.py", "# Databricks notebook source\nx = 1\n");
  local.write("src/plain.py", "y = 2\n");
  local.write("src/query.sql", "-- Databricks notebook source\nSELECT 1\n");
  local.write("src/nested/model.scala", "// Databricks notebook source\nval z = 3\n");
  local.write("src/readme.txt", "not a notebook\n");
  const std::string target = "/Users/" + unique_name("import-dir");

  auto imported = dbk::import_dir(client.workspace(), (local / "src").string(), target);
  REQUIRE(imported.ok());
  int done = 0, skipped = 0;
  for (const auto& result : *imported) {
    if (result.status == dbk::FileStatus::kDone) ++done;
    if (result.status == dbk::FileStatus::kSkipped) ++skipped;
  }
  // every .py becomes a notebook in legacy mode (docs/reference/rest-api.md §5.4)
  CHECK(done == 4);
  CHECK(skipped == 1);  // readme.txt
  CHECK(client.workspace().get_status(target + "/plain").ok());
  CHECK(client.workspace().get_status(target + "/nested/model")->language == "SCALA");

  auto exported = dbk::export_dir(client.workspace(), target, (local / "out").string());
  REQUIRE(exported.ok());
  CHECK(std::filesystem::exists(local / "out/etl.py"));
  CHECK(std::filesystem::exists(local / "out/query.sql"));
  CHECK(std::filesystem::exists(local / "out/nested/model.scala"));
}

TEST_CASE("workspace: AUTO import_dir only makes notebooks of headered files",
          "[integration][workspace]") {
  auto client = client_for(shared_emulator_url());
  dbk::test_support::TempDir local;
  local.write("etl.py", "# Databricks notebook source\nx = 1\n");
  local.write("helper.py", "def f():\n    return 1\n");
  const std::string target = "/Users/" + unique_name("import-auto");
  dbk::ImportDirOptions options;
  options.mode = dbk::ImportDirMode::kAuto;
  auto imported = dbk::import_dir(client.workspace(), local.path().string(), target, options);
  REQUIRE(imported.ok());
  CHECK(client.workspace().get_status(target + "/etl")->object_type == "NOTEBOOK");
  CHECK_FALSE(client.workspace().get_status(target + "/helper").ok());
}
