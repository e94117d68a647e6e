#include <catch2/catch.hpp>

#include "error_parser.hpp"

using dbk::HttpResponse;
using dbk::detail::parse_api_error;

namespace {

dbk::ApiError parse(int status, std::string body, dbk::HttpHeaders headers = {}) {
  return parse_api_error(HttpResponse{status, std::move(headers), std::move(body)}, "GET",
                         "/api/2.0/x");
}

}  // namespace

TEST_CASE("JSON error bodies give code, message, details and request id") {
  auto error = parse(404, R"({"error_code":"RESOURCE_DOES_NOT_EXIST","message":"No file.",
    "details":[{"@type":"type.googleapis.com/google.rpc.RequestInfo","request_id":"req-1"}]})");
  CHECK(error.http_status == 404);
  CHECK(error.error_code == "RESOURCE_DOES_NOT_EXIST");
  CHECK(error.message == "No file.");
  CHECK(error.details.size() == 1);
  CHECK(error.request_id == "req-1");
  CHECK(error.method == "GET");
  CHECK(error.path == "/api/2.0/x");
}

TEST_CASE("an integer error_code is treated as absent") {
  auto error = parse(401, R"({"error_code":401,"message":"Invalid access token."})");
  CHECK(error.error_code == "UNAUTHENTICATED");
  CHECK(error.message == "Invalid access token.");
}

TEST_CASE("API 1.2 and SCIM bodies are understood") {
  auto api12 = parse(400, R"({"error":"Command failed"})");
  CHECK(api12.error_code == "BAD_REQUEST");
  CHECK(api12.message == "Command failed");

  auto scim = parse(403, R"({"detail":"User not authorized","status":"403","schemas":[]})");
  CHECK(scim.error_code == "PERMISSION_DENIED");
  CHECK(scim.message == "User not authorized");
}

TEST_CASE("plain text CODE: message bodies") {
  auto error = parse(503,
                     "TEMPORARILY_UNAVAILABLE: The service at /api/2.0/x is temporarily "
                     "unavailable.\n");
  CHECK(error.error_code == "TEMPORARILY_UNAVAILABLE");
  CHECK(error.message == "The service at /api/2.0/x is temporarily unavailable.");

  auto other = parse(500, "something broke");
  CHECK(other.error_code == "INTERNAL_ERROR");
  CHECK(other.message == "something broke");
}

TEST_CASE("HTML error pages: <pre> first, then <title>") {
  auto pre = parse(503,
                   "<html><head><title>Error 503</title></head><body><h2>HTTP ERROR 503</h2>"
                   "<pre>  Service   Unavailable &amp; busy</pre></body></html>");
  CHECK(pre.error_code == "TEMPORARILY_UNAVAILABLE");
  CHECK(pre.message == "Service Unavailable & busy");

  auto title =
      parse(502, "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>");
  CHECK(title.error_code == "BAD_GATEWAY");
  CHECK(title.message == "502 Bad Gateway");

  auto coded =
      parse(400, "<html><body><pre>INVALID_STATE: cluster is starting</pre></body></html>");
  CHECK(coded.error_code == "INVALID_STATE");
  CHECK(coded.message == "cluster is starting");
}

TEST_CASE("an HTML login page is reported as such") {
  auto error = parse(401,
                     "<!doctype html><html><head><title>Databricks - Sign In</title></head>"
                     "<body><form><input type=\"password\"></form></body></html>");
  CHECK(error.error_code == "UNAUTHENTICATED");
  CHECK_THAT(error.message, Catch::Contains("login page"));
  CHECK_THAT(error.message, Catch::Contains("host"));
}

TEST_CASE("empty bodies take the code from the status") {
  const std::pair<int, const char*> cases[] = {
      {400, "BAD_REQUEST"},       {401, "UNAUTHENTICATED"},    {403, "PERMISSION_DENIED"},
      {404, "NOT_FOUND"},         {409, "RESOURCE_CONFLICT"},  {429, "TOO_MANY_REQUESTS"},
      {500, "INTERNAL_ERROR"},    {501, "NOT_IMPLEMENTED"},    {503, "TEMPORARILY_UNAVAILABLE"},
      {504, "DEADLINE_EXCEEDED"}, {405, "METHOD_NOT_ALLOWED"}, {418, "BAD_REQUEST"}};
  for (const auto& [status, code] : cases) {
    auto error = parse(status, "  ");
    CHECK(error.error_code == code);
    CHECK_FALSE(error.message.empty());
  }
  CHECK(parse(404, "").message == "Not Found");
}

TEST_CASE("malformed JSON never throws and keeps the text") {
  auto error = parse(500, R"({"error_code": "INTERNAL_ERROR", "mess)");
  CHECK(error.error_code == "INTERNAL_ERROR");
  CHECK_THAT(error.message, Catch::Contains("error_code"));
  auto array = parse(400, "[1,2]");
  CHECK(array.error_code == "BAD_REQUEST");
}

TEST_CASE("request id from the x-request-id header") {
  auto error = parse(500, "", {{"X-Request-ID", "abc-123"}});
  CHECK(error.request_id == "abc-123");
}

TEST_CASE("Retry-After in seconds or as an HTTP date") {
  auto seconds = parse(429, "", {{"Retry-After", " 7 "}});
  REQUIRE(seconds.retry_after);
  CHECK(*seconds.retry_after == std::chrono::seconds(7));

  // relative to the response's own Date header, not to the local clock
  auto date = parse(503, "",
                    {{"Date", "Wed, 21 Oct 2015 07:28:00 GMT"},
                     {"Retry-After", "Wed, 21 Oct 2015 07:28:30 GMT"}});
  REQUIRE(date.retry_after);
  CHECK(*date.retry_after == std::chrono::seconds(30));

  auto now = *dbk::detail::parse_http_date("Wed, 21 Oct 2015 07:28:10 GMT");
  auto no_date = parse_api_error(
      HttpResponse{503, {{"Retry-After", "Wed, 21 Oct 2015 07:28:30 GMT"}}, ""}, "GET", "/x", now);
  REQUIRE(no_date.retry_after);
  CHECK(*no_date.retry_after == std::chrono::seconds(20));

  auto past = parse(503, "",
                    {{"Date", "Wed, 21 Oct 2015 07:28:00 GMT"},
                     {"Retry-After", "Wed, 21 Oct 2015 07:27:00 GMT"}});
  REQUIRE(past.retry_after);
  CHECK(past.retry_after->count() == 0);

  CHECK_FALSE(parse(429, "", {{"Retry-After", "soon"}}).retry_after);
  CHECK_FALSE(parse(429, "", {{"Retry-After", "-3"}}).retry_after);
  CHECK_FALSE(parse(429, "").retry_after);
}

TEST_CASE("parse_http_date reads IMF-fixdate") {
  auto when = dbk::detail::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
  REQUIRE(when);
  CHECK(std::chrono::system_clock::to_time_t(*when) == 784111777);
  CHECK_FALSE(dbk::detail::parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
  CHECK_FALSE(dbk::detail::parse_http_date("yesterday"));
}

TEST_CASE("a redirect is explained as a probable wrong host or login redirect") {
  auto error = parse(302, "", {{"Location", "https://h/login.html?next=/api"}});
  CHECK(error.error_code == "UNEXPECTED_REDIRECT");
  CHECK_THAT(error.message, Catch::Contains("https://h/login.html?next=/api"));
  CHECK_THAT(error.message, Catch::Contains("wrong host"));
}
