#include <catch2/catch.hpp>

#include "api_caller.hpp"
#include "dbk/base64.hpp"
#include "dbk/testing/fake_transport.hpp"
#include "dbk/workspace.hpp"

using dbk::testing::FakeTransport;
using nlohmann::json;

namespace {
struct WorkspaceFixture {
  std::shared_ptr<FakeTransport> fake = std::make_shared<FakeTransport>();
  dbk::WorkspaceApi api{std::make_shared<dbk::detail::ApiCaller>("https://h", fake)};
  json body(std::size_t i) const { return json::parse(fake->requests().at(i).body); }
};
}  // namespace

TEST_CASE_METHOD(WorkspaceFixture, "workspace list parses objects and keeps unknown fields") {
  fake->expect("GET", "/api/2.0/workspace/list")
      .with_query("path=%2FUsers%2Fme")
      .respond(200, R"({"objects": [
          {"object_type": "DIRECTORY", "path": "/Users/me/d", "object_id": 1},
          {"object_type": "NOTEBOOK", "path": "/Users/me/n", "language": "SQL",
           "object_id": 2, "new_thing": "kept"}]})");
  auto objects = api.list("/Users/me");
  REQUIRE(objects.ok());
  REQUIRE(objects->size() == 2);
  CHECK((*objects)[0].is_directory());
  CHECK((*objects)[1].language == "SQL");
  CHECK((*objects)[1].raw["new_thing"] == "kept");
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(WorkspaceFixture, "an empty directory has no objects key") {
  fake->expect("GET", "/api/2.0/workspace/list").respond(200, "{}");
  auto objects = api.list("/empty");
  REQUIRE(objects.ok());
  CHECK(objects->empty());
}

TEST_CASE_METHOD(WorkspaceFixture, "get-status and missing paths") {
  fake->expect("GET", "/api/2.0/workspace/get-status")
      .with_query("path=%2Fa")
      .respond(200, R"({"object_type": "FILE", "path": "/a", "object_id": 4})");
  fake->expect("GET", "/api/2.0/workspace/get-status")
      .respond_json(404, {{"error_code", "RESOURCE_DOES_NOT_EXIST"},
                          {"message", "Path (/b) doesn't exist."}});
  auto found = api.get_status("/a");
  REQUIRE(found.ok());
  CHECK(found->object_type == "FILE");
  auto missing = api.get_status("/b");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().error_code == "RESOURCE_DOES_NOT_EXIST");
  CHECK(missing.error().http_status == 404);
}

TEST_CASE_METHOD(WorkspaceFixture, "import base64-encodes the content and sends the options") {
  fake->expect("POST", "/api/2.0/workspace/import").respond(200, "{}");
  dbk::ImportOptions options;
  options.language = "PYTHON";
  options.overwrite = true;
  std::string content = "# Databricks notebook source\nprint(1)\n\xff";
  REQUIRE(api.import_object("/Users/me/nb", content, options).ok());
  auto sent = body(0);
  CHECK(sent["path"] == "/Users/me/nb");
  CHECK(sent["format"] == "SOURCE");
  CHECK(sent["language"] == "PYTHON");
  CHECK(sent["overwrite"] == true);
  CHECK(sent["content"] == dbk::base64_encode(content));
}

TEST_CASE_METHOD(WorkspaceFixture, "import without a language does not send one") {
  fake->expect("POST", "/api/2.0/workspace/import").respond(200, "{}");
  dbk::ImportOptions options;
  options.format = "DBC";
  REQUIRE(api.import_object("/x", "abc", options).ok());
  CHECK_FALSE(body(0).contains("language"));
  CHECK(body(0)["overwrite"] == false);
}

TEST_CASE_METHOD(WorkspaceFixture, "import over 10 MB fails before sending") {
  std::string big(dbk::kMaxWorkspaceImportBytes + 1, 'x');
  auto status = api.import_object("/big", big);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().error_code == dbk::error_codes::kInvalidArgument);
  CHECK(fake->requests().empty());
  // Exactly 10 MB is the server's business.
  fake->expect("POST", "/api/2.0/workspace/import").respond(200, "{}");
  CHECK(api.import_object("/ok", std::string(dbk::kMaxWorkspaceImportBytes, 'x')).ok());
}

TEST_CASE_METHOD(WorkspaceFixture, "export decodes the content") {
  fake->expect("GET", "/api/2.0/workspace/export")
      .with_query("path=%2Fnb&format=SOURCE")
      .respond_json(200, {{"content", dbk::base64_encode("print(1)")}, {"file_type", "py"}});
  auto exported = api.export_object("/nb");
  REQUIRE(exported.ok());
  CHECK(exported->content == "print(1)");
  CHECK(exported->file_type == "py");
  CHECK_FALSE(exported->raw.contains("content"));
}

TEST_CASE_METHOD(WorkspaceFixture, "export with invalid base64 is an invalid response") {
  fake->expect("GET", "/api/2.0/workspace/export").respond(200, R"({"content": "!!"})");
  auto exported = api.export_object("/nb");
  REQUIRE_FALSE(exported.ok());
  CHECK(exported.error().error_code == dbk::error_codes::kInvalidResponse);
}

TEST_CASE_METHOD(WorkspaceFixture, "mkdirs and delete send their bodies") {
  fake->expect("POST", "/api/2.0/workspace/mkdirs").with_json_body({{"path", "/a/b"}});
  fake->expect("POST", "/api/2.0/workspace/delete")
      .with_json_body({{"path", "/a"}, {"recursive", true}});
  fake->expect("POST", "/api/2.0/workspace/delete")
      .respond_json(400, {{"error_code", "DIRECTORY_NOT_EMPTY"}, {"message", "not empty"}});
  CHECK(api.mkdirs("/a/b").ok());
  CHECK(api.remove("/a", true).ok());
  auto refused = api.remove("/a");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().error_code == "DIRECTORY_NOT_EMPTY");
  CHECK(body(2)["recursive"] == false);
  CHECK(fake->all_consumed());
}
