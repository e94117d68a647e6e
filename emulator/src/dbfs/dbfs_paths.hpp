#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "dbk/result.hpp"

namespace dbk::emulator {

/// A DBFS path in both forms: the API form ("/a/b", what responses show) and the file
/// under the DBFS root that holds it.
struct DbfsPath {
  std::string api;             ///< "/a/b"; "/" for the root
  std::filesystem::path file;  ///< <dbfs_root>/a/b
  bool is_root() const { return api == "/"; }
};

/// Longest name (path segment) and whole path accepted: the file system's NAME_MAX, and
/// a path that still fits PATH_MAX below a state folder of up to 1 KiB (with room for the
/// temporary names uploads use).
inline constexpr std::size_t kMaxDbfsNameBytes = 255;
inline constexpr std::size_t kMaxDbfsPathBytes = 2048;

/// Accepts "dbfs:/a/b" (legacy CLI) and "/a/b" (SDKs), docs/reference/rest-api.md §1.2.
/// Collapses repeated and trailing slashes. Relative paths, "." / ".." segments (which
/// could escape the root), NUL bytes and names or paths longer than the limits above are
/// 400 INVALID_PARAMETER_VALUE.
Result<DbfsPath> resolve_dbfs_path(const std::string& raw, const std::filesystem::path& root);

}  // namespace dbk::emulator
