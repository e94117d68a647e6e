#include <catch2/catch.hpp>

#include "api_caller.hpp"
#include "dbk/base64.hpp"
#include "dbk/dbfs.hpp"
#include "dbk/testing/fake_transport.hpp"

using dbk::testing::FakeTransport;
using nlohmann::json;

namespace {
struct DbfsFixture {
  std::shared_ptr<FakeTransport> fake = std::make_shared<FakeTransport>();
  dbk::DbfsApi api{std::make_shared<dbk::detail::ApiCaller>("https://h", fake)};
  json body(std::size_t i) const { return json::parse(fake->requests().at(i).body); }
};

json partial_delete(int n) {
  return {{"error_code", "PARTIAL_DELETE"},
          {"message", "The requested operation has deleted " + std::to_string(n) +
                          " files. There are more files remaining."}};
}
}  // namespace

TEST_CASE("DBFS paths: dbfs:/x and /x both become /x") {
  CHECK(*dbk::normalize_dbfs_path("dbfs:/tmp/x") == "/tmp/x");
  CHECK(*dbk::normalize_dbfs_path("/tmp/x") == "/tmp/x");
  CHECK(*dbk::normalize_dbfs_path("dbfs:/") == "/");
  CHECK(*dbk::normalize_dbfs_path("dbfs:") == "/");
  CHECK_FALSE(dbk::normalize_dbfs_path("dbfs://tmp/x").ok());
  CHECK_FALSE(dbk::normalize_dbfs_path("tmp/x").ok());
  CHECK_FALSE(dbk::normalize_dbfs_path("").ok());
}

TEST_CASE_METHOD(DbfsFixture, "list sends the bare path and defaults a missing files key") {
  fake->expect("GET", "/api/2.0/dbfs/list")
      .with_query("path=%2Fmnt")
      .respond(200, R"({"files": [{"path": "/mnt/a", "is_dir": true, "file_size": 0,
                                    "modification_time": 5}]})");
  fake->expect("GET", "/api/2.0/dbfs/list").with_query("path=%2Fempty").respond(200, "{}");
  auto files = api.list("dbfs:/mnt");
  REQUIRE(files.ok());
  REQUIRE(files->size() == 1);
  CHECK((*files)[0].is_dir);
  CHECK((*files)[0].modification_time == 5);
  auto empty = api.list("dbfs:/empty");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE_METHOD(DbfsFixture, "a bad path fails without a request") {
  CHECK_FALSE(api.list("relative").ok());
  CHECK_FALSE(api.mkdirs("dbfs://x").ok());
  CHECK(fake->requests().empty());
}

TEST_CASE_METHOD(DbfsFixture, "put sends base64 contents inline and refuses over 1 MiB") {
  fake->expect("POST", "/api/2.0/dbfs/put").respond(200, "{}");
  REQUIRE(api.put("dbfs:/a.txt", "hello", true).ok());
  CHECK(body(0) == json({{"path", "/a.txt"}, {"contents", "aGVsbG8="}, {"overwrite", true}}));
  auto too_big = api.put("/big", std::string(dbk::kMaxDbfsBlockBytes + 1, 'x'));
  REQUIRE_FALSE(too_big.ok());
  CHECK(too_big.error().error_code == dbk::error_codes::kInvalidArgument);
  CHECK(fake->requests().size() == 1);
}

TEST_CASE_METHOD(DbfsFixture, "create, add-block and close") {
  fake->expect("POST", "/api/2.0/dbfs/create")
      .with_json_body({{"path", "/f"}, {"overwrite", false}})
      .respond(200, R"({"handle": 123456789012})");
  fake->expect("POST", "/api/2.0/dbfs/add-block")
      .with_json_body({{"handle", 123456789012}, {"data", "YWJj"}});
  fake->expect("POST", "/api/2.0/dbfs/close").with_json_body({{"handle", 123456789012}});
  auto handle = api.create("dbfs:/f");
  REQUIRE(handle.ok());
  CHECK(*handle == 123456789012);
  CHECK(api.add_block(*handle, "abc").ok());
  CHECK(api.close(*handle).ok());
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(DbfsFixture, "create without a handle is an invalid response") {
  fake->expect("POST", "/api/2.0/dbfs/create").respond(200, "{}");
  auto handle = api.create("/f");
  REQUIRE_FALSE(handle.ok());
  CHECK(handle.error().error_code == dbk::error_codes::kInvalidResponse);
}

TEST_CASE_METHOD(DbfsFixture, "read sends offset and length and decodes data") {
  fake->expect("GET", "/api/2.0/dbfs/read")
      .with_query("path=%2Ff&offset=10&length=1048576")
      .respond_json(200, {{"bytes_read", 3}, {"data", dbk::base64_encode("xyz")}});
  auto read = api.read("dbfs:/f", 10);
  REQUIRE(read.ok());
  CHECK(read->bytes_read == 3);
  CHECK(read->data == "xyz");
  CHECK_FALSE(api.read("/f", 0, dbk::kMaxDbfsBlockBytes + 1).ok());
  CHECK_FALSE(api.read("/f", -1, 10).ok());
  CHECK(fake->requests().size() == 1);
}

TEST_CASE_METHOD(DbfsFixture, "read with a bytes_read that disagrees with data is refused") {
  fake->expect("GET", "/api/2.0/dbfs/read")
      .respond_json(200, {{"bytes_read", 4}, {"data", dbk::base64_encode("xyz")}});
  auto read = api.read("/f", 0, 4);
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().error_code == dbk::error_codes::kInvalidResponse);
}

TEST_CASE_METHOD(DbfsFixture, "delete calls again while the server answers PARTIAL_DELETE") {
  for (int n : {100, 250}) {
    fake->expect("POST", "/api/2.0/dbfs/delete")
        .with_json_body({{"path", "/big"}, {"recursive", true}})
        .respond_json(503, partial_delete(n));
  }
  fake->expect("POST", "/api/2.0/dbfs/delete").respond(200, "{}");
  std::vector<dbk::DeleteProgress> seen;
  auto status =
      api.remove("dbfs:/big", true, [&](const dbk::DeleteProgress& p) { seen.push_back(p); });
  REQUIRE(status.ok());
  CHECK(fake->requests().size() == 3);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].calls == 1);
  CHECK(seen[0].files_deleted == std::optional<std::int64_t>(100));
  CHECK(seen[1].calls == 2);
  CHECK(seen[1].files_deleted == std::optional<std::int64_t>(250));
}

TEST_CASE_METHOD(DbfsFixture, "delete stops at a real error") {
  fake->expect("POST", "/api/2.0/dbfs/delete").respond_json(503, partial_delete(1));
  fake->expect("POST", "/api/2.0/dbfs/delete")
      .respond_json(400, {{"error_code", "IO_ERROR"}, {"message", "not empty"}});
  auto status = api.remove("/d", false);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().error_code == "IO_ERROR");
  CHECK(fake->requests().size() == 2);
}

TEST_CASE_METHOD(DbfsFixture, "move normalises both paths") {
  fake->expect("POST", "/api/2.0/dbfs/move")
      .with_json_body({{"source_path", "/a"}, {"destination_path", "/b"}});
  CHECK(api.move("dbfs:/a", "/b").ok());
  CHECK(fake->all_consumed());
}
