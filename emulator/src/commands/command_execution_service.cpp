#include "commands/command_execution_service.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>

#include "dbk/json.hpp"
#include "http/member_handler.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "process/child_process.hpp"
#include "runs/run_engine.hpp"
#include "state/files.hpp"

namespace dbk::emulator {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxCommandBytes = 10 * 1024 * 1024;
constexpr std::size_t kMaxPendingBytes = 64 * 1024 * 1024;  // one result line at most

std::string next_id() {
  // Decimal ids like the service's; unique for the life of the process.
  static std::atomic<std::int64_t> counter{0};
  return std::to_string(1700000000000000000LL + ++counter);
}

Result<std::string> language_of(const Params& params, bool for_context) {
  auto language = params.optional_string("language");
  if (!language) return language.error();
  const std::string value = language->value_or("python");
  if (value == "python" || value == "sql") return value;
  if (value == "scala" || value == "r") {
    return invalid_parameter("The emulator runs python and sql " +
                             std::string(for_context ? "contexts" : "commands") + " only; " +
                             value + " is not supported.");
  }
  return invalid_parameter("language must be one of python, sql, scala, r; got " + value);
}

json error_results(const std::string& summary) {
  return {{"resultType", "error"}, {"summary", summary}, {"cause", summary}};
}

}  // namespace

CommandExecutionService::CommandExecutionService(ServiceContext& context, RunEngine& engine)
    : context_(context), engine_(engine) {}

CommandExecutionService::~CommandExecutionService() {
  stop();
}

void CommandExecutionService::stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [id, context] : contexts_) close(*context);
  contexts_.clear();
}

void CommandExecutionService::close(Context& context) {
  if (context.fd >= 0) ::close(context.fd);
  context.fd = -1;
  if (context.pid > 0) {
    ::kill(-context.pid, SIGKILL);
    ::waitpid(context.pid, nullptr, 0);
  }
  context.pid = -1;
}

void CommandExecutionService::register_routes(Router& router) {
  const auto versions = {"1.2"};
  router.add_versions("POST", versions, "contexts/create",
                      member_handler(this, &CommandExecutionService::create_context));
  router.add_versions("GET", versions, "contexts/status",
                      member_handler(this, &CommandExecutionService::context_status));
  router.add_versions("POST", versions, "contexts/destroy",
                      member_handler(this, &CommandExecutionService::destroy_context));
  router.add_versions("POST", versions, "commands/execute",
                      member_handler(this, &CommandExecutionService::execute));
  router.add_versions("GET", versions, "commands/status",
                      member_handler(this, &CommandExecutionService::command_status));
  router.add_versions("POST", versions, "commands/cancel",
                      member_handler(this, &CommandExecutionService::cancel));
}

Response CommandExecutionService::create_context(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto cluster_id, params.required_string("clusterId"));
  DBK_ASSIGN_OR_RESPOND(auto language, language_of(params, true));
  DBK_ASSIGN_OR_RESPOND(auto process, engine_.context_process(cluster_id));
  auto context = std::make_unique<Context>();
  context->id = next_id();
  context->cluster_id = cluster_id;
  context->spark_context_id = process.second;
  context->language = language;
  const auto dir = context_.state_dir / "contexts" / context->id;
  DBK_RETURN_IF_ERROR(create_private_directories(dir));
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return error_response(http_error(500, "INTERNAL_ERROR", "socketpair failed"));
  }
  ChildCommand command{process.first.args, process.first.env};
  const pid_t pid = spawn(command, dir, fds[1]);
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    return error_response(
        http_error(500, "INTERNAL_ERROR", "Cannot start the context: fork failed"));
  }
  context->pid = pid;
  context->fd = fds[0];
  const std::string id = context->id;
  std::lock_guard<std::mutex> lock(mutex_);
  contexts_[id] = std::move(context);
  return json_response(200, {{"id", id}});
}

void CommandExecutionService::poll(Context& context) {
  if (context.fd >= 0) {
    char buffer[65536];
    while (true) {
      const ssize_t got = ::recv(context.fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (got <= 0) break;
      context.pending.append(buffer, static_cast<std::size_t>(got));
      if (context.pending.size() > kMaxPendingBytes) {
        context.error = "The context's output is too large";
        break;
      }
    }
    std::size_t end;
    while ((end = context.pending.find('\n')) != std::string::npos) {
      const std::string line = context.pending.substr(0, end);
      context.pending.erase(0, end + 1);
      auto message = parse_json(line);
      if (!message || !message->is_object()) continue;
      if (message->value("ready", false)) {
        context.ready = true;
        continue;
      }
      const std::string id = message->value("id", "");
      for (auto& command : context.commands) {
        if (command.id != id || (command.status != "Running" && command.status != "Cancelling"))
          continue;
        const json results = message->value("results", json::object());
        if (results.value("cancelled", false)) {
          command.status = "Cancelled";
        } else {
          command.status = "Finished";
          command.results = results;
        }
      }
    }
  }
  if (context.pid > 0 && context.error.empty()) {
    int status = 0;
    if (::waitpid(context.pid, &status, WNOHANG) == context.pid) {
      context.pid = -1;
      context.error = "The context's Python process exited (see its log under the state folder)";
    }
  }
  if (!context.error.empty()) {
    for (auto& command : context.commands) {
      if (command.status == "Queued" || command.status == "Running" ||
          command.status == "Cancelling") {
        command.status = "Error";
        command.results = error_results(context.error);
      }
    }
    return;
  }
  // Commands run one at a time, in order: the next is sent when none is running, so that
  // one still queued can be cancelled without ever starting.
  if (!context.ready) return;
  for (const auto& command : context.commands) {
    if (command.status == "Running" || command.status == "Cancelling") return;
  }
  for (auto& command : context.commands) {
    if (command.status != "Queued") continue;
    const std::string line = command.request.dump() + "\n";
    std::size_t sent = 0;
    while (sent < line.size()) {
      const ssize_t n = ::send(context.fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    command.status = sent == line.size() ? "Running" : "Error";
    if (command.status == "Error") command.results = error_results("The context is gone");
    return;
  }
}

Result<CommandExecutionService::Context*> CommandExecutionService::find_context(
    const Params& params) {
  auto cluster_id = params.required_string("clusterId");
  if (!cluster_id) return cluster_id.error();
  auto context_id = params.required_string("contextId");
  if (!context_id) return context_id.error();
  auto it = contexts_.find(*context_id);
  if (it == contexts_.end() || it->second->cluster_id != *cluster_id) {
    return invalid_parameter("Context " + *context_id + " does not exist on cluster " +
                             *cluster_id + ".");
  }
  poll(*it->second);
  return it->second.get();
}

Response CommandExecutionService::context_status(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  std::lock_guard<std::mutex> lock(mutex_);
  DBK_ASSIGN_OR_RESPOND(auto* context, find_context(params));
  const std::string status = !context->error.empty() ? "Error"
                             : context->ready        ? "Running"
                                                     : "Pending";
  return json_response(200, {{"id", context->id}, {"status", status}});
}

Response CommandExecutionService::destroy_context(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  std::lock_guard<std::mutex> lock(mutex_);
  DBK_ASSIGN_OR_RESPOND(auto* context, find_context(params));
  const std::string id = context->id;
  close(*context);
  contexts_.erase(id);
  return json_response(200, {{"id", id}});
}

Response CommandExecutionService::execute(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto text, params.required_string("command"));
  if (text.size() > kMaxCommandBytes) {
    return error_response(invalid_parameter("The command is larger than 10 MB"));
  }
  auto language = language_of(params, false);
  std::lock_guard<std::mutex> lock(mutex_);
  DBK_ASSIGN_OR_RESPOND(auto* context, find_context(params));
  if (!context->error.empty()) {
    return error_response(
        http_error(400, "INVALID_STATE",
                   "Context " + context->id + " is in an error state: " + context->error));
  }
  Command command;
  command.id = next_id();
  if (!language && language.error().message.find("not supported") != std::string::npos) {
    // A language the emulator cannot run: the command fails, saying so.
    command.status = "Finished";
    command.results = error_results(language.error().message);
  } else if (!language) {
    return error_response(language.error());
  } else {
    command.request = {{"id", command.id}, {"language", *language}, {"command", text}};
  }
  const std::string id = command.id;
  context->commands.push_back(std::move(command));
  poll(*context);
  return json_response(200, {{"id", id}});
}

Response CommandExecutionService::command_status(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto command_id, params.required_string("commandId"));
  std::lock_guard<std::mutex> lock(mutex_);
  DBK_ASSIGN_OR_RESPOND(auto* context, find_context(params));
  for (const auto& command : context->commands) {
    if (command.id != command_id) continue;
    nlohmann::ordered_json body;
    body["id"] = command.id;
    body["status"] = command.status;
    if (command.status == "Finished" || command.status == "Error") {
      body["results"] = nlohmann::ordered_json::parse(command.results.dump());
    }
    return json_response(200, body);
  }
  return error_response(invalid_parameter("Command " + command_id + " does not exist."));
}

Response CommandExecutionService::cancel(const Request& request) {
  DBK_ASSIGN_OR_RESPOND(auto params, Params::from_request(request));
  DBK_ASSIGN_OR_RESPOND(auto command_id, params.required_string("commandId"));
  std::lock_guard<std::mutex> lock(mutex_);
  DBK_ASSIGN_OR_RESPOND(auto* context, find_context(params));
  for (auto& command : context->commands) {
    if (command.id != command_id) continue;
    if (command.status == "Queued") {
      command.status = "Cancelled";
      command.results = nullptr;
    } else if (command.status == "Running" && context->pid > 0) {
      command.status = "Cancelling";
      ::kill(context->pid, SIGINT);  // KeyboardInterrupt in the running command only
    }
    return json_response(200, {{"id", command.id}});
  }
  return error_response(invalid_parameter("Command " + command_id + " does not exist."));
}

}  // namespace dbk::emulator
