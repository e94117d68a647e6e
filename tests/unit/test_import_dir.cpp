#include <catch2/catch.hpp>

#include "api_caller.hpp"
#include "dbk/base64.hpp"
#include "dbk/retry.hpp"
#include "dbk/testing/fake_clock.hpp"
#include "dbk/testing/fake_transport.hpp"
#include "dbk/transfer.hpp"
#include "dbk/workspace.hpp"
#include "temp_dir.hpp"

using dbk::test_support::read_file;
using dbk::test_support::TempDir;
using dbk::testing::FakeTransport;
using nlohmann::json;

namespace {
struct ImportDirFixture {
  std::shared_ptr<FakeTransport> fake =
      std::make_shared<FakeTransport>(FakeTransport::Order::kAnyOrder);
  dbk::WorkspaceApi api{std::make_shared<dbk::detail::ApiCaller>("https://h", fake)};
  TempDir dir;

  // path → import body, for every import request sent.
  std::map<std::string, json> imports() const {
    std::map<std::string, json> out;
    for (const auto& request : fake->requests()) {
      if (request.url.find("/workspace/import") == std::string::npos) continue;
      auto body = json::parse(request.body);
      out[body["path"].get<std::string>()] = body;
    }
    return out;
  }

  std::vector<std::string> mkdirs() const {
    std::vector<std::string> out;
    for (const auto& request : fake->requests()) {
      if (request.url.find("/workspace/mkdirs") == std::string::npos) continue;
      out.push_back(json::parse(request.body)["path"]);
    }
    return out;
  }
};

void check_mapping(const std::string& name, const char* language, const char* format,
                   const char* target) {
  INFO(name);
  auto mapping = dbk::legacy_notebook_mapping(name);
  REQUIRE(mapping);
  CHECK(mapping->language == language);
  CHECK(mapping->format == format);
  CHECK(mapping->target_name == target);
}
}  // namespace

TEST_CASE("the legacy extension table (docs/reference/rest-api.md §5.4)") {
  check_mapping("a.scala", "SCALA", "SOURCE", "a");
  check_mapping("a.py", "PYTHON", "SOURCE", "a");
  check_mapping("a.sql", "SQL", "SOURCE", "a");
  check_mapping("a.SQL", "SQL", "SOURCE", "a");
  check_mapping("a.r", "R", "SOURCE", "a");
  check_mapping("a.R", "R", "SOURCE", "a");
  check_mapping("a.ipynb", "PYTHON", "JUPYTER", "a");
  check_mapping("a.html", "", "HTML", "a");
  check_mapping("a.dbc", "", "DBC", "a");
  check_mapping("my.model.py", "PYTHON", "SOURCE", "my.model");
  check_mapping(".hidden.py", "PYTHON", "SOURCE", ".hidden");
  for (const char* skipped : {"a.PY", "a.Scala", "a.txt", "a.csv", "README", "a.py.bak", ".py"}) {
    INFO(skipped);
    CHECK_FALSE(dbk::legacy_notebook_mapping(skipped));
  }
}

TEST_CASE("AUTO mode needs the notebook header") {
  auto python = dbk::auto_notebook_mapping("a.py", "# Databricks notebook source\nprint(1)\n");
  REQUIRE(python);
  CHECK(python->language == "PYTHON");
  CHECK(python->format == "SOURCE");
  CHECK(python->target_name == "a");
  auto sql = dbk::auto_notebook_mapping("q.sql", "-- Databricks notebook source\r\nselect 1");
  REQUIRE(sql);
  CHECK(sql->language == "SQL");
  auto scala = dbk::auto_notebook_mapping("s.scala", "// Databricks notebook source\n");
  REQUIRE(scala);
  CHECK(scala->language == "SCALA");
  auto r = dbk::auto_notebook_mapping("x.R", "# Databricks notebook source\n");
  REQUIRE(r);
  CHECK(r->language == "R");
  CHECK(r->target_name == "x");
  auto notebook = dbk::auto_notebook_mapping("n.ipynb", "{}");
  REQUIRE(notebook);
  CHECK(notebook->format == "JUPYTER");
  CHECK(notebook->target_name == "n");
  CHECK_FALSE(dbk::auto_notebook_mapping("lib.py", "import os\n"));
  CHECK_FALSE(dbk::auto_notebook_mapping("data.csv", "a,b\n"));
  CHECK_FALSE(dbk::auto_notebook_mapping("late.py", "\n# Databricks notebook source\n"));
}

TEST_CASE("export extensions come from the language") {
  CHECK(dbk::extension_for_language("PYTHON") == ".py");
  CHECK(dbk::extension_for_language("SCALA") == ".scala");
  CHECK(dbk::extension_for_language("SQL") == ".sql");
  CHECK(dbk::extension_for_language("R") == ".r");
  CHECK(dbk::extension_for_language("") == "");
}

TEST_CASE_METHOD(ImportDirFixture, "legacy import_dir maps, strips, recurses and skips") {
  dir.write("nb/01_ingest.py", "print(1)");
  dir.write("nb/query.SQL", "select 1");
  dir.write("nb/sub/model.scala", "val x = 1");
  dir.write("nb/sub/report.html", "<html/>");
  dir.write("nb/notes.txt", "hi");
  dir.write("nb/.hidden.r", "x <- 1");
  std::filesystem::create_directories(dir / "nb/empty");
  fake->expect("POST", "/api/2.0/workspace/mkdirs").reusable();
  fake->expect("POST", "/api/2.0/workspace/import").reusable();
  auto results = dbk::import_dir(api, (dir / "nb").string(), "/Users/me/notebooks");
  REQUIRE(results.ok());
  std::vector<std::string> lines;
  for (const auto& result : *results) {
    lines.push_back(result.src.substr(dir.path().string().size()) + " -> " + result.dst);
  }
  CHECK(lines == std::vector<std::string>{
                     "/nb/.hidden.r -> /Users/me/notebooks/.hidden",
                     "/nb/01_ingest.py -> /Users/me/notebooks/01_ingest",
                     "/nb/notes.txt -> ",
                     "/nb/query.SQL -> /Users/me/notebooks/query",
                     "/nb/sub/model.scala -> /Users/me/notebooks/sub/model",
                     "/nb/sub/report.html -> /Users/me/notebooks/sub/report",
                 });
  CHECK((*results)[2].status == dbk::FileStatus::kSkipped);
  CHECK((*results)[2].message.find("does not have a valid extension of .scala, .py, .sql, .SQL, "
                                   ".r, .R, .ipynb, .html, .dbc") != std::string::npos);
  CHECK(mkdirs() == std::vector<std::string>{"/Users/me/notebooks", "/Users/me/notebooks/empty",
                                             "/Users/me/notebooks/sub"});
  auto sent = imports();
  REQUIRE(sent.size() == 5);
  auto ingest = sent["/Users/me/notebooks/01_ingest"];
  CHECK(ingest["language"] == "PYTHON");
  CHECK(ingest["format"] == "SOURCE");
  CHECK(ingest["overwrite"] == false);
  CHECK(ingest["content"] == dbk::base64_encode("print(1)"));
  CHECK(sent["/Users/me/notebooks/query"]["language"] == "SQL");
  CHECK(sent["/Users/me/notebooks/sub/report"]["format"] == "HTML");
  CHECK_FALSE(sent["/Users/me/notebooks/sub/report"].contains("language"));
  CHECK(sent["/Users/me/notebooks/.hidden"]["language"] == "R");
}

TEST_CASE_METHOD(ImportDirFixture, "exclude_hidden skips dot files and dot directories") {
  dir.write("nb/a.py", "1");
  dir.write("nb/.b.py", "2");
  dir.write("nb/.git/c.py", "3");
  fake->expect("POST", "/api/2.0/workspace/mkdirs").reusable();
  fake->expect("POST", "/api/2.0/workspace/import").reusable();
  dbk::ImportDirOptions options;
  options.exclude_hidden = true;
  auto results = dbk::import_dir(api, (dir / "nb").string(), "/t", options);
  REQUIRE(results.ok());
  REQUIRE(results->size() == 1);
  CHECK((*results)[0].dst == "/t/a");
  CHECK(mkdirs() == std::vector<std::string>{"/t"});
}

TEST_CASE_METHOD(ImportDirFixture, "AUTO import_dir imports only headed sources and notebooks") {
  dir.write("src/job.py", "# Databricks notebook source\nprint(1)\n");
  dir.write("src/helpers.py", "def f(): pass\n");
  dir.write("src/analysis.ipynb", "{\"cells\": []}");
  dir.write("src/data.csv", "a,b\n");
  fake->expect("POST", "/api/2.0/workspace/mkdirs").reusable();
  fake->expect("POST", "/api/2.0/workspace/import").reusable();
  dbk::ImportDirOptions options;
  options.mode = dbk::ImportDirMode::kAuto;
  options.overwrite = true;
  auto results = dbk::import_dir(api, (dir / "src").string(), "/w", options);
  REQUIRE(results.ok());
  REQUIRE(results->size() == 4);
  // Sorted: analysis.ipynb, data.csv, helpers.py, job.py
  CHECK((*results)[0].status == dbk::FileStatus::kDone);
  CHECK((*results)[1].status == dbk::FileStatus::kSkipped);
  CHECK((*results)[2].status == dbk::FileStatus::kSkipped);
  CHECK((*results)[3].status == dbk::FileStatus::kDone);
  auto sent = imports();
  REQUIRE(sent.size() == 2);
  CHECK(sent["/w/analysis"]["format"] == "JUPYTER");
  CHECK(sent["/w/job"]["language"] == "PYTHON");
  CHECK(sent["/w/job"]["overwrite"] == true);
}

TEST_CASE_METHOD(ImportDirFixture, "without overwrite an existing notebook stops the import") {
  dir.write("nb/a.py", "1");
  dir.write("nb/b.py", "2");
  dir.write("nb/c.py", "3");
  fake->expect("POST", "/api/2.0/workspace/mkdirs").reusable();
  fake->expect("POST", "/api/2.0/workspace/import")
      .with_json_body({{"path", "/t/a"},
                       {"format", "SOURCE"},
                       {"language", "PYTHON"},
                       {"content", dbk::base64_encode("1")},
                       {"overwrite", false}})
      .respond_json(400, {{"error_code", "RESOURCE_ALREADY_EXISTS"},
                          {"message", "Path (/t/a) already exists."}});
  fake->expect("POST", "/api/2.0/workspace/import").reusable();
  dbk::ImportDirOptions options;
  options.parallelism = 1;
  auto stopped = dbk::import_dir(api, (dir / "nb").string(), "/t", options);
  REQUIRE(stopped.ok());
  CHECK((*stopped)[0].status == dbk::FileStatus::kFailed);
  CHECK((*stopped)[0].error->error_code == "RESOURCE_ALREADY_EXISTS");
  CHECK((*stopped)[1].status == dbk::FileStatus::kNotStarted);
  CHECK((*stopped)[2].status == dbk::FileStatus::kNotStarted);
  CHECK_FALSE(dbk::all_succeeded(*stopped));
}

TEST_CASE_METHOD(ImportDirFixture, "continue_on_error imports the rest") {
  dir.write("nb/a.py", "1");
  dir.write("nb/b.py", "2");
  fake->expect("POST", "/api/2.0/workspace/mkdirs").reusable();
  fake->expect("POST", "/api/2.0/workspace/import")
      .matching([](const dbk::HttpRequest& r) {
        return r.body.str().find("\"/t/a\"") != std::string::npos;
      })
      .respond_json(400, {{"error_code", "RESOURCE_ALREADY_EXISTS"}, {"message", "exists"}});
  fake->expect("POST", "/api/2.0/workspace/import").reusable();
  dbk::ImportDirOptions options;
  options.continue_on_error = true;
  auto results = dbk::import_dir(api, (dir / "nb").string(), "/t", options);
  REQUIRE(results.ok());
  CHECK((*results)[0].status == dbk::FileStatus::kFailed);
  CHECK((*results)[1].status == dbk::FileStatus::kDone);
}

TEST_CASE_METHOD(ImportDirFixture,
                 "a missing local directory or a failing mkdirs fails as a whole") {
  auto missing = dbk::import_dir(api, (dir / "none").string(), "/t");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().error_code == dbk::error_codes::kInvalidArgument);
  dir.write("nb/a.py", "1");
  fake->expect("POST", "/api/2.0/workspace/mkdirs")
      .respond_json(400, {{"error_code", "RESOURCE_ALREADY_EXISTS"}, {"message", "a file"}});
  auto refused = dbk::import_dir(api, (dir / "nb").string(), "/t");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().error_code == "RESOURCE_ALREADY_EXISTS");
  CHECK(imports().empty());
}

TEST_CASE_METHOD(ImportDirFixture, "export_dir writes notebooks as SOURCE and skips the rest") {
  fake->expect("GET", "/api/2.0/workspace/list")
      .with_query("path=%2Fw")
      .respond(200, R"({"objects": [
          {"object_type": "NOTEBOOK", "path": "/w/etl", "language": "PYTHON"},
          {"object_type": "DIRECTORY", "path": "/w/sub"},
          {"object_type": "LIBRARY", "path": "/w/lib"},
          {"object_type": "NOTEBOOK", "path": "/w/stats", "language": "R"}]})");
  fake->expect("GET", "/api/2.0/workspace/list")
      .with_query("path=%2Fw%2Fsub")
      .respond(200, R"({"objects": [{"object_type": "NOTEBOOK", "path": "/w/sub/q",
                                     "language": "SQL"}]})");
  for (const char* path : {"/w/etl", "/w/stats", "/w/sub/q"}) {
    fake->expect("GET", "/api/2.0/workspace/export")
        .matching([path](const dbk::HttpRequest& r) {
          return r.url.find(dbk::url_encode(path) + "&format=SOURCE") != std::string::npos;
        })
        .respond_json(200, {{"content", dbk::base64_encode(std::string("code of ") + path)}});
  }
  dir.write("out/stats.r", "local");
  auto results = dbk::export_dir(api, "/w", (dir / "out").string());
  REQUIRE(results.ok());
  REQUIRE(results->size() == 4);
  CHECK((*results)[0].src == "/w/etl");
  CHECK((*results)[0].status == dbk::FileStatus::kDone);
  CHECK((*results)[1].status == dbk::FileStatus::kSkipped);
  CHECK((*results)[1].message == "/w/lib is neither a dir or a notebook. Skip.");
  CHECK((*results)[2].status == dbk::FileStatus::kSkipped);
  CHECK((*results)[2].message.find("already exists locally as") != std::string::npos);
  CHECK((*results)[3].src == "/w/sub/q");
  CHECK(read_file(dir / "out/etl.py") == "code of /w/etl");
  CHECK(read_file(dir / "out/sub/q.sql") == "code of /w/sub/q");
  CHECK(read_file(dir / "out/stats.r") == "local");
}

TEST_CASE_METHOD(ImportDirFixture, "import_dir does not follow a symlink cycle forever") {
  dir.write("nb/a.py", "1");
  std::filesystem::create_directory_symlink(dir / "nb", dir / "nb/again");
  fake->expect("POST", "/api/2.0/workspace/mkdirs").reusable();
  fake->expect("POST", "/api/2.0/workspace/import").reusable();
  auto results = dbk::import_dir(api, (dir / "nb").string(), "/t");
  REQUIRE(results.ok());
  REQUIRE(results->size() == 1);
  CHECK((*results)[0].dst == "/t/a");
}

TEST_CASE_METHOD(ImportDirFixture,
                 "export_dir never writes outside its target for a hostile listing") {
  // A server listing ".." (a file or a directory) once made export_dir write next to
  // its target; such entries now fail on their own and nothing leaves `out`.
  fake->expect("GET", "/api/2.0/workspace/list")
      .with_query("path=%2Fw")
      .respond(200, R"({"objects": [
          {"object_type": "NOTEBOOK", "path": "/w/..", "language": "PYTHON"},
          {"object_type": "DIRECTORY", "path": "/w/sub/.."},
          {"object_type": "NOTEBOOK", "path": "/w/.", "language": "SQL"},
          {"object_type": "NOTEBOOK", "path": "/w/", "language": "SQL"},
          {"object_type": "NOTEBOOK", "path": "/w/ok", "language": "PYTHON"}]})");
  fake->expect("GET", "/api/2.0/workspace/export")
      .respond_json(200, {{"content", dbk::base64_encode("fine")}})
      .reusable();
  auto results = dbk::export_dir(api, "/w", (dir / "out").string());
  REQUIRE(results.ok());
  REQUIRE(results->size() == 5);
  int failed = 0;
  for (const auto& result : *results) {
    if (result.src == "/w/ok") {
      CHECK(result.status == dbk::FileStatus::kDone);
      continue;
    }
    INFO(result.src);
    CHECK(result.status == dbk::FileStatus::kFailed);
    REQUIRE(result.error);
    CHECK(result.error->error_code == "INVALID_RESPONSE");
    ++failed;
  }
  CHECK(failed == 4);
  CHECK(read_file(dir / "out/ok.py") == "fine");
  // Only `out` (and the fixture's own files) exist in the temporary folder.
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    names.push_back(entry.path().filename().string());
  }
  CHECK(names == std::vector<std::string>{"out"});
  // Only the one good notebook was exported.
  int exports = 0;
  for (const auto& request : fake->requests()) {
    if (request.url.find("/workspace/export") != std::string::npos) ++exports;
  }
  CHECK(exports == 1);
}

TEST_CASE("a server path is a local file name only when its last part is usable") {
  CHECK(dbk::local_file_name("/w/nb", "/w").value() == "nb");
  for (const std::string& bad :
       std::vector<std::string>{"/w/..", "/w/.", "/w/", "", "..", std::string("/w/a\0b", 6)}) {
    INFO(bad);
    auto name = dbk::local_file_name(bad, "/w");
    REQUIRE_FALSE(name.ok());
    CHECK(name.error().error_code == "INVALID_RESPONSE");
  }
}

TEST_CASE("import_dir recognises a notebook its own lost-response import put there") {
  auto fake = std::make_shared<FakeTransport>();
  auto clock = std::make_shared<dbk::testing::FakeClock>();
  dbk::WorkspaceApi api{std::make_shared<dbk::detail::ApiCaller>(
      "https://h", dbk::make_retrying_transport(
                       fake, {}, clock, std::make_shared<dbk::testing::FakeSleeper>(clock)))};
  TempDir dir;
  dir.write("nb/a.py", "print(1)\n");
  dir.write("nb/b.py", "print(2)\n");
  dir.write("nb/c.py", "print(3)\n");
  auto reset = dbk::make_error("CONNECTION_ERROR", "request failed: Connection reset by peer");
  json exists = {{"error_code", "RESOURCE_ALREADY_EXISTS"}, {"message", "exists"}};
  fake->expect("POST", "/api/2.0/workspace/mkdirs");
  // a: done by the lost first attempt; the export shows the imported source.
  fake->expect("POST", "/api/2.0/workspace/import").fail(reset);
  fake->expect("POST", "/api/2.0/workspace/import").respond_json(400, exists);
  fake->expect("GET", "/api/2.0/workspace/export")
      .respond_json(200,
                    {{"content", dbk::base64_encode("# Databricks notebook source\nprint(1)\n")}});
  // b: someone else's notebook was there: b fails, c is still imported.
  fake->expect("POST", "/api/2.0/workspace/import").fail(reset);
  fake->expect("POST", "/api/2.0/workspace/import").respond_json(400, exists);
  fake->expect("GET", "/api/2.0/workspace/export")
      .respond_json(200, {{"content", dbk::base64_encode("print('other')\n")}});
  fake->expect("POST", "/api/2.0/workspace/import");
  dbk::ImportDirOptions options;
  options.parallelism = 1;
  auto results = dbk::import_dir(api, (dir / "nb").string(), "/t", options);
  REQUIRE(results.ok());
  REQUIRE(results->size() == 3);
  CHECK((*results)[0].status == dbk::FileStatus::kDone);
  CHECK((*results)[1].status == dbk::FileStatus::kFailed);
  CHECK((*results)[2].status == dbk::FileStatus::kDone);
  CHECK(fake->all_consumed());
}
