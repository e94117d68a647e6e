#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "dbk/result.hpp"

namespace dbk::detail {

/// A hidden, unique sibling of `target` for write-then-rename:
/// "<dir>/.<name>.dbk-tmp-<16 hex>".
std::filesystem::path temp_sibling(const std::filesystem::path& target);

/// Same naming for a DBFS path ("/a/b" → "/a/.b.dbk-tmp-<hex>").
std::string temp_sibling(const std::string& dbfs_path);

/// Writes `content` to a temporary sibling and renames it over `target`, so a
/// reader never sees a half-written file; the temporary file is removed on failure.
Status write_file_atomically(const std::filesystem::path& target, std::string_view content);

/// IO_ERROR naming the file and the system error.
ApiError io_error(const std::string& what, const std::filesystem::path& path,
                  const std::error_code& code = {});

}  // namespace dbk::detail
