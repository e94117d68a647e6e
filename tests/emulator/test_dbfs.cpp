#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "emulator_fixture.hpp"

using namespace dbk::emulator::testing;
using nlohmann::json;

namespace {

json put(HttpClient& c, const std::string& path, const std::string& bytes, bool overwrite = false) {
  return c
      .post("/api/2.0/dbfs/put",
            {{"path", path}, {"contents", b64(bytes)}, {"overwrite", overwrite}})
      .json();
}

std::string read_all(HttpClient& c, const std::string& path) {
  std::string out;
  for (std::int64_t offset = 0;;) {
    auto reply = c.get("/api/2.0/dbfs/read?path=" + q(path) + "&offset=" + std::to_string(offset) +
                       "&length=1048576");
    REQUIRE(reply.status == 200);
    auto body = reply.json();
    if (body["bytes_read"].get<std::int64_t>() == 0) break;
    out += unb64(body["data"].get<std::string>());
    offset += body["bytes_read"].get<std::int64_t>();
  }
  return out;
}

std::string multipart(const std::string& boundary,
                      const std::vector<std::tuple<std::string, std::string, std::string>>& parts) {
  std::string body;
  for (const auto& [name, filename, data] : parts) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"";
    if (!filename.empty()) body += "; filename=\"" + filename + "\"";
    body += "\r\n";
    if (!filename.empty()) body += "Content-Type: application/octet-stream\r\n";
    body += "\r\n" + data + "\r\n";
  }
  return body + "--" + boundary + "--\r\n";
}

}  // namespace

TEST_CASE("dbfs put, get-status, read and list in both path forms", "[emulator][dbfs]") {
  TestEmulator emu;
  auto c = emu.client();
  REQUIRE(put(c, "dbfs:/data/a.txt", "hello") == json::object());

  auto status = c.get("/api/2.0/dbfs/get-status?path=" + q("/data/a.txt"));
  REQUIRE(status.status == 200);
  CHECK(status.json()["path"] == "/data/a.txt");
  CHECK(status.json()["is_dir"] == false);
  CHECK(status.json()["file_size"] == 5);
  CHECK(status.json()["modification_time"].get<std::int64_t>() > 1'600'000'000'000);

  // The filesystem is the truth: the bytes are a plain file under <state>/dbfs.
  std::ifstream file(emu.state() / "dbfs" / "data" / "a.txt");
  std::string on_disk((std::istreambuf_iterator<char>(file)), {});
  CHECK(on_disk == "hello");

  auto list = c.get("/api/2.0/dbfs/list?path=" + q("dbfs:/data")).json();
  REQUIRE(list["files"].size() == 1);
  CHECK(list["files"][0]["path"] == "/data/a.txt");

  auto root = c.get("/api/2.0/dbfs/list?path=/").json();
  REQUIRE(root["files"].size() == 1);
  CHECK(root["files"][0]["path"] == "/data");
  CHECK(root["files"][0]["is_dir"] == true);

  // A file lists as itself.
  auto self = c.get("/api/2.0/dbfs/list?path=/data/a.txt").json();
  REQUIRE(self["files"].size() == 1);
  CHECK(self["files"][0]["file_size"] == 5);

  // Empty directories omit the key.
  REQUIRE(c.post("/api/2.0/dbfs/mkdirs", {{"path", "/empty"}}).status == 200);
  CHECK(c.get("/api/2.0/dbfs/list?path=/empty").json() == json::object());

  auto read = c.get("/api/2.0/dbfs/read?path=/data/a.txt&offset=1&length=3").json();
  CHECK(read["bytes_read"] == 3);
  CHECK(unb64(read["data"]) == "ell");
  auto past = c.get("/api/2.0/dbfs/read?path=/data/a.txt&offset=3&length=100").json();
  CHECK(past["bytes_read"] == 2);
  auto eof = c.get("/api/2.0/dbfs/read?path=/data/a.txt&offset=5").json();
  CHECK(eof["bytes_read"] == 0);
  CHECK(eof["data"] == "");
}

TEST_CASE("dbfs errors match the real service", "[emulator][dbfs]") {
  TestEmulator emu;
  auto c = emu.client();
  auto missing = c.get("/api/2.0/dbfs/get-status?path=/nope");
  CHECK(missing.status == 404);
  CHECK(missing.error_code() == "RESOURCE_DOES_NOT_EXIST");
  CHECK(missing.json()["message"] == "No file or directory exists on path /nope.");
  CHECK(c.get("/api/2.0/dbfs/list?path=/nope").status == 404);
  CHECK(c.get("/api/2.0/dbfs/read?path=/nope").status == 404);

  REQUIRE(put(c, "/f", "x") == json::object());
  auto exists = c.post("/api/2.0/dbfs/put", {{"path", "/f"}, {"contents", b64("y")}});
  CHECK(exists.status == 400);
  CHECK(exists.error_code() == "RESOURCE_ALREADY_EXISTS");
  CHECK(exists.json()["message"] == "A file or directory already exists at the input path /f.");
  CHECK(put(c, "/f", "yz", true) == json::object());
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/f").json()["file_size"] == 2);

  auto through_file = c.post("/api/2.0/dbfs/mkdirs", {{"path", "/f/sub"}});
  CHECK(through_file.status == 400);
  CHECK(through_file.error_code() == "RESOURCE_ALREADY_EXISTS");

  std::string big(1024 * 1024 + 1, 'a');
  auto too_big = c.post("/api/2.0/dbfs/put", {{"path", "/big"}, {"contents", b64(big)}});
  CHECK(too_big.status == 400);
  CHECK(too_big.error_code() == "MAX_BLOCK_SIZE_EXCEEDED");
  CHECK(too_big.json()["message"] ==
        "The 'contents' data cannot exceed 1048576 bytes. Found: 1048577 bytes. You might want to "
        "use streaming upload instead.");
  CHECK(put(c, "/exact", std::string(1024 * 1024, 'b')) == json::object());

  auto read_big = c.get("/api/2.0/dbfs/read?path=/f&length=1048577");
  CHECK(read_big.status == 400);
  CHECK(read_big.error_code() == "MAX_READ_SIZE_EXCEEDED");
  auto negative = c.get("/api/2.0/dbfs/read?path=/f&offset=-1");
  CHECK(negative.status == 400);
  CHECK(negative.error_code() == "INVALID_PARAMETER_VALUE");
  REQUIRE(c.post("/api/2.0/dbfs/mkdirs", {{"path", "/d"}}).status == 200);
  auto read_dir = c.get("/api/2.0/dbfs/read?path=/d");
  CHECK(read_dir.status == 400);
  CHECK(read_dir.error_code() == "INVALID_PARAMETER_VALUE");

  auto escape = c.get("/api/2.0/dbfs/get-status?path=" + q("/../../etc/passwd"));
  CHECK(escape.status == 400);
  CHECK(escape.error_code() == "INVALID_PARAMETER_VALUE");
  CHECK(c.get("/api/2.0/dbfs/get-status?path=relative").status == 400);

  auto no_path = c.post("/api/2.0/dbfs/mkdirs", json::object());
  CHECK(no_path.status == 400);
  CHECK(no_path.error_code() == "INVALID_PARAMETER_VALUE");
  CHECK(no_path.json()["message"].get<std::string>().find("path") != std::string::npos);

  auto wrong_type = c.post("/api/2.0/dbfs/mkdirs", {{"path", 42}});
  CHECK(wrong_type.status == 400);
  CHECK(wrong_type.error_code() == "INVALID_PARAMETER_VALUE");

  auto bad_json = c.request("POST", "/api/2.0/dbfs/mkdirs", "{not json",
                            {{"Content-Type", "application/json"}});
  CHECK(bad_json.status == 400);
  CHECK(bad_json.error_code() == "MALFORMED_REQUEST");

  auto bad_base64 = c.post("/api/2.0/dbfs/put", {{"path", "/b64"}, {"contents", "@@@"}});
  CHECK(bad_base64.status == 400);
}

TEST_CASE("dbfs accepts the legacy CLI's text/json and True booleans", "[emulator][dbfs]") {
  TestEmulator emu;
  auto c = emu.client();
  json body = {{"path", "dbfs:/legacy"}, {"contents", b64("1")}};
  CHECK(
      c.request("POST", "/api/2.0/dbfs/put", body.dump(), {{"Content-Type", "text/json"}}).status ==
      200);
  body["overwrite"] = "True";
  body["contents"] = b64("22");
  CHECK(
      c.request("POST", "/api/2.0/dbfs/put", body.dump(), {{"Content-Type", "text/json"}}).status ==
      200);
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/legacy").json()["file_size"] == 2);
}

TEST_CASE("dbfs multipart put as the legacy CLI sends it", "[emulator][dbfs]") {
  TestEmulator emu;
  auto c = emu.client();
  std::string payload(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 31 % 251);
  const std::string boundary = "a1b2c3";
  auto send = [&](const std::string& overwrite) {
    return c.request("POST", "/api/2.0/dbfs/put",
                     multipart(boundary, {{"path", "", "dbfs:/up/big.bin"},
                                          {"overwrite", "", overwrite},
                                          {"file", "big.bin", payload}}),
                     {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
  };
  REQUIRE(send("False").status == 200);  // larger than the 1 MB inline limit: fine here
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/up/big.bin").json()["file_size"] == payload.size());
  CHECK(read_all(c, "/up/big.bin") == payload);
  auto again = send("False");
  CHECK(again.status == 400);
  CHECK(again.error_code() == "RESOURCE_ALREADY_EXISTS");
  CHECK(send("True").status == 200);

  auto broken = c.request("POST", "/api/2.0/dbfs/put", "garbage",
                          {{"Content-Type", "multipart/form-data; boundary=zz"}});
  CHECK(broken.status == 400);
}

TEST_CASE("multipart puts pipelined on one connection arrive whole, large then small",
          "[emulator][dbfs]") {
  // Large bodies are read from the socket straight into a buffer the connection keeps for
  // its next request: a smaller body after a larger one, a small one through the parser,
  // and the bytes of the next request already read with a body must all come out right.
  TestEmulator emu;
  const std::string boundary = "a1b2c3";
  auto payload = [](std::size_t size, int seed) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * seed + 7) % 251);
    // Almost the delimiter, twice: the part must not end there.
    bytes.replace(size / 3, 10, "\r\n--a1b2cX");
    bytes.replace(size / 2, 9, "\r\n--a1b2X");
    return bytes;
  };
  const std::vector<std::pair<std::string, std::string>> files = {
      {"/pipe/large.bin", payload(2 * 1024 * 1024 + 5, 31)},
      {"/pipe/smaller.bin", payload(100 * 1024 + 3, 17)},
      {"/pipe/tiny.bin", payload(100, 13)}};
  std::string wire;
  for (const auto& [path, bytes] : files) {
    const std::string body =
        multipart(boundary, {{"path", "", path}, {"overwrite", "", "False"}, {"file", "f", bytes}});
    wire +=
        "POST /api/2.0/dbfs/put HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: multipart/form-data; boundary=" +
        boundary + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  wire += "GET /__dbk/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  const std::string replies = raw_exchange(emu.port(), wire, 20000);
  std::size_t answered = 0;
  for (auto at = replies.find("HTTP/1.1 200"); at != std::string::npos;
       at = replies.find("HTTP/1.1 200", at + 1)) {
    ++answered;
  }
  CHECK(answered == files.size() + 1);
  auto c = emu.client();
  for (const auto& [path, bytes] : files) {
    CAPTURE(path);
    CHECK(read_all(c, path) == bytes);
  }
}

TEST_CASE("a large body cut short is dropped, and the server serves on", "[emulator][dbfs]") {
  TestEmulator emu;
  const std::string wire =
      "POST /api/2.0/dbfs/put HTTP/1.1\r\nHost: localhost\r\n"
      "Content-Type: multipart/form-data; boundary=zz\r\nContent-Length: 1000000\r\n\r\n" +
      multipart("zz", {{"path", "", "/cut.bin"}, {"file", "f", std::string(200000, 'x')}});
  CHECK(raw_exchange(emu.port(), wire, 500).empty());  // no answer to half a request
  auto c = emu.client();
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/cut.bin").status == 404);
  CHECK(c.get("/__dbk/health").status == 200);
}

TEST_CASE("dbfs streaming upload with handles", "[emulator][dbfs]") {
  TestEmulator emu;
  auto c = emu.client();
  auto created = c.post("/api/2.0/dbfs/create", {{"path", "/stream/out.bin"}});
  REQUIRE(created.status == 200);
  auto handle = created.json()["handle"].get<std::int64_t>();
  std::string expected;
  for (int i = 0; i < 3; ++i) {
    std::string block(1024 * 1024, static_cast<char>('a' + i));
    expected += block;
    REQUIRE(c.post("/api/2.0/dbfs/add-block", {{"handle", handle}, {"data", b64(block)}}).status ==
            200);
  }
  // Not visible at the target until close.
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/stream/out.bin").status == 404);
  auto too_big = c.post("/api/2.0/dbfs/add-block",
                        {{"handle", handle}, {"data", b64(std::string(1024 * 1024 + 1, 'z'))}});
  CHECK(too_big.status == 400);
  CHECK(too_big.error_code() == "MAX_BLOCK_SIZE_EXCEEDED");
  REQUIRE(c.post("/api/2.0/dbfs/close", {{"handle", handle}}).status == 200);
  CHECK(read_all(c, "/stream/out.bin") == expected);

  auto unknown = c.post("/api/2.0/dbfs/add-block", {{"handle", handle}, {"data", b64("x")}});
  CHECK(unknown.status == 404);
  CHECK(unknown.error_code() == "RESOURCE_DOES_NOT_EXIST");
  CHECK(c.post("/api/2.0/dbfs/close", {{"handle", 999999}}).status == 404);

  auto exists = c.post("/api/2.0/dbfs/create", {{"path", "/stream/out.bin"}});
  CHECK(exists.status == 400);
  CHECK(exists.error_code() == "RESOURCE_ALREADY_EXISTS");
  // Handles as strings (some clients quote int64) are accepted.
  auto again = c.post("/api/2.0/dbfs/create", {{"path", "/stream/out.bin"}, {"overwrite", true}});
  REQUIRE(again.status == 200);
  auto id = std::to_string(again.json()["handle"].get<std::int64_t>());
  CHECK(c.post("/api/2.0/dbfs/add-block", {{"handle", id}, {"data", b64("new")}}).status == 200);
  CHECK(c.post("/api/2.0/dbfs/close", {{"handle", id}}).status == 200);
  CHECK(read_all(c, "/stream/out.bin") == "new");
}

TEST_CASE("dbfs handles expire after 10 idle minutes of emulated time", "[emulator][dbfs]") {
  TestEmulator emu;
  auto c = emu.client();
  auto handle = c.post("/api/2.0/dbfs/create", {{"path", "/idle"}}).json()["handle"];
  REQUIRE(c.post("/__dbk/clock", {{"advance_ms", 9 * 60 * 1000}}).status == 200);
  REQUIRE(c.post("/api/2.0/dbfs/add-block", {{"handle", handle}, {"data", b64("a")}}).status ==
          200);
  REQUIRE(c.post("/__dbk/clock", {{"advance_ms", 11 * 60 * 1000}}).status == 200);
  CHECK(c.post("/api/2.0/dbfs/add-block", {{"handle", handle}, {"data", b64("b")}}).status == 404);
  CHECK(c.post("/api/2.0/dbfs/close", {{"handle", handle}}).status == 404);
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/idle").status == 404);
}

TEST_CASE("dbfs delete and move", "[emulator][dbfs]") {
  TestEmulator emu;
  auto c = emu.client();
  put(c, "/tree/a/1.txt", "1");
  put(c, "/tree/a/2.txt", "2");
  put(c, "/tree/b.txt", "b");

  auto not_empty = c.post("/api/2.0/dbfs/delete", {{"path", "/tree"}});
  CHECK(not_empty.status == 400);
  CHECK(not_empty.error_code() == "IO_ERROR");
  CHECK(c.post("/api/2.0/dbfs/delete", {{"path", "/tree/b.txt"}}).status == 200);
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/tree/b.txt").status == 404);
  CHECK(c.post("/api/2.0/dbfs/delete", {{"path", "/never/there"}}).status == 200);

  auto moved = c.post("/api/2.0/dbfs/move",
                      {{"source_path", "dbfs:/tree/a"}, {"destination_path", "/moved/a"}});
  REQUIRE(moved.status == 200);
  CHECK(read_all(c, "/moved/a/2.txt") == "2");
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/tree/a").status == 404);
  auto missing =
      c.post("/api/2.0/dbfs/move", {{"source_path", "/tree/a"}, {"destination_path", "/x"}});
  CHECK(missing.status == 404);
  put(c, "/other", "o");
  auto taken = c.post("/api/2.0/dbfs/move",
                      {{"source_path", "/other"}, {"destination_path", "/moved/a/1.txt"}});
  CHECK(taken.status == 400);
  CHECK(taken.error_code() == "RESOURCE_ALREADY_EXISTS");
  CHECK(c.post("/api/2.0/dbfs/move",
               {{"source_path", "/moved"}, {"destination_path", "/moved/inside"}})
            .status == 400);

  CHECK(c.post("/api/2.0/dbfs/delete", {{"path", "/moved"}, {"recursive", true}}).status == 200);
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/moved").status == 404);
}

TEST_CASE("dbfs recursive delete can answer 503 PARTIAL_DELETE until done", "[emulator][dbfs]") {
  TestEmulator emu;
  auto c = emu.client();
  for (int i = 0; i < 7; ++i) put(c, "/many/f" + std::to_string(i), "x");
  REQUIRE(c.post("/__dbk/dbfs/settings", {{"delete_batch_files", 3}}).status == 200);
  int partial = 0;
  while (true) {
    auto reply = c.post("/api/2.0/dbfs/delete", {{"path", "/many"}, {"recursive", true}});
    if (reply.status == 200) break;
    REQUIRE(reply.status == 503);
    REQUIRE(reply.error_code() == "PARTIAL_DELETE");
    CHECK(reply.json()["message"].get<std::string>().find("deleted 3 files") != std::string::npos);
    REQUIRE(++partial < 10);
  }
  CHECK(partial == 2);
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/many").status == 404);
}
