// `dbk runs ...`: legacy runs commands (docs/reference/rest-api.md §5.1) plus submit
// --wait/--timeout.
#include "app/command_table.hpp"
#include "app/exit_codes.hpp"
#include "commands/common.hpp"
#include "commands/run_wait.hpp"
#include "dbk/jobs.hpp"
#include "output/table_printer.hpp"

namespace dbk::cli {
namespace {

using Json = nlohmann::ordered_json;

Result<std::int64_t> run_id_option(const Invocation& inv) {
  auto id = inv.int_value("run-id");
  if (!id) return id.error();
  if (!*id) return usage_error("Missing option '--run-id'.");
  return **id;
}

CommandStatus submit(Invocation& inv) {
  auto settings = json_body_option(inv);
  if (!settings) return settings.error();
  auto wait = wait_request(inv);
  if (!wait) return wait.error();
  auto client = jobs_client(inv);
  if (!client) return client.error();
  auto submitted = client->jobs().runs_submit(*settings);
  if (!submitted) return submitted.error();
  if (!wait->wait) return print_json(inv, submitted->raw);
  return wait_and_report(inv, client->jobs(), submitted->run_id, *wait);
}

CommandStatus get(Invocation& inv) {
  auto id = run_id_option(inv);
  if (!id) return id.error();
  auto client = jobs_client(inv);
  if (!client) return client.error();
  auto run = client->jobs().runs_get(*id);
  if (!run) return run.error();
  return print_json(inv, run->raw);
}

// Legacy _runs_to_table: missing values print as n/a, names truncated at 100.
Cell text_or(const Json& object, const char* key, const char* fallback) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::string(fallback);
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

CommandStatus list(Invocation& inv) {
  auto client = jobs_client(inv);
  if (!client) return client.error();
  ListRunsRequest request;
  auto job_id = inv.int_value("job-id");
  auto offset = inv.int_value("offset");
  auto limit = inv.int_value("limit");
  for (const auto* parsed : {&job_id, &offset, &limit}) {
    if (!*parsed) return parsed->error();
  }
  request.job_id = *job_id;
  if (*offset) request.offset = static_cast<int>(**offset);
  if (*limit) request.limit = static_cast<int>(**limit);
  request.active_only = inv.flag("active-only");
  request.completed_only = inv.flag("completed-only");
  // Every run unless the user asked for one page (--offset/--limit): the API answers 20
  // at a time, and legacy printed only those, silently.
  auto page = client->jobs().runs_list(request);
  if (!page) return page.error();
  Json listing = std::move(page->raw);
  if (!*offset && !*limit && page->has_more) {
    auto all = client->jobs().runs_list_all(request);
    if (!all) return all.error();
    // The first page's shape (and key order), holding every run and nothing more to fetch.
    listing["runs"] = Json::array();
    for (auto& run : *all) listing["runs"].push_back(std::move(run.raw));
    listing["has_more"] = false;
    listing.erase("next_page_token");
  }
  if (inv.output_format() == OutputFormat::kJson) return print_json(inv, listing);
  std::vector<TableRow> rows;
  const Json runs = listing.value("runs", Json::array());
  for (const auto& run : runs) {
    Json state = run.contains("state") ? run["state"] : Json::object();
    Cell name = text_or(run, "run_name", "no_run_name");
    if (auto* text = std::get_if<std::string>(&name); text && text->size() > 100) {
      *text = text->substr(0, 100) + "...";
    }
    Cell url = text_or(run, "run_page_url", "n/a");
    if (auto* text = std::get_if<std::string>(&url)) *text = redact_url(*text);
    rows.push_back({text_or(run, "run_id", "no_run_id"), name,
                    text_or(state, "life_cycle_state", "n/a"),
                    text_or(state, "result_state", "n/a"), url});
  }
  print_table(inv, format_plain_table(rows));
  return 0;
}

CommandStatus cancel(Invocation& inv) {
  auto id = run_id_option(inv);
  if (!id) return id.error();
  auto client = jobs_client(inv);
  if (!client) return client.error();
  auto status = client->jobs().runs_cancel(*id);
  if (!status) return status.error();
  return print_json(inv, Json::object());
}

Json output_json(const RunOutput& output) {
  return output.raw;
}

CommandStatus get_output(Invocation& inv) {
  auto id = run_id_option(inv);
  if (!id) return id.error();
  auto client = jobs_client(inv);
  if (!client) return client.error();
  // A single-task parent is resolved to its task run; several tasks are fanned
  // out (docs/reference/rest-api.md §0.7, §6.10).
  auto output = client->jobs().runs_get_output_resolved(*id);
  if (output) return print_json(inv, output_json(*output));
  if (!(output.error().is_transport_error() &&
        output.error().error_code == error_codes::kInvalidArgument)) {
    return output.error();
  }
  auto tasks = client->jobs().runs_get_task_outputs(*id);
  if (!tasks) return tasks.error();
  Json array = Json::array();
  bool failed = false;
  for (const auto& task : *tasks) {
    Json entry;
    entry["task_key"] = task.task_key;
    entry["run_id"] = task.run_id;
    if (task.output) {
      entry["output"] = output_json(*task.output);
    } else if (task.error) {
      failed = true;
      entry["error"] = {{"error_code", task.error->error_code}, {"message", task.error->message}};
    }
    array.push_back(entry);
  }
  print_json(inv, Json{{"run_id", *id}, {"task_outputs", array}});
  return failed ? exit_codes::kError : exit_codes::kOk;
}

}  // namespace

void add_runs_commands(std::vector<CommandSpec>& table) {
  const auto run_id = value("run-id", 0, "ID", "The run id.");

  auto spec = command("runs", "submit", "Submit a one-time run; prints {\"run_id\": N}.", submit);
  spec.description =
      "With --wait, progress goes to stderr and the final run (JSON) to stdout; the exit code "
      "says how it ended (0 SUCCESS, 3 other, 4 timeout, 130 interrupted).";
  spec.options = {json_file_option(), json_option()};
  for (auto& option : wait_options()) spec.options.push_back(option);
  spec.options.push_back(jobs_api_version_option());
  table.push_back(spec);

  spec = command("runs", "list", "List runs, most recent first.", list);
  spec.description =
      "Lists every run, following the API's pages. With --offset or --limit it lists that "
      "one page, and the JSON output is the server's page (has_more, next_page_token).";
  spec.options = {value("job-id", 0, "ID", "Only runs of this job."),
                  flag("active-only", 0, "Only active runs."),
                  flag("completed-only", 0, "Only completed runs."),
                  value("offset", 0, "N", "List one page, from this offset."),
                  value("limit", 0, "N", "List one page of N runs."),
                  value("output", 0, "FORMAT", "JSON or TABLE (default).", {"JSON", "TABLE"}),
                  jobs_api_version_option()};
  table.push_back(spec);

  spec = command("runs", "get", "Print a run as JSON.", get);
  spec.options = {run_id, jobs_api_version_option()};
  table.push_back(spec);

  spec = command("runs", "get-output",
                 "Print the output of a run as JSON (every task for multi-task runs).", get_output);
  spec.options = {run_id, jobs_api_version_option()};
  table.push_back(spec);

  spec = command("runs", "cancel", "Cancel a run; prints {}.", cancel);
  spec.options = {run_id, jobs_api_version_option()};
  table.push_back(spec);
}

}  // namespace dbk::cli
