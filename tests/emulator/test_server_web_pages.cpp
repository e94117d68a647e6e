// The web pages the emulator serves: a fixed table of files with their security headers,
// nothing else reachable by any path, under the same Host/Origin rules as the API, and a
// clear answer when the files are not installed. (The pages themselves are tested in a
// browser: tests/browser.)
#include <catch2/catch.hpp>
#include <fstream>

#include "emulator_fixture.hpp"
#include "http/router.hpp"
#include "web/web_service.hpp"

using namespace dbk::emulator;
using namespace dbk::emulator::testing;

TEST_CASE("every page file is served with its type and security headers", "[emulator][web]") {
  TestEmulator emu;
  auto c = emu.client();
  for (const std::string& url : WebService::url_paths()) {
    CAPTURE(url);
    auto reply = c.get(url);
    REQUIRE(reply.status == 200);
    CHECK_FALSE(reply.body.empty());
    CHECK(reply.header("X-Content-Type-Options") == "nosniff");
    CHECK(reply.header("X-Frame-Options") == "DENY");
    CHECK(reply.header("Cache-Control") == "no-cache");
    const std::string csp = reply.header("Content-Security-Policy");
    CHECK(csp.find("default-src 'none'") != std::string::npos);
    CHECK(csp.find("script-src 'self'") != std::string::npos);
    CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
    CHECK(csp.find("unsafe") == std::string::npos);
    const std::string type = reply.header("Content-Type");
    if (url == "/") CHECK(type == "text/html; charset=utf-8");
    if (url.size() > 3 && url.compare(url.size() - 3, 3, ".js") == 0)
      CHECK(type == "text/javascript; charset=utf-8");
  }
  // The run page URL the Jobs API hands out is the page at "/" (the script reads the fragment).
  auto page = c.get("/?o=0");
  CHECK(page.status == 200);
  CHECK(page.body.find("<script src=\"/web/dbk.js\"") != std::string::npos);
  CHECK(page.body.find("<script>") == std::string::npos);  // no inline script
}

TEST_CASE("no request path reaches a file outside the table", "[emulator][web]") {
  TestEmulator emu;
  auto c = emu.client();
  for (const std::string target :
       {"/index.html", "/web/", "/web/index.html", "/web/../index.html", "/web/%2e%2e/index.html",
        "/web/..%2f..%2fCMakeLists.txt", "/web/dbk.js/x", "/web/DBK.JS", "/emulator/web/dbk.js",
        "/web//dbk.js", "/web/dbk.js%00.html", "/favicon.ico",
        "/runtime/dbk_runtime/__main__.py"}) {
    CAPTURE(target);
    auto reply = c.get(target);
    CHECK(reply.status == 404);
    CHECK(reply.error_code() == "ENDPOINT_NOT_FOUND");
  }
  CHECK(c.request("POST", "/", "{}", {{"Content-Type", "application/json"}}).status == 405);
}

TEST_CASE("the pages follow the API's rules: Host/Origin without a token; data needs the token",
          "[emulator][web][auth]") {
  SECTION("without a token a foreign Host or Origin cannot load them") {
    TestEmulator emu;
    auto c = emu.client();
    CHECK(c.request("GET", "/", "", {{"Host", "evil.example"}}).status == 403);
    CHECK(c.request("GET", "/web/dbk.js", "", {{"Origin", "http://evil.example"}}).status == 403);
    CHECK(c.request("GET", "/", "", {{"Host", "localhost:" + std::to_string(emu.port())}}).status ==
          200);
  }
  SECTION("with a token the files need none, every API call the page makes does") {
    EmulatorOptions options;
    options.token = "web-token";
    TestEmulator emu(options);
    auto c = emu.client();
    c.set_token("");
    CHECK(c.get("/").status == 200);
    CHECK(c.get("/web/jobs.js").status == 200);
    CHECK(c.get("/api/2.1/jobs/list").status == 401);
    c.set_token("web-token");
    CHECK(c.get("/api/2.1/jobs/list").status == 200);
  }
}

TEST_CASE("without installed pages the answer says what is missing", "[emulator][web]") {
  TempDir empty;
  WebService service(empty.path());
  Router router;
  service.register_routes(router);
  Request request;
  request.method = "GET";
  request.path = "/";
  Response response = router.route(request);
  CHECK(response.status == 404);
  CHECK(response.body.find("web pages are not installed") != std::string::npos);
  CHECK(response.body.find("index.html") != std::string::npos);
}
