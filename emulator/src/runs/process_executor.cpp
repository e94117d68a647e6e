#include "runs/process_executor.hpp"

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include "dbfs/dbfs_paths.hpp"
#include "dbk/json.hpp"
#include "process/child_process.hpp"
#include "service.hpp"
#include "state/files.hpp"

namespace dbk::emulator {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::seconds kKillGrace{10};  // SIGTERM → SIGKILL (notebook-executor.md)
constexpr std::size_t kLogTail = 64 * 1024;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string tail(const std::string& text, std::size_t max) {
  return text.size() <= max ? text : text.substr(text.size() - max);
}

bool write_file(const fs::path& path, const std::string& data) {
  return write_file_atomically(path, data).ok();  // private (0600), whole or not at all
}

// The variable that hands the workspace token to the runtime: in the child's environment
// (readable only by the user, see proc(5)), never in task.json or on a command line.
constexpr const char* kTokenVariable = "DBK_WORKSPACE_TOKEN";

/// Last non-empty line of `text`, for a one-line `error`.
std::string last_line(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::string last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  return last;
}

std::string find_in_path(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    return ::access(name.c_str(), X_OK) == 0 ? name : std::string();
  }
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

// What Databricks tells a notebook whose cluster's driver went away.
constexpr const char* kDriverLost =
    "The spark driver has stopped unexpectedly and is restarting. Your notebook will be "
    "automatically reattached.";

// The notebook runtime's own test for "this source needs Spark" (executor.py, _NEEDS_SPARK):
// keep the two patterns alike. A miss here only costs speed: the task starts its own Spark.
bool mentions_spark(const std::string& source) {
  static const std::regex needs(R"(spark|\bsc\b|sqlContext|\bdisplay\(|saveAsTable|pyspark)");
  return std::regex_search(source, needs);
}

class ProcessAttempt : public TaskAttempt {
 public:
  ProcessAttempt(pid_t pid, fs::path run_dir, std::shared_ptr<ClusterDriver> driver,
                 std::string job_tag)
      : pid_(pid),
        run_dir_(std::move(run_dir)),
        driver_(std::move(driver)),
        job_tag_(std::move(job_tag)) {}
  ~ProcessAttempt() override {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      cancel_jobs();
    }
  }

  std::optional<TaskOutcome> poll(std::int64_t) override {
    if (pid_ <= 0) return std::nullopt;
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == 0) {
      if (stopping_ && std::chrono::steady_clock::now() - stop_requested_ > kKillGrace) {
        ::kill(-pid_, SIGKILL);
      }
      return std::nullopt;
    }
    ::kill(-pid_, SIGKILL);  // leftovers of the group (e.g. a Spark JVM) go with the leader
    pid_ = -1;
    cancel_jobs();  // however the process ended, its Spark jobs on the cluster end too
    return finish(done < 0 ? -1 : status);
  }

  void cancel() override {
    if (pid_ <= 0 || stopping_) return;
    stopping_ = true;
    stop_requested_ = std::chrono::steady_clock::now();
    cancel_jobs();
    ::kill(-pid_, SIGTERM);
  }

 private:
  void cancel_jobs() {
    if (driver_) driver_->cancel_jobs(job_tag_);
  }

  // The run failed because the cluster's driver died under it: say so, as Databricks does.
  void blame_driver(TaskOutcome& outcome) const {
    if (!driver_ || !driver_->lost() || outcome.result_state != "FAILED") return;
    outcome.error_trace = outcome.error + "\n" + outcome.error_trace;
    outcome.error = kDriverLost;
    outcome.state_message = kDriverLost;
  }

  TaskOutcome finish(int status) {
    TaskOutcome outcome;
    const std::string stdout_text = read_text(run_dir_ / "stdout.log");
    const std::string stderr_text = read_text(run_dir_ / "stderr.log");
    outcome.logs = tail(stdout_text + stderr_text, kLogTail);
    if (stopping_) {
      outcome.result_state = "CANCELED";  // the engine turns it into CANCELED or TIMEDOUT
      return outcome;
    }
    const fs::path result_path = run_dir_ / "result.json";
    std::error_code ec;
    if (fs::exists(result_path, ec)) {
      // Written by the task's process, which runs user code: depth-limited like a request.
      auto parsed = parse_json(read_text(result_path));
      nlohmann::json result = parsed.ok() ? std::move(*parsed) : nlohmann::json();
      if (result.is_object()) {
        // value() throws on a field of another type; user code may have written anything.
        auto text = [&](const char* field, const char* fallback) {
          auto it = result.find(field);
          return it != result.end() && it->is_string() ? it->get<std::string>()
                                                       : std::string(fallback);
        };
        outcome.result_state = text("result_state", "FAILED");
        if (outcome.result_state != "SUCCESS") outcome.result_state = "FAILED";
        if (result.contains("notebook_output") && result["notebook_output"].is_object())
          outcome.notebook_output = result["notebook_output"];
        outcome.error = text("error", "");
        outcome.error_trace = text("error_trace", "");
        if (outcome.result_state == "FAILED" && outcome.error.empty())
          outcome.error = "The notebook failed without an error message";
        blame_driver(outcome);
        return outcome;
      }
    }
    // Died without a result: quote the tail of stderr (notebook-executor.md).
    outcome.result_state = "FAILED";
    std::string why =
        WIFSIGNALED(status)
            ? "killed by signal " + std::to_string(WTERMSIG(status))
            : "exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    std::string line = last_line(stderr_text);
    outcome.error = "The notebook runtime ended without a result (" + why + ")" +
                    (line.empty() ? std::string() : ": " + line);
    outcome.error_trace = tail(stderr_text, kLogTail);
    outcome.state_message = outcome.error;
    blame_driver(outcome);
    return outcome;
  }

  pid_t pid_;
  fs::path run_dir_;
  std::shared_ptr<ClusterDriver> driver_;  ///< the warm cluster's driver, or null
  std::string job_tag_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_requested_{};
};

}  // namespace

std::string ProcessExecutor::resolve_python(std::string& missing) const {
  if (!config_.python.empty()) {
    std::string found = find_in_path(config_.python);
    if (found.empty()) missing = "the Python interpreter '" + config_.python + "' was not found";
    return found;
  }
  // <repo>/.venv/bin/python next to emulator/runtime, else python3 from PATH.
  fs::path venv = config_.runtime_dir.parent_path().parent_path() / ".venv" / "bin" / "python";
  if (::access(venv.c_str(), X_OK) == 0) return venv.string();
  std::string found = find_in_path("python3");
  if (found.empty())
    missing = "no Python interpreter was found (tried " + venv.string() + " and python3 on PATH)";
  return found;
}

namespace {

// A task that cannot be set up fails with this message as the run's error; the code never
// leaves the executor (failed_outcome takes the message).
ApiError setup_error(std::string message) {
  return make_error("TASK_SETUP_FAILED", std::move(message));
}

// notebook_task: the notebook's source from the workspace, written into the run folder.
Status stage_notebook(const ProcessExecutorConfig& config, const TaskLaunch& launch,
                      const fs::path& run_dir, nlohmann::json& task) {
  const std::string path = launch.task["notebook_task"].value("notebook_path", "");
  const WorkspaceReader* workspace = config.workspace ? config.workspace() : nullptr;
  if (workspace == nullptr)
    return setup_error("Cannot run the task: the workspace is not available");
  auto notebook = workspace->read_notebook(path);
  if (!notebook) {
    return setup_error("Unable to access the notebook \"" + path +
                       "\" in the workspace: " + notebook.error().message);
  }
  const fs::path file =
      run_dir / (notebook->format == "JUPYTER" ? "notebook.ipynb" : "notebook.py");
  if (!write_file(file, notebook->content)) return setup_error("Cannot write " + file.string());
  task["notebook_path"] = path;
  task["notebook_file"] = file.string();
  task["notebook_format"] = notebook->format.empty() ? "SOURCE" : notebook->format;
  task["notebook_language"] = notebook->language.empty() ? "PYTHON" : notebook->language;
  return {};
}

// spark_python_task: the file from DBFS or the workspace, copied to main.py in the run folder.
Status stage_python_file(const ProcessExecutorConfig& config, const TaskLaunch& launch,
                         const fs::path& run_dir, nlohmann::json& task) {
  const auto& spec = launch.task["spark_python_task"];
  std::string python_file = spec.value("python_file", "");
  fs::path local;
  const bool fuse = python_file.rfind("/dbfs/", 0) == 0;
  if (fuse || python_file.rfind("dbfs:", 0) == 0) {
    // The DBFS API's own check: no '.'/'..' segment, no NUL, always below the root.
    auto resolved = resolve_dbfs_path(fuse ? python_file.substr(5) : python_file, config.dbfs_root);
    if (!resolved) return setup_error("Invalid python_file: " + resolved.error().message);
    local = resolved->file;
  } else if (!python_file.empty() && python_file.front() == '/' && config.workspace &&
             config.workspace() != nullptr) {
    // A workspace path: take the source of the notebook/file stored there.
    auto source = config.workspace()->read_notebook(python_file);
    if (!source) {
      return setup_error("Unable to access the python file \"" + python_file +
                         "\": " + source.error().message);
    }
    local = run_dir / "main.py";
    if (!write_file(local, source->content)) return setup_error("Cannot write " + local.string());
  } else {
    return setup_error("Unsupported python_file location \"" + python_file + "\" (use dbfs:/...)");
  }
  std::error_code ec;
  if (!fs::is_regular_file(local, ec)) {
    return setup_error("The python file " + python_file + " does not exist");
  }
  const fs::path copy = run_dir / "main.py";
  if (local != copy) fs::copy_file(local, copy, fs::copy_options::overwrite_existing, ec);
  if (ec) return setup_error("Cannot copy " + python_file + ": " + ec.message());
  task["python_file"] = copy.string();
  task["python_params"] = spec.value("parameters", nlohmann::json::array());
  return {};
}

// task.json for the runtime, with what the task runs staged in the run folder.
Result<nlohmann::json> task_document(const ProcessExecutorConfig& config, const TaskLaunch& launch,
                                     const fs::path& run_dir) {
  nlohmann::json task = {
      {"run_id", launch.task_run_id},
      {"task_type", launch.task_type},
      {"parameters", launch.parameters.is_object() ? launch.parameters : nlohmann::json::object()},
      {"dbfs_root", config.dbfs_root.string()},
      {"spark_master", config.spark_master},
      {"workspace_url", config.workspace_url ? config.workspace_url() : std::string()},
      {"output_file", (run_dir / "result.json").string()},
      {"timeout_seconds", launch.timeout_seconds}};
  Status staged = launch.task_type == "notebook_task"
                      ? stage_notebook(config, launch, run_dir, task)
                      : stage_python_file(config, launch, run_dir, task);
  if (!staged.ok()) return std::move(staged).error();
  return task;
}

}  // namespace

std::unique_ptr<TaskAttempt> ProcessExecutor::start(const TaskLaunch& launch) {
  auto fail = [](std::string message) {
    return std::make_unique<FinishedAttempt>(failed_outcome(std::move(message)));
  };
  std::string missing;
  const std::string python = resolve_python(missing);
  if (python.empty()) return fail("Cannot run the task: " + missing);
  std::error_code ec;
  if (!fs::exists(config_.runtime_dir / "dbk_runtime", ec)) {
    return fail("Cannot run the task: the notebook runtime package is missing (" +
                (config_.runtime_dir / "dbk_runtime").string() + " does not exist)");
  }

  const fs::path run_dir = config_.runs_dir / std::to_string(launch.task_run_id);
  fs::remove_all(run_dir, ec);
  Status made = create_private_directories(run_dir);
  if (!made.ok()) return fail("Cannot create the run folder: " + made.error().message);

  auto task = task_document(config_, launch, run_dir);
  if (!task.ok()) return fail(task.error().message);
  const fs::path task_file = run_dir / "task.json";
  if (!write_file(task_file, task->dump(2))) return fail("Cannot write " + task_file.string());

  ChildCommand command;
  command.args = {python, "-m", "dbk_runtime", "run", "--task", task_file.string()};
  command.env = runtime_environment(config_.runtime_dir, launch.python_path);
  if (!config_.workspace_token.empty())
    command.env.push_back(std::string(kTokenVariable) + "=" + config_.workspace_token);
  std::shared_ptr<ClusterDriver> driver;
  if (launch.warm_cluster) {
    driver = drivers_.find(launch.cluster_id, launch.spark_context_id);
    // No driver yet: start one for a task that will use Spark. A pure-Python task starts
    // no JVM (as before); should it reach Spark after all (%run), it starts its own.
    if (!driver && mentions_spark(read_text(
                       task->value("notebook_file", task->value("python_file", std::string()))))) {
      std::string error;
      driver = drivers_.ensure(launch.cluster_id, launch.spark_context_id, python,
                               launch.python_path, error);
      if (!driver) return fail(error);
    }
  }
  if (driver) {
    // Where the driver publishes its gateway (a private file, read when Spark is first
    // needed, so the task need not wait for a driver that is still starting).
    command.env.push_back("DBK_DRIVER_INFO=" + driver->info_file().string());
    command.env.push_back("DBK_DRIVER_PID=" + std::to_string(driver->pid()));
    command.env.push_back("DBK_DRIVER_LOG=" + driver->log_file().string());
  }
  const pid_t pid = spawn(command, run_dir);
  if (pid < 0) return fail("Cannot start the notebook runtime: fork failed");
  return std::make_unique<ProcessAttempt>(pid, run_dir, std::move(driver),
                                          "dbk-run-" + std::to_string(launch.task_run_id));
}

ProcessExecutor::ProcessExecutor(ProcessExecutorConfig config)
    : config_(std::move(config)),
      drivers_(ClusterDrivers::Config{config_.runs_dir.parent_path() / "drivers",
                                      config_.runtime_dir, config_.dbfs_root,
                                      config_.spark_master}) {}

Result<DriverAttachment> ProcessExecutor::context_process(
    const std::string& cluster_id, std::int64_t context_id,
    const std::vector<fs::path>& python_path) {
  std::string missing;
  const std::string python = resolve_python(missing);
  if (python.empty())
    return http_error(500, "INTERNAL_ERROR", "Cannot start a context: " + missing);
  std::string error;
  auto driver = drivers_.ensure(cluster_id, context_id, python, python_path, error);
  if (!driver) return http_error(500, "INTERNAL_ERROR", error);
  DriverAttachment attachment;
  attachment.args = {
      python,        "-m",
      "dbk_runtime", "context",
      "--dbfs-root", config_.dbfs_root.string(),
      "--master",    config_.spark_master.empty() ? "local[*]" : config_.spark_master};
  attachment.env = runtime_environment(config_.runtime_dir, python_path);
  if (config_.workspace_url)
    attachment.env.push_back("DBK_WORKSPACE_URL=" + config_.workspace_url());
  if (!config_.workspace_token.empty())
    attachment.env.push_back(std::string(kTokenVariable) + "=" + config_.workspace_token);
  attachment.env.push_back("DBK_DRIVER_INFO=" + driver->info_file().string());
  attachment.env.push_back("DBK_DRIVER_PID=" + std::to_string(driver->pid()));
  attachment.env.push_back("DBK_DRIVER_LOG=" + driver->log_file().string());
  return attachment;
}

void ProcessExecutor::start_driver(const std::string& cluster_id, std::int64_t context_id,
                                   const std::vector<fs::path>& python_path) {
  std::string missing;
  const std::string python = resolve_python(missing);
  if (python.empty()) return;  // the next task reports it
  std::string error;
  (void)drivers_.ensure(cluster_id, context_id, python, python_path, error);
}

}  // namespace dbk::emulator
