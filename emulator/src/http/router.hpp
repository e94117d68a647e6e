#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.hpp"
#include "http/response.hpp"

namespace dbk::emulator {

using Handler = std::function<Response(const Request&)>;

/// Maps (method, path) to handlers. Register every route before the server starts;
/// after that the router is only read, from many threads at once.
///
/// Patterns are exact paths ("/api/2.0/dbfs/list") or end in "/*", which matches any
/// rest of the path (available to the handler as Request::path_tail, without the
/// leading '/'). Exact routes win over prefix routes; longer prefixes win over shorter.
/// Path matching ignores one trailing '/' ("/api/2.0/dbfs/list/" works too).
class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);

  /// Registers `/api/<version>/<suffix>` for each version, all served by one handler:
  /// `router.add_versions("POST", {"2.0", "2.1", "2.2"}, "jobs/create", h)`.
  void add_versions(const std::string& method, std::initializer_list<std::string_view> versions,
                    std::string_view suffix, const Handler& handler);
  /// The same with any range of version strings (e.g. `const auto v = {"2.0", "2.1"};`).
  template <typename Versions>
  void add_versions(const std::string& method, const Versions& versions, std::string_view suffix,
                    const Handler& handler) {
    for (const auto& version : versions) {
      add(method, "/api/" + std::string(version) + "/" + std::string(suffix), handler);
    }
  }

  /// Finds and calls the handler. Unknown path → 404 ENDPOINT_NOT_FOUND; known path with
  /// another method → 405 (with an Allow header). Exceptions thrown by a handler become
  /// 500 INTERNAL_ERROR; they never escape.
  Response route(Request& request) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;  ///< without the trailing "/*" for prefix routes
    bool prefix = false;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace dbk::emulator
