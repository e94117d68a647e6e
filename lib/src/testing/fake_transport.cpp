#include "dbk/testing/fake_transport.hpp"

namespace dbk::testing {
namespace {

std::string path_without_query(const std::string& url) {
  if (auto parts = parse_url(url)) return parts->path;
  return url.substr(0, url.find('?'));  // relative URL
}

std::string query_of(const std::string& url) {
  if (auto parts = parse_url(url)) return parts->query;
  auto question = url.find('?');
  return question == std::string::npos ? std::string() : url.substr(question + 1);
}

// A C++ raw string literal holding `text`, choosing a delimiter it does not contain.
std::string raw_literal(const std::string& text) {
  std::string delimiter;
  while (text.find(")" + delimiter + "\"") != std::string::npos) delimiter += "x";
  return "R\"" + delimiter + "(" + text + ")" + delimiter + "\"";
}

}  // namespace

Expectation::Expectation(std::string method, std::string path)
    : method_(std::move(method)), path_(std::move(path)) {}

Expectation& Expectation::with_query(std::string query) {
  query_ = std::move(query);
  return *this;
}

Expectation& Expectation::with_json_body(nlohmann::json body) {
  json_body_ = std::move(body);
  return *this;
}

Expectation& Expectation::matching(std::function<bool(const HttpRequest&)> predicate) {
  predicate_ = std::move(predicate);
  return *this;
}

Expectation& Expectation::respond(int status, std::string body, HttpHeaders headers) {
  response_ = HttpResponse{status, std::move(headers), std::move(body)};
  error_.reset();
  return *this;
}

Expectation& Expectation::respond_json(int status, const nlohmann::json& body,
                                       HttpHeaders headers) {
  set_header(headers, "Content-Type", "application/json");
  return respond(status, body.dump(), std::move(headers));
}

Expectation& Expectation::fail(ApiError error) {
  error_ = std::move(error);
  return *this;
}

Expectation& Expectation::reusable() {
  reusable_ = true;
  return *this;
}

bool Expectation::matches(const HttpRequest& request) const {
  if (request.method != method_ || path_without_query(request.url) != path_) return false;
  if (query_ && query_of(request.url) != *query_) return false;
  if (json_body_) {
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || body != *json_body_) return false;
  }
  return !predicate_ || predicate_(request);
}

Result<HttpResponse> Expectation::reply() const {
  if (error_) return *error_;
  return response_;
}

std::string Expectation::describe() const {
  std::string out = method_ + " " + path_;
  if (query_) out += "?" + *query_;
  if (json_body_) out += " " + json_body_->dump();
  if (predicate_) out += " (with a custom matcher)";
  return out;
}

std::string stub_for(const HttpRequest& request) {
  std::string out =
      "expect(\"" + request.method + "\", \"" + path_without_query(request.url) + "\")";
  if (auto query = query_of(request.url); !query.empty()) {
    out += ".with_query(\"" + query + "\")";
  }
  if (!request.body.empty()) {
    auto json = nlohmann::json::parse(request.body, nullptr, false);
    if (!json.is_discarded()) {
      out += ".with_json_body(nlohmann::json::parse(" + raw_literal(json.dump()) + "))";
    }
  }
  out += ".respond_json(200, nlohmann::json::parse(R\"({})\"))";
  return out;
}

FakeTransport::FakeTransport(Order order) : order_(order) {}

Expectation& FakeTransport::expect(std::string method, std::string path) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.push_back(Entry{Expectation(std::move(method), std::move(path)), 0});
  return entries_.back().expectation;
}

Result<HttpResponse> FakeTransport::send(const HttpRequest& request, const CallContext&) {
  std::lock_guard<std::mutex> lock(mutex_);
  requests_.push_back(request);
  for (auto& entry : entries_) {
    bool used_up = entry.uses > 0 && !entry.expectation.is_reusable();
    if (used_up) continue;
    if (entry.expectation.matches(request)) {
      ++entry.uses;
      return entry.expectation.reply();
    }
    // In order, only a reusable expectation that was already used may be passed over.
    bool may_skip = entry.expectation.is_reusable() && entry.uses > 0;
    if (order_ == Order::kInOrder && !may_skip) {
      ApiError error =
          make_error(kMissingStub, "missing stub, please add: " + stub_for(request) +
                                       " (next expected: " + entry.expectation.describe() + ")");
      error.method = request.method;
      error.path = path_without_query(request.url);
      return error;
    }
  }
  ApiError error = make_error(kMissingStub, "missing stub, please add: " + stub_for(request));
  error.method = request.method;
  error.path = path_without_query(request.url);
  return error;
}

std::vector<HttpRequest> FakeTransport::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

bool FakeTransport::all_consumed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& entry : entries_) {
    if (entry.uses == 0) return false;
  }
  return true;
}

std::vector<std::string> FakeTransport::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> out;
  for (const auto& entry : entries_) {
    if (entry.uses == 0) out.push_back(entry.expectation.describe());
  }
  return out;
}

}  // namespace dbk::testing
