#pragma once
// The size of the I/O thread pool behind the default (cpprestsdk) transport.
#include <cstddef>

namespace dbk {

/// Sizes the I/O thread pool that every cpprestsdk transport in the process shares.
/// Left alone, cpprestsdk starts 40 threads on first use, which a short-lived process
/// pays for in start-up time. The pool never runs a blocking wait (callers wait on their
/// own threads), so one thread serves any number of concurrent requests. Call it before
/// the first request, at most once; returns false, changing nothing, if the pool is
/// already set up. A library embedding dbk should leave this choice to the application.
bool set_cpprest_io_threads(std::size_t threads);

}  // namespace dbk
