#include <catch2/catch.hpp>

#include "auth/auth_transport.hpp"
#include "auth_requests.hpp"
#include "dbk/base64.hpp"
#include "dbk/testing/fake_clock.hpp"
#include "dbk/testing/fake_transport.hpp"

using dbk::testing::FakeClock;
using dbk::testing::FakeTransport;

namespace {

struct OAuthFixture {
  std::shared_ptr<FakeTransport> fake = std::make_shared<FakeTransport>();
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  std::shared_ptr<dbk::Transport> auth =
      dbk::detail::make_oauth_m2m_auth(fake, "https://h/", "client-1", "s3cret", clock);

  void expect_token(std::string token, int expires_in) {
    fake->expect("POST", "/oidc/v1/token")
        .matching([](const dbk::HttpRequest& request) {
          return request.body == "grant_type=client_credentials&scope=all-apis" &&
                 dbk::find_header(request.headers, "Content-Type") ==
                     "application/x-www-form-urlencoded" &&
                 authorization_of(request) == "Basic " + dbk::base64_encode("client-1:s3cret");
        })
        .respond_json(
            200, {{"access_token", token}, {"token_type", "Bearer"}, {"expires_in", expires_in}});
  }
};

}  // namespace

TEST_CASE("OAuth M2M fetches a token once and reuses it until shortly before expiry") {
  OAuthFixture f;
  f.expect_token("tok-1", 3600);
  f.fake->expect("GET", "/api/2.0/a").respond(200, "{}");
  f.fake->expect("GET", "/api/2.0/b").respond(200, "{}");
  f.expect_token("tok-2", 3600);
  f.fake->expect("GET", "/api/2.0/c").respond(200, "{}");

  REQUIRE(f.auth->send(get_request("https://h/api/2.0/a"), {}).ok());
  f.clock->advance(std::chrono::seconds(3500));  // still more than a minute left
  REQUIRE(f.auth->send(get_request("https://h/api/2.0/b"), {}).ok());
  f.clock->advance(std::chrono::seconds(60));  // within the refresh margin
  REQUIRE(f.auth->send(get_request("https://h/api/2.0/c"), {}).ok());

  CHECK(f.fake->all_consumed());
  auto requests = f.fake->requests();
  REQUIRE(requests.size() == 5);
  CHECK(requests[0].url == "https://h/oidc/v1/token");
  CHECK(authorization_of(requests[1]) == "Bearer tok-1");
  CHECK(authorization_of(requests[2]) == "Bearer tok-1");
  CHECK(authorization_of(requests[4]) == "Bearer tok-2");
}

TEST_CASE("OAuth M2M refetches once when a cached token is rejected") {
  OAuthFixture f;
  f.expect_token("tok-1", 3600);
  f.fake->expect("GET", "/x").respond(200, "{}");
  f.fake->expect("GET", "/x").respond(401, "");
  f.expect_token("tok-2", 3600);
  f.fake->expect("GET", "/x").respond(200, "{}");
  REQUIRE(f.auth->send(get_request("https://h/x"), {}).ok());
  auto retried = f.auth->send(get_request("https://h/x"), {});
  REQUIRE(retried.ok());
  CHECK(retried->status == 200);
  CHECK(authorization_of(f.fake->requests().back()) == "Bearer tok-2");
}

TEST_CASE("OAuth M2M token endpoint failures are clear errors without the secret") {
  OAuthFixture f;
  f.fake->expect("POST", "/oidc/v1/token")
      .respond_json(401, {{"error", "invalid_client"},
                          {"error_description", "Client authentication failed"}});
  auto refused = f.auth->send(get_request("https://h/x"), {});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().http_status == 401);
  CHECK_THAT(refused.error().message, Catch::Contains("client-1"));
  CHECK_THAT(refused.error().message,
             Catch::Contains("invalid_client: Client authentication failed"));
  CHECK_THAT(refused.error().to_string(), !Catch::Contains("s3cret"));

  f.fake->expect("POST", "/oidc/v1/token").respond(200, "<html><title>Sign in</title></html>");
  auto html = f.auth->send(get_request("https://h/x"), {});
  REQUIRE_FALSE(html.ok());
  CHECK(html.error().error_code == "INVALID_RESPONSE");
  CHECK_THAT(html.error().message, Catch::Contains("web page"));

  f.fake->expect("POST", "/oidc/v1/token").respond_json(200, {{"token_type", "Bearer"}});
  auto no_token = f.auth->send(get_request("https://h/x"), {});
  REQUIRE_FALSE(no_token.ok());
  CHECK_THAT(no_token.error().message, Catch::Contains("without an access_token"));

  f.fake->expect("POST", "/oidc/v1/token")
      .fail(dbk::make_error("CONNECTION_ERROR", "cannot connect to h:443"));
  auto offline = f.auth->send(get_request("https://h/x"), {});
  REQUIRE_FALSE(offline.ok());
  CHECK(offline.error().error_code == "CONNECTION_ERROR");
  CHECK_THAT(offline.error().message, Catch::Contains("OAuth token"));
}
