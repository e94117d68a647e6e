#pragma once

#include <memory>
#include <string>

#include "dbk/clock.hpp"
#include "dbk/config.hpp"
#include "dbk/http.hpp"

namespace dbk::detail {

/// Sets header `name` to `value` on every request (auth headers, User-Agent).
std::shared_ptr<Transport> make_fixed_header(std::shared_ptr<Transport> next, std::string name,
                                             std::string value);

/// `Authorization: Bearer <token>` (docs/reference/rest-api.md §4.4).
std::shared_ptr<Transport> make_pat_auth(std::shared_ptr<Transport> next, std::string token);

/// `Authorization: Basic base64(user:password)` (§4.4).
std::shared_ptr<Transport> make_basic_auth(std::shared_ptr<Transport> next, std::string username,
                                           std::string password);

/// OAuth machine-to-machine (§4.5): a token from `{host}/oidc/v1/token` by the
/// client-credentials grant, fetched through `next`, cached and refreshed
/// shortly before it expires. Thread-safe: concurrent calls share one fetch.
std::shared_ptr<Transport> make_oauth_m2m_auth(std::shared_ptr<Transport> next, std::string host,
                                               std::string client_id, std::string client_secret,
                                               std::shared_ptr<Clock> clock);

/// The decorator for `config.effective_auth_type()`; `next` itself when the
/// config has no credentials (e.g. an emulator without auth). CONFIG_ERROR for
/// an auth_type that dbk does not implement or whose fields are missing.
Result<std::shared_ptr<Transport>> make_auth_transport(std::shared_ptr<Transport> next,
                                                       const Config& config,
                                                       std::shared_ptr<Clock> clock);

}  // namespace dbk::detail
