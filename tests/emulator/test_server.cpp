#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>
#include <thread>

#include "emulator_fixture.hpp"

using namespace dbk::emulator;
using namespace dbk::emulator::testing;
using nlohmann::json;

TEST_CASE("unknown endpoints and wrong methods answer like the service", "[emulator][server]") {
  TestEmulator emu;
  auto c = emu.client();
  auto missing = c.get("/api/2.0/nothing/here");
  CHECK(missing.status == 404);
  CHECK(missing.error_code() == "ENDPOINT_NOT_FOUND");
  auto wrong = c.request("PUT", "/api/2.0/dbfs/list");
  CHECK(wrong.status == 405);
  CHECK(wrong.json().contains("message"));
  // Keep-alive: all of the above went over one connection and it still works.
  CHECK(c.get("/api/2.0/dbfs/list?path=/").status == 200);
}

TEST_CASE("token: required on /api and /__dbk when configured", "[emulator][server][auth]") {
  EmulatorOptions options;
  options.token = "s3cret-token";
  TestEmulator emu(options);
  HttpClient anonymous("127.0.0.1", emu.port());
  auto none = anonymous.get("/api/2.0/workspace/list?path=/");
  CHECK(none.status == 401);
  CHECK(none.json().contains("error_code"));
  CHECK(none.body.find("s3cret") == std::string::npos);
  CHECK(anonymous.get("/__dbk/health").status == 401);
  HttpClient wrong("127.0.0.1", emu.port(), false, "s3cret-tokeN");
  CHECK(wrong.get("/api/2.0/workspace/list?path=/").status == 401);
  HttpClient prefix("127.0.0.1", emu.port(), false, "s3cret");
  CHECK(prefix.get("/api/2.0/workspace/list?path=/").status == 401);
  auto basic = anonymous.request("GET", "/api/2.0/workspace/list?path=/", "",
                                 {{"Authorization", "Basic czNjcmV0LXRva2Vu"}});
  CHECK(basic.status == 401);
  auto good = emu.client();
  CHECK(good.get("/api/2.0/workspace/list?path=/").status == 200);
  CHECK(good.get("/__dbk/health").status == 200);
}

TEST_CASE("token: any token is accepted when none is configured", "[emulator][server][auth]") {
  TestEmulator emu;
  HttpClient with_token("127.0.0.1", emu.port(), false, "whatever");
  CHECK(with_token.get("/api/2.0/workspace/list?path=/").status == 200);
}

TEST_CASE("refuses a non-loopback address without a token", "[emulator][server][auth]") {
  TempDir dir;
  EmulatorOptions options;
  options.port = 0;
  options.state_dir = (dir.path() / "s").string();
  // Only the refusal is exercised: tests never listen beyond loopback.
  for (const char* host : {"0.0.0.0", "10.1.2.3", "::"}) {
    options.host = host;
    auto refused = Emulator::start(options);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("token") != std::string::npos);
  }
  options.host = "localhost";
  auto started = Emulator::start(options);
  REQUIRE(started.ok());
  HttpClient c("127.0.0.1", (*started)->port());
  CHECK(c.get("/__dbk/health").status == 200);
}

TEST_CASE("serves HTTPS with a certificate and key", "[emulator][server][tls]") {
  TempDir dir;
  auto cert = dir.path() / "cert.pem";
  auto key = dir.path() / "key.pem";
  std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " +
      key.string() + " -out " + cert.string() + " >/dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  EmulatorOptions options;
  options.tls_cert_file = cert.string();
  options.tls_key_file = key.string();
  TestEmulator emu(options);
  CHECK(emu.emulator().base_url().rfind("https://127.0.0.1:", 0) == 0);
  auto c = emu.client();
  CHECK(c.post("/api/2.0/dbfs/put", {{"path", "/tls"}, {"contents", b64("secure")}}).status == 200);
  CHECK(c.get("/api/2.0/dbfs/get-status?path=/tls").json()["file_size"] == 6);

  options.tls_key_file = (dir.path() / "missing.pem").string();
  options.state_dir = (dir.path() / "s2").string();
  auto broken = Emulator::start(options);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message.find("TLS") != std::string::npos);
}

TEST_CASE("oversized bodies get 413 with a JSON body", "[emulator][server][limits]") {
  TestEmulator emu;
  // Declared too large: answered from the headers, without reading the body.
  std::string reply =
      raw_exchange(emu.port(),
                   "POST /api/2.0/dbfs/put HTTP/1.1\r\nHost: x\r\n"
                   "Content-Type: application/json\r\nContent-Length: 70000000\r\n\r\n{");
  CHECK(reply.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(reply.find("\"error_code\"") != std::string::npos);
  // The server is still fine.
  CHECK(emu.client().get("/__dbk/health").status == 200);
}

TEST_CASE("malformed requests, huge headers and random bytes never hurt the server",
          "[emulator][server][fuzz]") {
  TestEmulator emu;
  CHECK(raw_exchange(emu.port(), "NOT HTTP AT ALL\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
  std::string huge = "GET /api/2.0/dbfs/list?path=/ HTTP/1.1\r\nHost: x\r\nX-Big: " +
                     std::string(200 * 1024, 'a') + "\r\n\r\n";
  // The server answers 431 and closes; the client may see the answer or a reset.
  std::string big_reply = raw_exchange(emu.port(), huge);
  CHECK((big_reply.empty() || big_reply.rfind("HTTP/1.1 431", 0) == 0));
  CHECK(raw_exchange(emu.port(), "GET /api/2.0/dbfs/list?path=%ZZ%2 HTTP/1.1\r\nHost: x\r\n\r\n")
            .rfind("HTTP/1.1 ", 0) == 0);
  std::mt19937 random(1234);
  for (int i = 0; i < 50; ++i) {
    std::string noise(static_cast<size_t>(random() % 2000), '\0');
    for (char& ch : noise) ch = static_cast<char>(random() % 256);
    if (i % 2 == 0) noise = "POST /api/2.0/dbfs/put HTTP/1.1\r\nContent-Length: 10\r\n\r\n" + noise;
    raw_exchange(emu.port(), noise, 500);
  }
  // Bodies of every wrong shape.
  auto c = emu.client();
  for (const std::string& body :
       {"", "[]", "null", "42", "\"s\"", "{\"path\": []}", "{\"path\": null}",
        "{\"path\": \"/a\", \"contents\": 5}", "\xff\xfe"}) {
    auto reply =
        c.request("POST", "/api/2.0/dbfs/put", body, {{"Content-Type", "application/json"}});
    CHECK(reply.status == 400);
  }
  CHECK(c.get("/__dbk/health").status == 200);
}

TEST_CASE("a slow client does not block other clients", "[emulator][server]") {
  TestEmulator emu;
  // Sends half a request and stalls; others must still be served meanwhile.
  std::thread slow([&] {
    raw_exchange(emu.port(),
                 "POST /api/2.0/dbfs/put HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",
                 1500);
  });
  auto c = emu.client();
  for (int i = 0; i < 20; ++i) CHECK(c.get("/__dbk/health").status == 200);
  slow.join();
}

TEST_CASE("32 threads of mixed requests are all served correctly",
          "[emulator][server][concurrency]") {
  TestEmulator emu;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 32; ++t) {
    threads.emplace_back([&, t] {
      auto c = emu.client();
      const std::string dir = "/t" + std::to_string(t);
      for (int i = 0; i < 15; ++i) {
        const std::string file = dir + "/f" + std::to_string(i);
        const std::string content = "thread " + std::to_string(t) + " item " + std::to_string(i);
        if (c.post("/api/2.0/dbfs/put", {{"path", file}, {"contents", b64(content)}}).status != 200)
          ++failures;
        auto read = c.get("/api/2.0/dbfs/read?path=" + q(file)).json();
        if (unb64(read.value("data", "")) != content) ++failures;
        if (c.post("/api/2.0/workspace/mkdirs",
                   {{"path", "/Shared" + dir + "/d" + std::to_string(i)}})
                .status != 200) {
          ++failures;
        }
      }
      auto list = c.get("/api/2.0/dbfs/list?path=" + q(dir)).json();
      if (list["files"].size() != 15) ++failures;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures.load() == 0);
  auto c = emu.client();
  CHECK(c.get("/api/2.0/dbfs/list?path=/").json()["files"].size() == 32);
  CHECK(c.get("/api/2.0/workspace/list?path=/Shared").json()["objects"].size() == 32);
}

TEST_CASE("port 0 picks a free port and a temporary state folder is removed on stop",
          "[emulator][server]") {
  EmulatorOptions options;
  options.port = 0;
  auto started = Emulator::start(options);
  REQUIRE(started.ok());
  CHECK((*started)->port() > 0);
  HttpClient c("127.0.0.1", (*started)->port());
  CHECK(c.post("/api/2.0/dbfs/put", {{"path", "/x"}, {"contents", b64("1")}}).status == 200);
  (*started)->stop();
  (*started)->stop();  // idempotent
}
