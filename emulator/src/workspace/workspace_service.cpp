#include "workspace/workspace_service.hpp"

#include <random>
#include <set>
#include <vector>

#include "dbk/base64.hpp"
#include "http/member_handler.hpp"
#include "identity/scim_service.hpp"
#include "state/files.hpp"
#include "workspace/notebook_format.hpp"

namespace dbk::emulator {
namespace {

constexpr const char* kKind = "workspace";

// 32 random hex digits: blob names that never clash, across restarts too.
std::string random_blob_suffix() {
  static thread_local std::mt19937_64 engine{[] {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }()};
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int word = 0; word < 2; ++word) {
    std::uint64_t bits = engine();
    for (int i = 0; i < 16; ++i, bits >>= 4) out += kHex[bits & 0xF];
  }
  return out;
}

// Workspace paths are absolute; repeated and trailing slashes are dropped.
Result<std::string> normalize(const std::string& raw) {
  if (raw.empty() || raw.front() != '/' || raw.find('\0') != std::string::npos) {
    return invalid_parameter("Path (" + raw + ") is not a valid absolute path.");
  }
  std::string out;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t slash = raw.find('/', pos);
    if (slash == std::string::npos) slash = raw.size();
    std::string segment = raw.substr(pos, slash - pos);
    if (segment == "." || segment == "..") {
      return invalid_parameter("Path (" + raw + ") is not a valid absolute path.");
    }
    if (!segment.empty()) out += "/" + segment;
    pos = slash + 1;
  }
  return out.empty() ? std::string("/") : out;
}

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string name_of(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

bool is_descendant(const std::string& path, const std::string& ancestor) {
  if (ancestor == "/") return path != "/";
  return path.size() > ancestor.size() && path.compare(0, ancestor.size(), ancestor) == 0 &&
         path[ancestor.size()] == '/';
}

ApiError missing(const std::string& path) {
  // Observed text (databricks-cli #352), docs/reference/rest-api.md §1.1.
  return not_found("Path (" + path + ") doesn't exist.");
}

ApiError too_big(std::size_t size) {
  return http_error(400, "MAX_NOTEBOOK_SIZE_EXCEEDED",
                    "File size imported is (" + std::to_string(size) +
                        " bytes), exceeded max size (" +
                        std::to_string(WorkspaceService::kMaxContentBytes) + " bytes)");
}

nlohmann::ordered_json object_info(const std::string& path, const nlohmann::json& doc) {
  nlohmann::ordered_json info;
  info["object_type"] = doc.value("object_type", "DIRECTORY");
  info["path"] = path;
  if (doc.contains("language")) info["language"] = doc["language"];
  info["object_id"] = doc.value("object_id", std::int64_t{0});
  if (doc.contains("created_at")) info["created_at"] = doc["created_at"];
  if (doc.contains("modified_at")) info["modified_at"] = doc["modified_at"];
  if (doc.contains("size")) info["size"] = doc["size"];
  info["resource_id"] = std::to_string(doc.value("object_id", std::int64_t{0}));
  return info;
}

bool one_of(const std::string& value, std::initializer_list<const char*> options) {
  for (const char* option : options) {
    if (value == option) return true;
  }
  return false;
}

std::string extension_of(const std::string& path) {
  std::string name = name_of(path);
  size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) return "";
  return name.substr(dot);
}

}  // namespace

WorkspaceService::WorkspaceService(ServiceContext& context) : context_(context) {}

void WorkspaceService::register_routes(Router& router) {
  router.add("GET", "/api/2.0/workspace/list", member_handler(this, &WorkspaceService::list));
  router.add("GET", "/api/2.0/workspace/get-status",
             member_handler(this, &WorkspaceService::get_status));
  router.add("POST", "/api/2.0/workspace/mkdirs", member_handler(this, &WorkspaceService::mkdirs));
  router.add("POST", "/api/2.0/workspace/import", member_handler(this, &WorkspaceService::import));
  router.add("GET", "/api/2.0/workspace/export",
             member_handler(this, &WorkspaceService::export_object));
  router.add("POST", "/api/2.0/workspace/delete", member_handler(this, &WorkspaceService::remove));
  router.add("POST", "/api/2.0/workspace-files/import-file/*",
             member_handler(this, &WorkspaceService::import_file));
}

void WorkspaceService::recover() {
  ensure_home_folders();
  // Blobs not referenced by metadata were written by an import that crashed before its
  // metadata commit (or were replaced just before a crash): remove them.
  std::set<std::string> referenced;
  for (const auto& [path, doc] : context_.store.list(kKind)) {
    if (doc.contains("blob")) referenced.insert(doc["blob"].get<std::string>());
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(blob_dir(), ec)) {
    if (!referenced.count(entry.path().filename().string())) {
      std::filesystem::remove(entry.path(), ec);
    }
  }
}

void WorkspaceService::reset() {
  ensure_home_folders();
}

void WorkspaceService::ensure_home_folders() {
  std::lock_guard<std::mutex> lock(write_mutex_);
  const std::int64_t now = context_.clock.now_ms();
  // As on a real workspace, the current user's home folder always exists.
  const std::string home = std::string("/Users/") + kEmulatorUserName;
  (void)context_.store.transaction([&](Store::Transaction& tx) -> Status {
    for (const std::string& path :
         {std::string("/"), std::string("/Users"), std::string("/Shared"), home}) {
      if (tx.get(kKind, path)) continue;
      std::int64_t id = path == "/" ? 0 : tx.next_id("workspace_object");
      tx.put(kKind, path,
             {{"object_type", "DIRECTORY"},
              {"object_id", id},
              {"created_at", now},
              {"modified_at", now}});
    }
    return {};
  });
}

std::optional<nlohmann::json> WorkspaceService::lookup(const std::string& path) const {
  return context_.store.get(kKind, path);
}

Result<std::string> WorkspaceService::read_blob(const nlohmann::json& object) const {
  if (!object.contains("blob")) return std::string();
  return read_file(blob_dir() / object["blob"].get<std::string>());
}

Result<NotebookContent> WorkspaceService::read_notebook(const std::string& raw_path) const {
  auto path = normalize(raw_path);
  if (!path.ok()) return std::move(path).error();
  auto object = lookup(*path);
  if (!object) return missing(*path);
  if (object->value("object_type", "") != "NOTEBOOK") {
    return invalid_parameter("Path (" + *path + ") is not a notebook.");
  }
  auto bytes = read_blob(*object);
  if (!bytes.ok()) return std::move(bytes).error();
  NotebookContent content;
  content.path = *path;
  content.language = object->value("language", "PYTHON");
  content.format = object->value("format", "SOURCE");
  content.content = std::move(*bytes);
  if (content.format != "SOURCE" && content.format != "JUPYTER") {
    // HTML/DBC are stored opaquely; there is no source to run.
    content.format = "SOURCE";
    content.content = empty_source(content.language);
  }
  return content;
}

Response WorkspaceService::list(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto raw, params.required_string("path"));
  DBK_ASSIGN_OR_RESPOND(auto path, normalize(raw));
  DBK_ASSIGN_OR_RESPOND(auto modified_after, params.optional_int64("notebooks_modified_after"));
  auto object = lookup(path);
  if (!object) return error_response(missing(path));
  nlohmann::ordered_json objects = nlohmann::ordered_json::array();
  const std::string type = object->value("object_type", "");
  if (type != "DIRECTORY" && type != "REPO") {      // a repo lists its files, as a folder does
    objects.push_back(object_info(path, *object));  // a non-directory lists as itself
  } else {
    for (const auto& [child, doc] : context_.store.list(kKind)) {
      if (child == "/" || parent_of(child) != path) continue;
      if (modified_after && doc.value("object_type", "") == "NOTEBOOK" &&
          doc.value("modified_at", std::int64_t{0}) <= *modified_after) {
        continue;
      }
      objects.push_back(object_info(child, doc));
    }
  }
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  // docs/reference/rest-api.md §1: omit when empty
  if (!objects.empty()) body["objects"] = std::move(objects);
  return json_response(200, body);
}

Response WorkspaceService::get_status(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto raw, params.required_string("path"));
  DBK_ASSIGN_OR_RESPOND(auto path, normalize(raw));
  auto object = lookup(path);
  if (!object) return error_response(missing(path));
  return json_response(200, object_info(path, *object));
}

Response WorkspaceService::mkdirs(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto raw, params.required_string("path"));
  DBK_ASSIGN_OR_RESPOND(auto path, normalize(raw));
  std::lock_guard<std::mutex> lock(write_mutex_);
  const std::int64_t now = context_.clock.now_ms();
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    std::vector<std::string> prefixes;
    for (std::string p = path; p != "/"; p = parent_of(p)) prefixes.insert(prefixes.begin(), p);
    for (const std::string& prefix : prefixes) {
      auto existing = tx.get(kKind, prefix);
      if (existing) {
        if (existing->value("object_type", "") != "DIRECTORY") {
          return already_exists("Path (" + prefix + ") already exists.");
        }
        continue;
      }
      tx.put(kKind, prefix,
             {{"object_type", "DIRECTORY"},
              {"object_id", tx.next_id("workspace_object")},
              {"created_at", now},
              {"modified_at", now}});
    }
    return {};
  }));
  return empty_response();
}

Response WorkspaceService::import(const Request& request) {
  if (request.is_multipart()) {
    // SDK workspace.upload: form fields plus the bytes as a file part "content".
    DBK_ASSIGN_OR_RESPOND(auto parts, parse_multipart(request));
    nlohmann::json fields = nlohmann::json::object();
    std::optional<std::string> content;
    for (const FormPart& part : parts) {
      if (part.name == "content" || !part.filename.empty()) {
        if (!content) content = std::string(part.data);
      } else {
        fields[part.name] = std::string(part.data);
      }
    }
    return do_import(Params::from_json(fields), content ? std::move(content) : std::string());
  }
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  return do_import(params, std::nullopt);
}

// POST /api/2.0/workspace-files/import-file/<path>?overwrite=B with the raw bytes as the
// body (the Go CLI's workspace file writer): an AUTO import, so a .py file with a notebook
// header becomes a notebook without its extension, as `workspace import-dir` relies on.
Response WorkspaceService::import_file(const Request& request) {
  nlohmann::json fields = {{"path", "/" + request.path_tail}, {"format", "AUTO"}};
  if (auto overwrite = request.query_param("overwrite")) fields["overwrite"] = *overwrite;
  return do_import(Params::from_json(fields), request.body, ImportApi::kWorkspaceFiles);
}

// One import as asked for and as it will be stored: the checked parameters, the decoded
// content, and what the import makes of them (plan_import).
struct WorkspaceImport {
  std::string path;
  std::string format;
  std::optional<std::string> language;
  bool overwrite = false;
  std::string content;
  std::string object_type = "NOTEBOOK";
  std::string stored_format;
};

namespace {

// The parameters of an import, checked, and its content (raw bytes, or base64 in "content").
Result<WorkspaceImport> read_import_request(const Params& params,
                                            std::optional<std::string> raw_content) {
  WorkspaceImport import;
  auto raw = params.required_string("path");
  if (!raw.ok()) return std::move(raw).error();
  auto path = normalize(*raw);
  if (!path.ok()) return std::move(path).error();
  import.path = std::move(*path);
  auto format_param = params.optional_string("format");
  if (!format_param.ok()) return std::move(format_param).error();
  auto language_param = params.optional_string("language");
  if (!language_param.ok()) return std::move(language_param).error();
  auto overwrite = params.optional_bool("overwrite", false);
  if (!overwrite.ok()) return std::move(overwrite).error();
  import.overwrite = *overwrite;
  import.format = format_param->value_or("SOURCE");
  if (!one_of(import.format, {"SOURCE", "HTML", "JUPYTER", "DBC", "R_MARKDOWN", "AUTO", "RAW"})) {
    return invalid_parameter("Invalid format: " + import.format +
                             ". Valid values are SOURCE, HTML, JUPYTER, DBC, "
                             "R_MARKDOWN, AUTO and RAW.");
  }
  import.language = *language_param;
  if (import.language && !is_notebook_language(*import.language)) {
    return invalid_parameter("Invalid language: " + *import.language +
                             ". Valid values are PYTHON, SCALA, SQL and R.");
  }
  if (raw_content) {
    import.content = std::move(*raw_content);
  } else {
    auto encoded = params.optional_string("content");
    if (!encoded.ok()) return std::move(encoded).error();
    if (*encoded) {
      auto decoded = base64_decode(**encoded);
      if (!decoded.ok()) {
        return invalid_parameter("Invalid base64 in 'content': " + decoded.error().message);
      }
      import.content = std::move(*decoded);
    }
  }
  if (static_cast<std::int64_t>(import.content.size()) > WorkspaceService::kMaxContentBytes) {
    return too_big(import.content.size());
  }
  if (import.path == "/") return already_exists("Path (/) already exists.");
  return import;
}

// What the import makes (docs/reference/rest-api.md §1.1): a notebook or a file, its stored
// format and language; an AUTO import of a notebook drops the file's extension from the path.
Status plan_import(WorkspaceImport& import) {
  const std::string& format = import.format;
  std::optional<std::string>& language = import.language;
  import.stored_format = format;
  if (format == "SOURCE") {
    if (!language) {
      // Without a language the service reads SOURCE as a zipped folder archive, and a
      // single source file is an archive with nothing in it (docs/compatibility.md).
      return invalid_parameter("The zip archive contains no items");
    }
  } else if (format == "JUPYTER") {
    if (auto deep = too_deep_json(import.content)) return std::move(*deep);
    if (!nlohmann::json::accept(import.content)) {
      return invalid_parameter(
          "Unable to parse the Jupyter notebook: not a valid .ipynb document.");
    }
    if (!language) language = jupyter_language(import.content).value_or("PYTHON");
  } else if (format == "R_MARKDOWN") {
    language = "R";
  } else if (format == "HTML" || format == "DBC") {
    if (!language) language = "PYTHON";
  } else if (format == "AUTO") {
    const std::string extension = extension_of(import.path);
    auto by_extension = language_for_extension(extension);
    if (extension == ".ipynb") {
      if (auto deep = too_deep_json(import.content)) return std::move(*deep);
      import.stored_format = "JUPYTER";
      if (!language) language = jupyter_language(import.content).value_or("PYTHON");
      import.path.resize(import.path.size() - extension.size());
    } else if (by_extension && begins_with_notebook_header(import.content, *by_extension)) {
      import.stored_format = "SOURCE";
      language = *by_extension;
      import.path.resize(import.path.size() - extension.size());
    } else {
      import.object_type = "FILE";
      import.stored_format = "RAW";
      language.reset();
    }
  } else {  // RAW
    import.object_type = "FILE";
    language.reset();
  }
  return {};
}

}  // namespace

Response WorkspaceService::do_import(const Params& params, std::optional<std::string> raw_content,
                                     ImportApi api) {
  DBK_ASSIGN_OR_RESPOND(WorkspaceImport import,
                        read_import_request(params, std::move(raw_content)));
  DBK_RETURN_IF_ERROR(plan_import(import));
  return store_import(import, api);
}

Response WorkspaceService::store_import(const WorkspaceImport& import, ImportApi api) {
  const std::string& path = import.path;
  const std::string& content = import.content;
  // Content first, then the metadata that points at it (docs/emulator.md). The blob gets
  // a name of its own and is written durably before the lock, so imports of different
  // notebooks write and fsync in parallel; the lock covers the checks and one journal
  // commit. A blob left behind by a refused import or a crash is unreferenced and goes
  // (now, or in recover()).
  const std::string blob = "i-" + random_blob_suffix();
  DBK_RETURN_IF_ERROR(write_file_atomically(blob_dir() / blob, content, context_.tmp_dir));
  std::error_code ec;
  auto drop_blob = [&] { std::filesystem::remove(blob_dir() / blob, ec); };

  std::unique_lock<std::mutex> lock(write_mutex_);
  const std::string parent = parent_of(path);
  auto parent_object = lookup(parent);
  const std::string parent_type = parent_object ? parent_object->value("object_type", "") : "";
  if (parent_type != "DIRECTORY" && parent_type != "REPO") {
    drop_blob();
    return error_response(not_found("The parent folder (" + parent + ") does not exist."));
  }
  auto existing = lookup(path);
  if (existing && (!import.overwrite || existing->value("object_type", "") == "DIRECTORY")) {
    drop_blob();
    // import-file answers 409 for an existing file, 400 for a notebook or folder (the Go
    // CLI's filer tells the two apart by these statuses).
    const bool file_conflict =
        api == ImportApi::kWorkspaceFiles && existing->value("object_type", "") == "FILE";
    return error_response(file_conflict ? http_error(409, "RESOURCE_ALREADY_EXISTS",
                                                     "Path (" + path + ") already exists.")
                                        : already_exists("Path (" + path + ") already exists."));
  }
  const std::int64_t now = context_.clock.now_ms();
  auto committed = context_.store.transaction_deferred([&](Store::Transaction& tx) -> Status {
    const std::int64_t object_id =
        existing ? existing->value("object_id", std::int64_t{0}) : tx.next_id("workspace_object");
    nlohmann::json doc = {{"object_type", import.object_type},
                          {"object_id", object_id},
                          {"created_at", existing ? existing->value("created_at", now) : now},
                          {"modified_at", now},
                          {"size", static_cast<std::int64_t>(content.size())},
                          {"format", import.stored_format},
                          {"blob", blob}};
    if (import.language) doc["language"] = *import.language;
    tx.put(kKind, path, std::move(doc));
    return {};
  });
  if (!committed.ok()) {
    drop_blob();
    return error_response(committed.error());
  }
  // The journal fsync after the lock: concurrent imports share it (Store group commit).
  lock.unlock();
  DBK_RETURN_IF_ERROR(context_.store.wait_durable(*committed));
  if (existing && existing->contains("blob")) {
    std::filesystem::remove(blob_dir() / (*existing)["blob"].get<std::string>(), ec);
  }
  return empty_response();
}

Response WorkspaceService::export_object(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto raw, params.required_string("path"));
  DBK_ASSIGN_OR_RESPOND(auto path, normalize(raw));
  DBK_ASSIGN_OR_RESPOND(auto format_param, params.optional_string("format"));
  DBK_ASSIGN_OR_RESPOND(bool direct, params.optional_bool("direct_download", false));
  std::string format = format_param.value_or("SOURCE");
  if (!one_of(format, {"SOURCE", "HTML", "JUPYTER", "DBC", "R_MARKDOWN", "AUTO", "RAW"})) {
    return error_response(invalid_parameter("Invalid format: " + format));
  }
  auto object = lookup(path);
  if (!object) return error_response(missing(path));
  const std::string type = object->value("object_type", "");
  if (type == "DIRECTORY") {
    return error_response(invalid_parameter("Exporting a directory (" + path +
                                            ") is not supported by the dbk emulator; export "
                                            "its notebooks one by one."));
  }
  DBK_ASSIGN_OR_RESPOND(std::string stored, read_blob(*object));
  std::string bytes;
  std::string file_type;
  if (type == "FILE") {
    if (!one_of(format, {"SOURCE", "AUTO", "RAW"})) {
      return error_response(invalid_parameter("Path (" + path +
                                              ") is a file and can only be exported as "
                                              "SOURCE, AUTO or RAW."));
    }
    bytes = std::move(stored);
    std::string extension = extension_of(path);
    file_type = extension.empty() ? "" : extension.substr(1);
  } else {
    const std::string language = object->value("language", "PYTHON");
    const std::string stored_format = object->value("format", "SOURCE");
    const std::string name = name_of(path);
    // The notebook as SOURCE, converting if it was imported in another format.
    auto as_source = [&]() -> Result<std::string> {
      if (stored_format == "SOURCE") return with_notebook_header(stored, language);
      if (stored_format == "R_MARKDOWN") return stored;
      if (stored_format == "JUPYTER") return jupyter_to_source(stored, language);
      return empty_source(language);  // HTML and DBC are kept opaque
    };
    if (format == "SOURCE" || format == "AUTO" || format == "R_MARKDOWN") {
      DBK_ASSIGN_OR_RESPOND(bytes, as_source());
      file_type = source_extension(language);
    } else if (format == "JUPYTER") {
      if (stored_format == "JUPYTER") {
        bytes = std::move(stored);
      } else {
        DBK_ASSIGN_OR_RESPOND(auto source, as_source());
        bytes = source_to_jupyter(source, language, name);
      }
      file_type = "ipynb";
    } else if (format == "HTML") {
      if (stored_format == "HTML") {
        bytes = std::move(stored);
      } else {
        DBK_ASSIGN_OR_RESPOND(auto source, as_source());
        bytes = source_to_html(source, name);
      }
      file_type = "html";
    } else if (format == "DBC") {
      if (stored_format != "DBC") {
        return error_response(invalid_parameter(
            "DBC export is only available for notebooks imported as DBC in the dbk emulator."));
      }
      bytes = std::move(stored);
      file_type = "dbc";
    } else {
      return error_response(invalid_parameter("Notebooks cannot be exported as " + format + "."));
    }
  }
  if (static_cast<std::int64_t>(bytes.size()) > kMaxContentBytes) {
    return error_response(http_error(400, "MAX_NOTEBOOK_SIZE_EXCEEDED",
                                     "File size exported is (" + std::to_string(bytes.size()) +
                                         " bytes), exceeded max size (" +
                                         std::to_string(kMaxContentBytes) + " bytes)"));
  }
  if (direct) return bytes_response(200, std::move(bytes), "application/octet-stream");
  nlohmann::ordered_json body;
  body["content"] = base64_encode(bytes);
  body["file_type"] = file_type;
  return json_response(200, body);
}

Response WorkspaceService::remove(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto raw, params.required_string("path"));
  DBK_ASSIGN_OR_RESPOND(auto path, normalize(raw));
  DBK_ASSIGN_OR_RESPOND(bool recursive, params.optional_bool("recursive", false));
  std::lock_guard<std::mutex> lock(write_mutex_);
  auto object = lookup(path);
  if (!object) return error_response(missing(path));
  if (path == "/") return error_response(invalid_parameter("The root folder cannot be deleted."));
  std::vector<std::string> blobs;
  DBK_RETURN_IF_ERROR(context_.store.transaction([&](Store::Transaction& tx) -> Status {
    std::vector<std::string> descendants;
    for (const auto& [child, doc] : tx.list(kKind)) {
      if (is_descendant(child, path)) {
        descendants.push_back(child);
        if (doc.contains("blob")) blobs.push_back(doc["blob"].get<std::string>());
      }
    }
    if (!descendants.empty() && !recursive) {
      return http_error(400, "DIRECTORY_NOT_EMPTY", "Folder (" + path + ") is not empty.");
    }
    for (const std::string& child : descendants) tx.erase(kKind, child);
    tx.erase(kKind, path);
    if (object->contains("blob")) blobs.push_back((*object)["blob"].get<std::string>());
    return {};
  }));
  std::error_code ec;
  for (const std::string& blob : blobs) std::filesystem::remove(blob_dir() / blob, ec);
  return empty_response();
}

}  // namespace dbk::emulator
