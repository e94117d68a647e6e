#include "dbfs/dbfs_service.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "dbk/base64.hpp"
#include "http/member_handler.hpp"
#include "state/files.hpp"

namespace dbk::emulator {
namespace {

namespace fs = std::filesystem;

ApiError missing_path(const std::string& api_path) {
  // Observed text, docs/reference/rest-api.md §1.2.
  return not_found("No file or directory exists on path " + api_path + ".");
}

ApiError internal(const std::string& what, const std::string& api_path, int err) {
  return http_error(500, "INTERNAL_ERROR", what + " " + api_path + ": " + std::strerror(err));
}

bool lstat_path(const fs::path& file, struct stat& info) {
  return ::stat(file.c_str(), &info) == 0;
}

std::int64_t mtime_ms(const struct stat& info) {
  return static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000 + info.st_mtim.tv_nsec / 1000000;
}

nlohmann::ordered_json file_info(const std::string& api_path, const struct stat& info) {
  nlohmann::ordered_json item;
  item["path"] = api_path;
  item["is_dir"] = S_ISDIR(info.st_mode);
  item["file_size"] =
      S_ISDIR(info.st_mode) ? std::int64_t{0} : static_cast<std::int64_t>(info.st_size);
  item["modification_time"] = mtime_ms(info);
  return item;
}

std::string child_api_path(const std::string& parent, const std::string& name) {
  return parent == "/" ? "/" + name : parent + "/" + name;
}

Result<std::string> decode_block(const std::string& base64, const char* field) {
  auto bytes = base64_decode(base64);
  if (!bytes.ok()) {
    return invalid_parameter(std::string("Invalid base64 in '") + field +
                             "': " + bytes.error().message);
  }
  if (static_cast<std::int64_t>(bytes->size()) > DbfsService::kMaxBlockBytes) {
    // Observed text (databrickslabs/dbx #350), docs/reference/rest-api.md §1.2.
    return http_error(400, "MAX_BLOCK_SIZE_EXCEEDED",
                      std::string("The '") + field + "' data cannot exceed " +
                          std::to_string(DbfsService::kMaxBlockBytes) +
                          " bytes. Found: " + std::to_string(bytes->size()) +
                          " bytes. You might want to use streaming upload instead.");
  }
  return std::move(*bytes);
}

Status write_all(int fd, std::string_view bytes, const std::string& api_path) {
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return internal("cannot write", api_path, errno);
    }
    written += static_cast<size_t>(n);
  }
  return {};
}

// Renames under the namespace lock; the caller makes it durable with sync_rename()
// once the lock is released.
Status rename_entry(const fs::path& from, const fs::path& to, const std::string& api_path) {
  if (::rename(from.c_str(), to.c_str()) != 0) return internal("cannot rename to", api_path, errno);
  return {};
}

// The fsyncs that make a rename durable, outside the namespace lock: concurrent
// requests then overlap their folder fsyncs (the file system commits them together)
// instead of queueing behind the lock. The response still waits for them.
Status sync_rename(const fs::path& from, const fs::path& to) {
  Status status = fsync_path(to.parent_path());
  if (status.ok() && from.parent_path() != to.parent_path()) {
    status = fsync_path(from.parent_path());
  }
  return status;
}

// A rename out of the private temporary folder needs only the target's folder fsynced:
// that folder is emptied at every start, so whether the temporary's removal from it
// reached the disk does not matter. Under parallel uploads it is always dirty, and
// fsyncing it too made each upload wait for another journal commit.
Status sync_from_tmp(const fs::path& target) {
  return fsync_path(target.parent_path());
}

ApiError unknown_handle(std::int64_t id) {
  return not_found("The handle " + std::to_string(id) + " does not exist or has expired.");
}

}  // namespace

DbfsService::DbfsService(ServiceContext& context) : context_(context) {}

DbfsService::~DbfsService() {
  stop();
}

void DbfsService::register_routes(Router& router) {
  router.add("GET", "/api/2.0/dbfs/list", member_handler(this, &DbfsService::list));
  router.add("GET", "/api/2.0/dbfs/get-status", member_handler(this, &DbfsService::get_status));
  router.add("POST", "/api/2.0/dbfs/mkdirs", member_handler(this, &DbfsService::mkdirs));
  router.add("POST", "/api/2.0/dbfs/put", member_handler(this, &DbfsService::put));
  router.add("POST", "/api/2.0/dbfs/create", member_handler(this, &DbfsService::create));
  router.add("POST", "/api/2.0/dbfs/add-block", member_handler(this, &DbfsService::add_block));
  router.add("POST", "/api/2.0/dbfs/close", member_handler(this, &DbfsService::close));
  router.add("GET", "/api/2.0/dbfs/read", member_handler(this, &DbfsService::read));
  router.add("POST", "/api/2.0/dbfs/delete", member_handler(this, &DbfsService::remove));
  router.add("POST", "/api/2.0/dbfs/move", member_handler(this, &DbfsService::move));
  router.add("POST", "/__dbk/dbfs/settings", member_handler(this, &DbfsService::settings));
}

void DbfsService::reset() {
  std::lock_guard<std::mutex> lock(handles_mutex_);
  for (auto& [id, handle] : handles_) {
    std::lock_guard<std::mutex> handle_lock(handle->mutex);
    handle->open = false;
  }
  handles_.clear();
  delete_batch_files_.store(0);
}

void DbfsService::stop() {
  reset();
}

Result<DbfsPath> DbfsService::path_param(const Params& params, std::string_view field) const {
  auto raw = params.required_string(field);
  if (!raw.ok()) return std::move(raw).error();
  return resolve_dbfs_path(*raw, context_.dbfs_root);
}

void DbfsService::touch(const fs::path& file) const {
  std::int64_t now = context_.clock.now_ms();
  struct timespec times[2];
  for (auto& t : times) {
    t.tv_sec = static_cast<time_t>(now / 1000);
    t.tv_nsec = static_cast<long>((now % 1000) * 1000000);
  }
  ::utimensat(AT_FDCWD, file.c_str(), times, 0);
}

Status DbfsService::make_parents(const DbfsPath& path) {
  fs::path relative = path.file.lexically_relative(context_.dbfs_root);
  fs::path current = context_.dbfs_root;
  std::string api;
  auto parts = std::vector<fs::path>(relative.begin(), relative.end());
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    current /= parts[i];
    api += "/" + parts[i].string();
    struct stat info {};
    if (lstat_path(current, info)) {
      if (!S_ISDIR(info.st_mode)) {
        return already_exists("Cannot create directory " + api + " because " + api +
                              " is an existing file.");
      }
      continue;
    }
    if (::mkdir(current.c_str(), kPrivateDirMode) != 0) {
      if (errno != EEXIST) return internal("cannot create directory", api, errno);
      continue;
    }
    touch(current);
    // The new folder's entry is durable once its parent is fsynced; the caller fsyncs
    // only the deepest folder (rare: clients usually call mkdirs first).
    Status synced = fsync_path(current.parent_path());
    if (!synced.ok()) return synced;
  }
  return {};
}

Status DbfsService::make_dirs(const DbfsPath& path) {
  if (path.is_root()) return {};
  Status parents = make_parents(path);
  if (!parents.ok()) return parents;
  struct stat info {};
  if (lstat_path(path.file, info)) {
    if (S_ISDIR(info.st_mode)) return {};
    return already_exists("Cannot create directory " + path.api + " because " + path.api +
                          " is an existing file.");
  }
  if (::mkdir(path.file.c_str(), kPrivateDirMode) != 0 && errno != EEXIST) {
    return internal("cannot create directory", path.api, errno);
  }
  touch(path.file);
  return fsync_path(path.file.parent_path());
}

Status DbfsService::write_file(const DbfsPath& path, std::string_view bytes, bool overwrite) {
  if (path.is_root())
    return already_exists("A file or directory already exists at the input path /.");
  // The bytes go to disk before taking the namespace lock; only the rename is serialised.
  fs::path temp = unique_temp_path(context_.tmp_dir, "put");
  {
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kPrivateFileMode);
    if (fd < 0) return internal("cannot create", path.api, errno);
    Status written = write_all(fd, bytes, path.api);
    if (written.ok() && ::fsync(fd) != 0) written = internal("cannot fsync", path.api, errno);
    ::close(fd);
    if (!written.ok()) {
      ::unlink(temp.c_str());
      return written;
    }
  }
  {
    std::lock_guard<std::mutex> lock(namespace_mutex_);
    struct stat info {};
    if (lstat_path(path.file, info) && (!overwrite || S_ISDIR(info.st_mode))) {
      ::unlink(temp.c_str());
      return already_exists("A file or directory already exists at the input path " + path.api +
                            ".");
    }
    Status parents = make_parents(path);
    if (!parents.ok()) {
      ::unlink(temp.c_str());
      return parents;
    }
    touch(temp);
    Status renamed = rename_entry(temp, path.file, path.api);
    if (!renamed.ok()) {
      ::unlink(temp.c_str());
      return renamed;
    }
  }
  return sync_from_tmp(path.file);
}

Response DbfsService::list(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto path, path_param(params, "path"));
  struct stat info {};
  if (!lstat_path(path.file, info)) return error_response(missing_path(path.api));
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  if (!S_ISDIR(info.st_mode)) {
    files.push_back(file_info(path.api, info));  // a file lists as itself
  } else {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(path.file, ec)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      struct stat child {};
      if (!lstat_path(path.file / name, child)) continue;  // deleted meanwhile
      files.push_back(file_info(child_api_path(path.api, name), child));
    }
  }
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  // docs/reference/rest-api.md §1: empty lists omit the key
  if (!files.empty()) body["files"] = std::move(files);
  return json_response(200, body);
}

Response DbfsService::get_status(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto path, path_param(params, "path"));
  struct stat info {};
  if (!lstat_path(path.file, info)) return error_response(missing_path(path.api));
  return json_response(200, file_info(path.api, info));
}

Response DbfsService::mkdirs(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto path, path_param(params, "path"));
  std::lock_guard<std::mutex> lock(namespace_mutex_);
  DBK_RETURN_IF_ERROR(make_dirs(path));
  return empty_response();
}

Response DbfsService::put(const Request& request) {
  if (request.is_multipart()) {
    // The legacy CLI's form: fields path and overwrite ("True"), file part "file";
    // no 1 MB limit here (docs/reference/rest-api.md §1.2, §7).
    DBK_ASSIGN_OR_RESPOND(auto parts, parse_multipart(request));
    nlohmann::json fields = nlohmann::json::object();
    const FormPart* file = nullptr;
    for (const FormPart& part : parts) {
      if (part.name == "file" || part.name == "contents" || !part.filename.empty()) {
        if (file == nullptr) file = &part;
      } else {
        fields[part.name] = std::string(part.data);
      }
    }
    Params params = Params::from_json(fields);
    DBK_ASSIGN_OR_RESPOND(auto path, path_param(params, "path"));
    DBK_ASSIGN_OR_RESPOND(bool overwrite, params.optional_bool("overwrite", false));
    DBK_RETURN_IF_ERROR(write_file(path, file ? file->data : std::string_view(), overwrite));
    return empty_response();
  }
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto path, path_param(params, "path"));
  DBK_ASSIGN_OR_RESPOND(bool overwrite, params.optional_bool("overwrite", false));
  DBK_ASSIGN_OR_RESPOND(auto contents, params.optional_string("contents"));
  DBK_ASSIGN_OR_RESPOND(std::string bytes, decode_block(contents.value_or(""), "contents"));
  DBK_RETURN_IF_ERROR(write_file(path, bytes, overwrite));
  return empty_response();
}

std::optional<ApiError> DbfsService::handle_limit(const std::string& client) const {
  std::size_t mine = 0;
  for (const auto& [id, handle] : handles_) {
    if (handle->client == client) ++mine;
  }
  std::string which;
  if (handles_.size() >= kMaxOpenHandles) {
    which = std::to_string(kMaxOpenHandles) + " open handles in total";
  } else if (mine >= kMaxOpenHandlesPerClient) {
    which = std::to_string(kMaxOpenHandlesPerClient) + " open handles per client";
  } else {
    return std::nullopt;
  }
  return http_error(429, "RESOURCE_EXHAUSTED",
                    "Too many open DBFS handles: the limit is " + which +
                        ". Close handles with /api/2.0/dbfs/close (unused ones expire after " +
                        std::to_string(kHandleIdleMs / 60000) + " idle minutes).");
}

std::shared_ptr<DbfsService::Handle> DbfsService::find_handle(std::int64_t id) {
  std::lock_guard<std::mutex> lock(handles_mutex_);
  auto it = handles_.find(id);
  if (it == handles_.end()) return nullptr;
  return it->second;
}

void DbfsService::drop_handle(const std::shared_ptr<Handle>& handle) {
  {
    std::lock_guard<std::mutex> lock(handles_mutex_);
    handles_.erase(handle->id);
  }
  handle->open = false;
  ::unlink(handle->temp.c_str());
}

void DbfsService::expire_handles() {
  const std::int64_t now = context_.clock.now_ms();
  std::vector<std::shared_ptr<Handle>> expired;
  {
    std::lock_guard<std::mutex> lock(handles_mutex_);
    for (auto it = handles_.begin(); it != handles_.end();) {
      if (now - it->second->last_used_ms > kHandleIdleMs) {
        expired.push_back(it->second);
        it = handles_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& handle : expired) {
    std::lock_guard<std::mutex> lock(handle->mutex);
    handle->open = false;
    ::unlink(handle->temp.c_str());
  }
}

Response DbfsService::create(const Request& request) {
  expire_handles();
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto path, path_param(params, "path"));
  DBK_ASSIGN_OR_RESPOND(bool overwrite, params.optional_bool("overwrite", false));
  struct stat info {};
  if (lstat_path(path.file, info) && (!overwrite || S_ISDIR(info.st_mode))) {
    return error_response(
        already_exists("A file or directory already exists at the input path " + path.api + "."));
  }
  const std::string client = request.header("Authorization").value_or("");
  {
    // Checked again when the handle is added; this early check spares an id and a file.
    std::lock_guard<std::mutex> lock(handles_mutex_);
    if (auto refused = handle_limit(client)) return error_response(*refused);
  }
  DBK_ASSIGN_OR_RESPOND(std::int64_t id, context_.store.next_id("dbfs_handle"));
  auto handle = std::make_shared<Handle>();
  handle->id = id;
  handle->target = path;
  handle->overwrite = overwrite;
  handle->client = client;
  handle->temp = unique_temp_path(context_.tmp_dir, "handle-" + std::to_string(id));
  int fd = ::open(handle->temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kPrivateFileMode);
  if (fd < 0) return error_response(internal("cannot create", path.api, errno));
  ::close(fd);  // each add-block opens it again: idle handles hold no descriptor
  handle->open = true;
  handle->last_used_ms = context_.clock.now_ms();
  {
    std::lock_guard<std::mutex> lock(handles_mutex_);
    if (auto refused = handle_limit(client)) {
      ::unlink(handle->temp.c_str());
      return error_response(*refused);
    }
    handles_[id] = handle;
  }
  return json_response(200, {{"handle", id}});
}

Response DbfsService::add_block(const Request& request) {
  expire_handles();
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(std::int64_t id, params.required_int64("handle"));
  DBK_ASSIGN_OR_RESPOND(auto data, params.required_string("data"));
  DBK_ASSIGN_OR_RESPOND(std::string bytes, decode_block(data, "data"));
  auto handle = find_handle(id);
  if (!handle) return error_response(unknown_handle(id));
  std::lock_guard<std::mutex> lock(handle->mutex);
  if (!handle->open) return error_response(unknown_handle(id));
  int fd = ::open(handle->temp.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return error_response(internal("cannot open", handle->target.api, errno));
  Status written = write_all(fd, bytes, handle->target.api);
  ::close(fd);
  if (!written.ok()) return error_response(written.error());
  handle->last_used_ms = context_.clock.now_ms();
  return empty_response();
}

Response DbfsService::close(const Request& request) {
  expire_handles();
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(std::int64_t id, params.required_int64("handle"));
  auto handle = find_handle(id);
  if (!handle) return error_response(unknown_handle(id));
  std::lock_guard<std::mutex> lock(handle->mutex);
  if (!handle->open) return error_response(unknown_handle(id));
  int fd = ::open(handle->temp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    auto error = internal(fd < 0 ? "cannot open" : "cannot fsync", handle->target.api, errno);
    if (fd >= 0) ::close(fd);
    drop_handle(handle);
    return error_response(error);
  }
  ::close(fd);
  handle->open = false;
  {
    std::lock_guard<std::mutex> handles_lock(handles_mutex_);
    handles_.erase(id);
  }
  {
    std::lock_guard<std::mutex> names(namespace_mutex_);
    struct stat info {};
    if (lstat_path(handle->target.file, info) && (!handle->overwrite || S_ISDIR(info.st_mode))) {
      ::unlink(handle->temp.c_str());
      return error_response(already_exists("A file or directory already exists at the input path " +
                                           handle->target.api + "."));
    }
    Status parents = make_parents(handle->target);
    if (!parents.ok()) {
      ::unlink(handle->temp.c_str());
      return error_response(parents.error());
    }
    touch(handle->temp);
    Status renamed = rename_entry(handle->temp, handle->target.file, handle->target.api);
    if (!renamed.ok()) {
      ::unlink(handle->temp.c_str());
      return error_response(renamed.error());
    }
  }
  DBK_RETURN_IF_ERROR(sync_from_tmp(handle->target.file));
  return empty_response();
}

Response DbfsService::read(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto path, path_param(params, "path"));
  DBK_ASSIGN_OR_RESPOND(auto offset, params.optional_int64("offset"));
  DBK_ASSIGN_OR_RESPOND(auto length, params.optional_int64("length"));
  std::int64_t start = offset.value_or(0);
  std::int64_t count = length.value_or(kDefaultReadBytes);
  if (start < 0)
    return error_response(
        invalid_parameter("Offset must be non-negative: " + std::to_string(start)));
  if (count < 0)
    return error_response(
        invalid_parameter("Length must be non-negative: " + std::to_string(count)));
  if (count > kMaxReadBytes) {
    return error_response(400, "MAX_READ_SIZE_EXCEEDED",
                          "Cannot read more than " + std::to_string(kMaxReadBytes) +
                              " bytes at a time. Requested: " + std::to_string(count) + " bytes.");
  }
  struct stat info {};
  if (!lstat_path(path.file, info)) return error_response(missing_path(path.api));
  if (S_ISDIR(info.st_mode)) {
    return error_response(invalid_parameter("Cannot read a directory: " + path.api));
  }
  int fd = ::open(path.file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return error_response(missing_path(path.api));
  std::string bytes(static_cast<size_t>(count), '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = ::pread(fd, bytes.data() + got, bytes.size() - got,
                        static_cast<off_t>(start + static_cast<std::int64_t>(got)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  bytes.resize(got);
  nlohmann::ordered_json body;
  body["bytes_read"] = static_cast<std::int64_t>(got);
  body["data"] = base64_encode(bytes);
  return json_response(200, body);
}

Response DbfsService::remove(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto path, path_param(params, "path"));
  DBK_ASSIGN_OR_RESPOND(bool recursive, params.optional_bool("recursive", false));
  std::lock_guard<std::mutex> lock(namespace_mutex_);
  struct stat info {};
  // A missing path is a success (docs/reference/rest-api.md §1.2, unverified there).
  if (!lstat_path(path.file, info)) return empty_response();
  if (!S_ISDIR(info.st_mode)) {
    if (::unlink(path.file.c_str()) != 0 && errno != ENOENT) {
      return error_response(internal("cannot delete", path.api, errno));
    }
    DBK_RETURN_IF_ERROR(fsync_path(path.file.parent_path()));
    return empty_response();
  }
  std::error_code ec;
  bool empty = fs::is_empty(path.file, ec);
  if (!recursive) {
    if (!empty) {
      return error_response(
          400, "IO_ERROR",
          "Cannot delete non-empty directory " + path.api + " without recursive=true.");
    }
    if (!path.is_root() && ::rmdir(path.file.c_str()) != 0) {
      return error_response(internal("cannot delete", path.api, errno));
    }
    return empty_response();
  }
  const std::int64_t batch = delete_batch_files_.load();
  if (batch > 0) {
    // Incremental delete like the real service: at most `batch` files per call, then
    // 503 PARTIAL_DELETE so that the client calls again (docs/reference/rest-api.md §1.2).
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(path.file, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_directory(ec)) files.push_back(it->path());
    }
    if (static_cast<std::int64_t>(files.size()) > batch) {
      for (std::int64_t i = 0; i < batch; ++i) ::unlink(files[static_cast<size_t>(i)].c_str());
      return error_response(503, "PARTIAL_DELETE",
                            "The requested operation has deleted " + std::to_string(batch) +
                                " files. There are more files remaining. You must make another "
                                "request to delete more.");
    }
  }
  if (path.is_root()) {
    for (const auto& entry : fs::directory_iterator(path.file, ec))
      fs::remove_all(entry.path(), ec);
  } else {
    fs::remove_all(path.file, ec);
  }
  if (ec) return error_response(internal("cannot delete", path.api, ec.value()));
  DBK_RETURN_IF_ERROR(fsync_path(path.is_root() ? path.file : path.file.parent_path()));
  return empty_response();
}

Response DbfsService::move(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto source, path_param(params, "source_path"));
  DBK_ASSIGN_OR_RESPOND(auto destination, path_param(params, "destination_path"));
  {
    std::lock_guard<std::mutex> lock(namespace_mutex_);
    struct stat info {};
    if (!lstat_path(source.file, info)) return error_response(missing_path(source.api));
    if (lstat_path(destination.file, info)) {
      return error_response(already_exists("A file or directory already exists at the input path " +
                                           destination.api + "."));
    }
    if (source.is_root() || destination.api.rfind(source.api + "/", 0) == 0) {
      return error_response(invalid_parameter("Cannot move " + source.api + " into itself (" +
                                              destination.api + ")."));
    }
    DBK_RETURN_IF_ERROR(make_parents(destination));
    DBK_RETURN_IF_ERROR(rename_entry(source.file, destination.file, destination.api));
  }
  DBK_RETURN_IF_ERROR(sync_rename(source.file, destination.file));
  return empty_response();
}

Response DbfsService::settings(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto batch, params.optional_int64("delete_batch_files"));
  if (batch) delete_batch_files_.store(std::max<std::int64_t>(0, *batch));
  return json_response(200, {{"delete_batch_files", delete_batch_files_.load()}});
}

}  // namespace dbk::emulator
