#include "api_caller.hpp"
#include "call_status.hpp"
#include "dbk/base64.hpp"
#include "dbk/workspace.hpp"
#include "models/json_fields.hpp"

namespace dbk {

namespace {
constexpr const char* kBase = "/api/2.0/workspace/";
}  // namespace

WorkspaceApi::WorkspaceApi(std::shared_ptr<const detail::ApiCaller> caller)
    : caller_(std::move(caller)) {}

Result<std::vector<ObjectInfo>> WorkspaceApi::list(const std::string& path,
                                                   const CallContext& context) const {
  auto response = caller_->get(std::string(kBase) + "list", {{"path", path}}, context);
  if (!response) return std::move(response).error();
  // An empty directory answers {} without "objects" (docs/reference/rest-api.md §1).
  return detail::list_field<ObjectInfo>(*response, "objects");
}

Result<ObjectInfo> WorkspaceApi::get_status(const std::string& path,
                                            const CallContext& context) const {
  auto response = caller_->get(std::string(kBase) + "get-status", {{"path", path}}, context);
  if (!response) return std::move(response).error();
  return detail::parse_object<ObjectInfo>(*response, "workspace/get-status");
}

Status WorkspaceApi::mkdirs(const std::string& path, const CallContext& context) const {
  return detail::to_status(caller_->post(std::string(kBase) + "mkdirs", {{"path", path}},
                                         Idempotency::kIdempotent, context));
}

Status WorkspaceApi::import_object(const std::string& path, std::string_view content,
                                   const ImportOptions& options, const CallContext& context) const {
  // The one limit checked here: sending >10 MB only to have it refused wastes the
  // upload (docs/reference/rest-api.md §0.4, MAX_NOTEBOOK_SIZE_EXCEEDED).
  if (content.size() > kMaxWorkspaceImportBytes) {
    return make_error(error_codes::kInvalidArgument,
                      "cannot import " + path + ": content is " + std::to_string(content.size()) +
                          " bytes, the workspace accepts at most " +
                          std::to_string(kMaxWorkspaceImportBytes) + " bytes");
  }
  nlohmann::ordered_json body;
  body["path"] = path;
  body["format"] = options.format;
  if (!options.language.empty()) body["language"] = options.language;
  body["content"] = base64_encode(content);
  body["overwrite"] = options.overwrite;
  // Idempotent in effect: a replay without overwrite finds the object in place and
  // reports RESOURCE_ALREADY_EXISTS, which the transfers recognise as their own work.
  return detail::to_status(
      caller_->post(std::string(kBase) + "import", body, Idempotency::kIdempotent, context));
}

Result<ExportedObject> WorkspaceApi::export_object(const std::string& path,
                                                   const std::string& format,
                                                   const CallContext& context) const {
  auto response =
      caller_->get(std::string(kBase) + "export", {{"path", path}, {"format", format}}, context);
  if (!response) return std::move(response).error();
  if (!response->is_object()) {
    return make_error(error_codes::kInvalidResponse, "workspace/export did not return an object");
  }
  ExportedObject exported;
  auto decoded = base64_decode(detail::string_field(*response, "content"));
  if (!decoded) {
    return make_error(error_codes::kInvalidResponse,
                      "workspace/export returned invalid base64 content for " + path + ": " +
                          decoded.error().message);
  }
  exported.content = std::move(*decoded);
  exported.file_type = detail::string_field(*response, "file_type");
  exported.raw = std::move(*response);
  exported.raw.erase("content");
  return exported;
}

Status WorkspaceApi::remove(const std::string& path, bool recursive,
                            const CallContext& context) const {
  return detail::to_delete_status(caller_->post(std::string(kBase) + "delete",
                                                {{"path", path}, {"recursive", recursive}},
                                                Idempotency::kIdempotent, context));
}

}  // namespace dbk
