#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "dbk/clock.hpp"
#include "dbk/http.hpp"
#include "dbk/retry_options.hpp"

namespace dbk {

/// Decorator: retries `next` according to `options` (or the call's CallContext::retry).
/// A refusal (429, 503) is always retried; an unknown outcome (502, 504, a lost
/// connection or timeout) only when the request declares a replay safe
/// (HttpRequest::idempotency).
std::shared_ptr<Transport> make_retrying_transport(std::shared_ptr<Transport> next,
                                                   RetryOptions options,
                                                   std::shared_ptr<Clock> clock,
                                                   std::shared_ptr<Sleeper> sleeper);

}  // namespace dbk
