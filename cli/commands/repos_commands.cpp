// `dbk repos ...`: legacy databricks-cli 0.18 repos commands (docs/emulator.md, "Repos").
#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "dbk/repos.hpp"
#include "dbk/workspace.hpp"

namespace dbk::cli {
namespace {

using Json = nlohmann::ordered_json;

// Legacy's OneOfOption: exactly one of `names`; its messages, usage errors.
Result<std::string> exactly_one_of(const Invocation& inv, const std::vector<std::string>& names) {
  std::optional<std::string> given;
  for (const auto& name : names) {
    if (!inv.value(name)) continue;
    if (given) return usage_error("Only one of " + python_list(names) + " should be provided.");
    given = name;
  }
  if (!given)
    return usage_error("Missing None. One of " + python_list(names) + " must be provided.");
  return *given;
}

ApiError repo_path_error(std::string message) {
  return make_error(error_codes::kInvalidArgument, std::move(message));
}

// legacy ReposApi.get_repo_id: a repo path's id is its workspace object's id.
Result<std::string> repo_id_for_path(Client& client, const std::string& path) {
  if (path.rfind("/Repos/", 0) != 0) return repo_path_error("Path must start with /Repos/ !");
  int segments = 0;
  std::size_t pos = 0;
  while (pos < path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    if (slash > pos) ++segments;
    pos = slash + 1;
  }
  if (segments != 3) {
    return repo_path_error("Repos paths must be in /Repos/{folder}/{repo} format!");
  }
  auto status = client.workspace().get_status(path);
  if (status && status->object_type == "REPO") return std::to_string(status->object_id);
  if (!status && !status.error().is_not_found()) {
    ApiError error = status.error();
    error.message = "Error fetching repo ID for " + path + ": " + error.message;
    return error;
  }
  return make_error(error_codes::kNotFound, "Can't find repo ID for " + path);
}

// The repo that --repo-id or --path names, and the client to reach it. Legacy checks
// that pair first, then the other one-of pair `also` (if any), and only then calls.
struct Target {
  Client client;
  std::string id;
};

Result<Target> target(Invocation& inv, const std::vector<std::string>& also = {}) {
  auto which = exactly_one_of(inv, {"repo-id", "path"});
  if (!which) return which.error();
  if (!also.empty()) {
    auto other = exactly_one_of(inv, also);
    if (!other) return other.error();
  }
  auto client = inv.client();
  if (!client) return client.error();
  auto id = *which == "repo-id" ? Result<std::string>(*inv.value("repo-id"))
                                : repo_id_for_path(*client, *inv.value("path"));
  if (!id) return id.error();
  return Target{*client, *id};
}

CommandStatus list(Invocation& inv) {
  auto client = inv.client();
  if (!client) return client.error();
  // One page, as legacy prints it: next_page_token stays in the output for the next call.
  auto page = client->repos().list_page(inv.value("path-prefix").value_or(""),
                                        inv.value("next-page-token").value_or(""));
  if (!page) return page.error();
  return print_json(inv, page->raw);
}

CommandStatus create(Invocation& inv) {
  auto url = required_value(inv, "url");
  if (!url) return url.error();
  CreateRepoRequest request;
  request.url = *url;
  request.provider = inv.value("provider").value_or("");
  request.path = inv.value("path").value_or("");
  auto client = inv.client();
  if (!client) return client.error();
  auto repo = client->repos().create(request);
  if (!repo) return repo.error();
  return print_json(inv, repo->raw);
}

CommandStatus get(Invocation& inv) {
  auto repo_target = target(inv);
  if (!repo_target) return repo_target.error();
  auto repo = repo_target->client.repos().get(repo_target->id);
  if (!repo) return repo.error();
  return print_json(inv, repo->raw);
}

CommandStatus update(Invocation& inv) {
  auto repo_target = target(inv, {"branch", "tag"});
  if (!repo_target) return repo_target.error();
  UpdateRepoRequest request;
  request.branch = inv.value("branch");
  request.tag = inv.value("tag");
  auto answer = repo_target->client.repos().update(repo_target->id, request);
  if (!answer) return answer.error();
  return print_json(inv, *answer);
}

CommandStatus remove(Invocation& inv) {
  auto repo_target = target(inv);
  if (!repo_target) return repo_target.error();
  auto status = repo_target->client.repos().remove(repo_target->id);
  if (!status) return status.error();
  return print_json(inv, Json::object());
}

}  // namespace

void add_repos_commands(std::vector<CommandSpec>& table) {
  const auto id = value("repo-id", 0, "REPO_ID", "Repo ID.");
  const auto path = value("path", 0, "PATH", "Workspace path of the repo object.");

  auto spec = command("repos", "list", "List repos that the user has Manage permissions on.", list);
  spec.description =
      "Prints one page of the service's answer as JSON; its next_page_token, when present, "
      "names the next page.";
  spec.options = {
      value("path-prefix", 0, "PREFIX", "Path prefix to filter results by."),
      value("next-page-token", 0, "TOKEN", "Token used to fetch the next page of results.")};
  table.push_back(spec);

  spec =
      command("repos", "create", "Create a repo and link it to the given remote Git repo.", create);
  spec.options = {value("url", 0, "URL", "URL of the remote Git repo (required)."),
                  value("provider", 0, "PROVIDER",
                        "Git provider (case insensitive); the service detects it from the "
                        "URL's host when omitted."),
                  value("path", 0, "PATH", "Desired workspace path of the repo object.")};
  table.push_back(spec);

  spec = command("repos", "get", "Print a repo, given its ID or path, as JSON.", get);
  spec.options = {id, path};
  table.push_back(spec);

  spec = command("repos", "update", "Check out the repo to the given branch or tag.", update);
  spec.description = "Exactly one of --repo-id and --path, and one of --branch and --tag.";
  spec.options = {id, path, value("branch", 0, "BRANCH", "Branch name."),
                  value("tag", 0, "TAG", "Tag name.")};
  table.push_back(spec);

  spec = command("repos", "delete", "Delete the repo given its ID or path.", remove);
  spec.options = {id, path};
  table.push_back(spec);
}

}  // namespace dbk::cli
