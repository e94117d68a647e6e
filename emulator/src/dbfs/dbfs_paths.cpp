#include "dbfs/dbfs_paths.hpp"

#include <vector>

#include "http/request.hpp"

namespace dbk::emulator {

// Checked before anything touches the disk, so a name the file system would refuse
// (ENAMETOOLONG) is a 400 and never leaves the folders before it half-created.
Result<DbfsPath> resolve_dbfs_path(const std::string& raw, const std::filesystem::path& root) {
  std::string_view text = raw;
  if (text.substr(0, 5) == "dbfs:") text.remove_prefix(5);
  auto invalid = [&](const std::string& why) {
    return invalid_parameter("Invalid path " + raw + ": " + why);
  };
  if (text.empty() || text.front() != '/') return invalid("the path must be absolute");
  if (text.find('\0') != std::string_view::npos) return invalid("the path contains a NUL byte");
  std::vector<std::string_view> segments;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t slash = text.find('/', pos);
    if (slash == std::string_view::npos) slash = text.size();
    std::string_view segment = text.substr(pos, slash - pos);
    if (segment == "." || segment == "..") return invalid("'.' and '..' are not allowed");
    if (segment.size() > kMaxDbfsNameBytes) {
      return invalid("a name is longer than " + std::to_string(kMaxDbfsNameBytes) + " bytes");
    }
    if (!segment.empty()) segments.push_back(segment);
    pos = slash + 1;
  }
  DbfsPath path;
  path.file = root;
  for (std::string_view segment : segments) {
    path.api += '/';
    path.api += segment;
    path.file /= std::string(segment);
  }
  if (path.api.empty()) path.api = "/";
  if (path.api.size() > kMaxDbfsPathBytes) {
    return invalid("the path is longer than " + std::to_string(kMaxDbfsPathBytes) + " bytes");
  }
  return path;
}

}  // namespace dbk::emulator
