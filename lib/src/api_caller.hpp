#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "dbk/http.hpp"

namespace dbk::detail {

/// Query parameters in the order given; values already stringified
/// (booleans as "true"/"false").
using Query = std::vector<std::pair<std::string, std::string>>;

/// Turns REST calls into HTTP requests on the shared transport stack and
/// HTTP error statuses into ApiErrors. Every service API goes through it, so
/// URL building, JSON encoding and error mapping exist exactly once.
/// Success bodies are parsed with nlohmann::ordered_json so that the server's
/// key order is kept (the CLI prints JSON in server order).
class ApiCaller {
 public:
  ApiCaller(std::string host, std::shared_ptr<Transport> transport);

  /// GETs read only, so they are declared idempotent.
  Result<nlohmann::ordered_json> get(const std::string& path, const Query& query = {},
                                     const CallContext& context = {}) const;
  /// Every POST states whether a replay is safe: only its API method knows.
  Result<nlohmann::ordered_json> post(const std::string& path, const nlohmann::ordered_json& body,
                                      Idempotency idempotency,
                                      const CallContext& context = {}) const;
  /// Another method with a JSON body (PATCH, PUT) or none (DELETE: `body` null).
  Result<nlohmann::ordered_json> call(const std::string& method, const std::string& path,
                                      const nlohmann::ordered_json& body, Idempotency idempotency,
                                      const CallContext& context = {}) const;
  /// Raw access for bodies that are not JSON (multipart upload, direct download); the
  /// request carries its own Idempotency.
  Result<HttpResponse> send(HttpRequest request, const CallContext& context = {}) const;

  const std::string& host() const { return host_; }

 private:
  std::string host_;
  std::shared_ptr<Transport> transport_;
};

}  // namespace dbk::detail
