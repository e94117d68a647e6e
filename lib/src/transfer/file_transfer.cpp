// Streaming single-file transfers between the local disk and DBFS.
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <optional>

#include "cleanup_context.hpp"
#include "dbk/atomic_file.hpp"
#include "dbk/dbfs.hpp"
#include "dbk/transfer.hpp"
#include "idempotency.hpp"
#include "transfer/local_files.hpp"

namespace dbk {

namespace fs = std::filesystem;

namespace {

constexpr const char* kAlreadyExists = "RESOURCE_ALREADY_EXISTS";

ApiError cancelled_error(const std::string& what) {
  return make_error(error_codes::kCancelled, what + " cancelled");
}

// Streams the open file into an already created handle.
Status send_blocks(const DbfsApi& dbfs, std::int64_t handle, std::ifstream& in,
                   const fs::path& local_path, const UploadOptions& options,
                   const CallContext& context) {
  std::string buffer(kTransferBlockBytes, '\0');
  TransferProgress progress;
  progress.files_total = 1;
  while (true) {
    if (context.is_cancelled()) return cancelled_error("upload of " + local_path.string());
    errno = 0;
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (in.bad()) return detail::io_error("cannot read", local_path);
    if (got > 0) {
      auto added = dbfs.add_block(handle, std::string_view(buffer.data(), got), context);
      if (!added) return added;
      progress.bytes_done += got;
      if (options.progress) options.progress(progress);
    }
    if (got < buffer.size()) return {};
  }
}

}  // namespace

namespace {

// Reads exactly `size` bytes of a file for a one-request upload, straight into the
// request body (a file that shrank meanwhile is an error, not a short upload).
Status read_exactly(std::ifstream& in, char* out, std::size_t size, const std::string& path) {
  errno = 0;
  in.read(out, static_cast<std::streamsize>(size));
  if (in.bad() || static_cast<std::size_t>(in.gcount()) != size) {
    return detail::io_error("cannot read", path);
  }
  return {};
}

// The existing target of an atomic upload without overwrite: an empty put without
// overwrite lets the service refuse in its own words (what the legacy CLI's put shows).
// Sets `replace_target` when the target vanished meanwhile (the empty placeholder is ours).
Status refuse_existing(const DbfsApi& dbfs, const std::string& target, bool& replace_target,
                       const CallContext& context) {
  auto conflict = dbfs.put(target, "", false, context);
  if (!conflict) return conflict;
  replace_target = true;
  return {};
}

// dbfs/move, recognising its own completed work: when a retry after a lost response
// (ApiError::replayed) finds the source gone (RESOURCE_DOES_NOT_EXIST) or the
// destination taken (RESOURCE_ALREADY_EXISTS), the earlier attempt did the move if
// the source is gone and the destination is a file of `size` bytes (any size when
// unknown). The source names are dbk's own random temporaries or files it has just
// checked, so nobody else moves them.
Status move_once(const DbfsApi& dbfs, const std::string& from, const std::string& to,
                 std::optional<std::int64_t> size, const CallContext& context) {
  auto moved = dbfs.move(from, to, context);
  if (moved || !moved.error().replayed) return moved;
  const auto& code = moved.error().error_code;
  if (code != error_codes::kNotFound && code != kAlreadyExists) return moved;
  auto source = dbfs.get_status(from, context);
  if (source || !source.error().is_not_found()) return moved;
  auto destination = dbfs.get_status(to, context);
  if (!destination || destination->is_dir || (size && destination->file_size != *size)) {
    return moved;
  }
  return {};
}

// Moves the finished temporary file onto `target`, replacing what is there without
// ever deleting it first. DBFS has no atomic replace (move refuses an existing
// destination), so the old file is moved aside to a hidden sibling, the new one is
// moved in, and the old one is deleted only then; if the second move fails, the old
// file is moved back. The window left: a crash between the two moves leaves the
// target missing, with the old content in ".NAME.dbk-old-<hex>" next to it (and the
// new in ".NAME.dbk-tmp-<hex>"); docs/security.md says so.
Status replace_with(const DbfsApi& dbfs, const std::string& upload_path, const std::string& target,
                    std::int64_t size, const CallContext& context) {
  auto existing = dbfs.get_status(target, context);
  if (!existing) {
    if (!existing.error().is_not_found()) return existing.error();
    return move_once(dbfs, upload_path, target, size, context);
  }
  // The moves are not cancelled half-way: a move whose request is cut off by Ctrl-C may
  // still be done by the server, and the old file would then be left under its hidden
  // name while the caller removes the new one. A signal before them stops the copy with
  // nothing moved; one during them lets them finish (a few requests), and the new file
  // is in place.
  if (context.is_cancelled()) return cancelled_error("replacing " + target);
  CallContext finishing = context;
  finishing.cancellation.reset();
  if (existing->is_dir) {
    // Only an empty directory goes (a non-recursive delete refuses any other); it
    // holds no content to keep.
    auto removed = dbfs.remove(target, false, {}, context);
    if (!removed && !removed.error().is_not_found()) return removed;
    return move_once(dbfs, upload_path, target, size, finishing);
  }
  const std::string aside = aside_sibling(target);
  auto moved_aside = move_once(dbfs, target, aside, existing->file_size, finishing);
  if (!moved_aside) {
    if (!moved_aside.error().is_not_found() || moved_aside.error().replayed) return moved_aside;
    return move_once(dbfs, upload_path, target, size,
                     finishing);  // vanished meanwhile: nothing to keep
  }
  auto placed = move_once(dbfs, upload_path, target, size, finishing);
  if (!placed) {
    // Not cancellable: after Ctrl-C between the two moves the old content still goes back.
    auto restored = move_once(dbfs, aside, target, existing->file_size, detail::cleanup_context());
    if (!restored) {
      ApiError error = placed.error();
      error.message += "; the previous content of " + target + " is kept in " + aside +
                       " (moving it back failed: " + restored.error().to_string() + ")";
      return error;
    }
    return placed;
  }
  // Also after Ctrl-C; a leftover (SIGKILL) is recognised as stale by a later run.
  (void)dbfs.remove(aside, false, {}, detail::cleanup_context());
  return {};
}

}  // namespace

Status upload_file(const DbfsApi& dbfs, const std::string& local_path, const std::string& dbfs_path,
                   const UploadOptions& options, const CallContext& context) {
  auto target = normalize_dbfs_path(dbfs_path);
  if (!target) return std::move(target).error();
  std::error_code code;
  if (fs::is_directory(local_path, code)) {
    return make_error(error_codes::kInvalidArgument,
                      local_path + " is a directory; copy directories recursively");
  }
  errno = 0;
  std::ifstream in(local_path, std::ios::binary);
  if (!in) return detail::io_error("cannot open", local_path);
  const std::uint64_t size = fs::file_size(local_path, code);
  if (code) return detail::io_error("cannot read", local_path, code);
  // Up to the threshold one multipart put carries the whole file (docs/reference/rest-api.md §1.2,
  // §6.7): 2 requests per atomic file (put to the temporary name, move) instead of get-status,
  // create, one add-block per MiB, close and move.
  const bool one_request = options.single_request_max_bytes > 0 &&
                           size <= options.single_request_max_bytes && size < kMaxMultipartPutBytes;

  bool replace_target = options.overwrite;
  if (options.atomic && !options.overwrite && !one_request) {
    // A streamed upload is not worth starting when the target exists; the temporary
    // name never clashes, so "exists" must be checked on the target.
    auto existing = dbfs.get_status(*target, context);
    if (existing) {
      auto refused = refuse_existing(dbfs, *target, replace_target, context);
      if (!refused) return refused;
    } else if (!existing.error().is_not_found()) {
      return existing.error();
    }
  }
  const std::string upload_path = options.atomic ? temporary_sibling(*target) : *target;
  Status sent;
  if (one_request) {
    if (context.is_cancelled()) return cancelled_error("upload of " + local_path);
    bool read_failed = false;
    sent = dbfs.put_multipart(
        upload_path, size,
        [&](char* out, std::size_t bytes) {
          auto read = read_exactly(in, out, bytes, local_path);
          read_failed = !read;
          return read;
        },
        options.overwrite || options.atomic, context);
    if (read_failed) return sent;  // nothing was sent
    // Without atomic, a refused or failed put wrote nothing of ours at the target.
    if (!sent && !options.atomic) return sent;
    if (sent && options.progress) {
      TransferProgress progress;
      progress.files_total = 1;
      progress.bytes_done = size;
      options.progress(progress);
    }
  } else {
    auto handle = dbfs.create(upload_path, options.overwrite || options.atomic, context);
    if (!handle) return std::move(handle).error();
    sent = send_blocks(dbfs, *handle, in, local_path, options, context);
    // Closed even after a cancel, so that the server does not keep the handle open.
    auto closed = dbfs.close(*handle, detail::cleanup_context());
    if (sent && !closed) sent = closed;
  }
  if (sent && options.atomic) {
    const auto bytes = static_cast<std::int64_t>(size);
    sent = replace_target ? replace_with(dbfs, upload_path, *target, bytes, context)
                          : move_once(dbfs, upload_path, *target, bytes, context);
    if (!sent && one_request && !options.overwrite && sent.error().error_code == kAlreadyExists) {
      // No get-status up front for a one-request upload: the move refuses an existing
      // target. Report it as the service's put does (or take the target if it vanished:
      // then the empty placeholder the put left is ours to replace).
      sent = refuse_existing(dbfs, *target, replace_target, context);
      if (sent) sent = replace_with(dbfs, upload_path, *target, bytes, context);
    }
  }
  if (!sent) {
    // Best effort, also after a cancel: leave neither a temporary nor a truncated
    // target behind.
    (void)dbfs.remove(upload_path, false, {}, detail::cleanup_context());
  }
  return sent;
}

Status download_file(const DbfsApi& dbfs, const std::string& dbfs_path,
                     const std::string& local_path, const DownloadOptions& options,
                     const CallContext& context) {
  auto source = normalize_dbfs_path(dbfs_path);
  if (!source) return std::move(source).error();
  auto status = dbfs.get_status(*source, context);
  if (!status) return std::move(status).error();
  if (status->is_dir) {
    return make_error(error_codes::kInvalidArgument,
                      *source + " is a directory; copy directories recursively");
  }
  const fs::path target(local_path);
  std::error_code code;
  if (fs::is_directory(target, code)) {
    return make_error(error_codes::kInvalidArgument, local_path + " is a local directory");
  }
  if (!options.overwrite && fs::exists(target, code)) {
    return make_error(kAlreadyExists, local_path + " already exists locally");
  }

  AtomicFileWriter out;
  if (auto opened = out.open(target.string()); !opened) return opened;

  TransferProgress progress;
  progress.files_total = 1;
  std::int64_t offset = 0;
  // Legacy download loops offset += bytes_read up to file_size (docs/reference/rest-api.md §1.2);
  // a 0-byte read also ends it, in case the file shrank meanwhile. Returning early drops `out`,
  // which removes the partial temporary file.
  while (offset < status->file_size) {
    if (context.is_cancelled()) return cancelled_error("download of " + dbfs_path);
    auto chunk =
        dbfs.read(*source, offset, static_cast<std::int64_t>(kTransferBlockBytes), context);
    if (!chunk) return std::move(chunk).error();
    if (chunk->bytes_read == 0) break;
    if (auto written = out.append(chunk->data); !written) return written;
    offset += chunk->bytes_read;
    progress.bytes_done = static_cast<std::uint64_t>(offset);
    if (options.progress) options.progress(progress);
  }
  return out.commit();
}

Status copy_within_dbfs(const DbfsApi& dbfs, const std::string& src_path,
                        const std::string& dst_path, const UploadOptions& options,
                        const CallContext& context) {
  std::error_code code;
  const fs::path temp_dir = fs::temp_directory_path(code);
  if (code) return detail::io_error("cannot find the temporary directory", temp_dir, code);
  const fs::path temp = temp_dir / ("dbk-copy-" + detail::random_hex(8));
  auto copied = download_file(dbfs, src_path, temp.string(), {}, context);
  if (copied) copied = upload_file(dbfs, temp.string(), dst_path, options, context);
  fs::remove(temp, code);
  return copied;
}

}  // namespace dbk
