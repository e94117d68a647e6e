#include <catch2/catch.hpp>
#include <string>
#include <variant>

#include "dbk/api_error.hpp"
#include "dbk/result.hpp"

using dbk::ApiError;

TEST_CASE("ApiError::to_string names code, message, status and request") {
  ApiError error;
  error.http_status = 404;
  error.error_code = "RESOURCE_DOES_NOT_EXIST";
  error.message = "Path (/x) doesn't exist.";
  error.method = "GET";
  error.path = "/api/2.0/workspace/get-status";
  CHECK(error.to_string() ==
        "RESOURCE_DOES_NOT_EXIST: Path (/x) doesn't exist. (HTTP 404, GET "
        "/api/2.0/workspace/get-status)");
}

TEST_CASE("ApiError::to_string of a transport error has no HTTP status") {
  ApiError error = dbk::make_error("CONNECTION_ERROR", "cannot connect to 127.0.0.1:9");
  CHECK(error.is_transport_error());
  CHECK(error.to_string() == "CONNECTION_ERROR: cannot connect to 127.0.0.1:9");
  error.method = "POST";
  error.path = "/api/2.0/dbfs/put";
  CHECK(error.to_string() ==
        "CONNECTION_ERROR: cannot connect to 127.0.0.1:9 (POST /api/2.0/dbfs/put)");
}

TEST_CASE("ApiError::to_string does not repeat a code the message already starts with") {
  ApiError error;
  error.http_status = 429;
  error.error_code = "REQUEST_LIMIT_EXCEEDED";
  error.message = "REQUEST_LIMIT_EXCEEDED: Exceeded workspace rate limit";
  CHECK(error.to_string() == "REQUEST_LIMIT_EXCEEDED: Exceeded workspace rate limit (HTTP 429)");
}

TEST_CASE("is_not_found covers 404, the code and the 400 does-not-exist overrides") {
  ApiError error;
  error.http_status = 404;
  error.error_code = "ENDPOINT_NOT_FOUND";
  CHECK(error.is_not_found());

  ApiError missing_job;
  missing_job.http_status = 400;
  missing_job.error_code = "INVALID_PARAMETER_VALUE";
  missing_job.message = "Job 123 does not exist.";
  CHECK(missing_job.is_not_found());
  missing_job.message = "Run: 5 in job: 3 doesn't exist";
  CHECK(missing_job.is_not_found());

  ApiError bad_value = missing_job;
  bad_value.message = "Missing required field: job_id";
  CHECK_FALSE(bad_value.is_not_found());

  ApiError already_exists;
  already_exists.http_status = 400;
  already_exists.error_code = "RESOURCE_ALREADY_EXISTS";
  already_exists.message = "A file or directory already exists at the input path /x.";
  CHECK_FALSE(already_exists.is_not_found());

  CHECK(dbk::make_error(dbk::error_codes::kNotFound, "no such file").is_not_found());
}

TEST_CASE("reason reads ErrorInfo details; is_unreachable needs a connection error") {
  ApiError server;
  server.http_status = 429;
  server.error_code = "REQUEST_LIMIT_EXCEEDED";
  server.details = nlohmann::json::parse(
      R"([{"@type": "type.googleapis.com/google.rpc.RequestInfo", "request_id": "r"},
          {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMITED"}])");
  CHECK(server.reason() == "RATE_LIMITED");
  CHECK_FALSE(server.is_unreachable());
  CHECK(dbk::make_error("CONNECTION_ERROR", "reset").reason().empty());

  auto refused = dbk::with_reason(dbk::make_error("CONNECTION_ERROR", "cannot connect"),
                                  dbk::error_reasons::kHostUnreachable);
  CHECK(refused.is_unreachable());
  CHECK(refused.details[0]["domain"] == "dbk");
  auto renamed = refused;
  renamed.error_code = "DEADLINE_EXCEEDED";
  CHECK_FALSE(renamed.is_unreachable());
}

TEST_CASE("Result holds a value or an error; value() throws ApiException") {
  dbk::Result<int> ok = 3;
  REQUIRE(ok.ok());
  CHECK(*ok == 3);
  dbk::Result<int> failed = dbk::make_error("IO_ERROR", "disk full");
  CHECK_FALSE(failed.ok());
  CHECK(failed.error().error_code == "IO_ERROR");
  CHECK_THROWS_AS(failed.value(), dbk::ApiException);
  dbk::Status status = dbk::make_error("IO_ERROR", "disk full");
  CHECK_FALSE(status.ok());
  CHECK(dbk::Status().ok());
}

TEST_CASE("Result: * and -> on an error, error() on a value, throw in every build") {
  dbk::Result<std::string> failed = dbk::make_error("IO_ERROR", "disk full");
  CHECK_THROWS_AS(*failed, std::bad_variant_access);
  CHECK_THROWS_AS(failed->size(), std::bad_variant_access);
  dbk::Result<std::string> ok = std::string("x");
  CHECK_THROWS_AS(ok.error(), std::bad_variant_access);
}
