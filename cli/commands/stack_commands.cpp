// `dbk stack deploy|download`: databricks-cli 0.18's [Beta] stacks (docs/compatibility.md,
// "Stack"). A stack is a JSON config {name, resources: [{id, service, properties}]} of
// workspace notebooks/folders, DBFS files/folders and jobs; deploy writes a status file next
// to it (<config>.deployed.json style) that maps each resource to what it became, so that a
// redeploy updates the same job instead of creating another.
#include <filesystem>
#include <map>
#include <set>

#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "dbk/dbfs.hpp"
#include "dbk/jobs.hpp"
#include "dbk/transfer.hpp"
#include "dbk/workspace.hpp"
#include "output/json_printer.hpp"
#include "util/json_args.hpp"

namespace dbk::cli {
namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// The version legacy writes into the status file; dbk writes the same so that the file
// stays byte-identical and readable by both CLIs.
constexpr const char* kStatusCliVersion = "0.18.0";
const std::string kRule(80, '#');

ApiError stack_error(std::string message) {
  return make_error(error_codes::kInvalidArgument, "StackError: " + std::move(message));
}

// legacy _generate_stack_status_path: "deployed" goes before the text after the last '.'
// of the whole path ("./stack.json" → "./stack.deployed.json", "stack" → "deployed.stack").
std::string status_path_for(const std::string& config_path) {
  std::size_t dot = config_path.rfind('.');
  if (dot == std::string::npos) return "deployed." + config_path;
  return config_path.substr(0, dot) + ".deployed" + config_path.substr(dot);
}

// The file as JSON; an absent file is {} (legacy _load_json).
Result<Json> load_json(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return Json::object();
  auto text = read_text_file(path);
  if (!text) return text.error();
  return parse_json_text(*text, path);
}

std::string python_dumps(const Json& value) {
  return to_python_json(value);
}

std::string python_bool(bool value) {
  return value ? "True" : "False";
}

Status require_fields(const std::vector<std::string>& fields, const Json& object) {
  for (const auto& field : fields) {
    if (!object.is_object() || !object.contains(field)) {
      return stack_error("Required field \"" + field + "\" not found");
    }
  }
  return {};
}

std::string text_of(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "None";
  return value.dump();
}

// legacy StackApi._validate_config, with its progress lines.
Status validate_config(Invocation& inv, const Json& config) {
  inv.out() << "Validating fields in stack configuration...\n";
  if (auto ok = require_fields({"name", "resources"}, config); !ok) return ok;
  if (!config["resources"].is_array()) return stack_error("Field \"resources\" must be a list");
  std::set<std::string> seen;
  for (const auto& resource : config["resources"]) {
    if (auto ok = require_fields({"id"}, resource); !ok) return ok;
    const std::string id = text_of(resource["id"]);
    inv.out() << "Validating fields in resource with ID \"" << id << "\"\n";
    if (auto ok = require_fields({"service", "properties"}, resource); !ok) return ok;
    if (!seen.insert(resource["id"].dump()).second) {
      return stack_error("Duplicate resource ID \"" + id + "\" found, please resolve.");
    }
    const std::string service = text_of(resource["service"]);
    const Json& properties = resource["properties"];
    inv.out() << "Validating fields in \"properties\" of " << service << " resource.\n";
    Status ok;
    if (service == "jobs") {
      ok = require_fields({"name"}, properties);
    } else if (service == "workspace") {
      ok = require_fields({"path", "source_path", "object_type"}, properties);
    } else if (service == "dbfs") {
      ok = require_fields({"path", "source_path", "is_dir"}, properties);
    } else {
      return stack_error("Resource service \"" + service + "\" not supported");
    }
    if (!ok) return ok;
  }
  return {};
}

// legacy StackApi._validate_status.
Status validate_status(Invocation& inv, const Json& status) {
  inv.out() << "Validating fields in stack status...\n";
  if (auto ok = require_fields({"name", "deployed_resources"}, status); !ok) return ok;
  if (!status["deployed_resources"].is_array()) {
    return stack_error("Field \"deployed_resources\" must be a list");
  }
  for (const auto& resource : status["deployed_resources"]) {
    if (auto ok = require_fields({"id"}, resource); !ok) return ok;
    inv.out() << "Validating fields in resource status of resource with ID \""
              << text_of(resource["id"]) << "\"\n";
    if (auto ok = require_fields({"service", "databricks_id"}, resource); !ok) return ok;
    const std::string service = text_of(resource["service"]);
    const Json& id = resource["databricks_id"];
    inv.out() << "Validating fields in \"databricks_id\" of " << service << " resource status\n";
    Status ok;
    if (service == "jobs") {
      ok = require_fields({"job_id"}, id);
    } else if (service == "workspace" || service == "dbfs") {
      ok = require_fields({"path"}, id);
    } else {
      return stack_error(service + " not a valid resource status service");
    }
    if (!ok) return ok;
  }
  return {};
}

// A local path of the config, relative to the config's folder (legacy chdirs there).
std::string local_path(const fs::path& config_dir, const Json& value) {
  fs::path path(text_of(value));
  return path.is_absolute() ? path.string() : (config_dir / path).string();
}

// legacy WorkspaceLanguage.to_language_and_format, by extension.
std::optional<std::pair<std::string, std::string>> language_and_format(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".scala") return std::make_pair(std::string("SCALA"), std::string("SOURCE"));
  if (ext == ".py") return std::make_pair(std::string("PYTHON"), std::string("SOURCE"));
  if (ext == ".sql") return std::make_pair(std::string("SQL"), std::string("SOURCE"));
  if (ext == ".r") return std::make_pair(std::string("R"), std::string("SOURCE"));
  if (ext == ".ipynb") return std::make_pair(std::string("PYTHON"), std::string("JUPYTER"));
  if (ext == ".html") return std::make_pair(std::string(), std::string("HTML"));
  if (ext == ".dbc") return std::make_pair(std::string(), std::string("DBC"));
  return std::nullopt;
}

std::string workspace_parent(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Result<Json> deploy_job(Invocation& inv, Client& client, const Json& properties,
                        const Json* previous) {
  std::int64_t job_id = 0;
  if (previous && previous->contains("job_id") && (*previous)["job_id"].is_number_integer()) {
    job_id = (*previous)["job_id"].get<std::int64_t>();
    if (!client.jobs().reset(job_id, properties)) {
      return stack_error("Job ID " + std::to_string(job_id) +
                         " in stack status could not be found in the workspace. Please remove "
                         "or make necessary changes to the current stack status to resolve this "
                         "inconsistency before proceeding. Aborting stack deployment ...");
    }
  } else {
    const std::string name = text_of(properties["name"]);
    auto same_name = client.jobs().find_by_name(name);
    if (!same_name) return same_name.error();
    if (same_name->size() > 1) {
      return stack_error("Multiple jobs with the same name \"" + name +
                         "\" already exist, aborting stack deployment");
    }
    if (same_name->size() == 1) {
      const Job& existing = same_name->front();
      std::time_t seconds = static_cast<std::time_t>(existing.created_time / 1000);
      std::tm local{};
      localtime_r(&seconds, &local);
      char date[32];
      std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &local);
      inv.out() << "Warning: Job exists with same name \"" << name << "\" created by "
                << existing.creator_user_name << " on " << date << ". Job will be overwritten\n";
      job_id = existing.job_id;
      if (auto status = client.jobs().reset(job_id, properties); !status) return status.error();
    } else {
      auto created = client.jobs().create(properties);
      if (!created) return created.error();
      job_id = *created;
    }
  }
  inv.out() << "Job deployed on Databricks with Job ID " << job_id << "\n";
  return Json{{"job_id", job_id}};
}

// The databricks_id of a workspace or DBFS resource; legacy notes a path that changed since
// the last deployment.
Json path_id(Invocation& inv, const std::string& kind, const Json* previous,
             const std::string& path) {
  if (previous && previous->contains("path") && text_of((*previous)["path"]) != path) {
    inv.out() << kind << " asset had path changed from " << text_of((*previous)["path"]) << " to "
              << path << "\n";
  }
  return Json{{"path", path}};
}

Result<Json> deploy_workspace(Invocation& inv, Client& client, const fs::path& config_dir,
                              const Json& properties, const Json* previous, bool overwrite) {
  const std::string source = text_of(properties["source_path"]);
  const std::string local = local_path(config_dir, properties["source_path"]);
  const std::string path = text_of(properties["path"]);
  const std::string object_type = text_of(properties["object_type"]);
  std::error_code ec;
  const std::string actual = fs::is_directory(local, ec) ? "DIRECTORY" : "NOTEBOOK";
  if (object_type != actual) {
    return stack_error("Field \"object_type\" (" + object_type +
                       ") not consistent with actual object type (" + actual + ")");
  }
  inv.out() << "Uploading " << object_type << " from " << source << " to Databricks workspace at "
            << path << "\n";
  if (object_type == "NOTEBOOK") {
    auto language = language_and_format(local);
    if (!language) {
      return stack_error(
          "Workspace notebook language and format cannot be inferred. Please "
          "check file extension of notebook file.");
    }
    if (auto status = client.workspace().mkdirs(workspace_parent(path)); !status) {
      return status.error();
    }
    auto content = read_text_file(local);
    if (!content) return content.error();
    ImportOptions options;
    options.language = language->first;
    options.format = language->second;
    options.overwrite = overwrite;
    if (auto status = client.workspace().import_object(path, *content, options); !status) {
      return status.error();
    }
  } else {
    ImportDirOptions options;
    options.overwrite = overwrite;
    options.exclude_hidden = true;
    auto results = import_dir(client.workspace(), local, path, options);
    if (!results) return results.error();
    if (report_file_results(inv, *results) != 0) {
      return make_error(error_codes::kIoError, "workspace folder " + source + " not deployed");
    }
  }
  return path_id(inv, "Workspace", previous, path);
}

Result<Json> deploy_dbfs(Invocation& inv, Client& client, const fs::path& config_dir,
                         const Json& properties, const Json* previous, bool overwrite) {
  const std::string source = text_of(properties["source_path"]);
  const std::string local = local_path(config_dir, properties["source_path"]);
  const std::string path = text_of(properties["path"]);
  const Json& is_dir = properties["is_dir"];
  std::error_code ec;
  const bool local_is_dir = fs::is_directory(local, ec);
  if (!is_dir.is_boolean() || is_dir.get<bool>() != local_is_dir) {
    return stack_error(
        "local source_path \"" + source + "\" is found to be a " +
        (local_is_dir ? "directory" : "file") + ", but is not specified as one with is_dir: " +
        (is_dir.is_boolean() ? (is_dir.get<bool>() ? "true" : "false") : text_of(is_dir)) + ".");
  }
  if (!fs::exists(local, ec)) return stack_error("The local file " + source + " does not exist.");
  if (local_is_dir) {
    inv.out() << "Uploading directory from " << source << " to DBFS at " << path << "\n";
    CopyOptions options;
    options.overwrite = overwrite;
    options.skip_existing = false;
    auto results = copy_tree(client.dbfs(), CopyDirection::kUpload, local, path, options);
    if (!results) return results.error();
    if (!all_succeeded(*results)) {
      for (const auto& result : *results) {
        if (result.error) return *result.error;
      }
      return make_error(error_codes::kIoError, "DBFS folder " + source + " not deployed");
    }
  } else {
    inv.out() << "Uploading file from " << source << " to DBFS at " << path << "\n";
    // As `fs cp`: a target that is a DBFS folder receives the file under its own name.
    std::string target = path;
    auto existing = client.dbfs().get_status(path);
    if (existing && existing->is_dir) {
      target = path + (path.back() == '/' ? "" : "/") + fs::path(local).filename().string();
    } else if (!existing && !existing.error().is_not_found()) {
      return existing.error();
    }
    UploadOptions options;
    options.overwrite = overwrite;
    if (auto status = upload_file(client.dbfs(), local, target, options); !status) {
      return status.error();
    }
  }
  return path_id(inv, "Dbfs", previous, path);
}

Result<Json> deploy_resource(Invocation& inv, Client& client, const fs::path& config_dir,
                             const Json& resource, const Json* previous, bool overwrite) {
  const std::string id = text_of(resource["id"]);
  const std::string service = text_of(resource["service"]);
  const Json& properties = resource["properties"];
  const std::string shown = python_dumps(properties);
  Result<Json> databricks_id = Json();
  if (service == "jobs") {
    inv.out() << "Deploying job \"" << id << "\" with properties: \n" << shown << "\n";
    if (!properties.is_object()) return stack_error("Job properties must be an object");
    databricks_id = deploy_job(inv, client, properties, previous);
  } else if (service == "workspace") {
    inv.out() << "Deploying workspace asset \"" << id << "\" with properties \n" << shown << "\n";
    databricks_id = deploy_workspace(inv, client, config_dir, properties, previous, overwrite);
  } else if (service == "dbfs") {
    inv.out() << "Deploying DBFS asset \"" << id << "\" with properties \n" << shown << "\n";
    databricks_id = deploy_dbfs(inv, client, config_dir, properties, previous, overwrite);
  } else {
    return stack_error("Resource service \"" + service + "\" not supported");
  }
  if (!databricks_id) return databricks_id.error();
  return Json{
      {"id", resource["id"]}, {"service", resource["service"]}, {"databricks_id", *databricks_id}};
}

struct StackInput {
  std::string config_path;
  Json config;
  fs::path config_dir;
};

Result<StackInput> read_stack(Invocation& inv, const std::string& verb) {
  StackInput input;
  input.config_path = *inv.arg("CONFIG_PATH");
  std::error_code ec;
  if (!fs::exists(input.config_path, ec)) {
    return usage_error("Invalid value for 'CONFIG_PATH': Path '" + input.config_path +
                       "' does not exist.");
  }
  inv.out() << kRule << "\n"
            << verb << " stack at: " << input.config_path
            << " with options: {'overwrite': " << python_bool(inv.flag("overwrite")) << "}\n";
  auto config = load_json(input.config_path);
  if (!config) return config.error();
  input.config = std::move(*config);
  input.config_dir = fs::absolute(input.config_path, ec).parent_path();
  return input;
}

CommandStatus deploy(Invocation& inv) {
  auto input = read_stack(inv, "Deploying");
  if (!input) return input.error();
  const std::string status_path = status_path_for(input->config_path);
  auto previous_status = load_json(status_path);
  if (!previous_status) return previous_status.error();
  auto client = inv.client();
  if (!client) return client.error();
  const Json& config = input->config;

  inv.out() << kRule << "\n";
  if (auto ok = validate_config(inv, config); !ok) return ok.error();
  std::map<std::pair<std::string, std::string>, Json> previous;  // (id, service) → databricks_id
  if (!previous_status->empty()) {
    inv.out() << kRule << "\n";
    if (auto ok = validate_status(inv, *previous_status); !ok) return ok.error();
    for (const auto& resource : (*previous_status)["deployed_resources"]) {
      previous[{resource["id"].dump(), resource["service"].dump()}] = resource["databricks_id"];
    }
  }
  inv.out() << kRule << "\nDeploying stack " << text_of(config["name"]) << "\n" << kRule << "\n";
  Json deployed = Json::array();
  for (const auto& resource : config["resources"]) {
    auto found = previous.find({resource["id"].dump(), resource["service"].dump()});
    const Json* last = found == previous.end() ? nullptr : &found->second;
    auto status =
        deploy_resource(inv, *client, input->config_dir, resource, last, inv.flag("overwrite"));
    if (!status) return status.error();
    if (!resource.contains("writeStatus") || resource["writeStatus"] != false) {
      deployed.push_back(*status);
    }
    inv.out() << kRule << "\n";
  }
  Json new_status = {{"name", config["name"]},
                     {"cli_version", kStatusCliVersion},
                     {"deployed_resources", deployed}};
  if (auto ok = validate_status(inv, new_status); !ok) return ok.error();
  inv.out() << kRule << "\n" << kRule << "\nSaving stack status to " << status_path << "\n";
  // As json.dump(indent=2, sort_keys=True): sorted keys, no newline at the end. Written
  // whole or not at all.
  if (auto saved =
          write_local_file_atomically(status_path, to_python_json(nlohmann::json(new_status)));
      !saved) {
    return saved.error();
  }
  inv.out() << "Note: The stack status file is an automatically generated file that is depended "
               "on for the databricks stack CLI to function correctly. Please do not edit the "
               "file.\n"
            << kRule << "\n";
  return 0;
}

Status download_workspace(Invocation& inv, Client& client, const fs::path& config_dir,
                          const Json& properties, bool overwrite) {
  const std::string source = text_of(properties["source_path"]);
  const std::string local = local_path(config_dir, properties["source_path"]);
  const std::string path = text_of(properties["path"]);
  const std::string object_type = text_of(properties["object_type"]);
  inv.out() << "Downloading " << object_type << " from Databricks path " << path << " to " << source
            << "\n";
  if (object_type == "NOTEBOOK") {
    auto language = language_and_format(local);
    if (!language) {
      return stack_error(
          "Workspace Notebook language and format cannot be inferred. Please "
          "check file extension of notebook 'source_path'.");
    }
    std::error_code ec;
    fs::create_directories(fs::path(local).parent_path(), ec);
    if (fs::exists(local, ec) && !overwrite) {
      return make_error(error_codes::kInvalidArgument,
                        "LocalFileExistsException: " + local + " already exists.");
    }
    auto exported = client.workspace().export_object(path, language->second);
    if (!exported) return exported.error();
    return write_local_file_atomically(local, exported->content);
  }
  if (object_type == "DIRECTORY") {
    ExportDirOptions options;
    options.overwrite = overwrite;
    auto results = export_dir(client.workspace(), path, local, options);
    if (!results) return results.error();
    if (report_file_results(inv, *results) != 0) {
      return make_error(error_codes::kIoError, "workspace folder " + path + " not downloaded");
    }
    return {};
  }
  return stack_error("Invalid value for \"object_type\" field: " + object_type);
}

CommandStatus download(Invocation& inv) {
  auto input = read_stack(inv, "Downloading");
  if (!input) return input.error();
  auto client = inv.client();
  if (!client) return client.error();
  const Json& config = input->config;
  if (auto ok = validate_config(inv, config); !ok) return ok.error();
  inv.out() << "Downloading stack " << text_of(config["name"]) << "\n" << kRule << "\n";
  for (const auto& resource : config["resources"]) {
    const std::string service = text_of(resource["service"]);
    if (service == "workspace") {
      inv.out() << "Downloading workspace asset \"" << text_of(resource["id"])
                << "\" with properties \n"
                << python_dumps(resource["properties"]) << "\n";
      if (auto status = download_workspace(inv, *client, input->config_dir, resource["properties"],
                                           inv.flag("overwrite"));
          !status) {
        return status.error();
      }
    } else {
      inv.out() << "Resource service \"" << service << "\" not supported for download. skipping.\n";
    }
    inv.out() << kRule << "\n";
  }
  inv.out() << kRule << "\n";
  return 0;
}

}  // namespace

void add_stack_commands(std::vector<CommandSpec>& table) {
  const auto config = positional("CONFIG_PATH", "The stack's JSON configuration file.");
  auto spec =
      command("stack", "deploy", "Deploy a stack given a JSON configuration of the stack.", deploy);
  spec.description =
      "Deploys each resource (workspace notebooks and folders, DBFS files and folders, jobs) "
      "and saves the stack status next to the config (stack.json → stack.deployed.json); a "
      "redeploy updates the jobs the status names instead of creating new ones.";
  spec.positionals = {config};
  spec.options = {flag("overwrite", 'o', "Overwrite existing workspace notebooks and DBFS files.")};
  table.push_back(spec);

  spec = command("stack", "download",
                 "Download stack notebooks given a JSON configuration of the stack.", download);
  spec.description = "Exports the stack's workspace resources to their source paths.";
  spec.positionals = {config};
  spec.options = {flag("overwrite", 'o', "Overwrite existing notebooks in the local filesystem.")};
  table.push_back(spec);
}

}  // namespace dbk::cli
