#include <catch2/catch.hpp>

#include "dbk/http.hpp"

TEST_CASE("header lookup and replacement ignore case") {
  dbk::HttpHeaders headers{{"Content-Type", "text/plain"}, {"X-Request-Id", "abc"}};
  CHECK(dbk::find_header(headers, "content-type") == "text/plain");
  CHECK(dbk::find_header(headers, "x-request-id") == "abc");
  CHECK_FALSE(dbk::find_header(headers, "Authorization").has_value());

  dbk::set_header(headers, "content-type", "application/json");
  CHECK(headers.size() == 2);
  CHECK(dbk::find_header(headers, "Content-Type") == "application/json");
  dbk::set_header(headers, "Authorization", "Bearer x");
  CHECK(headers.size() == 3);

  headers.emplace_back("AUTHORIZATION", "stale");
  dbk::set_header(headers, "authorization", "Bearer y");
  CHECK(headers.size() == 3);
  CHECK(dbk::find_header(headers, "Authorization") == "Bearer y");
}

TEST_CASE("url_encode keeps unreserved characters only") {
  CHECK(dbk::url_encode("/Users/a b/c.py") == "%2FUsers%2Fa%20b%2Fc.py");
  CHECK(dbk::url_encode("a-b_c.d~e") == "a-b_c.d~e");
  CHECK(dbk::url_encode("x=1&y=\xC3\xA9") == "x%3D1%26y%3D%C3%A9");
}

TEST_CASE("parse_url keeps port and path prefix") {
  auto url = dbk::parse_url("http://localhost:8080/prefix/api/2.0/x?path=%2Fa#frag");
  REQUIRE(url);
  CHECK(url->scheme == "http");
  CHECK(url->host == "localhost");
  CHECK(url->port == 8080);
  CHECK(url->path == "/prefix/api/2.0/x");
  CHECK(url->query == "path=%2Fa");

  auto https = dbk::parse_url("HTTPS://adb-1.azuredatabricks.net");
  REQUIRE(https);
  CHECK(https->port == 443);
  CHECK(https->path.empty());

  auto ipv6 = dbk::parse_url("http://[::1]:9/x");
  REQUIRE(ipv6);
  CHECK(ipv6->host == "[::1]");
  CHECK(ipv6->port == 9);

  CHECK_FALSE(dbk::parse_url("ftp://host/x"));
  CHECK_FALSE(dbk::parse_url("host/x"));
  CHECK_FALSE(dbk::parse_url("http://host:99999/"));
  CHECK_FALSE(dbk::parse_url("http://:80/"));
}
