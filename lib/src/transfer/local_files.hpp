#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dbk/result.hpp"

namespace dbk::detail {

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
