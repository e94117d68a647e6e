// `dbk libraries ...`: legacy databricks-cli 0.18 libraries commands
// (docs/emulator.md, "Libraries").
#include "app/command_table.hpp"
#include "commands/common.hpp"
#include "dbk/clusters.hpp"
#include "dbk/libraries.hpp"

namespace dbk::cli {
namespace {

using Json = nlohmann::ordered_json;

const std::vector<std::string> kInstallOptions = {
    "jar", "egg", "whl", "maven-coordinates", "pypi-package", "cran-package"};

// Exactly one of `names` (legacy OneOfOption), or at most one when `optional`.
Result<std::optional<std::string>> one_of(const Invocation& inv,
                                          const std::vector<std::string>& names, bool optional) {
  std::optional<std::string> given;
  int count = 0;
  for (const auto& name : names) {
    const bool present = name == "all" ? inv.flag(name) : inv.value(name).has_value();
    if (!present) continue;
    ++count;
    given = name;
  }
  if (count > 1) return usage_error("Only one of " + python_list(names) + " should be provided.");
  if (count == 0 && !optional) {
    return usage_error("One of " + python_list(names) + " must be provided.");
  }
  return given;
}

// legacy _get_library_from_options: the library object of the one option given.
Json library_from_options(const Invocation& inv, const std::string& option) {
  const std::string value = inv.value(option).value_or("");
  if (option == "maven-coordinates") {
    Json maven{{"coordinates", value}};
    if (auto repo = inv.value("maven-repo")) maven["repo"] = *repo;
    auto exclusions = inv.values("maven-exclusion");
    if (!exclusions.empty()) maven["exclusions"] = exclusions;
    return Json{{"maven", maven}};
  }
  if (option == "pypi-package" || option == "cran-package") {
    const std::string kind = option.substr(0, 4);
    Json package{{"package", value}};
    if (auto repo = inv.value(kind + "-repo")) package["repo"] = *repo;
    return Json{{kind, package}};
  }
  return Json{{option, value}};
}

Result<std::string> cluster_of(Invocation& inv, Client& client, const std::string& option) {
  if (option == "cluster-id") return *inv.value("cluster-id");
  auto cluster = client.clusters().find_by_name(*inv.value("cluster-name"));
  if (!cluster) return std::move(cluster).error();
  return cluster->cluster_id;
}

CommandStatus print_cluster_status(Invocation& inv, const std::string& option) {
  auto client = inv.client();
  if (!client) return client.error();
  auto id = cluster_of(inv, *client, option);
  if (!id) return id.error();
  auto statuses = client->libraries().cluster_status(*id);
  if (!statuses) return statuses.error();
  return print_json(inv, statuses->raw);
}

CommandStatus print_all_statuses(Invocation& inv) {
  auto client = inv.client();
  if (!client) return client.error();
  auto statuses = client->libraries().all_cluster_statuses();
  if (!statuses) return statuses.error();
  return print_json(inv, *statuses);
}

CommandStatus list(Invocation& inv) {
  auto option = one_of(inv, {"cluster-id", "cluster-name"}, true);
  if (!option) return option.error();
  return *option ? print_cluster_status(inv, **option) : print_all_statuses(inv);
}

CommandStatus cluster_status(Invocation& inv) {
  auto option = one_of(inv, {"cluster-id", "cluster-name"}, false);
  if (!option) return option.error();
  return print_cluster_status(inv, **option);
}

CommandStatus install(Invocation& inv) {
  auto cluster_id = required_value(inv, "cluster-id");
  if (!cluster_id) return cluster_id.error();
  auto option = one_of(inv, kInstallOptions, false);
  if (!option) return option.error();
  auto client = inv.client();
  if (!client) return client.error();
  auto status = client->libraries().install(*cluster_id, {library_from_options(inv, **option)});
  return status;
}

void print_restart_hint(Invocation& inv, const std::string& cluster_id) {
  // Legacy prints the warning in red on a terminal; dbk prints it plain
  // (docs/compatibility.md).
  inv.out() << "WARNING: Uninstalling libraries requires a cluster restart.\n"
            << "databricks clusters restart --cluster-id " << cluster_id << '\n';
  inv.out().flush();
}

CommandStatus uninstall(Invocation& inv) {
  auto cluster_id = required_value(inv, "cluster-id");
  if (!cluster_id) return cluster_id.error();
  std::vector<std::string> names = {"all"};
  names.insert(names.end(), kInstallOptions.begin(), kInstallOptions.end());
  auto option = one_of(inv, names, false);
  if (!option) return option.error();
  auto client = inv.client();
  if (!client) return client.error();
  std::vector<Json> libraries;
  if (**option == "all") {
    auto statuses = client->libraries().cluster_status(*cluster_id);
    if (!statuses) return statuses.error();
    for (const auto& status : statuses->library_statuses) libraries.push_back(status.library);
    if (libraries.empty()) return 0;
  } else {
    libraries.push_back(library_from_options(inv, **option));
  }
  auto status = client->libraries().uninstall(*cluster_id, libraries);
  if (!status) return status.error();
  print_restart_hint(inv, *cluster_id);
  return 0;
}

std::vector<OptionSpec> library_options() {
  return {value("jar", 0, "JAR", "JAR on DBFS or S3 or WASB."),
          value("egg", 0, "EGG", "Egg on DBFS or S3 or WASB."),
          value("whl", 0, "WHL", "Wheel or zipped wheelhouse on DBFS or S3 or WASB."),
          value("maven-coordinates", 0, "COORDINATES",
                "Maven coordinates GroupId:ArtifactId:Version (e.g. org.jsoup:jsoup:1.7.2)."),
          value("maven-repo", 0, "URL", "Maven repository to install the Maven package from."),
          repeated(value("maven-exclusion", 0, "GROUP:ARTIFACT",
                         "A dependency to exclude (repeatable), e.g. \"slf4j:slf4j\".")),
          value("pypi-package", 0, "PACKAGE",
                "PyPI package to install, optionally with an exact version (simplejson==3.8.0)."),
          value("pypi-repo", 0, "URL", "Index to install the PyPI package from."),
          value("cran-package", 0, "PACKAGE", "CRAN package to install."),
          value("cran-repo", 0, "URL", "CRAN repository to install the package from.")};
}

}  // namespace

void add_libraries_commands(std::vector<CommandSpec>& table) {
  const auto cluster_id = value("cluster-id", 0, "CLUSTER_ID", "The cluster id.");
  const auto cluster_name = value("cluster-name", 0, "NAME", "The cluster's exact name.");

  auto spec =
      command("libraries", "list", "Library statuses of one cluster, or of all clusters.", list);
  spec.description =
      "With --cluster-id or --cluster-name: cluster-status; else all-cluster-statuses.";
  spec.options = {cluster_id, cluster_name};
  table.push_back(spec);

  table.push_back(command("libraries", "all-cluster-statuses",
                          "Print the library statuses of every cluster (JSON).",
                          print_all_statuses));

  spec = command("libraries", "cluster-status", "Print the library statuses of one cluster (JSON).",
                 cluster_status);
  spec.options = {cluster_id, cluster_name};
  table.push_back(spec);

  spec = command("libraries", "install", "Install one library on a cluster.", install);
  spec.description =
      "Give exactly one of --jar, --egg, --whl, --maven-coordinates, --pypi-package, "
      "--cran-package. The cluster installs it in the background: follow it with "
      "`libraries cluster-status`.";
  spec.options = {cluster_id};
  for (auto& option : library_options()) spec.options.push_back(option);
  table.push_back(spec);

  spec = command("libraries", "uninstall",
                 "Mark a library (or --all) to be removed at the next restart.", uninstall);
  spec.options = {cluster_id, flag("all", 0, "Uninstall every library of the cluster.")};
  for (auto& option : library_options()) spec.options.push_back(option);
  table.push_back(spec);
}

}  // namespace dbk::cli
