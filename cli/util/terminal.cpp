#include "util/terminal.hpp"

#include <cstdlib>
#include <cstring>

namespace dbk::cli {

bool live_progress_enabled(const Io& io) {
  if (!io.stderr_is_tty) return false;
  if (std::getenv("NO_COLOR") != nullptr) return false;
  const char* term = std::getenv("TERM");
  return !(term && std::strcmp(term, "dumb") == 0);
}

}  // namespace dbk::cli
