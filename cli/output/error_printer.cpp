#include "output/error_printer.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

#include "app/invocation.hpp"
#include "output/json_printer.hpp"
#include "output/terminal_text.hpp"

namespace dbk::cli {
namespace {

// Keeps every error on one line, whatever the server put in its message.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace

std::string error_text(const ApiError& error, const std::string& program) {
  std::string text;
  if (error.error_code == kUsageErrorCode) {
    text = "Error: " + error.message;
  } else {
    text = "Error: " + error.to_string();
  }
  if (error.error_code == error_codes::kConfigError &&
      error.message.find("host") != std::string::npos) {
    // The legacy CLI's advice (docs/reference/rest-api.md §4.3), naming our command.
    text += " (run `" + program + " configure` or set DATABRICKS_HOST and DATABRICKS_TOKEN)";
  }
  return terminal_safe(one_line(text));  // the message is the server's: no escape sequences
}

std::string error_json(const ApiError& error) {
  nlohmann::ordered_json object;
  object["error_code"] = error.error_code;
  object["message"] = one_line(error.message);
  object["http_status"] = error.http_status;
  object["method"] = error.method;
  object["path"] = error.path;
  return to_python_json(object);
}

void print_error(std::ostream& err, const ApiError& error, const std::string& program, bool json) {
  err << (json ? error_json(error) : error_text(error, program)) << '\n';
  err.flush();
}

}  // namespace dbk::cli
