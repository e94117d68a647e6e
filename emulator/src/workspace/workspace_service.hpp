#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "service.hpp"

namespace dbk::emulator {

struct WorkspaceImport;

/// /api/2.0/workspace/* (docs/reference/rest-api.md §1.1) and the workspace-files
/// import-file endpoint. Metadata (one "workspace"
/// document per path, holding an ObjectInfo plus the stored format and blob name) lives
/// in the store; contents are files under <state>/workspace, written atomically before
/// the metadata commit, and never rewritten in place (each version gets a new blob name),
/// so a crash cannot pair metadata with half-written content.
class WorkspaceService : public Service, public WorkspaceReader {
 public:
  explicit WorkspaceService(ServiceContext& context);
  void register_routes(Router& router) override;
  void recover() override;
  void reset() override;

  Result<NotebookContent> read_notebook(const std::string& path) const override;

  // /< docs/reference/rest-api.md §0.4
  static constexpr std::int64_t kMaxContentBytes = 10 * 1024 * 1024;

 private:
  Response list(const Request& request);
  Response get_status(const Request& request);
  Response mkdirs(const Request& request);
  /// Which endpoint an import came through: they differ in one status code.
  enum class ImportApi { kWorkspace, kWorkspaceFiles };
  Response import(const Request& request);
  Response import_file(const Request& request);
  Response do_import(const Params& params, std::optional<std::string> content,
                     ImportApi api = ImportApi::kWorkspace);
  /// Writes the content, then commits the metadata that points at it.
  Response store_import(const WorkspaceImport& import, ImportApi api);
  Response export_object(const Request& request);
  Response remove(const Request& request);

  std::optional<nlohmann::json> lookup(const std::string& path) const;
  Result<std::string> read_blob(const nlohmann::json& object) const;
  void ensure_home_folders();
  std::filesystem::path blob_dir() const { return context_.state_dir / "workspace"; }

  ServiceContext& context_;
  std::mutex write_mutex_;  ///< serialises check-then-change of the tree
};

}  // namespace dbk::emulator
