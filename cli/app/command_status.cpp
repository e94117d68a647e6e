#include "app/command_status.hpp"

#include "app/exit_codes.hpp"
#include "app/invocation.hpp"

namespace dbk::cli {

int exit_code_for(const ApiError& error) {
  if (error.error_code == kUsageErrorCode) return exit_codes::kUsage;
  if (error.is_transport_error() && error.error_code == error_codes::kTimeout) {
    return exit_codes::kTimedOut;
  }
  if (error.is_transport_error() && error.error_code == error_codes::kCancelled) {
    return exit_codes::kInterrupted;
  }
  return exit_codes::kError;
}

int CommandStatus::exit_code() const {
  if (error_ && !exit_code_fixed_) return exit_code_for(*error_);
  return exit_code_;
}

}  // namespace dbk::cli
