#include "http/router.hpp"

#include <exception>

namespace dbk::emulator {
namespace {

std::string_view without_trailing_slash(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  Route route;
  route.method = std::move(method);
  if (pattern.size() >= 2 && pattern.compare(pattern.size() - 2, 2, "/*") == 0) {
    route.prefix = true;
    pattern.resize(pattern.size() - 2);
  }
  route.pattern = std::move(pattern);
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

void Router::add_versions(const std::string& method,
                          std::initializer_list<std::string_view> versions, std::string_view suffix,
                          const Handler& handler) {
  for (std::string_view version : versions) {
    add(method, "/api/" + std::string(version) + "/" + std::string(suffix), handler);
  }
}

Response Router::route(Request& request) const {
  std::string_view path = without_trailing_slash(request.path);
  // Exact routes first, then the longest matching prefix route.
  const Route* best = nullptr;
  bool path_known = false;
  std::string allowed;
  size_t best_length = 0;
  bool best_exact = false;
  for (const Route& route : routes_) {
    bool exact = !route.prefix && path == route.pattern;
    bool prefixed = route.prefix && (path == route.pattern ||
                                     (path.size() > route.pattern.size() &&
                                      path.compare(0, route.pattern.size(), route.pattern) == 0 &&
                                      path[route.pattern.size()] == '/'));
    if (!exact && !prefixed) continue;
    path_known = true;
    if (route.method != request.method) {
      if (allowed.find(route.method) == std::string::npos) {
        allowed += allowed.empty() ? route.method : ", " + route.method;
      }
      continue;
    }
    bool better = best == nullptr || (exact && !best_exact) ||
                  (exact == best_exact && route.pattern.size() > best_length);
    if (better) {
      best = &route;
      best_exact = exact;
      best_length = route.pattern.size();
    }
  }
  if (best == nullptr) {
    if (path_known) {
      Response response = error_response(
          405, "BAD_REQUEST", "Method " + request.method + " is not allowed for " + request.path);
      response.headers.emplace_back("Allow", allowed);
      return response;
    }
    return error_response(404, "ENDPOINT_NOT_FOUND",
                          "No API found for '" + request.method + " " + request.path + "'");
  }
  request.path_tail.clear();
  if (best->prefix && path.size() > best->pattern.size() + 1) {
    request.path_tail = std::string(path.substr(best->pattern.size() + 1));
  }
  try {
    return best->handler(request);
  } catch (const std::exception& e) {
    return error_response(500, "INTERNAL_ERROR", std::string("Internal error: ") + e.what());
  } catch (...) {
    return error_response(500, "INTERNAL_ERROR", "Internal error");
  }
}

}  // namespace dbk::emulator
