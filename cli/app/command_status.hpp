#pragma once

#include <optional>
#include <string>

#include "dbk/api_error.hpp"
#include "dbk/result.hpp"

namespace dbk::cli {

/// How a command handler ended. Handlers print their results but never their errors:
/// they return the error, and run_command (app/runner.hpp) prints it (text, or JSON
/// under -o json) and maps it to the exit code, so every command fails the same way.
class [[nodiscard]] CommandStatus {
 public:
  /// Success (0), or an exit code whose reason the handler has already printed,
  /// e.g. 3 after printing a run that ended in FAILED.
  CommandStatus(int exit_code = 0) : exit_code_(exit_code) {}  // NOLINT: implicit by design
  /// An error for run_command to print; the exit code follows from it (exit_code_for).
  CommandStatus(ApiError error) : error_(std::move(error)) {}  // NOLINT: implicit by design
  /// Success (0) or the status's error.
  CommandStatus(const Status& status) {  // NOLINT: implicit by design
    if (!status) error_ = status.error();
  }
  /// The same status ending with `code` instead, e.g. 130 for an error caused by Ctrl-C.
  CommandStatus with_exit_code(int code) && {
    exit_code_ = code;
    exit_code_fixed_ = true;
    return std::move(*this);
  }
  /// The same status with a closing line for stderr, printed after the error if any.
  CommandStatus with_note(std::string note) && {
    note_ = std::move(note);
    return std::move(*this);
  }

  bool ok() const { return !error_ && exit_code_ == 0; }
  const std::optional<ApiError>& error() const { return error_; }
  /// A line for stderr after the error; empty for none.
  const std::string& note() const { return note_; }
  int exit_code() const;

 private:
  int exit_code_ = 0;
  std::optional<ApiError> error_;
  std::string note_;
  bool exit_code_fixed_ = false;
};

}  // namespace dbk::cli
