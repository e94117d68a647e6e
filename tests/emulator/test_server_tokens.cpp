// Tokens created through the Token API authenticate against the emulator until revoked
// or expired; the --token stays the admin token (docs/emulator.md, "Tokens").
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "emulator_fixture.hpp"

using dbk::emulator::EmulatorOptions;
using dbk::emulator::testing::HttpClient;
using dbk::emulator::testing::TestEmulator;

namespace {

EmulatorOptions with_token() {
  EmulatorOptions options;
  options.token = "admin-token";
  return options;
}

std::string read_tree(const std::filesystem::path& root) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    all += text.str();
  }
  return all;
}

}  // namespace

TEST_CASE("a created token authenticates until it is revoked", "[emulator][tokens]") {
  TestEmulator emulator(with_token());
  HttpClient admin = emulator.client();
  auto created =
      admin.post("/api/2.0/token/create", {{"comment", "ci"}, {"lifetime_seconds", 600}});
  REQUIRE(created.status == 200);
  const auto body = created.json();
  const std::string value = body["token_value"];
  const std::string id = body["token_info"]["token_id"];
  CHECK(value.rfind("dapi", 0) == 0);
  CHECK(body["token_info"]["comment"] == "ci");
  CHECK(body["token_info"]["expiry_time"].get<std::int64_t>() -
            body["token_info"]["creation_time"].get<std::int64_t>() ==
        600000);

  HttpClient user = emulator.client();
  user.set_token(value);
  CHECK(user.get("/api/2.0/clusters/list").status == 200);
  // Not the admin surface.
  CHECK(user.get("/__dbk/clock").status == 401);
  auto listed = user.get("/api/2.0/token/list").json();
  REQUIRE(listed["token_infos"].size() == 1);
  CHECK(listed["token_infos"][0]["token_id"] == id);
  CHECK(listed.dump().find(value) == std::string::npos);
  // Only a hash is kept: the value appears in no state file.
  CHECK(read_tree(emulator.state()).find(value.substr(4)) == std::string::npos);

  HttpClient stranger = emulator.client();
  stranger.set_token(value + "x");
  CHECK(stranger.get("/api/2.0/clusters/list").status == 401);

  REQUIRE(admin.post("/api/2.0/token/delete", {{"token_id", id}}).status == 200);
  CHECK(user.get("/api/2.0/clusters/list").status == 401);
  auto again = admin.post("/api/2.0/token/delete", {{"token_id", id}});
  CHECK(again.status == 404);
  CHECK(again.error_code() == "RESOURCE_DOES_NOT_EXIST");
  CHECK(admin.get("/api/2.0/token/list").json()["token_infos"].empty());
}

TEST_CASE("a token stops authenticating when it expires", "[emulator][tokens]") {
  TestEmulator emulator(with_token());
  HttpClient admin = emulator.client();
  auto forever = admin.post("/api/2.0/token/create", {{"comment", "forever"}}).json();
  CHECK(forever["token_info"]["expiry_time"] == -1);
  auto brief =
      admin.post("/api/2.0/token/create", {{"comment", "brief"}, {"lifetime_seconds", 60}}).json();
  HttpClient user = emulator.client();
  user.set_token(brief["token_value"]);
  CHECK(user.get("/api/2.0/clusters/list").status == 200);
  REQUIRE(admin.post("/__dbk/clock", {{"advance_ms", 61000}}).status == 200);
  CHECK(user.get("/api/2.0/clusters/list").status == 401);
  user.set_token(forever["token_value"]);
  CHECK(user.get("/api/2.0/clusters/list").status == 200);
  // Expired tokens are no longer listed.
  auto infos = admin.get("/api/2.0/token/list").json()["token_infos"];
  REQUIRE(infos.size() == 1);
  CHECK(infos[0]["comment"] == "forever");
}

TEST_CASE("created tokens survive a restart on the same state", "[emulator][tokens]") {
  dbk::emulator::testing::TempDir dir;
  EmulatorOptions options = with_token();
  options.state_dir = (dir.path() / "state").string();
  std::string value;
  {
    TestEmulator emulator(options);
    value = emulator.client()
                .post("/api/2.0/token/create", {{"comment", "kept"}})
                .json()["token_value"];
  }
  TestEmulator emulator(options);
  HttpClient user = emulator.client();
  user.set_token(value);
  CHECK(user.get("/api/2.0/token/list").status == 200);
}
