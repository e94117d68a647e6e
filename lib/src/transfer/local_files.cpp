#include "transfer/local_files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "dbk/transfer.hpp"
#include "idempotency.hpp"

namespace dbk::detail {

namespace fs = std::filesystem;

fs::path temp_sibling(const fs::path& target) {
  return target.parent_path() / ("." + target.filename().string() + ".dbk-tmp-" + random_hex(8));
}

namespace {

std::string hidden_dbfs_sibling(const std::string& dbfs_path, const char* kind) {
  const auto slash = dbfs_path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? std::string() : dbfs_path.substr(0, slash);
  const std::string name = slash == std::string::npos ? dbfs_path : dbfs_path.substr(slash + 1);
  return dir + "/." + name + kind + random_hex(8);
}

}  // namespace

std::string temp_sibling(const std::string& dbfs_path) {
  return hidden_dbfs_sibling(dbfs_path, ".dbk-tmp-");
}

std::string aside_sibling(const std::string& dbfs_path) {
  return hidden_dbfs_sibling(dbfs_path, ".dbk-old-");
}

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

Status write_file_atomically(const fs::path& target, std::string_view content) {
  const fs::path temp = temp_sibling(target);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return io_error("cannot create", temp);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      auto error = io_error("cannot write", temp);
      std::error_code ignored;
      fs::remove(temp, ignored);
      return error;
    }
  }
  std::error_code code;
  fs::rename(temp, target, code);
  if (code) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    return io_error("cannot rename into", target, code);
  }
  return {};
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
  return detail::write_file_atomically(path, content);
}

}  // namespace dbk
