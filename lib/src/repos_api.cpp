#include "api_caller.hpp"
#include "call_status.hpp"
#include "dbk/repos.hpp"
#include "models/json_fields.hpp"
#include "token_pages.hpp"

namespace dbk {

namespace {

constexpr const char* kBase = "/api/2.0/repos";

std::string repo_url(const std::string& repo_id) {
  return std::string(kBase) + "/" + url_encode(repo_id);
}

Status check_id(const std::string& repo_id) {
  if (repo_id.empty()) return make_error(error_codes::kInvalidArgument, "a repo id is required");
  return {};
}

}  // namespace

void from_json(const nlohmann::ordered_json& j, Repo& repo) {
  using namespace detail;
  repo.id = int_field(j, "id");
  repo.path = string_field(j, "path");
  repo.url = string_field(j, "url");
  repo.provider = string_field(j, "provider");
  repo.branch = string_field(j, "branch");
  repo.head_commit_id = string_field(j, "head_commit_id");
  const auto& sparse = object_field(j, "sparse_checkout");
  repo.sparse_checkout_patterns.reset();
  if (sparse.is_object()) {
    std::vector<std::string> patterns;
    auto it = sparse.find("patterns");
    if (it != sparse.end() && it->is_array()) {
      for (const auto& pattern : *it) {
        if (pattern.is_string()) patterns.push_back(pattern.get<std::string>());
      }
    }
    repo.sparse_checkout_patterns = std::move(patterns);
  }
  repo.raw = j;
}

void to_json(nlohmann::ordered_json& j, const CreateRepoRequest& request) {
  j = nlohmann::ordered_json{{"url", request.url}};
  if (!request.provider.empty()) j["provider"] = request.provider;
  if (!request.path.empty()) j["path"] = request.path;
  if (request.sparse_checkout_patterns) {
    j["sparse_checkout"] = {{"patterns", *request.sparse_checkout_patterns}};
  }
}

void to_json(nlohmann::ordered_json& j, const UpdateRepoRequest& request) {
  j = nlohmann::ordered_json::object();
  if (request.branch) j["branch"] = *request.branch;
  if (request.tag) j["tag"] = *request.tag;
  if (request.sparse_checkout_patterns) {
    j["sparse_checkout"] = {{"patterns", *request.sparse_checkout_patterns}};
  }
}

ReposApi::ReposApi(std::shared_ptr<const detail::ApiCaller> caller) : caller_(std::move(caller)) {}

Result<Repo> ReposApi::create(const CreateRepoRequest& request, const CallContext& context) const {
  auto response =
      caller_->post(kBase, nlohmann::ordered_json(request), Idempotency::kNonIdempotent, context);
  if (!response) return std::move(response).error();
  return detail::parse_object<Repo>(*response, "repos/create");
}

Result<Repo> ReposApi::get(const std::string& repo_id, const CallContext& context) const {
  if (auto checked = check_id(repo_id); !checked) return checked.error();
  auto response = caller_->get(repo_url(repo_id), {}, context);
  if (!response) return std::move(response).error();
  return detail::parse_object<Repo>(*response, "repos/get");
}

Result<nlohmann::ordered_json> ReposApi::update(const std::string& repo_id,
                                                const UpdateRepoRequest& request,
                                                const CallContext& context) const {
  if (auto checked = check_id(repo_id); !checked) return checked.error();
  // Checking out the same ref again is harmless, so a replay is safe.
  return caller_->call("PATCH", repo_url(repo_id), {}, nlohmann::ordered_json(request),
                       Idempotency::kIdempotent, context);
}

Status ReposApi::remove(const std::string& repo_id, const CallContext& context) const {
  if (auto checked = check_id(repo_id); !checked) return checked.error();
  return detail::to_delete_status(
      caller_->call("DELETE", repo_url(repo_id), {}, nullptr, Idempotency::kIdempotent, context));
}

Result<RepoPage> ReposApi::list_page(const std::string& path_prefix, const std::string& page_token,
                                     const CallContext& context) const {
  detail::Query query;
  if (!path_prefix.empty()) query.emplace_back("path_prefix", path_prefix);
  if (!page_token.empty()) query.emplace_back("next_page_token", page_token);
  auto response = caller_->get(kBase, query, context);
  if (!response) return std::move(response).error();
  RepoPage page;
  page.repos = detail::list_field<Repo>(*response, "repos");
  page.next_page_token = detail::string_field(*response, "next_page_token");
  page.raw = std::move(*response);
  return page;
}

Result<std::vector<Repo>> ReposApi::list(const std::string& path_prefix,
                                         const CallContext& context) const {
  return detail::all_token_pages<Repo>(
      "repos/list",
      [&](const std::string& token) { return list_page(path_prefix, token, context); },
      [](RepoPage& page) -> std::vector<Repo>& { return page.repos; });
}

}  // namespace dbk
