#include "admin/admin_service.hpp"

namespace dbk::emulator {
namespace {

constexpr const char* kAdminKind = "admin";
constexpr const char* kClockKey = "clock";

}  // namespace

void AdminService::recover() {
  auto saved = context_.store.get(kAdminKind, kClockKey);
  if (saved && saved->contains("offset_ms") && (*saved)["offset_ms"].is_number_integer()) {
    context_.clock.set_offset((*saved)["offset_ms"].get<std::int64_t>());
  }
}

Status AdminService::save_clock() const {
  return context_.store.put(kAdminKind, kClockKey, {{"offset_ms", context_.clock.offset_ms()}});
}

Response AdminService::clock_body() const {
  nlohmann::ordered_json body;
  body["now_ms"] = context_.clock.now_ms();
  body["offset_ms"] = context_.clock.offset_ms();
  return json_response(200, body);
}

void AdminService::register_routes(Router& router) {
  router.add("GET", "/__dbk/health", [this](const Request&) {
    nlohmann::ordered_json body;
    body["status"] = "ok";
    body["now_ms"] = context_.clock.now_ms();
    return json_response(200, body);
  });

  router.add("POST", "/__dbk/reset", [this](const Request&) {
    Status status = reset_all_();
    if (!status.ok()) return error_response(status.error());
    return empty_response();
  });

  router.add("POST", "/__dbk/faults", [this](const Request& request) {
    auto params = Params::from_request(request);
    if (!params.ok()) return error_response(params.error());
    auto id = faults_.add(params->json());
    if (!id.ok()) return error_response(id.error());
    return json_response(200, {{"id", *id}});
  });
  router.add("GET", "/__dbk/faults",
             [this](const Request&) { return json_response(200, faults_.list()); });
  // DELETE /__dbk/faults clears every rule; DELETE /__dbk/faults/<id> removes one.
  router.add("DELETE", "/__dbk/faults/*", [this](const Request& request) {
    if (request.path_tail.empty()) {
      faults_.clear();
      return empty_response();
    }
    try {
      size_t used = 0;
      std::int64_t id = std::stoll(request.path_tail, &used);
      if (used == request.path_tail.size() && faults_.remove(id)) return empty_response();
    } catch (...) {
    }
    return error_response(404, "RESOURCE_DOES_NOT_EXIST",
                          "No fault rule with id " + request.path_tail);
  });

  router.add("GET", "/__dbk/clock", [this](const Request&) { return clock_body(); });
  router.add("POST", "/__dbk/clock", [this](const Request& request) {
    auto params = Params::from_request(request);
    if (!params.ok()) return error_response(params.error());
    auto advance = params->optional_int64("advance_ms");
    if (!advance.ok()) return error_response(advance.error());
    auto set = params->optional_int64("set_ms");
    if (!set.ok()) return error_response(set.error());
    if (advance->has_value() == set->has_value()) {
      return error_response(400, "INVALID_PARAMETER_VALUE",
                            "Give exactly one of 'advance_ms' and 'set_ms'");
    }
    const std::string range = "the emulated clock stays between 0 and " +
                              std::to_string(EmulatedClock::kMaxEpochMs) + " ms since the epoch";
    if (advance->has_value()) {
      if (**advance < 0) {
        return error_response(400, "INVALID_PARAMETER_VALUE", "'advance_ms' must not be negative");
      }
      if (!context_.clock.advance(**advance)) {
        return error_response(
            400, "INVALID_PARAMETER_VALUE",
            "'advance_ms' " + std::to_string(**advance) + " is too large: " + range);
      }
    } else if (!context_.clock.set(**set)) {
      return error_response(400, "INVALID_PARAMETER_VALUE",
                            "'set_ms' " + std::to_string(**set) + " is out of range: " + range);
    }
    Status saved = save_clock();
    if (!saved.ok()) return error_response(saved.error());
    return clock_body();
  });
}

}  // namespace dbk::emulator
