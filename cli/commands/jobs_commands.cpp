// `dbk jobs ...`: legacy jobs commands (docs/reference/rest-api.md §5.1) plus --upsert, --job-name
// and run-now --wait (docs/reference/rest-api.md §6.1).
#include <algorithm>

#include "app/command_table.hpp"
#include "app/exit_codes.hpp"
#include "commands/common.hpp"
#include "commands/run_wait.hpp"
#include "dbk/config.hpp"
#include "dbk/job_template.hpp"
#include "dbk/jobs.hpp"
#include "output/table_printer.hpp"
#include "util/json_args.hpp"

namespace dbk::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

Result<std::int64_t> required_id(const Invocation& inv, const std::string& name) {
  auto id = inv.int_value(name);
  if (!id) return id.error();
  if (!*id) return usage_error("Missing option '--" + name + "'.");
  return **id;
}

// A template that cannot be rendered is a usage error naming the file and the placeholders.
ApiError render_error(const std::string& source, const ApiError& error) {
  bool missing = error.message.rfind("no value", 0) == 0;
  return usage_error("Cannot render " + source + ": " + error.message +
                     (missing ? " (pass --var NAME=VALUE)." : "."));
}

// --var KEY=VALUE values, with the jobs/README.md defaults resolved: `notebook_dir`
// defaults to /Users/{{user}}/notebooks, and `user` (only when something needs it) to the
// authenticated user, so the same templates deploy to any workspace unchanged.
Result<std::map<std::string, std::string>> template_values(Invocation& inv, const std::string& text,
                                                           const std::string& source) {
  std::map<std::string, std::string> vars;
  for (const auto& item : inv.values("var")) {
    auto equals = item.find('=');
    if (equals == std::string::npos || equals == 0) {
      return usage_error("Invalid value for '--var': '" + item + "' is not KEY=VALUE.");
    }
    vars[item.substr(0, equals)] = item.substr(equals + 1);
  }
  // A missing required value is reported before any request is made for a default.
  auto probe = vars;
  probe.emplace("user", "");
  probe.emplace("notebook_dir", "");
  if (auto checked = render_job_template(text, probe); !checked) {
    return render_error(source, checked.error());
  }
  auto used = job_template_placeholders(text);
  auto uses = [&](const std::string& name) {
    return std::find(used.begin(), used.end(), name) != used.end();
  };
  if (uses("notebook_dir") && !vars.count("notebook_dir")) {
    vars["notebook_dir"] = "/Users/{{user}}/notebooks";
  }
  bool needs_user = uses("user");
  for (const auto& [name, value] : vars) {
    auto in_value = job_template_placeholders(value);
    needs_user =
        needs_user || std::find(in_value.begin(), in_value.end(), "user") != in_value.end();
  }
  if (needs_user && !vars.count("user")) {
    auto client = jobs_client(inv);
    if (!client) return client.error();
    auto user = client->current_user_name();
    if (!user) {
      return make_error(
          user.error().error_code,
          "cannot find the default for {{user}} (pass --var user=NAME): " + user.error().message);
    }
    vars["user"] = *user;
  }
  // Defaults are resolved before substitution: a value may refer to other variables
  // (notebook_dir → user), one level deep. Raw text here; escaping happens on insertion.
  std::map<std::string, std::string> resolved;
  for (const auto& [name, value] : vars) {
    std::string filled = value;
    for (const auto& [other, other_value] : vars) {
      if (other == name) continue;
      const std::string key = "{{" + other + "}}";
      for (auto at = filled.find(key); at != std::string::npos;
           at = filled.find(key, at + other_value.size())) {
        filled.replace(at, key.size(), other_value);
      }
    }
    if (auto left = job_template_placeholders(filled); !left.empty()) {
      return usage_error("--var " + name + ": no value for placeholder {{" + left.front() + "}}.");
    }
    resolved[name] = std::move(filled);
  }
  return resolved;
}

// The request body of create/reset/render. With --var (or for `render`) the text is a
// template (jobs/README.md) and is rendered before it is parsed; without, it is sent as
// given, since job specs may legitimately hold Databricks' own {{job_id}}-style references.
Result<Json> templated_body(Invocation& inv, bool always_render) {
  if (!always_render && inv.values("var").empty()) return json_body_option(inv);
  auto file = inv.value("json-file");
  auto inline_json = inv.value("json");
  if (file.has_value() == inline_json.has_value()) {
    return usage_error("Either --json-file or --json should be provided.");
  }
  std::string source = file ? *file : "--json";
  std::string text;
  if (file || inline_json->rfind('@', 0) == 0) {
    std::string path = file ? *file : inline_json->substr(1);
    auto content = read_text_file(path);
    if (!content) {
      return usage_error("Invalid value for '--json-file': " + content.error().message + ".");
    }
    source = path;
    text = std::move(*content);
  } else {
    text = *inline_json;
  }
  auto values = template_values(inv, text, source);
  if (!values) return values.error();
  auto rendered = render_job_template(text, *values);
  if (!rendered) return render_error(source, rendered.error());
  if (source == "--json")
    return require_json_object(parse_json_argument(*rendered, source), source);
  return require_json_object(parse_json_text(*rendered, source), source);
}

int render(Invocation& inv) {
  auto body = templated_body(inv, /*always_render=*/true);
  if (!body) return inv.fail(body.error());
  return print_json(inv, *body);
}

int create(Invocation& inv) {
  auto settings = templated_body(inv, /*always_render=*/false);
  if (!settings) return inv.fail(settings.error());
  auto client = jobs_client(inv);
  if (!client) return inv.fail(client.error());
  JobsApi& jobs = client->jobs();
  if (inv.flag("upsert")) {
    // Create, or reset the one existing job with the same name.
    if (!settings->contains("name") || !(*settings)["name"].is_string()) {
      return inv.fail(usage_error("--upsert needs a \"name\" in the job settings."));
    }
    auto name = (*settings)["name"].get<std::string>();
    auto found = jobs.find_by_name(name);
    if (!found) return inv.fail(found.error());
    if (found->size() > 1) {
      std::string ids;
      for (const auto& job : *found) ids += (ids.empty() ? "" : ", ") + std::to_string(job.job_id);
      return inv.fail(make_error(error_codes::kInvalidArgument,
                                 "several jobs are named '" + name + "' (job ids " + ids +
                                     "); --upsert needs a unique name"));
    }
    if (found->size() == 1) {
      auto id = found->front().job_id;
      auto status = jobs.reset(id, *settings);
      if (!status) return inv.fail(status.error());
      return print_json(inv, Json{{"job_id", id}});
    }
  }
  auto id = jobs.create(*settings);
  if (!id) return inv.fail(id.error());
  return print_json(inv, Json{{"job_id", *id}});
}

int list(Invocation& inv) {
  auto client = jobs_client(inv);
  if (!client) return inv.fail(client.error());
  JobsApi& jobs = client->jobs();
  bool uses_21 = inv.flag("expand-tasks") || inv.value("offset") || inv.value("limit") ||
                 inv.flag("all") || inv.value("name");
  if (jobs.api_version() == "2.0" && uses_21) {
    return inv.fail(usage_error(
        "the options --expand-tasks, --offset, --limit, --all, and --name are only available "
        "in API 2.1"));
  }
  ListJobsRequest request;
  request.expand_tasks = inv.flag("expand-tasks");
  if (auto name = inv.value("name")) request.name = *name;
  auto offset = inv.int_value("offset");
  if (!offset) return inv.fail(offset.error());
  auto limit = inv.int_value("limit");
  if (!limit) return inv.fail(limit.error());
  if (*offset) request.offset = static_cast<int>(**offset);
  if (*limit) request.limit = static_cast<int>(**limit);
  // Every job unless the user asked for one page (--offset/--limit without --all): the
  // 2.1 API answers 20 at a time, and legacy printed only those, silently.
  const bool one_page = (*offset || *limit) && !inv.flag("all");
  std::vector<Job> found;
  Json paging = Json::object();
  if (one_page) {
    auto page = jobs.list(request);
    if (!page) return inv.fail(page.error());
    found = std::move(page->jobs);
    // The page's own paging fields, so that JSON readers can tell there is more.
    for (const char* key : {"has_more", "next_page_token", "prev_page_token"}) {
      if (auto it = page->raw.find(key); it != page->raw.end()) paging[key] = *it;
    }
  } else {
    if (inv.flag("all")) request.offset.reset();
    auto all = jobs.list_all(request);
    if (!all) return inv.fail(all.error());
    found = std::move(*all);
  }
  if (auto type = inv.value("type")) {
    // Legacy passed job_type to the 2.0 API; filter on the client so it means the same.
    found.erase(std::remove_if(found.begin(), found.end(),
                               [&](const Job& job) {
                                 auto it = job.raw.find("job_type");
                                 return it == job.raw.end() || !it->is_string() ||
                                        lower(it->get<std::string>()) != lower(*type);
                               }),
                found.end());
  }
  if (inv.output_format() == OutputFormat::kJson) {
    Json array = Json::array();
    for (const auto& job : found) array.push_back(job.raw);
    Json body{{"jobs", array}};
    for (const auto& item : paging.items()) body[item.key()] = item.value();
    return print_json(inv, body);
  }
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& job : found)
    rows.emplace_back(std::to_string(job.job_id), truncate_name(job.name()));
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return lower(a.second) < lower(b.second); });
  std::vector<TableRow> table;
  for (auto& row : rows) table.push_back({row.first, row.second});
  print_table(inv, format_plain_table(table, /*numparse=*/false));
  return 0;
}

int get(Invocation& inv) {
  auto id = required_id(inv, "job-id");
  if (!id) return inv.fail(id.error());
  auto client = jobs_client(inv);
  if (!client) return inv.fail(client.error());
  auto job = client->jobs().get(*id);
  if (!job) return inv.fail(job.error());
  return print_json(inv, job->raw);
}

int reset(Invocation& inv) {
  auto body = templated_body(inv, /*always_render=*/false);
  if (!body) return inv.fail(body.error());
  // Accepts bare settings or the API's {"job_id", "new_settings"} (legacy rule).
  Json settings = body->contains("new_settings") ? (*body)["new_settings"] : *body;
  auto id = inv.int_value("job-id");
  if (!id) return inv.fail(id.error());
  std::int64_t job_id = 0;
  if (*id) {
    job_id = **id;
  } else if (body->contains("job_id") && (*body)["job_id"].is_number_integer()) {
    job_id = (*body)["job_id"].get<std::int64_t>();
  } else {
    return inv.fail(
        usage_error("Either --job-id or a root-level json key \"job_id\" should be provided."));
  }
  auto client = jobs_client(inv);
  if (!client) return inv.fail(client.error());
  auto status = client->jobs().reset(job_id, settings);
  return status ? 0 : inv.fail(status.error());
}

int remove(Invocation& inv) {
  auto id = required_id(inv, "job-id");
  if (!id) return inv.fail(id.error());
  auto client = jobs_client(inv);
  if (!client) return inv.fail(client.error());
  auto status = client->jobs().delete_job(*id);
  return status ? 0 : inv.fail(status.error());
}

Result<std::int64_t> resolve_job_id(Invocation& inv, const JobsApi& jobs) {
  auto id = inv.int_value("job-id");
  if (!id) return id.error();
  auto name = inv.value("job-name");
  if (id->has_value() == name.has_value()) {
    return usage_error("Exactly one of --job-id or --job-name should be provided.");
  }
  if (*id) return **id;
  auto found = jobs.find_by_name(*name);
  if (!found) return found.error();
  if (found->empty()) {
    return make_error(error_codes::kNotFound, "no job is named '" + *name + "'");
  }
  if (found->size() > 1) {
    std::string ids;
    for (const auto& job : *found) ids += (ids.empty() ? "" : ", ") + std::to_string(job.job_id);
    return make_error(error_codes::kInvalidArgument,
                      "several jobs are named '" + *name + "' (job ids " + ids + "); use --job-id");
  }
  return found->front().job_id;
}

Status fill_run_now_params(const Invocation& inv, RunNowRequest& request) {
  if (auto values = inv.values("notebook-params"); !values.empty()) {
    auto params = parse_string_map(values, "--notebook-params");
    if (!params) return params.error();
    request.notebook_params = *params;
  }
  if (auto values = inv.values("python-named-params"); !values.empty()) {
    auto params = parse_string_map(values, "--python-named-params");
    if (!params) return params.error();
    request.python_named_params = *params;
  }
  struct ListFlag {
    const char* name;
    std::optional<std::vector<std::string>> RunNowRequest::*field;
  };
  for (const auto& list_flag :
       {ListFlag{"jar-params", &RunNowRequest::jar_params},
        ListFlag{"python-params", &RunNowRequest::python_params},
        ListFlag{"spark-submit-params", &RunNowRequest::spark_submit_params}}) {
    if (auto text = inv.value(list_flag.name)) {
      auto list = parse_string_list(*text, std::string("--") + list_flag.name);
      if (!list) return list.error();
      request.*(list_flag.field) = *list;
    }
  }
  if (auto token = inv.value("idempotency-token")) request.idempotency_token = *token;
  return {};
}

int run_now(Invocation& inv) {
  RunNowRequest request;
  // Parameters first: a usage error should not cost a request.
  if (auto status = fill_run_now_params(inv, request); !status) return inv.fail(status.error());
  if (!inv.flag("wait") && (inv.value("timeout") || inv.flag("cancel-on-interrupt"))) {
    return inv.fail(usage_error("--timeout and --cancel-on-interrupt need --wait."));
  }
  if (auto status = check_wait_options(inv); !status) return inv.fail(status.error());
  auto client = jobs_client(inv);
  if (!client) return inv.fail(client.error());
  JobsApi& jobs = client->jobs();
  auto job_id = resolve_job_id(inv, jobs);
  if (!job_id) return inv.fail(job_id.error());
  request.job_id = *job_id;
  auto submitted = jobs.run_now(request);
  if (!submitted) return inv.fail(submitted.error());
  if (!inv.flag("wait")) return print_json(inv, submitted->raw);
  return wait_and_report(inv, jobs, submitted->run_id);
}

int configure_version(Invocation& inv) {
  auto version = inv.value("version");
  if (!version) return inv.fail(usage_error("Missing option '--version'."));
  std::string path = default_config_file_path();
  auto sections = read_config_file(path);
  if (!sections) return inv.fail(sections.error());
  std::string profile = inv.globals().profile.value_or("DEFAULT");
  ProfileSection values;
  if (auto it = sections->find(profile); it != sections->end()) values = it->second;
  values["jobs-api-version"] = *version;
  auto status = write_profile(path, profile, values);
  return status ? 0 : inv.fail(status.error());
}

CommandSpec command(std::string verb, std::string summary) {
  CommandSpec spec;
  spec.group = "jobs";
  spec.verb = std::move(verb);
  spec.summary = std::move(summary);
  return spec;
}

}  // namespace

void add_jobs_commands(std::vector<CommandSpec>& table) {
  const auto json_file = value("json-file", 0, "FILE", "File with the JSON request body.");
  const auto json = value("json", 0, "JSON", "JSON request body, inline or @file.json.");
  const auto job_id = value("job-id", 0, "ID", "The job id.");
  const auto var = repeated(value("var", 0, "KEY=VALUE",
                                  "Render the JSON as a template: fill {{KEY}} with VALUE "
                                  "(see jobs/README.md)."));

  auto spec = command("create", "Create a job; prints {\"job_id\": N}.");
  spec.description =
      "With --var the JSON is a job template: every {{name}} is filled (user and notebook_dir "
      "have defaults) and an unfilled one is an error.";
  spec.options = {json_file, json, var,
                  flag("upsert", 0, "Reset the existing job with the same name instead, if any."),
                  jobs_api_version_option()};
  spec.handler = create;
  table.push_back(spec);

  spec = command("list", "List jobs (table sorted by name, or JSON).");
  spec.description =
      "Lists every job, following the API's pages. With --offset or --limit it lists that "
      "one page, and the JSON output keeps the server's has_more/next_page_token.";
  spec.options = {value("output", 0, "FORMAT", "JSON or TABLE (default).", {"JSON", "TABLE"}),
                  value("type", 0, "TYPE", "Only jobs of this type."),
                  flag("expand-tasks", 0, "Include the tasks array (API 2.1)."),
                  value("offset", 0, "N", "List one page, from this offset (API 2.1)."),
                  value("limit", 0, "N", "List one page of N jobs (API 2.1)."),
                  flag("all", 0, "List every job even with --offset/--limit (API 2.1)."),
                  value("name", 0, "NAME", "Only jobs with this exact name (API 2.1)."),
                  jobs_api_version_option()};
  spec.handler = list;
  table.push_back(spec);

  spec = command("get", "Print a job's definition as JSON.");
  spec.options = {job_id, jobs_api_version_option()};
  spec.handler = get;
  table.push_back(spec);

  spec = command("reset", "Replace a job's settings.");
  spec.description =
      "The JSON is either the new settings or {\"job_id\": N, \"new_settings\": {...}}.";
  spec.options = {job_id, json_file, json, var, jobs_api_version_option()};
  spec.handler = reset;
  table.push_back(spec);

  spec = command("render", "Print a job template with its placeholders filled.");
  spec.description =
      "Renders --json-file/--json as jobs create --var would send it: {{user}} defaults to "
      "the authenticated user, {{notebook_dir}} to /Users/{{user}}/notebooks; an unfilled "
      "placeholder is an error (exit 2).";
  spec.options = {json_file, json, var, jobs_api_version_option()};
  spec.handler = render;
  table.push_back(spec);

  spec = command("delete", "Delete a job.");
  spec.options = {job_id, jobs_api_version_option()};
  spec.handler = remove;
  table.push_back(spec);

  spec = command("run-now", "Run a job now; prints {\"run_id\", \"number_in_job\"}.");
  spec.description =
      "JSON parameter flags take inline JSON or @file.json; --notebook-params also takes "
      "repeated KEY=VALUE. With --wait, progress goes to stderr and the final run to stdout.";
  spec.options = {
      job_id,
      value("job-name", 0, "NAME", "Run the one job with exactly this name."),
      value("jar-params", 0, "JSON", "JSON array of parameters, e.g. [\"a\", \"b\"]."),
      repeated(value("notebook-params", 0, "JSON|KEY=VALUE",
                     "JSON object of widget values, or KEY=VALUE.")),
      value("python-params", 0, "JSON", "JSON array of parameters."),
      repeated(value("python-named-params", 0, "JSON|KEY=VALUE",
                     "JSON object of named parameters, or KEY=VALUE.")),
      value("spark-submit-params", 0, "JSON", "JSON array of spark-submit parameters."),
      value("idempotency-token", 0, "TOKEN", "Return the existing run started with this token."),
      jobs_api_version_option()};
  for (auto& option : wait_options()) spec.options.push_back(option);
  spec.handler = run_now;
  table.push_back(spec);

  spec = command("configure", "Set the Jobs API version of the profile.");
  spec.options = {value("version", 0, "VERSION", "Jobs API version to store.", {"2.0", "2.1"})};
  spec.handler = configure_version;
  table.push_back(spec);
}

}  // namespace dbk::cli
