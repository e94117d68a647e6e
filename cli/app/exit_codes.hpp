#pragma once

#include "dbk/api_error.hpp"

namespace dbk::cli {

/// Documented exit codes (docs/cli.md, `dbk --help`); docs/reference/rest-api.md §6.2.
namespace exit_codes {
inline constexpr int kOk = 0;
inline constexpr int kError = 1;          ///< API, I/O or configuration error
inline constexpr int kUsage = 2;          ///< bad flags, arguments or JSON
inline constexpr int kRunFailed = 3;      ///< a waited-for run ended, but not in SUCCESS
inline constexpr int kMismatch = 3;       ///< `score --compare-with` found differences
inline constexpr int kTimedOut = 4;       ///< --timeout expired while waiting
inline constexpr int kInterrupted = 130;  ///< Ctrl-C while waiting (run cancelled or abandoned)
}  // namespace exit_codes

/// The exit code for an error value: usage-class errors found on the client
/// side exit 2, a wait deadline 4, cancellation 130, everything else 1.
int exit_code_for(const ApiError& error);

}  // namespace dbk::cli
