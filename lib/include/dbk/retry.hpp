#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "dbk/clock.hpp"
#include "dbk/http.hpp"
#include "dbk/retry_options.hpp"

namespace dbk {

/// Decorator: retries `next` according to `options` (or the call's CallContext::retry).
/// Non-idempotent POSTs are retried only when their body carries an idempotency_token
/// (the JobsApi adds one).
std::shared_ptr<Transport> make_retrying_transport(std::shared_ptr<Transport> next,
                                                   RetryOptions options,
                                                   std::shared_ptr<Clock> clock,
                                                   std::shared_ptr<Sleeper> sleeper);

}  // namespace dbk
