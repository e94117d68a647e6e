#include "util/duration.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "app/invocation.hpp"

namespace dbk::cli {

Result<std::chrono::milliseconds> parse_duration(const std::string& text) {
  auto invalid = [&]() {
    return usage_error("Invalid duration '" + text +
                       "': use a number with a unit, e.g. 90s, 20m, 2h or 1h30m.");
  };
  if (text.empty()) return invalid();
  double total_ms = 0;
  std::size_t i = 0;
  bool bare = true;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      ++i;
    }
    if (start == i) return invalid();
    double number = std::strtod(text.substr(start, i - start).c_str(), nullptr);
    std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    double scale = 0;
    if (unit.empty()) {
      if (!bare || i != text.size()) return invalid();
      scale = 1000;  // a bare number is seconds
    } else if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m") {
      scale = 60000;
    } else if (unit == "h") {
      scale = 3600000;
    } else if (unit == "d") {
      scale = 86400000;
    } else {
      return invalid();
    }
    bare = false;
    total_ms += number * scale;
  }
  if (total_ms < 1) return invalid();
  return std::chrono::milliseconds(static_cast<std::int64_t>(total_ms));
}

std::string format_elapsed(std::chrono::milliseconds elapsed) {
  auto seconds = elapsed.count() / 1000;
  char buffer[32];
  if (seconds < 60) {
    std::snprintf(buffer, sizeof buffer, "%llds", static_cast<long long>(seconds));
  } else if (seconds < 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldm%02llds", static_cast<long long>(seconds / 60),
                  static_cast<long long>(seconds % 60));
  } else {
    std::snprintf(
        buffer, sizeof buffer, "%lldh%02lldm%02llds", static_cast<long long>(seconds / 3600),
        static_cast<long long>((seconds / 60) % 60), static_cast<long long>(seconds % 60));
  }
  return buffer;
}

}  // namespace dbk::cli
