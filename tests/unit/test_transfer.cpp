#include <catch2/catch.hpp>
#include <map>
#include <regex>

#include "api_caller.hpp"
#include "dbk/base64.hpp"
#include "dbk/dbfs.hpp"
#include "dbk/retry.hpp"
#include "dbk/testing/fake_clock.hpp"
#include "dbk/testing/fake_transport.hpp"
#include "dbk/transfer.hpp"
#include "temp_dir.hpp"

using dbk::test_support::read_file;
using dbk::test_support::TempDir;
using dbk::testing::FakeTransport;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
constexpr std::size_t kMiB = 1048576;

struct TransferFixture {
  std::shared_ptr<FakeTransport> fake;
  dbk::DbfsApi api;
  TempDir dir;

  explicit TransferFixture(FakeTransport::Order order = FakeTransport::Order::kInOrder)
      : fake(std::make_shared<FakeTransport>(order)),
        api(std::make_shared<dbk::detail::ApiCaller>("https://h", fake)) {}

  std::vector<json> bodies_of(const std::string& suffix) const {
    std::vector<json> out;
    for (const auto& request : fake->requests()) {
      if (request.url.size() >= suffix.size() &&
          request.url.compare(request.url.size() - suffix.size(), suffix.size(), suffix) == 0) {
        out.push_back(json::parse(request.body));
      }
    }
    return out;
  }

  std::vector<std::string> files_in(const fs::path& path) const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

struct AnyOrderFixture : TransferFixture {
  AnyOrderFixture() : TransferFixture(FakeTransport::Order::kAnyOrder) {}
};

std::string pattern(std::size_t size) {
  std::string data(size, '\0');
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>((i * 7 + i / 4096) & 0xFF);
  return data;
}

json read_answer(const std::string& data) {
  return {{"bytes_read", data.size()}, {"data", dbk::base64_encode(data)}};
}

json error_body(const char* code, const char* message) {
  return {{"error_code", code}, {"message", message}};
}

// The fields of a multipart/form-data request (name → value), as a server reads them.
std::map<std::string, std::string> form_of(const dbk::HttpRequest& request) {
  std::string boundary;
  for (const auto& [name, value] : request.headers) {
    if (name == "Content-Type" && value.rfind("multipart/form-data; boundary=", 0) == 0) {
      boundary = value.substr(value.find('=') + 1);
    }
  }
  std::map<std::string, std::string> fields;
  if (boundary.empty()) return fields;
  const std::string delimiter = "--" + boundary;
  const std::string& body = request.body;
  std::size_t pos = body.find(delimiter);
  while (pos != std::string::npos && body.compare(pos + delimiter.size(), 2, "--") != 0) {
    const std::size_t headers = pos + delimiter.size() + 2;
    const std::size_t data = body.find("\r\n\r\n", headers) + 4;
    const std::size_t name = body.find("name=\"", headers) + 6;
    const std::string field = body.substr(name, body.find('"', name) - name);
    const std::size_t next = body.find("\r\n" + delimiter, data);
    fields[field] = body.substr(data, next - data);
    pos = next + 2;
  }
  return fields;
}

bool puts_path(const dbk::HttpRequest& request, const std::string& path) {
  return form_of(request)["path"] == path;
}
}  // namespace

TEST_CASE_METHOD(TransferFixture, "a 2.5 MiB upload is three blocks of 1, 1 and 0.5 MiB") {
  const std::string content = pattern(2 * kMiB + kMiB / 2);
  auto local = dir.write("big.bin", content);
  fake->expect("POST", "/api/2.0/dbfs/create")
      .with_json_body({{"path", "/data/big.bin"}, {"overwrite", false}})
      .respond(200, R"({"handle": 7})");
  fake->expect("POST", "/api/2.0/dbfs/add-block").reusable();
  fake->expect("POST", "/api/2.0/dbfs/close").with_json_body({{"handle", 7}});
  std::vector<std::uint64_t> progress;
  dbk::UploadOptions options;
  options.single_request_max_bytes = 2 * kMiB;  // 2.5 MiB is above it: streamed
  options.progress = [&](const dbk::TransferProgress& p) { progress.push_back(p.bytes_done); };
  auto status = dbk::upload_file(api, local.string(), "dbfs:/data/big.bin", options);
  REQUIRE(status.ok());
  auto blocks = bodies_of("/add-block");
  REQUIRE(blocks.size() == 3);
  std::string uploaded;
  std::vector<std::size_t> sizes;
  for (const auto& block : blocks) {
    CHECK(block["handle"] == 7);
    auto decoded = dbk::base64_decode(block["data"].get<std::string>());
    REQUIRE(decoded.ok());
    sizes.push_back(decoded->size());
    uploaded += *decoded;
  }
  CHECK(sizes == std::vector<std::size_t>{kMiB, kMiB, kMiB / 2});
  CHECK(uploaded == content);
  CHECK(progress == std::vector<std::uint64_t>{kMiB, 2 * kMiB, 2 * kMiB + kMiB / 2});
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(TransferFixture, "a streamed empty file is created and closed without blocks") {
  auto local = dir.write("empty", "");
  fake->expect("POST", "/api/2.0/dbfs/create").respond(200, R"({"handle": 1})");
  fake->expect("POST", "/api/2.0/dbfs/close");
  dbk::UploadOptions options;
  options.single_request_max_bytes = 0;
  REQUIRE(dbk::upload_file(api, local.string(), "/empty", options).ok());
  CHECK(fake->requests().size() == 2);
}

TEST_CASE_METHOD(TransferFixture, "a small file goes in one multipart put") {
  const std::string content = pattern(3 * kMiB) + "\r\n--tail";
  auto local = dir.write("model.bin", content);
  fake->expect("POST", "/api/2.0/dbfs/put");
  std::vector<std::uint64_t> progress;
  dbk::UploadOptions options;
  options.progress = [&](const dbk::TransferProgress& p) { progress.push_back(p.bytes_done); };
  REQUIRE(dbk::upload_file(api, local.string(), "dbfs:/m/model.bin", options).ok());
  REQUIRE(fake->requests().size() == 1);
  auto form = form_of(fake->requests().at(0));
  CHECK(form["path"] == "/m/model.bin");
  CHECK(form["overwrite"] == "False");
  CHECK(form["file"] == content);
  CHECK(progress == std::vector<std::uint64_t>{content.size()});
}

TEST_CASE_METHOD(TransferFixture, "a multipart put's contents are written into the body in place") {
  fake->expect("POST", "/api/2.0/dbfs/put");
  const std::string content = pattern(kMiB + 3);
  char* written_at = nullptr;
  auto status = api.put_multipart(
      "/in/place.bin", content.size(),
      [&](char* out, std::size_t size) {
        written_at = out;
        std::copy(content.begin(), content.begin() + static_cast<std::ptrdiff_t>(size), out);
        return dbk::Status();
      },
      true);
  REQUIRE(status.ok());
  const auto requests = fake->requests();
  REQUIRE(requests.size() == 1);
  const auto& sent = requests.at(0);
  // The bytes sent are the buffer the writer filled, not a copy of it.
  CHECK(written_at >= sent.body.data());
  CHECK(written_at + content.size() <= sent.body.data() + sent.body.size());
  auto form = form_of(sent);
  CHECK(form["path"] == "/in/place.bin");
  CHECK(form["overwrite"] == "True");
  CHECK(form["file"] == content);
}

TEST_CASE_METHOD(TransferFixture, "a multipart put whose writer fails sends nothing") {
  auto status = api.put_multipart("/x", 10, [](char*, std::size_t) -> dbk::Status {
    return dbk::make_error(dbk::error_codes::kIoError, "cannot read /local/x");
  });
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message == "cannot read /local/x");
  CHECK(fake->requests().empty());
}

TEST_CASE_METHOD(TransferFixture, "a refused put without atomic leaves the target alone") {
  auto local = dir.write("m", "abc");
  fake->expect("POST", "/api/2.0/dbfs/put")
      .respond_json(400, error_body("RESOURCE_ALREADY_EXISTS",
                                    "A file or directory already exists at the input path /m."));
  auto status = dbk::upload_file(api, local.string(), "/m");
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().error_code == "RESOURCE_ALREADY_EXISTS");
  CHECK(fake->requests().size() == 1);  // no delete of someone else's file
}

TEST_CASE_METHOD(TransferFixture, "an atomic small upload is a put to a sibling and a move") {
  auto local = dir.write("model.bin", "abc");
  fake->expect("POST", "/api/2.0/dbfs/put");
  fake->expect("POST", "/api/2.0/dbfs/move");
  dbk::UploadOptions options;
  options.atomic = true;
  REQUIRE(dbk::upload_file(api, local.string(), "dbfs:/models/model.bin", options).ok());
  REQUIRE(fake->requests().size() == 2);  // no get-status: the move refuses an existing target
  auto form = form_of(fake->requests().at(0));
  const std::string temp = form["path"];
  CHECK(std::regex_match(temp, std::regex(R"(/models/\.model\.bin\.dbk-tmp-[0-9a-f]{16})")));
  CHECK(form["overwrite"] == "True");
  CHECK(form["file"] == "abc");
  CHECK(bodies_of("/move").at(0) ==
        json({{"source_path", temp}, {"destination_path", "/models/model.bin"}}));
}

TEST_CASE_METHOD(TransferFixture,
                 "an atomic small overwrite moves the old file aside, never deleting it first") {
  auto local = dir.write("m", "abc");
  fake->expect("POST", "/api/2.0/dbfs/put");
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .with_query("path=%2Fm")
      .respond(200, R"({"path": "/m", "is_dir": false, "file_size": 9})");
  fake->expect("POST", "/api/2.0/dbfs/move");  // old → aside
  fake->expect("POST", "/api/2.0/dbfs/move");  // new → target
  fake->expect("POST", "/api/2.0/dbfs/delete");
  dbk::UploadOptions options;
  options.atomic = true;
  options.overwrite = true;
  REQUIRE(dbk::upload_file(api, local.string(), "/m", options).ok());
  CHECK(fake->all_consumed());
  const std::string temp = form_of(fake->requests().at(0))["path"];
  auto moves = bodies_of("/move");
  const std::string aside = moves.at(0)["destination_path"];
  CHECK(std::regex_match(aside, std::regex(R"(/\.m\.dbk-old-[0-9a-f]{16})")));
  CHECK(moves.at(0)["source_path"] == "/m");
  CHECK(moves.at(1) == json({{"source_path", temp}, {"destination_path", "/m"}}));
  // Only the parked old file is deleted, after the new one is in place.
  CHECK(bodies_of("/delete").at(0) == json({{"path", aside}, {"recursive", false}}));
}

TEST_CASE_METHOD(TransferFixture, "a failed final move of an overwrite puts the old file back") {
  // The move used to come after a delete of the target: a failing move lost both.
  auto local = dir.write("m", "new");
  fake->expect("POST", "/api/2.0/dbfs/put");
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .respond(200, R"({"path": "/m", "is_dir": false, "file_size": 9})");
  fake->expect("POST", "/api/2.0/dbfs/move");  // old → aside
  fake->expect("POST", "/api/2.0/dbfs/move")
      .respond_json(500, error_body("INTERNAL_ERROR", "boom"));
  fake->expect("POST", "/api/2.0/dbfs/move");    // aside → old place
  fake->expect("POST", "/api/2.0/dbfs/delete");  // the temporary file
  dbk::UploadOptions options;
  options.atomic = true;
  options.overwrite = true;
  auto status = dbk::upload_file(api, local.string(), "/m", options);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().error_code == "INTERNAL_ERROR");
  CHECK(fake->all_consumed());
  const std::string temp = form_of(fake->requests().at(0))["path"];
  auto moves = bodies_of("/move");
  const std::string aside = moves.at(0)["destination_path"];
  CHECK(moves.at(2) == json({{"source_path", aside}, {"destination_path", "/m"}}));
  CHECK(bodies_of("/delete") == std::vector<json>{{{"path", temp}, {"recursive", false}}});
}

TEST_CASE_METHOD(TransferFixture, "an overwrite whose old file cannot be moved aside keeps it") {
  auto local = dir.write("m", "new");
  fake->expect("POST", "/api/2.0/dbfs/put");
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .respond(200, R"({"path": "/m", "is_dir": false, "file_size": 9})");
  fake->expect("POST", "/api/2.0/dbfs/move")
      .respond_json(403, error_body("PERMISSION_DENIED", "no"));
  fake->expect("POST", "/api/2.0/dbfs/delete");  // the temporary file only
  dbk::UploadOptions options;
  options.atomic = true;
  options.overwrite = true;
  auto status = dbk::upload_file(api, local.string(), "/m", options);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().error_code == "PERMISSION_DENIED");
  CHECK(bodies_of("/delete").at(0)["path"] == form_of(fake->requests().at(0))["path"]);
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(TransferFixture,
                 "an atomic small upload onto an existing file fails with the put's error") {
  auto local = dir.write("m", "abc");
  fake->expect("POST", "/api/2.0/dbfs/put");
  fake->expect("POST", "/api/2.0/dbfs/move")
      .respond_json(400, error_body("RESOURCE_ALREADY_EXISTS",
                                    "A file or directory already exists at the input path /m."));
  fake->expect("POST", "/api/2.0/dbfs/put")
      .with_json_body({{"path", "/m"}, {"contents", ""}, {"overwrite", false}})
      .respond_json(400, error_body("RESOURCE_ALREADY_EXISTS",
                                    "A file or directory already exists at the input path /m."));
  fake->expect("POST", "/api/2.0/dbfs/delete");
  dbk::UploadOptions options;
  options.atomic = true;
  auto status = dbk::upload_file(api, local.string(), "/m", options);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().error_code == "RESOURCE_ALREADY_EXISTS");
  CHECK(status.error().path == "/api/2.0/dbfs/put");
  CHECK(status.error().message == "A file or directory already exists at the input path /m.");
  // The temporary file is removed.
  CHECK(bodies_of("/delete").at(0)["path"] == form_of(fake->requests().at(0))["path"]);
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(TransferFixture, "a failed atomic small upload removes its temporary file") {
  auto local = dir.write("m", "abc");
  fake->expect("POST", "/api/2.0/dbfs/put")
      .respond_json(500, error_body("INTERNAL_ERROR", "broken"));
  fake->expect("POST", "/api/2.0/dbfs/delete");
  dbk::UploadOptions options;
  options.atomic = true;
  REQUIRE_FALSE(dbk::upload_file(api, local.string(), "/m", options).ok());
  CHECK(bodies_of("/delete").at(0)["path"] == form_of(fake->requests().at(0))["path"]);
  CHECK(bodies_of("/move").empty());
}

TEST_CASE_METHOD(TransferFixture, "a failed block closes the handle and removes the partial file") {
  auto local = dir.write("f", pattern(kMiB + 1));
  fake->expect("POST", "/api/2.0/dbfs/create").respond(200, R"({"handle": 3})");
  fake->expect("POST", "/api/2.0/dbfs/add-block");
  fake->expect("POST", "/api/2.0/dbfs/add-block")
      .respond_json(400, error_body("MAX_BLOCK_SIZE_EXCEEDED", "too big"));
  fake->expect("POST", "/api/2.0/dbfs/close");
  fake->expect("POST", "/api/2.0/dbfs/delete")
      .with_json_body({{"path", "/f"}, {"recursive", false}});
  dbk::UploadOptions options;
  options.single_request_max_bytes = kMiB;
  auto status = dbk::upload_file(api, local.string(), "/f", options);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().error_code == "MAX_BLOCK_SIZE_EXCEEDED");
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(TransferFixture, "a missing local file is an IO error before any request") {
  auto status = dbk::upload_file(api, (dir / "nope").string(), "/x");
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().error_code == dbk::error_codes::kIoError);
  CHECK(fake->requests().empty());
}

TEST_CASE_METHOD(TransferFixture,
                 "an atomic streamed upload writes a hidden sibling and moves it into place") {
  auto local = dir.write("model.bin", "abc");
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .with_query("path=%2Fmodels%2Fmodel.bin")
      .respond_json(404, error_body("RESOURCE_DOES_NOT_EXIST", "No file"));
  fake->expect("POST", "/api/2.0/dbfs/create").respond(200, R"({"handle": 9})");
  fake->expect("POST", "/api/2.0/dbfs/add-block");
  fake->expect("POST", "/api/2.0/dbfs/close");
  fake->expect("POST", "/api/2.0/dbfs/move");
  dbk::UploadOptions options;
  options.single_request_max_bytes = 0;
  options.atomic = true;
  REQUIRE(dbk::upload_file(api, local.string(), "dbfs:/models/model.bin", options).ok());
  auto create = bodies_of("/create").at(0);
  const std::string temp = create["path"];
  CHECK(std::regex_match(temp, std::regex(R"(/models/\.model\.bin\.dbk-tmp-[0-9a-f]{16})")));
  CHECK(create["overwrite"] == true);
  auto move = bodies_of("/move").at(0);
  CHECK(move == json({{"source_path", temp}, {"destination_path", "/models/model.bin"}}));
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(TransferFixture, "an atomic streamed overwrite replaces the target in place") {
  auto local = dir.write("m", "abc");
  fake->expect("POST", "/api/2.0/dbfs/create").respond(200, R"({"handle": 9})");
  fake->expect("POST", "/api/2.0/dbfs/add-block");
  fake->expect("POST", "/api/2.0/dbfs/close");
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .respond_json(404, error_body("RESOURCE_DOES_NOT_EXIST", "No file"));
  fake->expect("POST", "/api/2.0/dbfs/move");
  dbk::UploadOptions options;
  options.single_request_max_bytes = 0;
  options.atomic = true;
  options.overwrite = true;
  REQUIRE(dbk::upload_file(api, local.string(), "/m", options).ok());
  CHECK(bodies_of("/move").at(0)["destination_path"] == "/m");
  CHECK(bodies_of("/delete").empty());
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(TransferFixture, "an interrupted atomic upload removes its temporary file") {
  auto local = dir.write("m", "abc");
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .respond_json(404, error_body("RESOURCE_DOES_NOT_EXIST", "No file"));
  fake->expect("POST", "/api/2.0/dbfs/create").respond(200, R"({"handle": 9})");
  fake->expect("POST", "/api/2.0/dbfs/add-block")
      .respond_json(500, error_body("INTERNAL_ERROR", "broken"));
  fake->expect("POST", "/api/2.0/dbfs/close");
  fake->expect("POST", "/api/2.0/dbfs/delete");
  dbk::UploadOptions options;
  options.single_request_max_bytes = 0;
  options.atomic = true;
  REQUIRE_FALSE(dbk::upload_file(api, local.string(), "/m", options).ok());
  CHECK(bodies_of("/delete").at(0)["path"] == bodies_of("/create").at(0)["path"]);
  CHECK(bodies_of("/move").empty());
}

TEST_CASE_METHOD(TransferFixture,
                 "an atomic streamed upload onto an existing file fails before uploading") {
  auto local = dir.write("m", "abc");
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .respond(200, R"({"path": "/m", "is_dir": false, "file_size": 1})");
  fake->expect("POST", "/api/2.0/dbfs/put")
      .respond_json(400, error_body("RESOURCE_ALREADY_EXISTS",
                                    "A file or directory already exists at the input path /m."));
  dbk::UploadOptions options;
  options.single_request_max_bytes = 0;
  options.atomic = true;
  auto status = dbk::upload_file(api, local.string(), "/m", options);
  REQUIRE_FALSE(status.ok());
  // The service's own error, as the legacy CLI shows it, not a client-made one.
  CHECK(status.error().error_code == "RESOURCE_ALREADY_EXISTS");
  CHECK(status.error().http_status == 400);
  CHECK(status.error().message == "A file or directory already exists at the input path /m.");
  CHECK(fake->requests().size() == 2);
  CHECK(bodies_of("/create").empty());
}

TEST_CASE_METHOD(TransferFixture, "download reads 1 MiB chunks into a temp file and renames it") {
  const std::string content = pattern(kMiB + 10);
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .respond_json(200, {{"path", "/f"}, {"is_dir", false}, {"file_size", content.size()}});
  fake->expect("GET", "/api/2.0/dbfs/read")
      .with_query("path=%2Ff&offset=0&length=1048576")
      .respond_json(200, read_answer(content.substr(0, kMiB)));
  fake->expect("GET", "/api/2.0/dbfs/read")
      .with_query("path=%2Ff&offset=1048576&length=1048576")
      .respond_json(200, read_answer(content.substr(kMiB)));
  auto target = dir / "out.bin";
  REQUIRE(dbk::download_file(api, "dbfs:/f", target.string()).ok());
  CHECK(read_file(target) == content);
  CHECK(files_in(dir.path()) == std::vector<std::string>{"out.bin"});
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(TransferFixture, "a failed download leaves no file behind") {
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .respond_json(200, {{"path", "/f"}, {"is_dir", false}, {"file_size", 2 * kMiB}});
  fake->expect("GET", "/api/2.0/dbfs/read").respond_json(200, read_answer(pattern(kMiB)));
  fake->expect("GET", "/api/2.0/dbfs/read")
      .respond_json(404, error_body("RESOURCE_DOES_NOT_EXIST", "gone"));
  auto status = dbk::download_file(api, "/f", (dir / "out.bin").string());
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().error_code == "RESOURCE_DOES_NOT_EXIST");
  CHECK(files_in(dir.path()).empty());
}

TEST_CASE_METHOD(TransferFixture, "download does not replace a local file without overwrite") {
  auto existing = dir.write("out", "keep");
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .respond_json(200, {{"path", "/f"}, {"is_dir", false}, {"file_size", 1}});
  auto status = dbk::download_file(api, "/f", existing.string());
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().error_code == "RESOURCE_ALREADY_EXISTS");
  CHECK(read_file(existing) == "keep");
}

TEST_CASE_METHOD(AnyOrderFixture, "copy_files uploads in parallel and skips existing targets") {
  for (const char* name : {"a", "b", "c"}) dir.write(name, std::string("content-") + name);
  for (const char* name : {"a", "c"}) {
    const std::string path = std::string("/d/") + name;
    fake->expect("POST", "/api/2.0/dbfs/put").matching([path](const dbk::HttpRequest& request) {
      return puts_path(request, path);
    });
  }
  fake->expect("POST", "/api/2.0/dbfs/put")
      .matching([](const dbk::HttpRequest& request) { return puts_path(request, "/d/b"); })
      .respond_json(400, error_body("RESOURCE_ALREADY_EXISTS", "exists"));
  std::vector<dbk::CopyItem> items;
  for (const char* name : {"a", "b", "c"}) {
    items.push_back({(dir / name).string(), std::string("dbfs:/d/") + name});
  }
  dbk::TransferProgress last;
  dbk::CopyOptions options;
  options.parallelism = 3;
  options.progress = [&](const dbk::TransferProgress& p) { last = p; };
  auto results = dbk::copy_files(api, dbk::CopyDirection::kUpload, items, options);
  REQUIRE(results.size() == 3);
  CHECK(results[0].status == dbk::FileStatus::kDone);
  CHECK(results[1].status == dbk::FileStatus::kSkipped);
  CHECK(results[1].message == "dbfs:/d/b already exists");
  CHECK(results[2].status == dbk::FileStatus::kDone);
  CHECK(results[2].src == (dir / "c").string());
  CHECK(dbk::all_succeeded(results));
  CHECK(last.files_done == 3);
  CHECK(last.files_total == 3);
  CHECK(last.bytes_done == 18);
}

TEST_CASE_METHOD(TransferFixture, "copy_files stops after a failure unless told to continue") {
  for (const char* name : {"a", "b", "c"}) dir.write(name, "x");
  std::vector<dbk::CopyItem> items;
  for (const char* name : {"a", "b", "c"}) {
    items.push_back({(dir / name).string(), std::string("/d/") + name});
  }
  fake->expect("POST", "/api/2.0/dbfs/put")
      .respond_json(403, error_body("PERMISSION_DENIED", "no"))
      .reusable();
  dbk::CopyOptions options;
  options.parallelism = 1;
  auto stopped = dbk::copy_files(api, dbk::CopyDirection::kUpload, items, options);
  CHECK(stopped[0].status == dbk::FileStatus::kFailed);
  REQUIRE(stopped[0].error);
  CHECK(stopped[0].error->error_code == "PERMISSION_DENIED");
  CHECK(stopped[1].status == dbk::FileStatus::kNotStarted);
  CHECK(stopped[2].status == dbk::FileStatus::kNotStarted);
  CHECK_FALSE(dbk::all_succeeded(stopped));

  options.continue_on_error = true;
  auto continued = dbk::copy_files(api, dbk::CopyDirection::kUpload, items, options);
  for (const auto& result : continued) CHECK(result.status == dbk::FileStatus::kFailed);
}

TEST_CASE_METHOD(AnyOrderFixture, "copy_tree downloads a DBFS directory tree") {
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .with_query("path=%2Fsrc")
      .respond(200, R"({"path": "/src", "is_dir": true})");
  fake->expect("GET", "/api/2.0/dbfs/list")
      .with_query("path=%2Fsrc")
      .respond(200, R"({"files": [{"path": "/src/sub", "is_dir": true},
                                  {"path": "/src/a.txt", "is_dir": false, "file_size": 1}]})");
  fake->expect("GET", "/api/2.0/dbfs/list")
      .with_query("path=%2Fsrc%2Fsub")
      .respond(200, R"({"files": [{"path": "/src/sub/b.txt", "is_dir": false, "file_size": 1}]})");
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .with_query("path=%2Fsrc%2Fa.txt")
      .respond(200, R"({"path": "/src/a.txt", "is_dir": false, "file_size": 1})");
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .with_query("path=%2Fsrc%2Fsub%2Fb.txt")
      .respond(200, R"({"path": "/src/sub/b.txt", "is_dir": false, "file_size": 1})");
  fake->expect("GET", "/api/2.0/dbfs/read")
      .with_query("path=%2Fsrc%2Fa.txt&offset=0&length=1048576")
      .respond_json(200, read_answer("A"));
  fake->expect("GET", "/api/2.0/dbfs/read")
      .with_query("path=%2Fsrc%2Fsub%2Fb.txt&offset=0&length=1048576")
      .respond_json(200, read_answer("B"));
  auto results =
      dbk::copy_tree(api, dbk::CopyDirection::kDownload, "dbfs:/src", (dir / "out").string());
  REQUIRE(results.ok());
  REQUIRE(results->size() == 2);
  CHECK((*results)[0].src == "/src/a.txt");
  CHECK((*results)[1].src == "/src/sub/b.txt");
  CHECK(dbk::all_succeeded(*results));
  CHECK(read_file(dir / "out/a.txt") == "A");
  CHECK(read_file(dir / "out/sub/b.txt") == "B");
}

TEST_CASE_METHOD(AnyOrderFixture,
                 "copy_tree never writes outside its target for a hostile listing") {
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .with_query("path=%2Fsrc")
      .respond(200, R"({"path": "/src", "is_dir": true})");
  // ".." as a file and as a directory, "." and a NUL: each fails alone.
  fake->expect("GET", "/api/2.0/dbfs/list")
      .with_query("path=%2Fsrc")
      .respond(200, R"({"files": [{"path": "/src/..", "is_dir": false, "file_size": 1},
                                  {"path": "/src/sub/..", "is_dir": true},
                                  {"path": "/src/.", "is_dir": false, "file_size": 1},
                                  {"path": "/src/x\u0000y", "is_dir": false, "file_size": 1},
                                  {"path": "/src/a.txt", "is_dir": false, "file_size": 1}]})");
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .with_query("path=%2Fsrc%2Fa.txt")
      .respond(200, R"({"path": "/src/a.txt", "is_dir": false, "file_size": 1})");
  fake->expect("GET", "/api/2.0/dbfs/read")
      .with_query("path=%2Fsrc%2Fa.txt&offset=0&length=1048576")
      .respond_json(200, read_answer("A"));
  dbk::CopyOptions options;
  auto results = dbk::copy_tree(api, dbk::CopyDirection::kDownload, "dbfs:/src",
                                (dir / "parent/out").string(), options);
  REQUIRE(results.ok());
  REQUIRE(results->size() == 5);
  CHECK((*results)[0].src == "/src/a.txt");
  CHECK((*results)[0].status == dbk::FileStatus::kDone);
  for (std::size_t i = 1; i < results->size(); ++i) {
    INFO((*results)[i].src);
    CHECK((*results)[i].status == dbk::FileStatus::kFailed);
    REQUIRE((*results)[i].error);
    CHECK((*results)[i].error->error_code == "INVALID_RESPONSE");
  }
  CHECK_FALSE(dbk::all_succeeded(*results));
  CHECK(files_in(dir / "parent") == std::vector<std::string>{"out"});
  CHECK(files_in(dir / "parent/out") == std::vector<std::string>{"a.txt"});
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(AnyOrderFixture, "copy_tree uploads a local tree, creating directories first") {
  dir.write("src/x.txt", "x");
  dir.write("src/deep/er/y.txt", "y");
  fake->expect("POST", "/api/2.0/dbfs/mkdirs").with_json_body({{"path", "/dst"}});
  fake->expect("POST", "/api/2.0/dbfs/mkdirs").with_json_body({{"path", "/dst/deep/er"}});
  for (const char* path : {"/dst/x.txt", "/dst/deep/er/y.txt"}) {
    fake->expect("POST", "/api/2.0/dbfs/put").matching([path](const dbk::HttpRequest& request) {
      auto form = form_of(request);
      return form["path"] == path && form["overwrite"] == "True";
    });
  }
  dbk::CopyOptions options;
  options.overwrite = true;
  auto results = dbk::copy_tree(api, dbk::CopyDirection::kUpload, (dir / "src").string(),
                                "dbfs:/dst", options);
  REQUIRE(results.ok());
  REQUIRE(results->size() == 2);
  CHECK((*results)[0].dst == "/dst/deep/er/y.txt");
  CHECK((*results)[1].dst == "/dst/x.txt");
  CHECK(dbk::all_succeeded(*results));
  CHECK(fake->all_consumed());
  // Directories are created before any file.
  CHECK(fake->requests().at(0).url.find("/mkdirs") != std::string::npos);
  CHECK(fake->requests().at(1).url.find("/mkdirs") != std::string::npos);
}

TEST_CASE_METHOD(TransferFixture, "copy_within_dbfs streams through a local temporary file") {
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .with_query("path=%2Fa")
      .respond(200, R"({"path": "/a", "is_dir": false, "file_size": 3})");
  fake->expect("GET", "/api/2.0/dbfs/read").respond_json(200, read_answer("xyz"));
  fake->expect("POST", "/api/2.0/dbfs/put").matching([](const dbk::HttpRequest& request) {
    auto form = form_of(request);
    return form["path"] == "/b" && form["overwrite"] == "False" && form["file"] == "xyz";
  });
  REQUIRE(dbk::copy_within_dbfs(api, "dbfs:/a", "dbfs:/b").ok());
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(AnyOrderFixture, "copy_tree survives a symlink cycle in the local tree") {
  dir.write("src/a.txt", "a");
  fs::create_directory_symlink(dir / "src", dir / "src/loop");
  fake->expect("POST", "/api/2.0/dbfs/mkdirs").reusable();
  fake->expect("POST", "/api/2.0/dbfs/put").reusable();
  auto results = dbk::copy_tree(api, dbk::CopyDirection::kUpload, (dir / "src").string(), "/dst");
  REQUIRE(results.ok());
  REQUIRE(results->size() == 1);
  CHECK((*results)[0].dst == "/dst/a.txt");
}

namespace {
// DBFS behind the retrying transport, as a client has it, with instant back-off.
struct RetryingFixture : TransferFixture {
  std::shared_ptr<dbk::testing::FakeClock> clock = std::make_shared<dbk::testing::FakeClock>();
  dbk::DbfsApi retried{std::make_shared<dbk::detail::ApiCaller>(
      "https://h", dbk::make_retrying_transport(
                       fake, {}, clock, std::make_shared<dbk::testing::FakeSleeper>(clock)))};
};

dbk::ApiError connection_reset() {
  return dbk::make_error("CONNECTION_ERROR", "request to h:443 failed: Connection reset by peer");
}

json no_file() {
  return error_body("RESOURCE_DOES_NOT_EXIST", "No file or directory exists");
}

// An upload's put, then a move whose answer is lost and whose retry finds no source;
// the check that follows finds the temporary file gone too.
void expect_replayed_move(FakeTransport& fake) {
  fake.expect("POST", "/api/2.0/dbfs/put");
  fake.expect("POST", "/api/2.0/dbfs/move").fail(connection_reset());
  fake.expect("POST", "/api/2.0/dbfs/move").respond_json(404, no_file());
  fake.expect("GET", "/api/2.0/dbfs/get-status").respond_json(404, no_file());
}
}  // namespace

TEST_CASE_METHOD(RetryingFixture, "a move replayed after a lost response recognises its own work") {
  // The first move happened but its answer was lost; the retry finds no source.
  auto local = dir.write("m", "abc");
  expect_replayed_move(*fake);
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .with_query("path=%2Fm")
      .respond(200, R"({"path": "/m", "is_dir": false, "file_size": 3})");
  dbk::UploadOptions options;
  options.atomic = true;
  auto status = dbk::upload_file(retried, local.string(), "/m", options);
  INFO((status ? std::string() : status.error().to_string()));
  CHECK(status.ok());
  CHECK(fake->all_consumed());
  CHECK(bodies_of("/delete").empty());
}

TEST_CASE_METHOD(RetryingFixture, "a replayed move is not taken for done when the size differs") {
  auto local = dir.write("m", "abc");
  expect_replayed_move(*fake);
  fake->expect("GET", "/api/2.0/dbfs/get-status")
      .respond(200, R"({"path": "/m", "is_dir": false, "file_size": 7})");
  fake->expect("POST", "/api/2.0/dbfs/delete");
  dbk::UploadOptions options;
  options.atomic = true;
  auto status = dbk::upload_file(retried, local.string(), "/m", options);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().error_code == "RESOURCE_DOES_NOT_EXIST");
  CHECK(status.error().replayed);
}

TEST_CASE_METHOD(RetryingFixture, "a file failed by a replay does not stop the batch") {
  auto a = dir.write("a", "abc");
  auto b = dir.write("b", "def");
  expect_replayed_move(*fake);  // a
  // Nor is the target: not this move's work.
  fake->expect("GET", "/api/2.0/dbfs/get-status").respond_json(404, no_file());
  fake->expect("POST", "/api/2.0/dbfs/delete");
  fake->expect("POST", "/api/2.0/dbfs/put");  // b
  fake->expect("POST", "/api/2.0/dbfs/move");
  dbk::CopyOptions options;
  options.parallelism = 1;
  options.atomic = true;
  options.skip_existing = false;
  auto results = dbk::copy_files(retried, dbk::CopyDirection::kUpload,
                                 {{a.string(), "/d/a"}, {b.string(), "/d/b"}}, options);
  REQUIRE(results.size() == 2);
  CHECK(results[0].status == dbk::FileStatus::kFailed);
  CHECK(results[1].status == dbk::FileStatus::kDone);
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(RetryingFixture,
                 "a delete replayed after a lost response that finds nothing succeeds") {
  fake->expect("POST", "/api/2.0/dbfs/delete").fail(connection_reset());
  fake->expect("POST", "/api/2.0/dbfs/delete").respond_json(404, no_file());
  CHECK(retried.remove("/gone", false).ok());
  // Without a lost response, a missing file is still an error.
  fake->expect("POST", "/api/2.0/dbfs/delete").respond_json(404, no_file());
  CHECK_FALSE(retried.remove("/never", false).ok());
  CHECK(fake->all_consumed());
}

TEST_CASE_METHOD(TransferFixture, "stale temporaries of earlier copies to the same files go") {
  // Interrupted or killed copies left hidden temporaries in DBFS for ever.
  using std::chrono::hours;
  const auto now =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'800'000'000'000));
  const auto ms = [&](hours age) {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>((now - age).time_since_epoch())
            .count());
  };
  fake->expect("GET", "/api/2.0/dbfs/list")
      .with_query("path=%2Fd")
      .respond(200, R"({"files": [
        {"path": "/d/a", "is_dir": false, "file_size": 1, "modification_time": )" +
                        ms(hours(1)) + R"(},
        {"path": "/d/.a.dbk-tmp-0123456789abcdef", "is_dir": false, "modification_time": )" +
                        ms(hours(25)) + R"(},
        {"path": "/d/.a.dbk-tmp-fedcba9876543210", "is_dir": false, "modification_time": )" +
                        ms(hours(1)) + R"(},
        {"path": "/d/.a.dbk-old-00000000000000aa", "is_dir": false, "modification_time": )" +
                        ms(hours(30)) + R"(},
        {"path": "/d/.b.dbk-old-00000000000000bb", "is_dir": false, "modification_time": )" +
                        ms(hours(30)) + R"(},
        {"path": "/d/.c.dbk-tmp-00000000000000cc", "is_dir": false, "modification_time": )" +
                        ms(hours(30)) + R"(},
        {"path": "/d/.a.dbk-tmp-nothexnothexnoth", "is_dir": false, "modification_time": )" +
                        ms(hours(30)) + R"(}]})");
  fake->expect("POST", "/api/2.0/dbfs/delete")
      .with_json_body({{"path", "/d/.a.dbk-tmp-0123456789abcdef"}, {"recursive", false}});
  fake->expect("POST", "/api/2.0/dbfs/delete")
      .with_json_body({{"path", "/d/.a.dbk-old-00000000000000aa"}, {"recursive", false}});
  // Not removed: a recent temporary (a copy may be running), another file's temporary
  // (.c), a parked old version whose file is missing (.b: its only copy), a foreign name.
  CHECK(dbk::remove_stale_temporaries(api, "/d", {"a", "b"}, now) == 2);
  CHECK(fake->all_consumed());
  CHECK(fake->requests().size() == 3);
}

TEST_CASE("stale partial downloads of the same files go") {
  TempDir dir;
  const auto now = std::chrono::system_clock::now();
  auto old_file = dir.write(".a.dbk-tmp-0123456789abcdef", "partial");
  auto recent = dir.write(".a.dbk-tmp-fedcba9876543210", "partial");
  auto other = dir.write(".b.dbk-tmp-0123456789abcdef", "partial");
  dir.write("a", "done");
  const auto day_ago = fs::file_time_type::clock::now() - std::chrono::hours(30);
  fs::last_write_time(old_file, day_ago);
  fs::last_write_time(other, day_ago);
  CHECK(dbk::remove_stale_local_temporaries(dir.path().string(), {"a"}, now) == 1);
  CHECK_FALSE(fs::exists(old_file));
  CHECK(fs::exists(recent));
  CHECK(fs::exists(other));
  CHECK(fs::exists(dir / "a"));
}
