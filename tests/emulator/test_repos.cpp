// The Repos API in the emulator: real git clones in the workspace tree (docs/emulator.md).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "dbk/base64.hpp"
#include "jobs_support/jobs_harness.hpp"
#include "repos/repos_service.hpp"
#include "temp_dir.hpp"
#include "workspace/workspace_service.hpp"

using dbk::emulator::testing::JobsHarness;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kNotebook = "# Databricks notebook source\nprint('main')\n";

// The Workspace and Repos services on the harness's router, as the emulator serves them.
struct ReposHarness {
  explicit ReposHarness(const fs::path& state) : h(state) {
    fs::create_directories(state / "workspace");
    fs::create_directories(h.context->tmp_dir);
    workspace.recover();
    repos.recover();
    workspace.register_routes(h.router);
    repos.register_routes(h.router);
  }
  JobsHarness h;
  dbk::emulator::WorkspaceService workspace{*h.context};
  dbk::emulator::ReposService repos{*h.context};
};

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

std::string sh(const std::string& command) {
  const std::string out = (fs::temp_directory_path() / "dbk-repos-test-out").string();
  REQUIRE(std::system((command + " > '" + out + "' 2>&1").c_str()) == 0);
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  std::string result = text.str();
  while (!result.empty() && result.back() == '\n') result.pop_back();
  return result;
}

// A source repository: main with a notebook, a plain .py, a README; branch "feature"
// changes the notebook; tag v1 marks main's first commit.
struct SourceRepo {
  dbk::test_support::TempDir dir;
  std::string git() const {
    return "git -C '" + dir.path().string() +
           "' -c user.email=t@example.com -c user.name=t -c init.defaultBranch=main ";
  }
  SourceRepo() {
    sh("git init -q -b main '" + dir.path().string() + "'");
    write(dir.path() / "nb.py", kNotebook);
    write(dir.path() / "lib" / "util.py", "def f():\n    return 1\n");
    write(dir.path() / "README.md", "# readme\n");
    sh(git() + "add -A && " + git() + "commit -q -m one && " + git() + "tag v1");
    sh(git() + "checkout -q -b feature");
    write(dir.path() / "nb.py", "# Databricks notebook source\nprint('feature')\n");
    write(dir.path() / "extra" / "new.txt", "new\n");
    sh(git() + "add -A && " + git() + "commit -q -m two && " + git() + "checkout -q main");
  }
  std::string head(const std::string& ref) const { return sh(git() + "rev-parse " + ref); }
  std::string url() const { return "file://" + dir.path().string(); }
};

std::string exported(JobsHarness& h, const std::string& path) {
  auto reply = h.get("/api/2.0/workspace/export?format=SOURCE&path=" + path);
  REQUIRE(reply.status == 200);
  return *dbk::base64_decode(reply.body["content"].get<std::string>());
}

}  // namespace

TEST_CASE("repos: create clones into the workspace, get, list, update, delete", "[repos]") {
  SourceRepo source;
  dbk::test_support::TempDir state;
  ReposHarness r(state.path());
  auto& h = r.h;
  CHECK(h.get("/api/2.0/repos").body == json::object());

  auto created = h.post(
      "/api/2.0/repos",
      {{"url", source.url()}, {"provider", "github"}, {"path", "/Repos/me@example.com/proj"}});
  REQUIRE(created.status == 200);
  const std::int64_t id = created.body["id"];
  CHECK(created.body["path"] == "/Repos/me@example.com/proj");
  CHECK(created.body["provider"] == "gitHub");
  CHECK(created.body["url"] == source.url());
  CHECK(created.body["branch"] == "main");
  CHECK(created.body["head_commit_id"] == source.head("main"));

  // The repo in the workspace tree: a REPO object whose object_id is the repo id, its
  // files as notebooks (by extension and header) or files.
  auto status = h.get("/api/2.0/workspace/get-status?path=/Repos/me@example.com/proj");
  CHECK(status.body["object_type"] == "REPO");
  CHECK(status.body["object_id"] == id);
  auto folder = h.get("/api/2.0/workspace/list?path=/Repos/me@example.com");
  REQUIRE(folder.body["objects"].size() == 1);
  CHECK(folder.body["objects"][0]["object_type"] == "REPO");
  CHECK(h.get("/api/2.0/workspace/get-status?path=/Repos/me@example.com/proj/nb")
            .body["object_type"] == "NOTEBOOK");
  CHECK(h.get("/api/2.0/workspace/get-status?path=/Repos/me@example.com/proj/lib/util.py")
            .body["object_type"] == "FILE");
  CHECK(h.get("/api/2.0/workspace/get-status?path=/Repos/me@example.com/proj/lib")
            .body["object_type"] == "DIRECTORY");
  CHECK(h.get("/api/2.0/workspace/get-status?path=/Repos/me@example.com/proj/.git").status == 404);
  CHECK(exported(h, "/Repos/me@example.com/proj/nb") == kNotebook);
  // The repo lists its files as a folder does.
  CHECK(h.get("/api/2.0/workspace/list?path=/Repos/me@example.com/proj").body["objects"].size() ==
        3);
  CHECK(exported(h, "/Repos/me@example.com/proj/README.md") == "# readme\n");

  auto got = h.get("/api/2.0/repos/" + std::to_string(id));
  REQUIRE(got.status == 200);
  CHECK(got.body == created.body);
  auto listed = h.get("/api/2.0/repos?path_prefix=/Repos/me@example.com");
  REQUIRE(listed.body["repos"].size() == 1);
  CHECK(listed.body["repos"][0] == created.body);
  CHECK(h.get("/api/2.0/repos?path_prefix=/Repos/other").body == json::object());

  // A branch checkout changes the files; a tag detaches.
  auto to_feature =
      h.call("PATCH", "/api/2.0/repos/" + std::to_string(id), {{"branch", "feature"}});
  REQUIRE(to_feature.status == 200);
  CHECK(to_feature.body == json::object());
  got = h.get("/api/2.0/repos/" + std::to_string(id));
  CHECK(got.body["branch"] == "feature");
  CHECK(got.body["head_commit_id"] == source.head("feature"));
  CHECK(exported(h, "/Repos/me@example.com/proj/nb").find("feature") != std::string::npos);
  CHECK(exported(h, "/Repos/me@example.com/proj/extra/new.txt") == "new\n");
  REQUIRE(h.call("PATCH", "/api/2.0/repos/" + std::to_string(id), {{"tag", "v1"}}).status == 200);
  got = h.get("/api/2.0/repos/" + std::to_string(id));
  CHECK_FALSE(got.body.contains("branch"));
  CHECK(got.body["head_commit_id"] == source.head("v1"));
  CHECK(h.get("/api/2.0/workspace/get-status?path=/Repos/me@example.com/proj/extra").status == 404);
  auto no_branch = h.call("PATCH", "/api/2.0/repos/" + std::to_string(id), {{"branch", "nope"}});
  CHECK(no_branch.status == 404);
  CHECK(no_branch.body["error_code"] == "RESOURCE_DOES_NOT_EXIST");
  CHECK(h.call("PATCH", "/api/2.0/repos/" + std::to_string(id), {{"branch", "main"}, {"tag", "v1"}})
            .status == 400);
  CHECK(
      h.call("PATCH", "/api/2.0/repos/" + std::to_string(id), {{"branch", "--orphan=x"}}).status ==
      400);

  // Sparse checkout (cone mode): root files and the folders named.
  REQUIRE(h.call("PATCH", "/api/2.0/repos/" + std::to_string(id),
                 {{"branch", "feature"}, {"sparse_checkout", {{"patterns", {"extra"}}}}})
              .status == 200);
  CHECK(
      h.get("/api/2.0/workspace/get-status?path=/Repos/me@example.com/proj/extra/new.txt").status ==
      200);
  CHECK(h.get("/api/2.0/workspace/get-status?path=/Repos/me@example.com/proj/lib").status == 404);
  CHECK(h.call("PATCH", "/api/2.0/repos/" + std::to_string(id),
               {{"sparse_checkout", {{"patterns", {"!/*"}}}}})
            .status == 400);

  REQUIRE(h.call("DELETE", "/api/2.0/repos/" + std::to_string(id)).status == 200);
  auto gone = h.get("/api/2.0/repos/" + std::to_string(id));
  CHECK(gone.status == 404);
  CHECK(gone.body["error_code"] == "RESOURCE_DOES_NOT_EXIST");
  CHECK(h.get("/api/2.0/workspace/get-status?path=/Repos/me@example.com/proj").status == 404);
  CHECK_FALSE(fs::exists(state.path() / "repos" / std::to_string(id)));
  CHECK(h.call("DELETE", "/api/2.0/repos/" + std::to_string(id)).status == 404);
}

TEST_CASE("repos: create refuses bad requests, hostile URLs and paths", "[repos]") {
  SourceRepo source;
  dbk::test_support::TempDir state;
  ReposHarness r(state.path());
  auto& h = r.h;
  auto create = [&](const std::string& url, const std::string& path) {
    return h.post("/api/2.0/repos", {{"url", url}, {"provider", "gitHub"}, {"path", path}});
  };
  const fs::path planted = state.path() / "planted";
  for (const std::string& url :
       {std::string("--upload-pack=touch ") + planted.string(),
        "ext::sh -c touch% " + planted.string(), std::string("-c"), std::string("relative/path"),
        std::string("file://") + "relative"}) {
    auto refused = create(url, "/Repos/u/x");
    CHECK(refused.status == 400);
    CHECK(refused.body["error_code"] == "INVALID_PARAMETER_VALUE");
  }
  CHECK_FALSE(fs::exists(planted));
  auto offline = create("https://github.com/databricks/cli.git", "/Repos/u/cli");
  CHECK(offline.status == 400);
  CHECK(offline.body["message"].get<std::string>().find("github.com cannot be reached") !=
        std::string::npos);
  auto missing_source = create("/nonexistent/repo", "/Repos/u/x");
  CHECK(missing_source.status == 400);
  CHECK(missing_source.body["message"].get<std::string>().rfind("Failed to clone repo", 0) == 0);
  for (const std::string& path : {"/Repos/u", "/Users/u/x", "/Repos/u/../x", "/Repos/a/b/c", "x"}) {
    CHECK(create(source.url(), path).status == 400);
  }
  auto no_url = h.post("/api/2.0/repos", {{"provider", "gitHub"}, {"path", "/Repos/u/x"}});
  CHECK(no_url.status == 400);
  CHECK(no_url.body["message"] == "Git repository URL missing for project");
  CHECK(h.post("/api/2.0/repos", {{"url", source.url()}, {"path", "/Repos/u/x"}}).status == 400);
  CHECK(h.post("/api/2.0/repos", {{"url", source.url()}, {"provider", "svn"}}).status == 400);
  CHECK(h.get("/api/2.0/repos/abc").status == 400);
  CHECK(h.get("/api/2.0/repos/999").status == 404);

  REQUIRE(create(source.dir.path().string(), "/Repos/u/x").status == 200);  // a plain path
  auto again = create(source.url(), "/Repos/u/x");
  CHECK(again.status == 400);
  CHECK(again.body["error_code"] == "RESOURCE_ALREADY_EXISTS");
  // Nothing of the refused requests is left in the state folder.
  std::size_t clones = 0;
  for (const auto& entry : fs::directory_iterator(state.path() / "repos")) {
    (void)entry;
    ++clones;
  }
  CHECK(clones == 1);
}

TEST_CASE("repos: list pages by twenty with next_page_token", "[repos]") {
  SourceRepo source;
  dbk::test_support::TempDir state;
  ReposHarness r(state.path());
  auto& h = r.h;
  for (int i = 0; i < 21; ++i) {
    char name[8];
    std::snprintf(name, sizeof name, "r%02d", i);
    REQUIRE(h.post("/api/2.0/repos", {{"url", source.url()},
                                      {"provider", "gitHub"},
                                      {"path", std::string("/Repos/u/") + name}})
                .status == 200);
  }
  auto first = h.get("/api/2.0/repos");
  REQUIRE(first.body["repos"].size() == 20);
  CHECK(first.body["repos"][0]["path"] == "/Repos/u/r00");
  const std::string token = first.body["next_page_token"];
  auto second = h.get("/api/2.0/repos?next_page_token=" + token);
  REQUIRE(second.body["repos"].size() == 1);
  CHECK(second.body["repos"][0]["path"] == "/Repos/u/r20");
  CHECK_FALSE(second.body.contains("next_page_token"));
}

TEST_CASE("repos survive a restart on the same state", "[repos][durability]") {
  SourceRepo source;
  dbk::test_support::TempDir state;
  std::string id;
  {
    ReposHarness r(state.path());
    auto created = r.h.post("/api/2.0/repos", {{"url", source.url()}, {"provider", "gitHub"}});
    REQUIRE(created.status == 200);
    // Without a path: the repo's name in the user's folder.
    CHECK(created.body["path"].get<std::string>().rfind("/Repos/", 0) == 0);
    CHECK(created.body["path"].get<std::string>().find(
              "/" + source.dir.path().filename().string()) != std::string::npos);
    id = std::to_string(created.body["id"].get<std::int64_t>());
  }
  ReposHarness r(state.path());
  auto got = r.h.get("/api/2.0/repos/" + id);
  REQUIRE(got.status == 200);
  CHECK(exported(r.h, got.body["path"].get<std::string>() + "/nb") == kNotebook);
  REQUIRE(r.h.call("PATCH", "/api/2.0/repos/" + id, {{"branch", "feature"}}).status == 200);
  CHECK(r.h.get("/api/2.0/repos/" + id).body["head_commit_id"] == source.head("feature"));
}
