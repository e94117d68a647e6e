#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dbk/result.hpp"

namespace dbk::detail {

/// A hidden, unique sibling of `target` for write-then-rename:
/// "<dir>/.<name>.dbk-tmp-<16 hex>".
std::filesystem::path temp_sibling(const std::filesystem::path& target);

/// Same naming for a DBFS path ("/a/b" → "/a/.b.dbk-tmp-<hex>").
std::string temp_sibling(const std::string& dbfs_path);

/// Where an atomic overwrite parks the previous DBFS file until the new one is in
/// place: "/a/.b.dbk-old-<hex>".
std::string aside_sibling(const std::string& dbfs_path);

/// Writes `content` to a temporary sibling and renames it over `target`, so a
/// reader never sees a half-written file; the temporary file is removed on failure.
Status write_file_atomically(const std::filesystem::path& target, std::string_view content);

/// Entries of a local directory, sorted by file name so walks are reproducible.
Result<std::vector<std::filesystem::directory_entry>> sorted_entries(
    const std::filesystem::path& dir);

/// Records `dir` (resolved through symlinks) as walked; false when it already
/// was, so a symlink cycle cannot make a walk recurse forever.
bool first_visit(const std::filesystem::path& dir, std::set<std::filesystem::path>& visited);

/// IO_ERROR naming the file and the system error.
ApiError io_error(const std::string& what, const std::filesystem::path& path,
                  const std::error_code& code = {});

}  // namespace dbk::detail
