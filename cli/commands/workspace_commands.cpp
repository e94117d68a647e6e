// `dbk workspace ...`: legacy databricks-cli 0.18 workspace commands (docs/reference/rest-api.md
// §5.1, §5.4).
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "app/command_table.hpp"
#include "app/exit_codes.hpp"
#include "commands/common.hpp"
#include "dbk/internal/text.hpp"
#include "dbk/workspace.hpp"
#include "output/table_printer.hpp"
#include "util/interrupt.hpp"
#include "util/json_args.hpp"

namespace dbk::cli {
namespace {

namespace fs = std::filesystem;

std::string basename_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

CommandStatus ls(Invocation& inv) {
  auto client = inv.client();
  if (!client) return client.error();
  auto objects = client->workspace().list(inv.arg("PATH").value_or("/"));
  if (!objects) return objects.error();
  if (inv.output_format() == OutputFormat::kJson) {
    auto array = nlohmann::ordered_json::array();
    for (const auto& object : *objects) array.push_back(object.raw);
    return print_json(inv, nlohmann::ordered_json{{"objects", array}});
  }
  std::vector<TableRow> rows;
  for (const auto& object : *objects) {
    std::string path = inv.flag("absolute") ? object.path : basename_of(object.path);
    TableRow row;
    if (inv.flag("long")) {
      row = {object.object_type, path, object.language.empty() ? Cell{} : Cell{object.language}};
    } else {
      row = {path};
    }
    if (inv.flag("id")) row.emplace_back(object.object_id);
    rows.push_back(std::move(row));
  }
  print_table(inv, format_plain_table(rows));
  return 0;
}

CommandStatus mkdirs(Invocation& inv) {
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->workspace().mkdirs(*inv.arg("PATH"));
  return status;
}

CommandStatus import_file(Invocation& inv) {
  if (!inv.value("language")) return usage_error("Missing option '-l' / '--language'.");
  auto content = read_text_file(*inv.arg("SRC"));
  if (!content) return content.error();
  auto client = inv.client();
  if (!client) return client.error();
  ImportOptions options;
  options.language = internal::ascii_upper(*inv.value("language"));
  options.format = internal::ascii_upper(inv.value("format").value_or(formats::kSource));
  options.overwrite = inv.flag("overwrite");
  return client->workspace().import_object(*inv.arg("DST"), *content, options);
}

CommandStatus export_file(Invocation& inv) {
  auto client = inv.client();
  if (!client) return client.error();
  std::string source = *inv.arg("SRC");
  std::string target = *inv.arg("DST");
  std::error_code code;
  if (fs::is_directory(target, code)) {
    // Legacy: a directory target gets the notebook's name plus its language extension.
    auto info = client->workspace().get_status(source);
    if (!info) return info.error();
    if (!info->is_notebook()) {
      return make_error(error_codes::kInvalidArgument, "Export can only be called on a notebook.");
    }
    auto name = local_file_name(info->path, source);
    if (!name) return name.error();
    target = (fs::path(target) / (*name + extension_for_language(info->language))).string();
  }
  if (!inv.flag("overwrite") && fs::exists(target, code)) {
    return make_error(error_codes::kIoError,
                      target + " already exists locally; use --overwrite to replace it.");
  }
  auto exported = client->workspace().export_object(
      source, internal::ascii_upper(inv.value("format").value_or(formats::kSource)));
  if (!exported) return exported.error();
  std::ofstream file(target, std::ios::binary | std::ios::trunc);
  file << exported->content;
  file.close();
  if (!file) return make_error(error_codes::kIoError, "cannot write " + target);
  return 0;
}

CommandStatus remove(Invocation& inv) {
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->workspace().remove(*inv.arg("PATH"), inv.flag("recursive"));
  return status;
}

CommandStatus import_dir(Invocation& inv) {
  auto concurrency = concurrency_option(inv);
  if (!concurrency) return concurrency.error();
  ImportDirOptions options;
  auto mode = internal::ascii_upper(inv.value("format").value_or("LEGACY"));
  options.mode = mode == "AUTO" ? ImportDirMode::kAuto : ImportDirMode::kLegacy;
  options.overwrite = inv.flag("overwrite");
  options.exclude_hidden = inv.flag("exclude-hidden-files");
  options.continue_on_error = inv.flag("continue-on-error");
  options.parallelism = *concurrency;
  std::error_code code;
  if (!fs::is_directory(*inv.arg("SRC"), code)) {
    return make_error(error_codes::kIoError, *inv.arg("SRC") + " is not a local directory.");
  }
  auto client = inv.client();
  if (!client) return client.error();
  InterruptScope interrupt;  // Ctrl-C / SIGTERM: no new file starts, those in flight stop
  auto results = dbk::import_dir(client->workspace(), *inv.arg("SRC"), *inv.arg("DST"), options,
                                 interrupt.context());
  CommandStatus status =
      results ? CommandStatus(report_file_results(inv, *results)) : CommandStatus(results.error());
  if (interrupt.interrupted()) return std::move(status).with_exit_code(exit_codes::kInterrupted);
  return status;
}

CommandStatus export_dir(Invocation& inv) {
  auto concurrency = concurrency_option(inv);
  if (!concurrency) return concurrency.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto info = client->workspace().get_status(*inv.arg("SRC"));
  if (!info) return info.error();
  if (!info->is_directory()) {
    return make_error(error_codes::kInvalidArgument,
                      "The source path must be a directory. " + *inv.arg("SRC"));
  }
  ExportDirOptions options;
  options.overwrite = inv.flag("overwrite");
  options.parallelism = *concurrency;
  InterruptScope interrupt;
  auto results = dbk::export_dir(client->workspace(), *inv.arg("SRC"), *inv.arg("DST"), options,
                                 interrupt.context());
  CommandStatus status =
      results ? CommandStatus(report_file_results(inv, *results)) : CommandStatus(results.error());
  if (interrupt.interrupted()) return std::move(status).with_exit_code(exit_codes::kInterrupted);
  return status;
}

}  // namespace

void add_workspace_commands(std::vector<CommandSpec>& table) {
  const std::vector<std::string> languages = {"SCALA", "PYTHON", "SQL", "R"};
  const std::vector<std::string> formats = {"SOURCE", "HTML", "JUPYTER", "DBC", "R_MARKDOWN"};

  auto spec =
      command("workspace", "ls", "List objects in the workspace. ls and list are synonyms.", ls);
  spec.aliases = {"list"};
  spec.options = {flag("absolute", 0, "Display absolute paths."),
                  flag("long", 'l', "Display object type, path and language."),
                  flag("id", 'i', "Display object ids.")};
  spec.positionals = {positional("PATH", "Workspace folder (default /).", false)};
  table.push_back(spec);

  spec = command("workspace", "mkdirs", "Make a folder and its parents in the workspace.", mkdirs);
  spec.positionals = {positional("PATH", "Workspace folder to create.")};
  table.push_back(spec);

  spec = command("workspace", "import", "Import a local file into the workspace.", import_file);
  spec.options = {value("language", 'l', "LANGUAGE", "Notebook language (required).", languages),
                  value("format", 'f', "FORMAT", "Import format (default SOURCE).", formats),
                  flag("overwrite", 'o', "Replace an existing notebook.")};
  spec.positionals = {positional("SRC", "Local file."), positional("DST", "Workspace path.")};
  table.push_back(spec);

  spec = command("workspace", "export", "Export a notebook from the workspace to a local file.",
                 export_file);
  spec.options = {value("format", 'f', "FORMAT", "Export format (default SOURCE).", formats),
                  flag("overwrite", 'o', "Replace an existing local file.")};
  spec.positionals = {positional("SRC", "Workspace notebook."),
                      positional("DST", "Local file or folder.")};
  table.push_back(spec);

  spec = command("workspace", "rm",
                 "Delete an object from the workspace. rm and delete are synonyms.", remove);
  spec.aliases = {"delete"};
  spec.options = {flag("recursive", 'r', "Delete a folder and everything in it.")};
  spec.positionals = {positional("PATH", "Workspace path.")};
  table.push_back(spec);

  spec = command("workspace", "import_dir",
                 "Import a local folder tree into the workspace, in parallel.", import_dir);
  spec.description =
      "By default every .scala .py .sql .SQL .r .R .ipynb .html .dbc file becomes a notebook "
      "(legacy rule); --format AUTO imports only files with a notebook header, and .ipynb.";
  spec.options = {flag("overwrite", 'o', "Replace existing notebooks."),
                  flag("exclude-hidden-files", 'e', "Skip files and folders starting with '.'."),
                  value("format", 0, "MODE", "Which files become notebooks (default LEGACY).",
                        {"LEGACY", "AUTO"}),
                  value("concurrency", 0, "N", "Parallel imports (default 8)."),
                  flag("continue-on-error", 0, "Import the other files after a failure.")};
  spec.positionals = {positional("SRC", "Local folder."), positional("DST", "Workspace folder.")};
  table.push_back(spec);

  spec = command("workspace", "export_dir", "Export a workspace folder tree as source files.",
                 export_dir);
  spec.options = {flag("overwrite", 'o', "Replace existing local files."),
                  value("concurrency", 0, "N", "Parallel exports (default 8).")};
  spec.positionals = {positional("SRC", "Workspace folder."), positional("DST", "Local folder.")};
  table.push_back(spec);
}

}  // namespace dbk::cli
