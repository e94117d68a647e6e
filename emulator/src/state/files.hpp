#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "dbk/result.hpp"

namespace dbk::emulator {

/// State is private to the user who runs the emulator: it holds tokens' effects, user
/// code and data (docs/security.md). Every folder and file the emulator creates gets these.
inline constexpr unsigned kPrivateDirMode = 0700;
inline constexpr unsigned kPrivateFileMode = 0600;

/// Creates `dir` and its missing parents with kPrivateDirMode, and makes `dir` itself
/// private if it already existed (state folders of older emulators were 0755).
Status create_private_directories(const std::filesystem::path& dir);

/// write(2) for every state file (journal records, atomically written files). Tests swap
/// it to simulate a full or failing disk; nullptr restores write(2). Not synchronised
/// with writes in flight: set it while nothing writes.
using StateWriteFn = ssize_t (*)(int fd, const void* data, size_t size);
void set_state_write_for_testing(StateWriteFn write_fn);
ssize_t state_write(int fd, const void* data, size_t size);

/// fdatasync(2) of the journal, swappable by tests to simulate a failing disk (EIO) the
/// same way; nullptr restores fdatasync(2).
using StateSyncFn = int (*)(int fd);
void set_state_sync_for_testing(StateSyncFn sync_fn);
int state_fdatasync(int fd);

/// fallocate(2) with FALLOC_FL_KEEP_SIZE: reserves disk blocks after the end of a file
/// without changing its length, so later appends into them need no free space. Tests swap
/// it to simulate a full disk; nullptr restores fallocate(2).
using StateAllocateFn = int (*)(int fd, off_t offset, off_t length);
void set_state_allocate_for_testing(StateAllocateFn allocate_fn);
int state_allocate(int fd, off_t offset, off_t length);

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
