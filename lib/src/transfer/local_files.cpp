#include "transfer/local_files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dbk/atomic_file.hpp"
#include "dbk/transfer.hpp"

namespace dbk::detail {

namespace fs = std::filesystem;

ApiError io_error(const std::string& what, const fs::path& path, const std::error_code& code) {
  std::string message = what + " " + path.string();
  if (code) {
    message += ": " + code.message();
  } else if (errno != 0) {
    message += std::string(": ") + std::strerror(errno);
  }
  return make_error(error_codes::kIoError, message);
}

Result<std::vector<fs::directory_entry>> sorted_entries(const fs::path& dir) {
  std::error_code code;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(dir, code), end; !code && it != end; it.increment(code)) {
    entries.push_back(*it);
  }
  if (code) return io_error("cannot list", dir, code);
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  return entries;
}

bool first_visit(const fs::path& dir, std::set<fs::path>& visited) {
  std::error_code code;
  auto canonical = fs::canonical(dir, code);
  return !code && visited.insert(canonical).second;
}

}  // namespace dbk::detail

namespace dbk {

Result<std::string> local_file_name(const std::string& listed_path, const std::string& listed_dir) {
  const auto slash = listed_path.find_last_of('/');
  std::string name = slash == std::string::npos ? listed_path : listed_path.substr(slash + 1);
  if (name.empty() || name == "." || name == ".." || name.find('\0') != std::string::npos) {
    std::string shown = listed_path;
    for (auto& c : shown) {
      if (c == '\0') c = '?';
    }
    return make_error(error_codes::kInvalidResponse,
                      "the server returned '" + shown + "' (in " + listed_dir +
                          "), which does not end in a usable local file name; not copied");
  }
  return name;
}

Status write_local_file_atomically(const std::string& path, std::string_view content) {
  AtomicFileWriter file;
  if (auto opened = file.open(path); !opened) return opened;
  if (auto written = file.append(content); !written) return written;
  return file.commit();
}

}  // namespace dbk
