#pragma once

#include <chrono>
#include <string>

#include "dbk/result.hpp"

namespace dbk::cli {

/// Parses "90s", "20m", "2h", "1h30m", "1.5h", "500ms" or a bare number of seconds
/// (Go-style, like the new CLI's --timeout). Zero or negative is rejected.
Result<std::chrono::milliseconds> parse_duration(const std::string& text);

/// "1m05s"-style elapsed time for progress lines: "42s", "3m07s", "1h02m03s".
std::string format_elapsed(std::chrono::milliseconds elapsed);

}  // namespace dbk::cli
