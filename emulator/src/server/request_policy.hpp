#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http/request.hpp"
#include "http/response.hpp"

namespace dbk::emulator {

/// Where a request may come from (docs/security.md, "The emulator"). Without a token the emulator
/// is reachable by any web page the user visits (a browser sends simple cross-origin POSTs without
/// asking first) and by DNS rebinding, so it then serves only requests that name it in `Host`,
/// carry no foreign `Origin`, and send state-changing bodies as JSON or multipart/form-data (what
/// the official clients send). With a token, a browser cannot attach the bearer header on its own,
/// so these three checks are not needed.
class RequestPolicy {
 public:
  /// `bound_host` is the listen address; `external_url` an extra base URL clients use.
  RequestPolicy(bool token_configured, const std::string& bound_host,
                const std::string& external_url = "");

  /// Adds a host name (without port) that `Host` and `Origin` may name.
  void allow_host(std::string host);

  /// nullopt when the request may go on; otherwise the refusal to send.
  std::optional<Response> check(const Request& request) const;

 private:
  bool allowed_host(const std::string& host_and_port) const;
  bool allowed_origin(const std::string& origin) const;

  bool token_configured_;
  std::vector<std::string> hosts_;  ///< lower case, IPv6 without brackets
};

}  // namespace dbk::emulator
