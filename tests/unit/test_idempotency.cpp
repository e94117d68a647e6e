// Each API method declares whether a replay is safe, and the retry loop follows that
// declaration: after a lost response a non-idempotent call is not sent again, an
// idempotent one (by nature or by token) is.
#include <catch2/catch.hpp>

#include "api_caller.hpp"
#include "dbk/clusters.hpp"
#include "dbk/dbfs.hpp"
#include "dbk/jobs.hpp"
#include "dbk/retry.hpp"
#include "dbk/testing/fake_clock.hpp"
#include "dbk/testing/fake_transport.hpp"
#include "dbk/workspace.hpp"

using dbk::Idempotency;
using dbk::testing::FakeTransport;

namespace {

// The API classes on a retrying stack over a fake transport, with instant sleeps.
struct Stack {
  std::shared_ptr<FakeTransport> fake = std::make_shared<FakeTransport>();
  std::shared_ptr<dbk::testing::FakeClock> clock = std::make_shared<dbk::testing::FakeClock>();
  std::shared_ptr<dbk::detail::ApiCaller> caller = std::make_shared<dbk::detail::ApiCaller>(
      "https://h", dbk::make_retrying_transport(
                       fake, {}, clock, std::make_shared<dbk::testing::FakeSleeper>(clock)));
  dbk::JobsApi jobs{caller};
  dbk::DbfsApi dbfs{caller};
  dbk::WorkspaceApi workspace{caller};
  dbk::ClustersApi clusters{caller};

  Idempotency declared(std::size_t i) const { return fake->requests().at(i).idempotency; }
};

dbk::ApiError lost_response() {
  return dbk::make_error("CONNECTION_ERROR", "request to h:443 failed: Connection reset by peer");
}

}  // namespace

TEST_CASE("a non-idempotent call is not replayed after a lost response") {
  Stack s;
  s.fake->expect("POST", "/api/2.1/jobs/create").fail(lost_response());
  auto created = s.jobs.create({{"name", "x"}});
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().error_code == "CONNECTION_ERROR");
  CHECK(s.fake->requests().size() == 1);
  CHECK(s.declared(0) == Idempotency::kNonIdempotent);

  s.fake->expect("POST", "/api/2.0/dbfs/add-block").respond(504, "");
  CHECK_FALSE(s.dbfs.add_block(7, "data").ok());
  CHECK(s.fake->requests().size() == 2);
}

TEST_CASE("an idempotent call is replayed after a lost response") {
  Stack s;
  s.fake->expect("GET", "/api/2.1/jobs/runs/get").fail(lost_response());
  s.fake->expect("GET", "/api/2.1/jobs/runs/get").respond(200, R"({"run_id": 3})");
  REQUIRE(s.jobs.runs_get(3).ok());
  s.fake->expect("POST", "/api/2.1/jobs/runs/cancel").respond(504, "");
  s.fake->expect("POST", "/api/2.1/jobs/runs/cancel").respond(200, "{}");
  REQUIRE(s.jobs.runs_cancel(3).ok());
  CHECK(s.declared(2) == Idempotency::kIdempotent);
  CHECK(s.fake->all_consumed());
}

TEST_CASE("run-now and runs submit are made idempotent by their token") {
  Stack s;
  s.fake->expect("POST", "/api/2.1/jobs/run-now").fail(lost_response());
  s.fake->expect("POST", "/api/2.1/jobs/run-now").respond(200, R"({"run_id": 5})");
  dbk::RunNowRequest request;
  request.job_id = 1;
  REQUIRE(s.jobs.run_now(request).ok());
  CHECK(s.declared(0) == Idempotency::kByToken);

  // An empty token protects nothing: the call is then not replayed.
  s.fake->expect("POST", "/api/2.1/jobs/runs/submit").fail(lost_response());
  CHECK_FALSE(s.jobs.runs_submit({{"run_name", "x"}, {"idempotency_token", ""}}).ok());
  CHECK(s.declared(2) == Idempotency::kNonIdempotent);
  CHECK(s.fake->requests().size() == 3);
}

TEST_CASE("every method declares its requests") {
  Stack s;
  s.fake->expect("POST", "/api/2.0/dbfs/create").respond(200, R"({"handle": 1})");
  s.fake->expect("POST", "/api/2.0/dbfs/close").respond(200, "{}");
  s.fake->expect("POST", "/api/2.0/dbfs/put").respond(200, "{}");
  s.fake->expect("POST", "/api/2.0/dbfs/move").respond(200, "{}");
  s.fake->expect("POST", "/api/2.0/workspace/import").respond(200, "{}");
  s.fake->expect("POST", "/api/2.0/clusters/restart").respond(200, "{}");
  s.fake->expect("POST", "/api/2.0/clusters/start").respond(200, "{}");
  REQUIRE(s.dbfs.create("/a").ok());
  REQUIRE(s.dbfs.close(1).ok());
  REQUIRE(s.dbfs.put_multipart("/a", "x").ok());
  REQUIRE(s.dbfs.move("/a", "/b").ok());
  REQUIRE(s.workspace.import_object("/n", "x").ok());
  REQUIRE(s.clusters.restart("c").ok());
  REQUIRE(s.clusters.start("c").ok());
  CHECK(s.declared(0) == Idempotency::kNonIdempotent);  // a second handle
  CHECK(s.declared(1) == Idempotency::kIdempotent);
  CHECK(s.declared(2) == Idempotency::kIdempotent);
  CHECK(s.declared(3) == Idempotency::kIdempotent);
  CHECK(s.declared(4) == Idempotency::kIdempotent);
  CHECK(s.declared(5) == Idempotency::kNonIdempotent);  // a second restart
  CHECK(s.declared(6) == Idempotency::kIdempotent);
}
