#include "repos/repos_service.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <vector>

#include "http/request.hpp"
#include "http/response.hpp"
#include "http/status_response.hpp"
#include "identity/principals.hpp"
#include "repos/git_checkout.hpp"
#include "state/files.hpp"
#include "workspace/notebook_format.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;

constexpr const char* kKind = "repo";
constexpr const char* kWorkspaceKind = "workspace";  // the workspace service's objects

ApiError repo_not_found() {
  return not_found("Repo could not be found");
}

// The service's Git providers, as it spells them; clients may send any case.
const std::vector<std::string>& providers() {
  static const std::vector<std::string> names = {"gitHub",
                                                 "bitbucketCloud",
                                                 "gitLab",
                                                 "azureDevOpsServices",
                                                 "gitHubEnterprise",
                                                 "bitbucketServer",
                                                 "gitLabEnterpriseEdition",
                                                 "awsCodeCommit"};
  return names;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

Result<std::string> canonical_provider(const std::string& given) {
  for (const auto& name : providers()) {
    if (lower(name) == lower(given)) return name;
  }
  return invalid_parameter("Invalid Git provider: " + given + ". Valid values are " + [] {
    std::string all;
    for (const auto& name : providers()) all += (all.empty() ? "" : ", ") + name;
    return all;
  }() + ".");
}

// The provider a URL's host implies (as clients detect it), for requests without one.
std::optional<std::string> provider_for_host(const std::string& host) {
  static const std::map<std::string, std::string> known = {{"github.com", "gitHub"},
                                                           {"dev.azure.com", "azureDevOpsServices"},
                                                           {"gitlab.com", "gitLab"},
                                                           {"bitbucket.org", "bitbucketCloud"}};
  auto it = known.find(lower(host));
  if (it == known.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    if (slash > pos) segments.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return segments;
}

// A repo lives directly in a folder of /Repos: /Repos/<folder>/<name>.
Result<std::string> repo_path(const std::string& raw) {
  auto refuse = [&] {
    return invalid_parameter("Invalid repo path (" + raw +
                             "): a repo must be created at /Repos/<folder>/<name>");
  };
  if (raw.empty() || raw.front() != '/') return refuse();
  for (unsigned char c : raw) {
    if (c < 0x20 || c == 0x7f) return refuse();
  }
  auto segments = split_path(raw);
  if (segments.size() != 3 || segments[0] != "Repos") return refuse();
  for (const auto& segment : segments) {
    if (segment == "." || segment == "..") return refuse();
  }
  return "/Repos/" + segments[1] + "/" + segments[2];
}

// The repo's name when the request gives no path: the URL's last segment without ".git".
std::string name_from_url(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  std::string name = url.substr(url.find_last_of("/:") + 1);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".git") == 0)
    name.resize(name.size() - 4);
  return name.empty() ? "repo" : name;
}

bool is_descendant(const std::string& path, const std::string& ancestor) {
  return path.size() > ancestor.size() && path.compare(0, ancestor.size(), ancestor) == 0 &&
         path[ancestor.size()] == '/';
}

std::string parent_of(const std::string& path) {
  return path.substr(0, path.rfind('/'));
}

// sparse_checkout.patterns in cone mode: folders (relative to the repo root) whose files are
// checked out besides the root's own files.
Result<std::optional<std::vector<std::string>>> read_sparse_checkout(const json& request) {
  if (!request.contains("sparse_checkout") || request["sparse_checkout"].is_null()) {
    return std::optional<std::vector<std::string>>();
  }
  const json& sparse = request["sparse_checkout"];
  if (!sparse.is_object() || (sparse.contains("patterns") && !sparse["patterns"].is_array())) {
    return invalid_parameter("sparse_checkout must be an object with a list of patterns");
  }
  std::vector<std::string> patterns;
  for (const auto& item : sparse.value("patterns", json::array())) {
    if (!item.is_string()) return invalid_parameter("Invalid sparse-checkout cone pattern");
    std::string pattern = item.get<std::string>();
    while (!pattern.empty() && pattern.back() == '/') pattern.pop_back();
    while (!pattern.empty() && pattern.front() == '/') pattern.erase(0, 1);
    bool bad = pattern.empty() || pattern.find_first_of("!*?[]\\") != std::string::npos;
    for (const auto& segment : split_path(pattern)) bad = bad || segment == "." || segment == "..";
    for (unsigned char c : pattern) bad = bad || c < 0x20;
    if (bad) return invalid_parameter("Invalid sparse-checkout cone pattern");
    patterns.push_back(pattern);
  }
  return std::optional<std::vector<std::string>>(std::move(patterns));
}

bool in_cone(const std::string& relative, const std::optional<std::vector<std::string>>& cone) {
  if (!cone || relative.find('/') == std::string::npos) return true;
  for (const auto& folder : *cone) {
    if (is_descendant("/" + relative, "/" + folder)) return true;
  }
  return false;
}

nlohmann::ordered_json render(const json& repo) {
  nlohmann::ordered_json out;
  out["id"] = repo["id"];
  out["path"] = repo["path"];
  out["url"] = repo["url"];
  out["provider"] = repo["provider"];
  if (!repo.value("branch", "").empty()) out["branch"] = repo["branch"];
  if (!repo.value("head_commit_id", "").empty()) out["head_commit_id"] = repo["head_commit_id"];
  if (repo.contains("sparse_checkout")) out["sparse_checkout"] = repo["sparse_checkout"];
  return out;
}

// One checked-out file as it becomes a workspace object.
struct RepoFile {
  std::string workspace_path;
  std::filesystem::path source;
  json doc;  ///< the workspace object, without ids and blob
};

}  // namespace

ReposService::ReposService(ServiceContext& context) : context_(context) {}

void ReposService::recover() {
  (void)create_private_directories(clones_dir());
  // Clones without a repo document were left by a create that crashed before its commit.
  std::set<std::string> ids;
  for (const auto& [id, repo] : context_.store.list(kKind)) ids.insert(id);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(clones_dir(), ec)) {
    if (!ids.count(entry.path().filename().string())) {
      std::filesystem::remove_all(entry.path(), ec);
    }
  }
}

void ReposService::reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(clones_dir(), ec)) {
    std::filesystem::remove_all(entry.path(), ec);
  }
}

Result<json> ReposService::find(const std::string& id) const {
  if (id.empty() || id.size() > 18 ||
      !std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return invalid_parameter("Invalid repo id: " + id);
  }
  auto repo = context_.store.get(kKind, std::to_string(std::stoll(id)));
  if (!repo) return repo_not_found();
  auto object = context_.store.get(kWorkspaceKind, (*repo)["path"].get<std::string>());
  if (!object || object->value("object_type", "") != "REPO" ||
      object->value("object_id", std::int64_t{0}) != (*repo)["id"].get<std::int64_t>()) {
    return repo_not_found();
  }
  return *repo;
}

Status ReposService::publish(const json& repo, bool create_repo_object) {
  const std::int64_t id = repo["id"];
  const std::string path = repo["path"];
  const auto dir = clones_dir() / std::to_string(id);
  std::optional<std::vector<std::string>> cone;
  if (repo.contains("sparse_checkout")) {
    cone = repo["sparse_checkout"].value("patterns", json::array()).get<std::vector<std::string>>();
  }

  // The checked-out files (never .git, never a link: core.symlinks=false makes links files).
  std::vector<std::pair<std::string, std::filesystem::path>> found;
  std::set<std::string> taken;  // every relative path, to keep notebook names unambiguous
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    const std::string relative = std::filesystem::relative(it->path(), dir, ec).generic_string();
    taken.insert(relative);
    if (it->symlink_status(ec).type() == std::filesystem::file_type::regular &&
        in_cone(relative, cone)) {
      found.emplace_back(relative, it->path());
    }
  }
  if (ec) return make_error(error_codes::kIoError, "cannot read the clone: " + ec.message());
  std::sort(found.begin(), found.end());

  std::vector<RepoFile> files;
  std::set<std::string> folders;
  for (const auto& [relative, source] : found) {
    auto bytes = read_file(source);
    if (!bytes.ok()) return std::move(bytes).error();
    RepoFile file;
    file.source = source;
    std::string target = relative;
    const auto extension = std::filesystem::path(relative).extension().string();
    const std::string stem = relative.substr(0, relative.size() - extension.size());
    auto language = language_for_extension(extension);
    // Notebooks as an AUTO import makes them (docs/emulator.md), unless the name without
    // its extension is taken by another file or folder.
    if (!taken.count(stem) && !extension.empty() && stem.back() != '/' &&
        (extension == ".ipynb" || (language && begins_with_notebook_header(*bytes, *language)))) {
      target = stem;
      file.doc = {{"object_type", "NOTEBOOK"},
                  {"format", extension == ".ipynb" ? "JUPYTER" : "SOURCE"},
                  {"language", extension == ".ipynb" ? jupyter_language(*bytes).value_or("PYTHON")
                                                     : *language}};
      taken.insert(stem);
    } else {
      file.doc = {{"object_type", "FILE"}, {"format", "RAW"}};
    }
    file.doc["size"] = static_cast<std::int64_t>(bytes->size());
    file.workspace_path = path + "/" + target;
    for (std::string folder = parent_of(file.workspace_path); folder != path;
         folder = parent_of(folder)) {
      folders.insert(folder);
    }
    files.push_back(std::move(file));
  }

  // Contents first (each under a name of its own), then one commit that points at them.
  auto generation = context_.store.next_id("repo_publish");
  if (!generation.ok()) return std::move(generation).error();
  std::vector<std::string> written;
  auto drop = [&](const std::vector<std::string>& blobs) {
    for (const auto& blob : blobs) std::filesystem::remove(blob_dir() / blob, ec);
  };
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto bytes = read_file(files[i].source);
    std::string blob =
        "r-" + std::to_string(id) + "-" + std::to_string(*generation) + "-" + std::to_string(i);
    Status stored = bytes.ok() ? write_file_atomically(blob_dir() / blob, *bytes, context_.tmp_dir)
                               : Status(bytes.error());
    if (!stored.ok()) {
      drop(written);
      return stored;
    }
    written.push_back(blob);
    files[i].doc["blob"] = blob;
  }

  const std::int64_t now = context_.clock.now_ms();
  std::vector<std::string> replaced;
  Status committed = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    replaced.clear();
    auto directory = [&](std::int64_t object_id) {
      return json{{"object_type", "DIRECTORY"},
                  {"object_id", object_id},
                  {"created_at", now},
                  {"modified_at", now}};
    };
    if (create_repo_object) {
      for (const std::string& folder : {std::string("/Repos"), parent_of(path)}) {
        auto existing = tx.get(kWorkspaceKind, folder);
        if (!existing) {
          tx.put(kWorkspaceKind, folder, directory(tx.next_id("workspace_object")));
        } else if (existing->value("object_type", "") != "DIRECTORY") {
          return invalid_parameter("Path (" + folder + ") is not a folder.");
        }
      }
      if (auto existing = tx.get(kWorkspaceKind, path)) {
        return already_exists("Repo " + path +
                              " already exists. To create two repos from the same remote Git "
                              "repo, give the second one another path.");
      }
      json object = directory(id);
      object["object_type"] = "REPO";
      tx.put(kWorkspaceKind, path, object);
    } else {
      for (const auto& [child, doc] : tx.list(kWorkspaceKind)) {
        if (!is_descendant(child, path)) continue;
        if (doc.contains("blob")) replaced.push_back(doc["blob"]);
        tx.erase(kWorkspaceKind, child);
      }
    }
    for (const auto& folder : folders) {
      tx.put(kWorkspaceKind, folder, directory(tx.next_id("workspace_object")));
    }
    for (auto& file : files) {
      json doc = file.doc;
      doc["object_id"] = tx.next_id("workspace_object");
      doc["created_at"] = now;
      doc["modified_at"] = now;
      tx.put(kWorkspaceKind, file.workspace_path, doc);
    }
    tx.put(kKind, std::to_string(id), repo);
    return {};
  });
  if (!committed.ok()) {
    drop(written);
    return committed;
  }
  drop(replaced);
  return {};
}

Result<json> ReposService::create(const json& request) {
  auto text = [&](const char* field) -> Result<std::string> {
    if (!request.contains(field) || request[field].is_null()) return std::string();
    if (!request[field].is_string()) {
      return invalid_parameter(std::string("Invalid value for ") + field + ": expected a string");
    }
    return request[field].get<std::string>();
  };
  auto url = text("url");
  if (!url.ok()) return std::move(url).error();
  auto given_provider = text("provider");
  if (!given_provider.ok()) return std::move(given_provider).error();
  auto given_path = text("path");
  if (!given_path.ok()) return std::move(given_path).error();
  auto source = classify_git_url(*url);
  if (!source.ok()) return std::move(source).error();
  std::string provider;
  if (given_provider->empty()) {
    auto detected = source->local ? std::nullopt : provider_for_host(source->location);
    if (!detected) {
      return invalid_parameter(
          "The Git provider could not be detected from the URL; give the provider");
    }
    provider = *detected;
  } else {
    auto canonical = canonical_provider(*given_provider);
    if (!canonical.ok()) return std::move(canonical).error();
    provider = *canonical;
  }
  auto path = repo_path(given_path->empty()
                            ? std::string("/Repos/") + kEmulatorUserName + "/" + name_from_url(*url)
                            : *given_path);
  if (!path.ok()) return std::move(path).error();
  auto cone = read_sparse_checkout(request);
  if (!cone.ok()) return std::move(cone).error();
  if (!source->local) {
    // docs/compatibility.md: the emulator is offline.
    return invalid_parameter("Failed to clone repo. Failure reason: " + source->location +
                             " cannot be reached (the dbk emulator clones only local paths and "
                             "file:// URLs)");
  }

  std::lock_guard<std::mutex> lock(mutex_);
  if (auto existing = context_.store.get(kWorkspaceKind, *path)) {
    return already_exists("Repo " + *path +
                          " already exists. To create two repos from the same remote Git repo, "
                          "give the second one another path.");
  }
  auto id = context_.store.next_id("workspace_object");
  if (!id.ok()) return std::move(id).error();
  const auto dir = clones_dir() / std::to_string(*id);
  const auto partial = clones_dir() / (std::to_string(*id) + ".partial");
  std::error_code ec;
  std::filesystem::remove_all(partial, ec);
  GitCheckout cloning(partial, context_.tmp_dir, context_.stopping);
  Status cloned = cloning.clone(source->location);
  if (!cloned.ok()) {
    std::filesystem::remove_all(partial, ec);
    return invalid_parameter("Failed to clone repo. Failure reason: " + cloned.error().message);
  }
  std::filesystem::rename(partial, dir, ec);
  if (ec) {
    std::filesystem::remove_all(partial, ec);
    return make_error(error_codes::kIoError, "cannot store the clone: " + ec.message());
  }
  GitCheckout checkout(dir, context_.tmp_dir, context_.stopping);
  json repo = {{"id", *id},
               {"path", *path},
               {"url", *url},
               {"provider", provider},
               {"branch", checkout.head_branch()},
               {"head_commit_id", checkout.head_commit()}};
  if (*cone) repo["sparse_checkout"] = {{"patterns", **cone}};
  Status published = publish(repo, true);
  if (!published.ok()) {
    std::filesystem::remove_all(dir, ec);
    return published.error();
  }
  return repo;
}

Status ReposService::update(const std::string& id, const json& request) {
  auto text = [&](const char* field) -> Result<std::optional<std::string>> {
    if (!request.contains(field) || request[field].is_null()) return std::optional<std::string>();
    if (!request[field].is_string()) {
      return invalid_parameter(std::string("Invalid value for ") + field + ": expected a string");
    }
    return std::optional<std::string>(request[field].get<std::string>());
  };
  auto branch = text("branch");
  if (!branch.ok()) return branch.error();
  auto tag = text("tag");
  if (!tag.ok()) return tag.error();
  auto cone = read_sparse_checkout(request);
  if (!cone.ok()) return cone.error();
  if (*branch && *tag) return invalid_parameter("Only one of branch and tag can be given");
  if (!*branch && !*tag && !*cone) {
    return invalid_parameter("Missing required field: branch or tag");
  }
  for (const auto* name : {&*branch, &*tag}) {
    if (*name && !valid_ref_name(**name)) {
      return invalid_parameter("Invalid " + std::string(name == &*branch ? "branch" : "tag") +
                               " name: " + **name);
    }
  }

  std::lock_guard<std::mutex> lock(mutex_);
  auto found = find(id);
  if (!found.ok()) return found.error();
  json repo = *found;
  GitCheckout checkout(clones_dir() / std::to_string(repo["id"].get<std::int64_t>()),
                       context_.tmp_dir, context_.stopping);
  if (*branch || *tag) {
    Status fetched = checkout.fetch();
    if (!fetched.ok()) {
      return invalid_parameter("Failed to fetch from the remote Git repo: " +
                               fetched.error().message);
    }
    const std::string ref = *branch ? "refs/remotes/origin/" + **branch : "refs/tags/" + **tag;
    auto commit = checkout.resolve(ref);
    if (!commit) {
      return *branch ? not_found("Branch " + **branch + " does not exist.")
                     : not_found("Tag " + **tag + " does not exist.");
    }
    Status moved = checkout.checkout(*commit, *branch ? **branch : std::string());
    if (!moved.ok()) return moved;
    repo["branch"] = *branch ? **branch : std::string();
    repo["head_commit_id"] = *commit;
  }
  if (*cone) repo["sparse_checkout"] = {{"patterns", **cone}};
  return publish(repo, false);
}

Status ReposService::remove(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = find(id);
  if (!found.ok()) return found.error();
  const std::string path = (*found)["path"];
  const std::int64_t repo_id = (*found)["id"];
  std::vector<std::string> blobs;
  Status committed = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    blobs.clear();
    for (const auto& [child, doc] : tx.list(kWorkspaceKind)) {
      if (child != path && !is_descendant(child, path)) continue;
      if (doc.contains("blob")) blobs.push_back(doc["blob"]);
      tx.erase(kWorkspaceKind, child);
    }
    tx.erase(kKind, std::to_string(repo_id));
    return {};
  });
  if (!committed.ok()) return committed;
  std::error_code ec;
  for (const auto& blob : blobs) std::filesystem::remove(blob_dir() / blob, ec);
  std::filesystem::remove_all(clones_dir() / std::to_string(repo_id), ec);
  return {};
}

Result<nlohmann::ordered_json> ReposService::list(const std::string& prefix,
                                                  const std::string& page_token) const {
  std::vector<json> repos;
  for (const auto& [id, repo] : context_.store.list(kKind)) {
    const std::string path = repo["path"];
    if (path.compare(0, prefix.size(), prefix) != 0) continue;
    if (!page_token.empty() && path <= page_token) continue;
    if (find(id).ok()) repos.push_back(repo);
  }
  std::sort(repos.begin(), repos.end(), [](const json& a, const json& b) {
    return a["path"].get<std::string>() < b["path"].get<std::string>();
  });
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  nlohmann::ordered_json page = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < repos.size() && i < static_cast<std::size_t>(kPageSize); ++i) {
    page.push_back(render(repos[i]));
  }
  if (!page.empty()) body["repos"] = page;
  // The token is the last path shown: the next page starts after it.
  if (repos.size() > static_cast<std::size_t>(kPageSize)) {
    body["next_page_token"] = repos[kPageSize - 1]["path"];
  }
  return body;
}

void ReposService::register_routes(Router& router) {
  router.add("POST", "/api/2.0/repos", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    DBK_ASSIGN_OR_RESPOND(auto repo, create(params.json()));
    return json_response(200, render(repo));
  });
  router.add("GET", "/api/2.0/repos", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    DBK_ASSIGN_OR_RESPOND(auto prefix, params.optional_string("path_prefix"));
    DBK_ASSIGN_OR_RESPOND(auto token, params.optional_string("next_page_token"));
    DBK_ASSIGN_OR_RESPOND(auto body, list(prefix.value_or(""), token.value_or("")));
    return json_response(200, body);
  });
  router.add("GET", "/api/2.0/repos/*", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto repo, find(request.path_tail));
    return json_response(200, render(repo));
  });
  router.add("PATCH", "/api/2.0/repos/*", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    return status_response(update(request.path_tail, params.json()));
  });
  router.add("DELETE", "/api/2.0/repos/*",
             [this](const Request& request) { return status_response(remove(request.path_tail)); });
}

}  // namespace dbk::emulator
