#include <catch2/catch.hpp>

#include "emulator_fixture.hpp"

using namespace dbk::emulator::testing;
using nlohmann::json;

namespace {

const std::string kNotebook =
    "# Databricks notebook source\n"
    "# MAGIC %md\n"
    "# MAGIC # Title\n"
    "\n"
    "# COMMAND ----------\n"
    "\n"
    "x = 1\n"
    "print(x)\n"
    "\n"
    "# COMMAND ----------\n"
    "\n"
    "# MAGIC %sql\n"
    "# MAGIC SELECT 1\n";

HttpReply import(HttpClient& c, const std::string& path, const std::string& content,
                 json extra = json::object()) {
  json body = {{"path", path}, {"content", b64(content)}};
  for (auto& [k, v] : extra.items()) body[k] = v;
  return c.post("/api/2.0/workspace/import", body);
}

json status(HttpClient& c, const std::string& path) {
  return c.get("/api/2.0/workspace/get-status?path=" + q(path)).json();
}

}  // namespace

TEST_CASE("workspace starts with /Users and /Shared", "[emulator][workspace]") {
  TestEmulator emu;
  auto c = emu.client();
  auto root = c.get("/api/2.0/workspace/list?path=/");
  REQUIRE(root.status == 200);
  auto objects = root.json()["objects"];
  REQUIRE(objects.size() == 2);
  CHECK(objects[0]["path"] == "/Shared");
  CHECK(objects[1]["path"] == "/Users");
  CHECK(objects[1]["object_type"] == "DIRECTORY");
  CHECK(objects[1]["object_id"].is_number_integer());
  // Empty folders omit the key.
  CHECK(c.get("/api/2.0/workspace/list?path=/Shared").json() == json::object());
  // The current user's home folder exists, as on every real workspace.
  auto users = c.get("/api/2.0/workspace/list?path=/Users").json()["objects"];
  REQUIRE(users.size() == 1);
  CHECK(users[0]["path"] == "/Users/emulator@dbk.local");
  CHECK(users[0]["object_type"] == "DIRECTORY");
  // ...and comes back after a reset, and after its deletion and a restart.
  REQUIRE(c.post("/__dbk/reset", json::object()).status == 200);
  CHECK(status(c, "/Users/emulator@dbk.local")["object_type"] == "DIRECTORY");
}

TEST_CASE("workspace home folder is created on an existing state too", "[emulator][workspace]") {
  TempDir dir;
  dbk::emulator::EmulatorOptions options;
  options.state_dir = (dir.path() / "state").string();
  {
    TestEmulator emu(options);
    auto c = emu.client();
    REQUIRE(c.post("/api/2.0/workspace/delete",
                   {{"path", "/Users/emulator@dbk.local"}, {"recursive", true}})
                .status == 200);
    CHECK(c.get("/api/2.0/workspace/get-status?path=/Users/emulator@dbk.local").status == 404);
  }
  TestEmulator again(options);
  auto c = again.client();
  CHECK(status(c, "/Users/emulator@dbk.local")["object_type"] == "DIRECTORY");
}

TEST_CASE("workspace mkdirs, import, get-status, list, export, delete", "[emulator][workspace]") {
  TestEmulator emu;
  auto c = emu.client();
  REQUIRE(
      c.post("/api/2.0/workspace/mkdirs", {{"path", "/Users/u@example.com/notebooks"}}).status ==
      200);
  REQUIRE(
      c.post("/api/2.0/workspace/mkdirs", {{"path", "/Users/u@example.com/notebooks/"}}).status ==
      200);

  auto imported = import(c, "/Users/u@example.com/notebooks/1_ingest", kNotebook,
                         {{"language", "PYTHON"}, {"format", "SOURCE"}});
  REQUIRE(imported.status == 200);
  CHECK(imported.json() == json::object());

  auto info = status(c, "/Users/u@example.com/notebooks/1_ingest");
  CHECK(info["object_type"] == "NOTEBOOK");
  CHECK(info["language"] == "PYTHON");
  CHECK(info["path"] == "/Users/u@example.com/notebooks/1_ingest");
  CHECK(info["object_id"].get<std::int64_t>() > 0);
  CHECK(info["created_at"].get<std::int64_t>() > 1'600'000'000'000);
  CHECK(info["modified_at"].is_number_integer());
  CHECK(info["resource_id"].is_string());

  auto list = c.get("/api/2.0/workspace/list?path=" + q("/Users/u@example.com/notebooks")).json();
  REQUIRE(list["objects"].size() == 1);
  // A non-directory path lists as itself.
  auto self =
      c.get("/api/2.0/workspace/list?path=" + q("/Users/u@example.com/notebooks/1_ingest")).json();
  REQUIRE(self["objects"].size() == 1);
  CHECK(self["objects"][0]["object_type"] == "NOTEBOOK");
  // Not recursive (the user's own home folder is there too).
  CHECK(c.get("/api/2.0/workspace/list?path=/Users").json()["objects"].size() == 2);

  auto exported =
      c.get("/api/2.0/workspace/export?path=" + q("/Users/u@example.com/notebooks/1_ingest"));
  REQUIRE(exported.status == 200);
  CHECK(exported.json()["file_type"] == "py");
  CHECK(unb64(exported.json()["content"]) == kNotebook);
  auto direct = c.get("/api/2.0/workspace/export?direct_download=true&path=" +
                      q("/Users/u@example.com/notebooks/1_ingest"));
  CHECK(direct.body == kNotebook);
  auto direct_upper = c.get("/api/2.0/workspace/export?direct_download=True&path=" +
                            q("/Users/u@example.com/notebooks/1_ingest"));
  CHECK(direct_upper.body == kNotebook);

  auto dup =
      import(c, "/Users/u@example.com/notebooks/1_ingest", "print(2)", {{"language", "PYTHON"}});
  CHECK(dup.status == 400);
  CHECK(dup.error_code() == "RESOURCE_ALREADY_EXISTS");
  CHECK(dup.json()["message"] == "Path (/Users/u@example.com/notebooks/1_ingest) already exists.");
  REQUIRE(import(c, "/Users/u@example.com/notebooks/1_ingest", "print(2)",
                 {{"language", "PYTHON"}, {"overwrite", true}})
              .status == 200);
  auto after = status(c, "/Users/u@example.com/notebooks/1_ingest");
  CHECK(after["object_id"] == info["object_id"]);
  CHECK(
      unb64(c.get("/api/2.0/workspace/export?path=" + q("/Users/u@example.com/notebooks/1_ingest"))
                .json()["content"]) == "# Databricks notebook source\nprint(2)");

  auto not_empty = c.post("/api/2.0/workspace/delete", {{"path", "/Users/u@example.com"}});
  CHECK(not_empty.status == 400);
  CHECK(not_empty.error_code() == "DIRECTORY_NOT_EMPTY");
  REQUIRE(
      c.post("/api/2.0/workspace/delete", {{"path", "/Users/u@example.com"}, {"recursive", true}})
          .status == 200);
  auto gone =
      c.get("/api/2.0/workspace/get-status?path=" + q("/Users/u@example.com/notebooks/1_ingest"));
  CHECK(gone.status == 404);
  CHECK(gone.error_code() == "RESOURCE_DOES_NOT_EXIST");
  CHECK(c.post("/api/2.0/workspace/delete", {{"path", "/Users/u@example.com"}}).status == 404);
}

TEST_CASE("workspace import errors", "[emulator][workspace]") {
  TestEmulator emu;
  auto c = emu.client();
  auto no_parent = import(c, "/Users/nobody/nb", "x = 1", {{"language", "PYTHON"}});
  CHECK(no_parent.status == 404);
  CHECK(no_parent.error_code() == "RESOURCE_DOES_NOT_EXIST");

  // SOURCE without a language is read as a folder archive: the service's text.
  auto no_language = import(c, "/Shared/nb", "x = 1");
  CHECK(no_language.status == 400);
  CHECK(no_language.error_code() == "INVALID_PARAMETER_VALUE");
  CHECK(no_language.json()["message"] == "The zip archive contains no items");

  auto bad_format = import(c, "/Shared/nb", "x", {{"format", "source"}, {"language", "PYTHON"}});
  CHECK(bad_format.status == 400);
  CHECK(bad_format.error_code() == "INVALID_PARAMETER_VALUE");
  auto bad_language = import(c, "/Shared/nb", "x", {{"language", "COBOL"}});
  CHECK(bad_language.status == 400);

  std::string big(10 * 1024 * 1024 + 1, 'x');
  auto too_big = import(c, "/Shared/big", big, {{"language", "PYTHON"}});
  CHECK(too_big.status == 400);
  CHECK(too_big.error_code() == "MAX_NOTEBOOK_SIZE_EXCEEDED");

  REQUIRE(import(c, "/Shared/file", "x", {{"language", "PYTHON"}}).status == 200);
  auto through_file = c.post("/api/2.0/workspace/mkdirs", {{"path", "/Shared/file/sub"}});
  CHECK(through_file.status == 400);
  CHECK(through_file.error_code() == "RESOURCE_ALREADY_EXISTS");

  auto missing_path = c.post("/api/2.0/workspace/import", {{"content", b64("x")}});
  CHECK(missing_path.status == 400);
  CHECK(missing_path.error_code() == "INVALID_PARAMETER_VALUE");
  CHECK(missing_path.json()["message"].get<std::string>().find("path") != std::string::npos);

  auto relative = c.get("/api/2.0/workspace/get-status?path=Shared");
  CHECK(relative.status == 400);
}

TEST_CASE("workspace converts SOURCE and JUPYTER both ways", "[emulator][workspace]") {
  TestEmulator emu;
  auto c = emu.client();
  REQUIRE(import(c, "/Shared/nb", kNotebook, {{"language", "PYTHON"}}).status == 200);
  auto as_jupyter = c.get("/api/2.0/workspace/export?format=JUPYTER&path=/Shared/nb").json();
  CHECK(as_jupyter["file_type"] == "ipynb");
  auto ipynb = json::parse(unb64(as_jupyter["content"]));
  CHECK(ipynb["nbformat"] == 4);
  REQUIRE(ipynb["cells"].size() == 3);
  CHECK(ipynb["cells"][0]["cell_type"] == "markdown");
  CHECK(ipynb["cells"][0]["source"][0] == "# Title");
  CHECK(ipynb["cells"][1]["cell_type"] == "code");
  CHECK(ipynb["cells"][1]["source"] == json::array({"x = 1\n", "print(x)"}));
  CHECK(ipynb["cells"][2]["source"] == json::array({"%sql\n", "SELECT 1"}));

  // ...and the notebook converted back is the original source.
  REQUIRE(import(c, "/Shared/from_ipynb", unb64(as_jupyter["content"]), {{"format", "JUPYTER"}})
              .status == 200);
  auto info = status(c, "/Shared/from_ipynb");
  CHECK(info["object_type"] == "NOTEBOOK");
  CHECK(info["language"] == "PYTHON");
  auto back = c.get("/api/2.0/workspace/export?format=SOURCE&path=/Shared/from_ipynb").json();
  CHECK(unb64(back["content"]) == kNotebook);
  // A JUPYTER import exported as JUPYTER comes back unchanged.
  auto same = c.get("/api/2.0/workspace/export?format=JUPYTER&path=/Shared/from_ipynb").json();
  CHECK(unb64(same["content"]) == unb64(as_jupyter["content"]));

  auto html = c.get("/api/2.0/workspace/export?format=HTML&path=/Shared/nb").json();
  CHECK(html["file_type"] == "html");
  CHECK(unb64(html["content"]).find("<html>") != std::string::npos);

  auto not_json = import(c, "/Shared/bad", "not a notebook", {{"format", "JUPYTER"}});
  CHECK(not_json.status == 400);
}

TEST_CASE("workspace SOURCE export always starts with the notebook header",
          "[emulator][workspace]") {
  TestEmulator emu;
  auto c = emu.client();
  for (const auto& [language, header] :
       std::vector<std::pair<std::string, std::string>>{{"PYTHON", "# Databricks notebook source"},
                                                        {"SQL", "-- Databricks notebook source"},
                                                        {"SCALA", "// Databricks notebook source"},
                                                        {"R", "# Databricks notebook source"}}) {
    const std::string path = "/Shared/bare_" + language;
    REQUIRE(import(c, path, "x = 1\n", {{"language", language}, {"format", "SOURCE"}}).status ==
            200);
    auto exported = c.get("/api/2.0/workspace/export?format=SOURCE&path=" + q(path)).json();
    CHECK(unb64(exported["content"]) == header + "\nx = 1\n");
    CHECK(c.get("/api/2.0/workspace/export?direct_download=true&path=" + q(path)).body ==
          header + "\nx = 1\n");
  }
  // A notebook that has its header exports unchanged (no second header).
  REQUIRE(import(c, "/Shared/full", kNotebook, {{"language", "PYTHON"}}).status == 200);
  CHECK(c.get("/api/2.0/workspace/export?direct_download=true&path=/Shared/full").body ==
        kNotebook);
}

TEST_CASE("workspace AUTO detects notebooks as the service does", "[emulator][workspace]") {
  TestEmulator emu;
  auto c = emu.client();
  // A byte order mark, CRLF line ends and text after the header still make a notebook.
  REQUIRE(import(c, "/Shared/bom.py", "\xEF\xBB\xBF# Databricks notebook source\r\nx = 1\r\n",
                 {{"format", "AUTO"}})
              .status == 200);
  CHECK(status(c, "/Shared/bom")["object_type"] == "NOTEBOOK");
  REQUIRE(import(c, "/Shared/extra.py", "# Databricks notebook source  (exported)\nx = 1\n",
                 {{"format", "AUTO"}})
              .status == 200);
  CHECK(status(c, "/Shared/extra")["language"] == "PYTHON");
  // The extension is matched case-insensitively; the header must be the language's own.
  REQUIRE(
      import(c, "/Shared/q.SQL", "-- Databricks notebook source\nSELECT 1\n", {{"format", "AUTO"}})
          .status == 200);
  CHECK(status(c, "/Shared/q")["language"] == "SQL");
  REQUIRE(import(c, "/Shared/wrong.scala", "# Databricks notebook source\nval x = 1\n",
                 {{"format", "AUTO"}})
              .status == 200);
  CHECK(status(c, "/Shared/wrong.scala")["object_type"] == "FILE");
  // The header elsewhere than at the start is just text.
  REQUIRE(
      import(c, "/Shared/late.py", "x = 1\n# Databricks notebook source\n", {{"format", "AUTO"}})
          .status == 200);
  CHECK(status(c, "/Shared/late.py")["object_type"] == "FILE");
}

TEST_CASE("workspace-files import-file takes raw bytes, as the Go CLI writes them",
          "[emulator][workspace]") {
  TestEmulator emu;
  auto c = emu.client();
  auto put = [&](const std::string& target, const std::string& body) {
    return c.request("POST", "/api/2.0/workspace-files/import-file/" + target, body,
                     {{"Content-Type", "application/octet-stream"}});
  };
  // Missing parent folder: 404, which the CLI answers with mkdirs and a retry.
  auto orphan = put("Shared/lib/util.py?overwrite=false", "def f():\n    return 1\n");
  CHECK(orphan.status == 404);
  CHECK(orphan.error_code() == "RESOURCE_DOES_NOT_EXIST");
  REQUIRE(c.post("/api/2.0/workspace/mkdirs", {{"path", "/Shared/lib"}}).status == 200);
  REQUIRE(put("Shared/lib/util.py?overwrite=false", "def f():\n    return 1\n").status == 200);
  auto file = status(c, "/Shared/lib/util.py");
  CHECK(file["object_type"] == "FILE");
  CHECK(c.get("/api/2.0/workspace/export?direct_download=true&path=/Shared/lib/util.py").body ==
        "def f():\n    return 1\n");
  // An existing file: 409 without overwrite, replaced with it.
  auto conflict = put("Shared/lib/util.py?overwrite=false", "x");
  CHECK(conflict.status == 409);
  CHECK(conflict.error_code() == "RESOURCE_ALREADY_EXISTS");
  REQUIRE(put("Shared/lib/util.py?overwrite=true", "x").status == 200);
  CHECK(c.get("/api/2.0/workspace/export?direct_download=true&path=/Shared/lib/util.py").body ==
        "x");
  // A source file with a notebook header becomes a notebook without its extension; an
  // existing notebook is a 400 "Path (...) already exists." (the CLI parses that text).
  REQUIRE(put("Shared/lib/nb.py", kNotebook).status == 200);
  CHECK(status(c, "/Shared/lib/nb")["object_type"] == "NOTEBOOK");
  auto again = put("Shared/lib/nb.py?overwrite=false", kNotebook);
  CHECK(again.status == 400);
  CHECK(again.json()["message"] == "Path (/Shared/lib/nb) already exists.");
  // Escaped names are decoded; the path is validated like any workspace path.
  REQUIRE(put("Shared/lib/a%20b.txt", "text").status == 200);
  CHECK(status(c, "/Shared/lib/a b.txt")["object_type"] == "FILE");
  CHECK(put("Shared/../etc/passwd", "x").status == 400);
  CHECK(put("Shared/lib/big.bin", std::string(10 * 1024 * 1024 + 1, 'x')).error_code() ==
        "MAX_NOTEBOOK_SIZE_EXCEEDED");
}

TEST_CASE("workspace AUTO, RAW, HTML and DBC imports", "[emulator][workspace]") {
  TestEmulator emu;
  auto c = emu.client();
  REQUIRE(import(c, "/Shared/auto_nb.py", kNotebook, {{"format", "AUTO"}}).status == 200);
  CHECK(status(c, "/Shared/auto_nb")["object_type"] == "NOTEBOOK");  // extension stripped
  CHECK(c.get("/api/2.0/workspace/get-status?path=/Shared/auto_nb.py").status == 404);

  REQUIRE(import(c, "/Shared/helper.py", "def f():\n    return 1\n", {{"format", "AUTO"}}).status ==
          200);
  auto file = status(c, "/Shared/helper.py");
  CHECK(file["object_type"] == "FILE");
  CHECK(file["size"] == 22);
  CHECK(!file.contains("language"));
  auto raw = c.get("/api/2.0/workspace/export?path=/Shared/helper.py&direct_download=true");
  CHECK(raw.body == "def f():\n    return 1\n");

  REQUIRE(import(c, "/Shared/data.csv", "a,b\n1,2\n", {{"format", "RAW"}}).status == 200);
  CHECK(status(c, "/Shared/data.csv")["object_type"] == "FILE");

  REQUIRE(import(c, "/Shared/page", "<html>opaque</html>", {{"format", "HTML"}}).status == 200);
  auto html = c.get("/api/2.0/workspace/export?format=HTML&path=/Shared/page").json();
  CHECK(unb64(html["content"]) == "<html>opaque</html>");

  REQUIRE(import(c, "/Shared/archive", std::string("PK\x03\x04opaque", 10), {{"format", "DBC"}})
              .status == 200);
  auto dbc = c.get("/api/2.0/workspace/export?format=DBC&path=/Shared/archive").json();
  CHECK(dbc["file_type"] == "dbc");
  CHECK(unb64(dbc["content"]) == std::string("PK\x03\x04opaque", 10));
}

TEST_CASE("workspace import accepts multipart/form-data (SDK upload)", "[emulator][workspace]") {
  TestEmulator emu;
  auto c = emu.client();
  const std::string boundary = "XyZ";
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n/Shared/up\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"language\"\r\n\r\nPYTHON\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"overwrite\"\r\n\r\ntrue\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"content\"; filename=\"content\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n" +
      kNotebook + "\r\n--XyZ--\r\n";
  auto reply = c.request("POST", "/api/2.0/workspace/import", body,
                         {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
  REQUIRE(reply.status == 200);
  CHECK(c.get("/api/2.0/workspace/export?direct_download=true&path=/Shared/up").body == kNotebook);
}

TEST_CASE("workspace list filters notebooks_modified_after", "[emulator][workspace]") {
  TestEmulator emu;
  auto c = emu.client();
  REQUIRE(import(c, "/Shared/old", "1", {{"language", "PYTHON"}}).status == 200);
  auto cut = status(c, "/Shared/old")["modified_at"].get<std::int64_t>();
  REQUIRE(c.post("/__dbk/clock", {{"advance_ms", 60000}}).status == 200);
  REQUIRE(import(c, "/Shared/new", "2", {{"language", "PYTHON"}}).status == 200);
  auto list =
      c.get("/api/2.0/workspace/list?path=/Shared&notebooks_modified_after=" + std::to_string(cut))
          .json();
  REQUIRE(list["objects"].size() == 1);
  CHECK(list["objects"][0]["path"] == "/Shared/new");
}
