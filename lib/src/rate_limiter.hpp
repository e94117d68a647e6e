#pragma once

#include <memory>

#include "dbk/clock.hpp"
#include "dbk/http.hpp"

namespace dbk::detail {

/// Decorator holding requests to at most `requests_per_second` on average
/// (token bucket, burst of one second's worth), like the Go SDK's client-side
/// limit (docs/reference/rest-api.md §2.4, `rate_limit`). Callers queue in
/// arrival order by reserving their slot before sleeping. A wait that would pass
/// the call's deadline fails at once with DEADLINE_EXCEEDED.
std::shared_ptr<Transport> make_rate_limiting_transport(std::shared_ptr<Transport> next,
                                                        double requests_per_second,
                                                        std::shared_ptr<Clock> clock,
                                                        std::shared_ptr<Sleeper> sleeper);

}  // namespace dbk::detail
