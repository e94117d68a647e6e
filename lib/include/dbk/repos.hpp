#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbk/call_context.hpp"
#include "dbk/result.hpp"

namespace dbk {

namespace detail {
class ApiCaller;
}

/// One repo as the service describes it (`/api/2.0/repos`); `raw` keeps every field sent.
struct Repo {
  std::int64_t id = 0;
  std::string path;  ///< workspace path, /Repos/<folder>/<name>
  std::string url;
  std::string provider;
  std::string branch;          ///< empty when a tag or commit is checked out
  std::string head_commit_id;  ///< empty for an empty repository
  std::optional<std::vector<std::string>> sparse_checkout_patterns;
  nlohmann::ordered_json raw;
};

void from_json(const nlohmann::ordered_json& j, Repo& repo);

/// `POST /api/2.0/repos`. Empty strings are left out of the request: without a provider the
/// service detects it from the URL's host, without a path it picks one in the user's folder.
struct CreateRepoRequest {
  std::string url;
  std::string provider;
  std::string path;
  std::optional<std::vector<std::string>> sparse_checkout_patterns;
};

/// `PATCH /api/2.0/repos/{id}`: check out a branch or a tag (one of them), and/or change
/// the sparse checkout.
struct UpdateRepoRequest {
  std::optional<std::string> branch;
  std::optional<std::string> tag;
  std::optional<std::vector<std::string>> sparse_checkout_patterns;
};

void to_json(nlohmann::ordered_json& j, const CreateRepoRequest& request);
void to_json(nlohmann::ordered_json& j, const UpdateRepoRequest& request);

/// One page of `GET /api/2.0/repos`.
struct RepoPage {
  std::vector<Repo> repos;
  std::string next_page_token;  ///< empty on the last page
  nlohmann::ordered_json raw;
};

/// `/api/2.0/repos` (docs/emulator.md, "Repos"). Ids are strings as the caller gives them
/// (they are put into the URL path, encoded): the service answers for ids it does not know.
/// Thread-safe.
class ReposApi {
 public:
  explicit ReposApi(std::shared_ptr<const detail::ApiCaller> caller);

  /// Clones the remote repo into the workspace. Not replayed after a lost response: a
  /// replay would find the path taken.
  Result<Repo> create(const CreateRepoRequest& request, const CallContext& context = {}) const;
  Result<Repo> get(const std::string& repo_id, const CallContext& context = {}) const;
  /// The update's answer as the server sent it.
  Result<nlohmann::ordered_json> update(const std::string& repo_id,
                                        const UpdateRepoRequest& request,
                                        const CallContext& context = {}) const;
  Status remove(const std::string& repo_id, const CallContext& context = {}) const;
  /// One page (20 repos on the service); `page_token` from the previous page's
  /// next_page_token, empty for the first. Empty `path_prefix`: every repo.
  Result<RepoPage> list_page(const std::string& path_prefix, const std::string& page_token,
                             const CallContext& context = {}) const;
  /// Every page, in order.
  Result<std::vector<Repo>> list(const std::string& path_prefix = {},
                                 const CallContext& context = {}) const;

 private:
  std::shared_ptr<const detail::ApiCaller> caller_;
};

}  // namespace dbk
