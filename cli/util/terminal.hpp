#pragma once

#include "app/invocation.hpp"

namespace dbk::cli {

/// Live, rewriting status lines only when stderr is a TTY and neither NO_COLOR
/// nor TERM=dumb is set (docs/reference/design.md §2.3 point 4, as the Go CLI gates it).
bool live_progress_enabled(const Io& io);

}  // namespace dbk::cli
