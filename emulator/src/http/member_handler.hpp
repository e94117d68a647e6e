#pragma once

#include "http/router.hpp"

namespace dbk::emulator {

/// The route handler that calls `service->method(request)`: how a service registers its
/// member functions with the Router (`router.add("GET", path, member_handler(this, &X::get))`).
/// The service must outlive the router's use of the handler.
template <typename Service>
Handler member_handler(Service* service, Response (Service::*method)(const Request&)) {
  return [service, method](const Request& request) { return (service->*method)(request); };
}

}  // namespace dbk::emulator
