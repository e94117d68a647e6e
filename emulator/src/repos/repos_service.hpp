#pragma once

#include <mutex>
#include <nlohmann/json.hpp>

#include "dbk/result.hpp"
#include "service.hpp"

namespace dbk::emulator {

/// /api/2.0/repos (docs/emulator.md, "Repos"). A repo is a git clone under
/// <state>/repos/<id> and a REPO object in the workspace tree at /Repos/<folder>/<name>
/// whose checked-out files are workspace objects (notebooks as an AUTO import makes them,
/// other files as FILEs). The repo's id is the REPO object's object_id. Documents of kind
/// "repo" hold url, provider, path and the checked-out branch and commit; the workspace
/// objects are committed in the same transaction, so a crash leaves either the old tree or
/// the new one.
class ReposService : public Service {
 public:
  explicit ReposService(ServiceContext& context);
  void register_routes(Router& router) override;
  void recover() override;
  void reset() override;

  static constexpr int kPageSize = 20;  ///< repos per list page, as on the service

 private:
  Result<nlohmann::json> create(const nlohmann::json& request);
  Status update(const std::string& id, const nlohmann::json& request);
  Status remove(const std::string& id);
  Result<nlohmann::ordered_json> list(const std::string& prefix,
                                      const std::string& page_token) const;
  /// The repo `id` names, if it still stands in the workspace (a REPO object deleted
  /// through the Workspace API takes the repo with it).
  Result<nlohmann::json> find(const std::string& id) const;
  /// Replaces the workspace objects under the repo's path with the clone's files.
  Status publish(const nlohmann::json& repo, bool create_repo_object);

  std::filesystem::path clones_dir() const { return context_.state_dir / "repos"; }
  std::filesystem::path blob_dir() const { return context_.state_dir / "workspace"; }

  ServiceContext& context_;
  std::mutex mutex_;  ///< one clone/checkout at a time
};

}  // namespace dbk::emulator
