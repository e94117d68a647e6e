#pragma once

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

/// Accepts "dbfs:/a/b" (legacy CLI) and "/a/b" (SDKs), reference databricks-api.md §1.2.
/// Collapses repeated and trailing slashes. Relative paths, "." / ".." segments (which
/// could escape the root) and NUL bytes are 400 INVALID_PARAMETER_VALUE.
Result<DbfsPath> resolve_dbfs_path(const std::string& raw, const std::filesystem::path& root);

}  // namespace dbk::emulator
