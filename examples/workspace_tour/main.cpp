// A short end-to-end tour of the dbk client library, as an embedding program
// would write it: configuration from the environment or ~/.databrickscfg,
// a notebook imported and exported, a file streamed to DBFS and back, a job
// created, run and waited for. Usage: workspace_tour [--profile NAME]
#include <cstdlib>
#include <dbk/dbk.hpp>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

namespace {

constexpr const char* kNotebook =
    "# Databricks notebook source\n"
    "print('hello from the dbk workspace tour')\n"
    "\n"
    "# COMMAND ----------\n"
    "\n"
    "dbutils.notebook.exit(str(spark.range(10).count()))\n";

int fail(const std::string& step, const dbk::ApiError& error) {
  std::cerr << "workspace_tour: " << step << " failed: " << error.to_string() << "\n";
  return 1;
}

std::string random_bytes(std::size_t size) {
  std::mt19937_64 generator(42);
  std::string data(size, '\0');
  for (auto& byte : data) byte = static_cast<char>(generator() & 0xff);
  return data;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  dbk::ConfigOptions config_options;
  if (argc == 3 && std::string(argv[1]) == "--profile") config_options.profile = argv[2];

  auto client = dbk::make_client(config_options);
  if (!client) return fail("configuration", client.error());
  std::cout << "workspace: " << client->config().host << "\n";

  // 1. A notebook into the workspace and back.
  const std::string folder = "/Users/dbk-tour";
  const std::string notebook = folder + "/hello";
  if (auto s = client->workspace().mkdirs(folder); !s) return fail("mkdirs", s.error());
  dbk::ImportOptions import_options;
  import_options.language = "PYTHON";
  import_options.overwrite = true;
  if (auto s = client->workspace().import_object(notebook, kNotebook, import_options); !s)
    return fail("import", s.error());
  auto exported = client->workspace().export_object(notebook);
  if (!exported) return fail("export", exported.error());
  std::cout << "notebook " << notebook << ": imported and exported (" << exported->content.size()
            << " bytes)\n";

  // 2. A 3 MiB file streamed to DBFS in 1 MiB blocks and back.
  const std::string local = "workspace_tour.bin";
  const std::string copy = "workspace_tour.copy.bin";
  const std::string payload = random_bytes(3 * 1024 * 1024 + 17);
  std::ofstream(local, std::ios::binary) << payload;
  dbk::UploadOptions upload_options;
  upload_options.overwrite = true;
  upload_options.atomic = true;
  if (auto s =
          dbk::upload_file(client->dbfs(), local, "dbfs:/tmp/dbk-tour/payload.bin", upload_options);
      !s)
    return fail("upload", s.error());
  dbk::DownloadOptions download_options;
  download_options.overwrite = true;
  if (auto s = dbk::download_file(client->dbfs(), "dbfs:/tmp/dbk-tour/payload.bin", copy,
                                  download_options);
      !s)
    return fail("download", s.error());
  const bool same = read_file(copy) == payload;
  std::remove(local.c_str());
  std::remove(copy.c_str());
  std::cout << "dbfs: " << payload.size() << " bytes uploaded and downloaded, "
            << (same ? "identical" : "DIFFERENT") << "\n";
  if (!same) return 1;

  // 3. A job on the first cluster, run and waited for.
  auto clusters = client->clusters().list();
  if (!clusters) return fail("clusters list", clusters.error());
  if (clusters->empty()) {
    std::cerr << "workspace_tour: the workspace has no cluster to run on\n";
    return 1;
  }
  nlohmann::ordered_json settings = {
      {"name", "dbk tour"},
      {"existing_cluster_id", clusters->front().cluster_id},
      {"notebook_task", {{"notebook_path", notebook}}},
      {"timeout_seconds", 600},
  };
  auto job_id = client->jobs().create(settings);
  if (!job_id) return fail("jobs create", job_id.error());
  dbk::RunNowRequest run_now;
  run_now.job_id = *job_id;
  auto submitted = client->jobs().run_now(run_now);
  if (!submitted) return fail("run-now", submitted.error());
  std::cout << "job " << *job_id << ": run " << submitted->run_id << " started\n";

  dbk::WaitOptions wait;
  wait.timeout = std::chrono::minutes(10);
  wait.on_state_change = [](const dbk::Run& run) {
    std::cout << "  run " << run.run_id << ": " << run.state.life_cycle_state
              << (run.state.result_state ? " " + *run.state.result_state : "") << "\n";
  };
  auto run = dbk::wait_for_run(client->jobs(), submitted->run_id, wait);
  if (!run) return fail("waiting for the run", run.error());
  const auto outcome = dbk::classify(*run);
  auto output = client->jobs().runs_get_output_resolved(run->run_id);
  if (outcome.ok && output && output->notebook_output && output->notebook_output->result) {
    std::cout << "run " << run->run_id << " succeeded; the notebook returned "
              << *output->notebook_output->result << "\n";
  } else {
    std::cout << "run " << run->run_id << " ended " << outcome.state << ": " << outcome.message
              << "\n";
    if (output && output->error) std::cout << "  error: " << *output->error << "\n";
  }
  (void)client->jobs().delete_job(*job_id);
  return outcome.ok ? 0 : 3;
}
