#pragma once

#include <cstddef>
#include <functional>

#include "dbk/call_context.hpp"

namespace dbk::detail {

/// Runs `task(i)` for i = 0..count-1 on at most `parallelism` threads, starting
/// tasks in index order. A task returning false stops new tasks from starting
/// (running ones finish), as does a cancelled `context`. Tasks must not throw.
void run_parallel(std::size_t count, unsigned parallelism,
                  const std::function<bool(std::size_t)>& task, const CallContext& context);

}  // namespace dbk::detail
