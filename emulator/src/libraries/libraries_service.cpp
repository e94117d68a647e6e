#include "libraries/libraries_service.hpp"

#include <iomanip>
#include <sstream>

#include "clusters/cluster_manager.hpp"
#include "dbfs/dbfs_paths.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/status_response.hpp"
#include "libraries/pip_installer.hpp"
#include "runs/process_executor.hpp"
#include "state/files.hpp"
#include "state/store.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kKind = "library";
constexpr int kPipTimeoutSeconds = 900;

// One library as the API takes it: exactly one of the kinds, each with its required field.
Status check_library(const json& library) {
  if (!library.is_object() || library.size() != 1) {
    return invalid_parameter(
        "Each library must have exactly one of jar, egg, whl, pypi, maven, cran, requirements: " +
        library.dump());
  }
  const std::string kind = library.begin().key();
  const json& value = library.begin().value();
  if (kind == "jar" || kind == "egg" || kind == "whl" || kind == "requirements") {
    if (!value.is_string() || value.get<std::string>().empty()) {
      return invalid_parameter(kind + " must be a non-empty path");
    }
    return {};
  }
  const char* required = kind == "maven"                    ? "coordinates"
                         : kind == "pypi" || kind == "cran" ? "package"
                                                            : nullptr;
  if (required == nullptr) return invalid_parameter("Unknown library type: " + kind);
  if (!value.is_object() || !value.contains(required) || !value[required].is_string() ||
      value[required].get<std::string>().empty()) {
    return invalid_parameter(kind + "." + required + " is required");
  }
  for (const char* text_field : {"repo"}) {
    if (value.contains(text_field) && !value[text_field].is_string()) {
      return invalid_parameter(kind + "." + text_field + " must be a string");
    }
  }
  return {};
}

Result<json> library_list(const Params& params) {
  auto libraries = params.optional_json("libraries");
  if (!libraries || !libraries->is_array() || libraries->empty()) {
    return invalid_parameter("libraries must be a non-empty array");
  }
  for (const auto& library : *libraries) {
    if (auto checked = check_library(library); !checked) return checked.error();
  }
  return *libraries;
}

json public_status(const json& doc) {
  json status = {{"library", doc["library"]},
                 {"status", doc["status"]},
                 {"is_library_for_all_clusters", false}};
  if (doc.contains("messages") && !doc["messages"].empty()) status["messages"] = doc["messages"];
  return status;
}

std::string key_of(std::int64_t seq) {
  std::ostringstream key;
  key << std::setw(12) << std::setfill('0') << seq;
  return key.str();
}

}  // namespace

LibrariesService::LibrariesService(ServiceContext& context, ClusterManager& clusters)
    : context_(context), clusters_(clusters) {}

LibrariesService::~LibrariesService() {
  stop();
}

std::vector<fs::path> LibrariesService::python_paths(const Store& store, const fs::path& state_dir,
                                                     const std::string& cluster_id) {
  std::vector<fs::path> paths;
  for (const auto& [key, doc] : store.list(kKind)) {
    if (doc.value("cluster_id", "") != cluster_id || !doc.value("_installed", false)) continue;
    paths.push_back(state_dir / "libraries" / key);
  }
  return paths;
}

void LibrariesService::recover() {
  // An installation cut short by a crash starts again.
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [key, doc] : context_.store.list(kKind)) {
      if (doc.value("status", "") != "INSTALLING") continue;
      doc["status"] = "PENDING";
      (void)context_.store.put(kKind, key, doc);
    }
  }
  std::error_code ec;
  fs::remove_all(context_.tmp_dir / "libraries", ec);
  if (!thread_.joinable()) thread_ = std::thread([this] { worker(); });
}

void LibrariesService::reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::error_code ec;
  fs::remove_all(context_.state_dir / "libraries", ec);
}

void LibrariesService::stop() {
  stopping_.store(true);
  { std::lock_guard<std::mutex> lock(wake_mutex_); }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status LibrariesService::install(const std::string& cluster_id, const json& libraries) {
  auto cluster = clusters_.get(cluster_id);
  if (!cluster) return cluster.error();
  if (cluster->value("cluster_source", "") == "JOB") {
    return invalid_parameter("Libraries cannot be installed on job cluster " + cluster_id +
                             "; give them in the job's task settings");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  auto status = context_.store.transaction([&](Store::Transaction& tx) -> Status {
    const auto existing = tx.list(kKind);
    for (const auto& library : libraries) {
      bool known = false;
      for (const auto& [key, doc] : existing) {
        // Installing a library the cluster already has is a no-op.
        known = known || (doc.value("cluster_id", "") == cluster_id && doc["library"] == library);
      }
      if (known) continue;
      tx.put(kKind, key_of(tx.next_id(kKind)),
             {{"cluster_id", cluster_id}, {"library", library}, {"status", "PENDING"}});
    }
    return {};
  });
  if (!status) return status;
  wake_.notify_all();
  return {};
}

Status LibrariesService::uninstall(const std::string& cluster_id, const json& libraries) {
  auto cluster = clusters_.get(cluster_id);
  if (!cluster) return cluster.error();
  const std::int64_t context_id = cluster->value("spark_context_id", std::int64_t{0});
  std::lock_guard<std::mutex> lock(mutex_);
  return context_.store.transaction([&](Store::Transaction& tx) -> Status {
    for (auto& [key, doc] : tx.list(kKind)) {
      if (doc.value("cluster_id", "") != cluster_id ||
          doc.value("status", "") == "UNINSTALL_ON_RESTART") {
        continue;
      }
      bool listed = false;
      for (const auto& library : libraries) listed = listed || doc["library"] == library;
      if (!listed) continue;
      // Stays attached until the Spark context this request saw is replaced.
      doc["status"] = "UNINSTALL_ON_RESTART";
      doc["_uninstall_context"] = context_id;
      tx.put(kKind, key, doc);
    }
    return {};
  });
}

void LibrariesService::drop_uninstalled() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [key, doc] : context_.store.list(kKind)) {
    if (doc.value("status", "") != "UNINSTALL_ON_RESTART") continue;
    auto cluster = context_.store.get("cluster", doc.value("cluster_id", ""));
    const bool restarted = !cluster || (cluster->value("state", "") == "RUNNING" &&
                                        cluster->value("spark_context_id", std::int64_t{0}) >
                                            doc.value("_uninstall_context", std::int64_t{0}));
    if (!restarted) continue;
    if (!context_.store.erase(kKind, key)) continue;
    std::error_code ec;
    fs::remove_all(context_.state_dir / "libraries" / key, ec);
  }
}

Result<json> LibrariesService::cluster_status(const std::string& cluster_id) {
  clusters_.tick(context_.clock.now_ms());
  auto cluster = clusters_.get(cluster_id);
  if (!cluster) return cluster.error();
  drop_uninstalled();
  json statuses = json::array();
  for (const auto& [key, doc] : context_.store.list(kKind)) {
    if (doc.value("cluster_id", "") == cluster_id) statuses.push_back(public_status(doc));
  }
  json body = {{"cluster_id", cluster_id}};
  if (!statuses.empty()) body["library_statuses"] = statuses;  // empty lists omit the key
  return body;
}

json LibrariesService::all_statuses() {
  clusters_.tick(context_.clock.now_ms());
  drop_uninstalled();
  json statuses = json::array();
  for (const auto& cluster : clusters_.list()) {
    auto one = cluster_status(cluster.value("cluster_id", ""));
    if (one && one->contains("library_statuses")) statuses.push_back(*one);
  }
  json body = json::object();
  if (!statuses.empty()) body["statuses"] = statuses;
  return body;
}

bool LibrariesService::install_next() {
  std::string key;
  json doc;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [candidate, entry] : context_.store.list(kKind)) {
      if (entry.value("status", "") != "PENDING") continue;
      auto cluster = context_.store.get("cluster", entry.value("cluster_id", ""));
      if (!cluster || cluster->value("state", "") != "RUNNING") continue;
      key = candidate;
      doc = entry;
      break;
    }
    if (key.empty()) return false;
    doc["status"] = "INSTALLING";
    if (!context_.store.put(kKind, key, doc)) return false;
  }
  const json& library = doc["library"];
  const std::string kind = library.begin().key();
  const std::string cluster_id = doc["cluster_id"];
  std::vector<std::string> args;
  std::string failure;
  if (kind == "pypi") {
    args.push_back(library["pypi"]["package"].get<std::string>());
    if (library["pypi"].contains("repo")) {
      args.insert(args.begin(), {"--index-url", library["pypi"]["repo"].get<std::string>()});
    }
  } else if (kind == "whl") {
    const std::string path = library["whl"];
    auto resolved = path.rfind("dbfs:/", 0) == 0 ? resolve_dbfs_path(path, context_.dbfs_root)
                                                 : Result<DbfsPath>(invalid_parameter(""));
    std::error_code ec;
    if (!resolved) {
      failure = "the emulator installs wheels from DBFS (dbfs:/...) only, not " + path;
    } else if (path.size() < 4 || path.compare(path.size() - 4, 4, ".whl") != 0) {
      failure = path + " is not a wheel file (*.whl)";
    } else if (!fs::is_regular_file(resolved->file, ec)) {
      failure = "the library file " + path + " does not exist";
    } else {
      args.push_back(resolved->file.string());
    }
  } else {
    failure = "the emulator runs Python only and cannot install " + kind + " libraries";
  }
  std::string python;
  if (failure.empty()) {
    ProcessExecutorConfig config;
    config.runtime_dir = context_.runtime_dir;
    config.python = context_.options.python;
    std::string missing;
    python = ProcessExecutor(config).resolve_python(missing);
    if (python.empty()) failure = missing;
  }
  const fs::path staging = context_.tmp_dir / "libraries" / key;
  const fs::path target = context_.state_dir / "libraries" / key;
  std::error_code ec;
  if (failure.empty()) {
    fs::remove_all(staging, ec);
    Status made = create_private_directories(staging / "site");
    Status parent = create_private_directories(target.parent_path());
    if (!made || !parent) {
      failure = "cannot create the library folder: " + (!made ? made : parent).error().message;
    }
  }
  if (failure.empty()) {
    // Into a staging folder, then renamed: a task never sees half a library.
    PipOutcome outcome = run_pip_install(python, args, staging / "site", staging / "pip.log",
                                         stopping_, kPipTimeoutSeconds);
    if (stopping_.load()) return false;  // PENDING again at the next start (recover)
    if (!outcome.ok) {
      failure = outcome.message;
    } else {
      fs::remove_all(target, ec);
      fs::rename(staging / "site", target, ec);
      if (ec) failure = "cannot move the installed library into place: " + ec.message();
    }
  }
  fs::remove_all(staging, ec);
  std::lock_guard<std::mutex> lock(mutex_);
  auto current = context_.store.get(kKind, key);
  if (!current) {  // reset or uninstalled meanwhile
    fs::remove_all(target, ec);
    return true;
  }
  if (failure.empty()) {
    (*current)["_installed"] = true;
    if ((*current)["status"] == "INSTALLING") (*current)["status"] = "INSTALLED";
  } else {
    if ((*current)["status"] == "INSTALLING") (*current)["status"] = "FAILED";
    (*current)["messages"] = json::array(
        {"Library installation attempted on the driver node of cluster " + cluster_id +
         " and failed. Error Code: DRIVER_LIBRARY_INSTALLATION_FAILURE. Error Message: " +
         failure});
  }
  (void)context_.store.put(kKind, key, *current);
  return true;
}

void LibrariesService::worker() {
  while (!stopping_.load()) {
    clusters_.tick(context_.clock.now_ms());
    drop_uninstalled();
    if (install_next()) continue;
    std::unique_lock<std::mutex> lock(wake_mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_.load(); });
  }
}

void LibrariesService::register_routes(Router& router) {
  const auto versions = {"2.0"};
  router.add_versions("POST", versions, "libraries/install", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    DBK_ASSIGN_OR_RESPOND(auto cluster_id, params.required_string("cluster_id"));
    DBK_ASSIGN_OR_RESPOND(auto libraries, library_list(params));
    return status_response(install(cluster_id, libraries));
  });
  router.add_versions("POST", versions, "libraries/uninstall", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    DBK_ASSIGN_OR_RESPOND(auto cluster_id, params.required_string("cluster_id"));
    DBK_ASSIGN_OR_RESPOND(auto libraries, library_list(params));
    return status_response(uninstall(cluster_id, libraries));
  });
  router.add_versions("GET", versions, "libraries/cluster-status", [this](const Request& request) {
    DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
    DBK_ASSIGN_OR_RESPOND(auto cluster_id, params.required_string("cluster_id"));
    DBK_ASSIGN_OR_RESPOND(auto body, cluster_status(cluster_id));
    return json_response(200, body);
  });
  router.add_versions("GET", versions, "libraries/all-cluster-statuses",
                      [this](const Request&) { return json_response(200, all_statuses()); });
}

}  // namespace dbk::emulator
