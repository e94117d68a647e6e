// `dbk emulator`: serves a local Databricks workspace emulator until SIGINT/SIGTERM.
#include <cstdlib>
#include <iostream>

#include "app/command_table.hpp"
#include "app/exit_codes.hpp"
#include "app/invocation.hpp"
#include "dbk/emulator/emulator.hpp"
#include "util/json_args.hpp"

namespace dbk::cli {
namespace {

constexpr const char* kTokenVariable = "DBK_EMULATOR_TOKEN";

// --token is visible to every local user in the process list, so the token may also come
// from a file (--token-file) or the environment (DBK_EMULATOR_TOKEN); one source only.
Result<std::string> emulator_token(const Invocation& inv) {
  auto inline_token = inv.value("token");
  auto file = inv.value("token-file");
  if (inline_token && file) {
    return usage_error("Give the token with --token or --token-file, not both.");
  }
  std::string token;
  if (inline_token) {
    token = *inline_token;
  } else if (file) {
    auto text = read_text_file(*file);
    if (!text) return usage_error("Cannot read the token file " + *file + ".");
    token = std::move(*text);
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    if (token.empty()) return usage_error("The token file " + *file + " is empty.");
  } else if (const char* env = std::getenv(kTokenVariable); env != nullptr) {
    token = env;
  }
  if (token.find_first_of("\r\n") != std::string::npos) {
    return usage_error("The emulator token must be one line.");
  }
  return token;
}

CommandStatus run_emulator(Invocation& inv) {
  emulator::EmulatorOptions options;
  if (auto host = inv.value("host")) options.host = *host;
  auto port = inv.int_value("port");
  if (!port) return port.error();
  if (*port && (**port < 0 || **port > 65535)) {
    return usage_error("Invalid value for '--port': give 0 (any free port) to 65535.");
  }
  if (*port) options.port = static_cast<int>(**port);
  auto threads = inv.int_value("threads");
  if (!threads) return threads.error();
  if (*threads && (**threads < 0 || **threads > 1024)) {
    return usage_error("Invalid value for '--threads': give 1 to 1024 (0 = automatic).");
  }
  if (*threads) options.threads = static_cast<int>(**threads);
  if (auto state = inv.value("state")) options.state_dir = *state;
  auto token = emulator_token(inv);
  if (!token) return token.error();
  options.token = std::move(*token);
  if (auto cert = inv.value("tls-cert")) options.tls_cert_file = *cert;
  if (auto key = inv.value("tls-key")) options.tls_key_file = *key;
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return usage_error("--tls-cert and --tls-key must be given together.");
  }
  if (auto url = inv.value("external-url")) options.external_url = *url;
  if (auto master = inv.value("spark-master")) options.spark_master = *master;
  if (auto python = inv.value("python")) options.python = *python;

  auto started = emulator::Emulator::start(options);
  if (!started) return started.error();
  auto& server = *started;
  // One line, flushed: scripts and tests read the URL (with the real port) from here.
  inv.out() << server->base_url() << std::endl;
  server->wait(true);
  server->stop();
  return exit_codes::kOk;
}

}  // namespace

void add_emulator_commands(std::vector<CommandSpec>& table) {
  auto spec = command("emulator", "",
                      "Serve a local emulator of a Databricks workspace until SIGINT/SIGTERM.",
                      run_emulator);
  spec.description =
      "Prints the base URL (one line) on stdout once listening. --port 0 picks a free port. "
      "Without --token or --token-file the token comes from DBK_EMULATOR_TOKEN when it is "
      "set; without any token only local requests from non-browser clients are served "
      "(docs/security.md).";
  spec.options = {
      value("host", 0, "HOST", "Address to listen on (default 127.0.0.1)."),
      value("port", 0, "PORT", "Port to listen on; 0 = any free port (default 8080)."),
      value("state", 0, "DIR", "Folder for durable state (default: a temporary folder)."),
      value("token", 0, "TOKEN",
            "Require this bearer token on every API request (visible in the process list; "
            "prefer --token-file or DBK_EMULATOR_TOKEN)."),
      value("token-file", 0, "FILE", "Read the token from the first line of FILE."),
      value("tls-cert", 0, "FILE", "PEM certificate; with --tls-key, serve HTTPS."),
      value("tls-key", 0, "FILE", "PEM private key for --tls-cert."),
      value("external-url", 0, "URL", "Base of returned URLs such as run_page_url."),
      value("spark-master", 0, "URL", "Spark master for notebook tasks (default local[*])."),
      value("python", 0, "PATH", "Python interpreter of the notebook runtime."),
      value("threads", 0, "N", "Server threads (default: automatic)."),
  };
  spec.accepts_output = false;
  table.push_back(std::move(spec));
}

}  // namespace dbk::cli
