#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dbk/call_context.hpp"
#include "dbk/models/workspace.hpp"
#include "dbk/result.hpp"

namespace dbk {

namespace detail {
class ApiCaller;
}

/// Largest import/export content the service accepts (docs/reference/rest-api.md §0.4).
inline constexpr std::size_t kMaxWorkspaceImportBytes = 10485760;

struct ImportOptions {
  std::string format = formats::kSource;  ///< SOURCE, HTML, JUPYTER, DBC, R_MARKDOWN, AUTO
  std::string language;                   ///< PYTHON, SCALA, SQL, R; empty = not sent
  bool overwrite = false;
};

/// `/api/2.0/workspace/...` (docs/reference/rest-api.md §1.1). Thread-safe.
class WorkspaceApi {
 public:
  explicit WorkspaceApi(std::shared_ptr<const detail::ApiCaller> caller);

  /// Children of a directory (empty list when the server omits `objects`).
  Result<std::vector<ObjectInfo>> list(const std::string& path,
                                       const CallContext& context = {}) const;
  Result<ObjectInfo> get_status(const std::string& path, const CallContext& context = {}) const;
  Status mkdirs(const std::string& path, const CallContext& context = {}) const;
  /// Imports raw bytes (base64 is done here). Content over 10 MB fails before sending.
  Status import_object(const std::string& path, std::string_view content,
                       const ImportOptions& options = {}, const CallContext& context = {}) const;
  /// Exports a notebook/file; returns the decoded bytes.
  Result<ExportedObject> export_object(const std::string& path,
                                       const std::string& format = formats::kSource,
                                       const CallContext& context = {}) const;
  /// `workspace/delete` (named remove: `delete` is a keyword).
  Status remove(const std::string& path, bool recursive = false,
                const CallContext& context = {}) const;

 private:
  std::shared_ptr<const detail::ApiCaller> caller_;
};

}  // namespace dbk
