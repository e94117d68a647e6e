#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbk/http.hpp"

namespace dbk::testing {

/// One scripted exchange of a FakeTransport. Built fluently:
///   fake.expect("GET", "/api/2.0/clusters/get").with_query("cluster_id=1")
///       .respond_json(200, {{"state", "RUNNING"}});
/// `path` is the URL path without the query; the host is ignored.
class Expectation {
 public:
  Expectation(std::string method, std::string path);

  /// Exact raw query string (without '?'), as sent on the wire.
  Expectation& with_query(std::string query);
  /// The body parsed as JSON must equal `body` (key order does not matter).
  Expectation& with_json_body(nlohmann::json body);
  /// Any other condition on the request.
  Expectation& matching(std::function<bool(const HttpRequest&)> predicate);

  Expectation& respond(int status, std::string body = {}, HttpHeaders headers = {});
  Expectation& respond_json(int status, const nlohmann::json& body, HttpHeaders headers = {});
  /// A transport failure (connection refused, timeout) instead of a response.
  Expectation& fail(ApiError error);
  /// Lets the expectation match any number of times (at least once for all_consumed()).
  Expectation& reusable();

  bool matches(const HttpRequest& request) const;
  Result<HttpResponse> reply() const;
  std::string describe() const;
  bool is_reusable() const { return reusable_; }

 private:
  std::string method_;
  std::string path_;
  std::optional<std::string> query_;
  std::optional<nlohmann::json> json_body_;
  std::function<bool(const HttpRequest&)> predicate_;
  HttpResponse response_{200, {}, "{}"};
  std::optional<ApiError> error_;
  bool reusable_ = false;
};

/// A scripted Transport for unit tests, for dbk's own tests and for code that
/// embeds dbk. Expectations are consumed in the order they were added (or in
/// any order with Order::kAnyOrder); every request is recorded. A request that
/// matches nothing fails with error code MISSING_STUB whose message is the
/// line to add to the test. Thread-safe once the script is set up.
class FakeTransport : public Transport {
 public:
  enum class Order { kInOrder, kAnyOrder };
  static constexpr const char* kMissingStub = "MISSING_STUB";

  explicit FakeTransport(Order order = Order::kInOrder);

  /// Adds an expectation; the reference stays valid while the transport lives.
  Expectation& expect(std::string method, std::string path);

  Result<HttpResponse> send(const HttpRequest& request, const CallContext& context) override;

  /// Every request received, matched or not, in arrival order.
  std::vector<HttpRequest> requests() const;
  /// True when every expectation has been used at least once.
  bool all_consumed() const;
  /// Descriptions of the expectations not used yet, for failure messages.
  std::vector<std::string> pending() const;

 private:
  struct Entry {
    Expectation expectation;
    int uses = 0;
  };
  Order order_;
  mutable std::mutex mutex_;
  std::deque<Entry> entries_;  // deque: references handed out by expect() stay valid
  std::vector<HttpRequest> requests_;
};

/// The missing-stub line for a request, e.g.
/// `expect("GET", "/api/2.0/x").with_query("a=1").respond_json(200, R"({})")`.
std::string stub_for(const HttpRequest& request);

}  // namespace dbk::testing
