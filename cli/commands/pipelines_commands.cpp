// `dbk pipelines ...`: databricks-cli 0.18's Delta Live Tables commands (docs/emulator.md,
// "Pipelines"; docs/compatibility.md, "Pipelines").
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>

#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "dbk/dbfs.hpp"
#include "dbk/pipelines.hpp"
#include "util/json_args.hpp"

namespace dbk::cli {
namespace {

using Json = nlohmann::ordered_json;

// Where legacy puts the jars and wheels a settings file names by local path.
constexpr const char* kCodeDir = "dbfs:/pipelines/code";

ApiError client_error(std::string message) {
  return make_error(error_codes::kInvalidArgument, std::move(message));
}

// legacy _validate_pipeline_id: a missing id is an error (exit 1), not a usage error.
Result<std::string> pipeline_id(const Invocation& inv) {
  auto id = inv.value("pipeline-id");
  if (!id || id->empty()) return client_error("Empty pipeline ID provided");
  return *id;
}

// The UI page legacy prints: the host's scheme and authority, then #joblist/pipelines/<id>.
std::string pipeline_url(const Client& client, const std::string& id) {
  const std::string& host = client.config().host;
  std::size_t authority = host.find("://");
  std::size_t path = host.find('/', authority == std::string::npos ? 0 : authority + 3);
  return host.substr(0, path) + "/#joblist/pipelines/" + id;
}

// The settings file: a positional argument or --settings (or deploy's --spec), exactly one.
Result<std::string> settings_source(const Invocation& inv, const std::string& verb) {
  const ApiError error =
      client_error("Settings should be provided either as an argument (databricks pipelines " +
                   verb + " example.json) or as an option (databricks pipelines " + verb +
                   " --settings example.json).");
  auto arg = inv.arg("SETTINGS");
  auto option = inv.value("settings");
  if (verb == "deploy" && inv.value("spec")) {
    if (option) return error;
    option = inv.value("spec");
  }
  if (arg && arg->empty()) arg.reset();
  if (option && option->empty()) option.reset();
  if (arg.has_value() == option.has_value()) return error;
  return arg ? *arg : *option;
}

// legacy _read_settings: .json or no extension, a JSON document.
Result<Json> read_settings(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  for (auto& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!extension.empty() && extension != ".json") {
    return client_error(
        "The provided file extension for the settings is not supported. Only "
        "JSON files are supported.");
  }
  auto text = read_text_file(path);
  if (!text) return text.error();
  auto parsed = parse_json_text(*text, path);
  if (!parsed) return client_error("Invalid JSON provided in settings: " + parsed.error().message);
  if (!parsed->is_object())
    return client_error("Pipeline settings in " + path + " are not an object.");
  return *parsed;
}

Result<std::string> sha1_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return client_error("Cannot read library file " + path);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1) {
    return make_error(error_codes::kIoError, "cannot hash " + path);
  }
  std::vector<char> buffer(64 * 1024);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0)
      EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return make_error(error_codes::kIoError, "cannot read library file " + path);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &size);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

// legacy _upload_libraries_and_update_settings: jar and whl libraries given by a local path
// (no scheme, or file:/ and file:///) are uploaded to dbfs:/pipelines/code/<sha1>.<ext>
// (wheels to <sha1>/<name>, keeping the name pip needs) unless already there, and named by
// that path; the other libraries come first, as legacy orders them.
Result<Json> upload_libraries(Client& client, Json settings, const std::string& settings_dir) {
  Json external = Json::array();
  Json uploaded = Json::array();
  const Json libraries = settings.value("libraries", Json::array());
  if (!libraries.is_array()) return client_error("Pipeline settings: libraries must be a list.");
  for (const auto& library : libraries) {
    if (!library.is_object())
      return client_error("Pipeline settings: a library must be an object.");
    for (const auto& [type, value] : library.items()) {
      if ((type != "jar" && type != "whl") || !value.is_string()) {
        external.push_back({{type, value}});
        continue;
      }
      std::string path = value.get<std::string>();
      std::size_t colon = path.find(':');
      bool has_scheme = colon != std::string::npos && colon > 0 &&
                        path.find('/') > colon;  // a scheme ends before any '/'
      if (has_scheme) {
        std::string scheme = path.substr(0, colon);
        for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (scheme != "file") {
          external.push_back({{type, value}});
          continue;
        }
        std::string rest = path.substr(colon + 1);
        // file:/x and file:///x name a local path; file://host/x does not.
        if (rest.rfind("///", 0) == 0) {
          rest = rest.substr(2);
        } else if (rest.rfind("//", 0) == 0) {
          return client_error("invalid file uri scheme, did you mean to use file:/ or file:///");
        }
        path = rest;
      }
      std::string local = (std::filesystem::path(settings_dir) / path).string();
      if (settings_dir.empty()) local = path;
      auto hash = sha1_of_file(local);
      if (!hash) return hash.error();
      std::string extension = std::filesystem::path(local).extension().string();
      if (!extension.empty()) extension.erase(0, 1);
      std::string remote = extension == "whl"
                               ? std::string(kCodeDir) + "/" + *hash + "/" +
                                     std::filesystem::path(local).filename().string()
                               : std::string(kCodeDir) + "/" + *hash + "." + extension;
      auto exists = client.dbfs().get_status(remote);
      if (!exists) {
        if (!exists.error().is_not_found()) return exists.error();
        UploadOptions options;
        if (auto status = upload_file(client.dbfs(), local, remote, options); !status) {
          return status.error();
        }
      }
      uploaded.push_back({{type, remote}});
    }
  }
  for (auto& library : uploaded) external.push_back(std::move(library));
  settings["libraries"] = external;
  return settings;
}

std::string settings_dir_of(const std::string& source) {
  return std::filesystem::path(source).parent_path().string();
}

// A RESOURCE_CONFLICT is the service's duplicate-name check; legacy explains the option.
ApiError duplicate_name_error(const ApiError& error, const Json& settings, bool creating) {
  if (error.error_code != "RESOURCE_CONFLICT") return error;
  std::string name = settings.contains("name") && settings["name"].is_string()
                         ? settings["name"].get<std::string>()
                         : settings.value("name", Json()).dump();
  std::string message = "Pipeline with name '" + name + "' already exists. ";
  if (creating)
    message += "If you are updating an existing pipeline, use \"edit\" command. Otherwise, You";
  else
    message += "You";
  return client_error(message + " can use the --allow-duplicate-names option to skip this check.");
}

// The id an edit or deploy works on: --pipeline-id and the settings' id agree, or one is set.
Result<std::string> edit_target(const Invocation& inv, Json& settings) {
  auto option = inv.value("pipeline-id");
  std::string from_settings = settings.contains("id") && settings["id"].is_string()
                                  ? settings["id"].get<std::string>()
                                  : "";
  if (option && settings.contains("id") && *option != from_settings) {
    return client_error("The ID provided in --pipeline_id '" + *option +
                        "' is different from the ID provided in the settings '" + from_settings +
                        "'. Resolve the conflict and try the command again.");
  }
  std::string id = option && !option->empty() ? *option : from_settings;
  if (id.empty()) return client_error("Empty pipeline ID provided");
  settings["id"] = id;
  return id;
}

CommandStatus create_pipeline(Invocation& inv, Client& client, const Json& settings,
                              const std::string& dir, const std::string& format) {
  auto body = upload_libraries(client, settings, dir);
  if (!body) return body.error();
  auto answer = client.pipelines().create(*body, inv.flag("allow-duplicate-names"));
  if (!answer) return duplicate_name_error(answer.error(), settings, true);
  const std::string id = answer->value("pipeline_id", "");
  inv.out() << "Successfully created pipeline: " << pipeline_url(client, id) << " with ID: " << id
            << format << "\n";
  return 0;
}

CommandStatus edit_pipeline(Invocation& inv, Client& client, Json settings, const std::string& dir,
                            const std::string& done) {
  auto id = edit_target(inv, settings);
  if (!id) return id.error();
  auto body = upload_libraries(client, settings, dir);
  if (!body) return body.error();
  auto status = client.pipelines().edit(*id, *body, inv.flag("allow-duplicate-names"));
  if (!status) return duplicate_name_error(status.error(), settings, false);
  inv.out() << done << pipeline_url(client, *id) << ".\n";
  return 0;
}

CommandStatus create(Invocation& inv) {
  auto source = settings_source(inv, "create");
  if (!source) return source.error();
  auto settings = read_settings(*source);
  if (!settings) return settings.error();
  if (settings->contains("id")) {
    return client_error("Pipeline settings shouldn't contain \"id\" when creating a pipeline.");
  }
  auto client = inv.client();
  if (!client) return client.error();
  return create_pipeline(inv, *client, *settings, settings_dir_of(*source), ".");
}

CommandStatus edit(Invocation& inv) {
  auto source = settings_source(inv, "edit");
  if (!source) return source.error();
  auto settings = read_settings(*source);
  if (!settings) return settings.error();
  auto client = inv.client();
  if (!client) return client.error();
  return edit_pipeline(inv, *client, *settings, settings_dir_of(*source),
                       "Successfully edited pipeline settings: ");
}

CommandStatus deploy(Invocation& inv) {
  inv.out() << "DeprecationWarning: the \"deploy\" command is deprecated, use \"create\" command "
               "to create a new pipeline or \"edit\" command to modify an existing pipeline.\n\n";
  auto source = settings_source(inv, "deploy");
  if (!source) return source.error();
  auto settings = read_settings(*source);
  if (!settings) return settings.error();
  auto client = inv.client();
  if (!client) return client.error();
  if (!inv.value("pipeline-id") && !settings->contains("id")) {
    return create_pipeline(inv, *client, *settings, settings_dir_of(*source), "");
  }
  return edit_pipeline(inv, *client, *settings, settings_dir_of(*source),
                       "Successfully deployed pipeline: ");
}

CommandStatus remove(Invocation& inv) {
  auto id = pipeline_id(inv);
  if (!id) return id.error();
  auto client = inv.client();
  if (!client) return client.error();
  if (auto status = client->pipelines().remove(*id); !status) return status.error();
  inv.out() << "Pipeline " << *id << " deleted\n";
  return 0;
}

CommandStatus get(Invocation& inv) {
  auto id = pipeline_id(inv);
  if (!id) return id.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto pipeline = client->pipelines().get(*id);
  if (!pipeline) return pipeline.error();
  return print_json(inv, *pipeline);
}

CommandStatus list(Invocation& inv) {
  auto client = inv.client();
  if (!client) return client.error();
  auto statuses = client->pipelines().list();
  if (!statuses) return statuses.error();
  Json all = Json::array();
  for (auto& status : *statuses) all.push_back(std::move(status));
  return print_json(inv, all);
}

CommandStatus start_update(Invocation& inv, bool full_refresh) {
  auto id = pipeline_id(inv);
  if (!id) return id.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto answer = client->pipelines().start_update(*id, full_refresh);
  if (!answer) return answer.error();
  inv.out() << "Started an update ";
  if (answer->contains("update_id")) {
    const auto& update = (*answer)["update_id"];
    inv.out() << (update.is_string() ? update.get<std::string>() : update.dump()) << " ";
  }
  if (full_refresh) inv.out() << "with full refresh ";
  inv.out() << "for pipeline " << *id << ".\n";
  return 0;
}

CommandStatus start(Invocation& inv) {
  return start_update(inv, inv.flag("full-refresh"));
}

CommandStatus reset(Invocation& inv) {
  inv.out() << "DeprecationWarning: the \"reset\" command is deprecated, use the \"start "
               "--full-refresh\" command instead.\n";
  return start_update(inv, true);
}

CommandStatus run(Invocation& inv) {
  inv.out() << "Deprecation warning: the \"run\" command is deprecated. Use the \"start\" "
               "command instead.\n";
  return start_update(inv, false);
}

CommandStatus stop(Invocation& inv) {
  auto id = pipeline_id(inv);
  if (!id) return id.error();
  auto client = inv.client();
  if (!client) return client.error();
  if (auto status = client->pipelines().stop(*id); !status) return status.error();
  inv.out() << "Stopped pipeline " << *id << ".\n";
  return 0;
}

}  // namespace

void add_pipelines_commands(std::vector<CommandSpec>& table) {
  const auto id = value("pipeline-id", 0, "PIPELINE_ID", "The pipeline ID.");
  const auto settings =
      value("settings", 0, "SETTINGS", "The path to the pipelines settings file.");
  const auto duplicates = flag("allow-duplicate-names", 0,
                               "Skip the service's check that no other pipeline has the name.");
  const auto settings_arg =
      positional("SETTINGS", "The path to the pipeline settings file.", false);
  const std::string uploads =
      "Jar and wheel libraries named by a local path (relative to the settings file) are "
      "uploaded to dbfs:/pipelines/code/ under their SHA-1 first, as databricks-cli does.";

  auto spec =
      command("pipelines", "create", "Creates a pipeline from a JSON settings file.", create);
  spec.description = "The settings must not contain an id. " + uploads;
  spec.positionals = {settings_arg};
  spec.options = {settings, duplicates};
  table.push_back(spec);

  spec = command("pipelines", "deploy",
                 "[Deprecated] Creates or edits a pipeline; use create and edit.", deploy);
  spec.description =
      "Edits the pipeline the settings' id or --pipeline-id names, else creates "
      "one. " +
      uploads;
  spec.positionals = {settings_arg};
  spec.options = {settings, value("spec", 0, "SPEC", "[Deprecated] Use --settings."), duplicates,
                  id};
  table.push_back(spec);

  spec =
      command("pipelines", "edit", "Edits a pipeline's settings from a JSON settings file.", edit);
  spec.description =
      "The pipeline is --pipeline-id or the settings' id (they must agree). " + uploads;
  spec.positionals = {settings_arg};
  spec.options = {settings, id, duplicates};
  table.push_back(spec);

  spec =
      command("pipelines", "delete", "Deletes the pipeline and cancels any active update.", remove);
  spec.options = {id};
  table.push_back(spec);

  spec = command("pipelines", "get", "Prints a pipeline's settings and status as JSON.", get);
  spec.options = {id};
  table.push_back(spec);

  spec = command("pipelines", "list", "Prints every pipeline's status as a JSON list.", list);
  spec.description = "Pages through the whole listing.";
  table.push_back(spec);

  spec = command("pipelines", "start", "Starts a pipeline update.", start);
  spec.options = {id, flag("full-refresh", 0,
                           "Truncate the tables and reprocess the data from the beginning.")};
  table.push_back(spec);

  spec =
      command("pipelines", "reset",
              "[Deprecated] Starts an update with full refresh; use start --full-refresh.", reset);
  spec.options = {id};
  table.push_back(spec);

  spec = command("pipelines", "run", "[Deprecated] Starts a pipeline update; use start.", run);
  spec.options = {id};
  table.push_back(spec);

  spec = command("pipelines", "stop", "Stops the pipeline by cancelling its active update.", stop);
  spec.options = {id};
  table.push_back(spec);
}

}  // namespace dbk::cli
