#pragma once

#include "dbk/result.hpp"
#include "http/response.hpp"

namespace dbk::emulator {

/// The answer to a request that returns nothing: `{}` on success, else the error.
inline Response status_response(const Status& status) {
  return status ? empty_response() : error_response(status.error());
}

}  // namespace dbk::emulator
