#include <catch2/catch.hpp>

#include "auth/auth_transport.hpp"
#include "auth_requests.hpp"
#include "dbk/base64.hpp"
#include "dbk/testing/fake_transport.hpp"

using dbk::testing::FakeTransport;

TEST_CASE("PAT auth sends a bearer token") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("GET", "/api/2.0/x").respond(200, "{}");
  auto auth = dbk::detail::make_pat_auth(fake, "dapi123");
  dbk::HttpRequest request = get_request("https://h/api/2.0/x");
  request.headers.emplace_back("authorization", "stale");
  REQUIRE(auth->send(request, {}).ok());
  CHECK(authorization_of(fake->requests().at(0)) == "Bearer dapi123");
  CHECK(fake->requests().at(0).headers.size() == 1);
}

TEST_CASE("basic auth sends base64(user:password)") {
  auto fake = std::make_shared<FakeTransport>();
  fake->expect("GET", "/x").respond(200, "{}");
  auto auth = dbk::detail::make_basic_auth(fake, "me@example.com", "p:w");
  REQUIRE(auth->send(get_request("https://h/x"), {}).ok());
  CHECK(authorization_of(fake->requests().at(0)) ==
        "Basic " + dbk::base64_encode("me@example.com:p:w"));
}

TEST_CASE("make_auth_transport follows the effective auth type") {
  auto fake = std::make_shared<FakeTransport>(FakeTransport::Order::kAnyOrder);
  fake->expect("GET", "/x").reusable().respond(200, "{}");
  dbk::Config config;
  config.host = "https://h";
  auto none = dbk::detail::make_auth_transport(fake, config, nullptr);
  REQUIRE(none.ok());
  REQUIRE((*none)->send(get_request("https://h/x"), {}).ok());
  CHECK(authorization_of(fake->requests().back()).empty());

  config.token = "dapi1";
  auto pat = dbk::detail::make_auth_transport(fake, config, nullptr);
  REQUIRE(pat.ok());
  REQUIRE((*pat)->send(get_request("https://h/x"), {}).ok());
  CHECK(authorization_of(fake->requests().back()) == "Bearer dapi1");

  config.auth_type = "basic";
  auto missing = dbk::detail::make_auth_transport(fake, config, nullptr);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().error_code == "CONFIG_ERROR");
  CHECK_THAT(missing.error().message, !Catch::Contains("dapi1"));
}
