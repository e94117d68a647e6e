#include "commands/common.hpp"

#include <ostream>

#include "dbk/jobs.hpp"
#include "output/json_printer.hpp"
#include "output/terminal_text.hpp"
#include "util/json_args.hpp"

namespace dbk::cli {

int print_json(Invocation& inv, const nlohmann::ordered_json& value) {
  inv.out() << to_python_json(value) << '\n';
  inv.out().flush();
  return 0;
}

void print_table(Invocation& inv, const std::string& table) {
  inv.out() << table << '\n';
  inv.out().flush();
}

int report_file_results(Invocation& inv, const std::vector<FileResult>& results) {
  std::size_t failed = 0;
  std::size_t not_started = 0;
  for (const auto& result : results) {
    switch (result.status) {
      case FileStatus::kDone:
        // Names in recursive copies come from the server: printed without escape sequences.
        inv.out() << terminal_safe(result.src) << " -> " << terminal_safe(result.dst) << '\n';
        break;
      case FileStatus::kSkipped: {
        std::string message = result.message;
        if (message.find("Skip") == std::string::npos) message += ". Skip.";
        inv.out() << terminal_safe(message) << '\n';
        break;
      }
      case FileStatus::kFailed:
        ++failed;
        if (result.error) {
          inv.err() << "Error: " << terminal_safe(result.src) << ": "
                    << terminal_safe(result.error->to_string()) << '\n';
        } else {
          inv.err() << "Error: " << terminal_safe(result.src) << ": failed\n";
        }
        break;
      case FileStatus::kNotStarted:
        ++not_started;
        break;
    }
  }
  inv.out().flush();
  if (failed == 0 && not_started == 0) return 0;
  inv.err() << "Error: " << failed << " of " << results.size() << " files failed";
  if (not_started > 0) inv.err() << ", " << not_started << " not attempted";
  inv.err() << ".\n";
  return 1;
}

Result<unsigned> concurrency_option(const Invocation& inv) {
  auto value = inv.int_value("concurrency");
  if (!value) return value.error();
  if (!*value) return 8u;
  if (**value < 1 || **value > 64) {
    return usage_error("Invalid value for '--concurrency': must be between 1 and 64.");
  }
  return static_cast<unsigned>(**value);
}

OptionSpec jobs_api_version_option() {
  return value("version", 0, "VERSION",
               "Jobs API version for this call (default: DATABRICKS_JOBS_API_VERSION or the "
               "profile's jobs-api-version, else 2.1; 2.0 when run as databricks).",
               {"2.0", "2.1"});
}

Result<Client> jobs_client(Invocation& inv) {
  const bool first = !inv.has_client();
  auto version = inv.value("version");
  auto client = inv.client(version);
  if (client && first && inv.legacy_syntax() && !version && client->jobs().api_version() != "2.1") {
    // The exact text of databricks-cli 0.18 (uncoloured: see docs/compatibility.md).
    inv.err() << "WARN: Your CLI is configured to use Jobs API 2.0. In order to use the latest "
                 "Jobs features please upgrade to 2.1: 'databricks jobs configure "
                 "--version=2.1'. Future versions of this CLI will default to the new Jobs "
                 "API. Learn more at https://docs.databricks.com/dev-tools/cli/jobs-cli.html\n";
    inv.err().flush();
  }
  return client;
}

OptionSpec json_file_option() {
  return value("json-file", 0, "FILE", "File with the JSON request body.");
}

OptionSpec json_option() {
  return value("json", 0, "JSON", "JSON request body, inline or @file.json.");
}

Result<std::string> required_value(const Invocation& inv, const std::string& name) {
  auto value = inv.value(name);
  if (!value) return usage_error("Missing option '--" + name + "'.");
  return *value;
}

Result<nlohmann::ordered_json> json_body_option(const Invocation& inv) {
  auto file = inv.value("json-file");
  auto inline_json = inv.value("json");
  if (file.has_value() == inline_json.has_value()) {
    return usage_error("Either --json-file or --json should be provided.");
  }
  if (file) {
    auto text = read_text_file(*file);
    if (!text) return usage_error("Invalid value for '--json-file': " + text.error().message + ".");
    return require_json_object(parse_json_text(*text, *file), *file);
  }
  return require_json_object(parse_json_argument(*inline_json, "--json"), "--json");
}

std::string truncate_name(const std::string& name) {
  return name.size() <= 100 ? name : name.substr(0, 100) + "...";
}

std::string python_list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", '" : "'") + names[i] + "'";
  return out + "]";
}

}  // namespace dbk::cli
