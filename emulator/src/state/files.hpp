#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "dbk/result.hpp"

namespace dbk::emulator {

/// Crash-safe file writes: the bytes go to a temp file in `tmp_dir` (or next to `target`
/// when empty), are fsync'ed, renamed over `target`, and the target's folder is fsync'ed,
/// so after a crash `target` holds either the old or the new content, never a mix.
/// `tmp_dir` must be on the same filesystem as `target`.
Status write_file_atomically(const std::filesystem::path& target, std::string_view bytes,
                             const std::filesystem::path& tmp_dir = {});
/// Renames and fsyncs both folders, so the move survives a crash. On failure `from` is
/// left in place.
Status rename_durably(const std::filesystem::path& from, const std::filesystem::path& to);
/// fsync of a file or folder; errors are returned, not thrown.
Status fsync_path(const std::filesystem::path& path);
/// Reads a whole file; 404-style error when missing.
Result<std::string> read_file(const std::filesystem::path& path);
/// A fresh unique name for a temp file inside `dir` ("<prefix>-<pid>-<n>").
std::filesystem::path unique_temp_path(const std::filesystem::path& dir, std::string_view prefix);

}  // namespace dbk::emulator
