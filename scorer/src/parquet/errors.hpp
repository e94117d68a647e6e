#pragma once

// Errors of the Parquet reader's decoding steps. Each step returns a dbk::Status whose message
// says what is malformed; read_parquet (parquet_file.cpp) puts the file's name and the place
// (row group, column) in front.

#include <string>

#include "dbk/result.hpp"
#include "dbk/scorer/parquet.hpp"

namespace dbk::scorer::parquet {

/// Malformed or unreadable input: PARQUET_CORRUPT with `what` as the message.
inline ApiError malformed(std::string what) {
  return make_error(error_codes::kParquetCorrupt, std::move(what));
}

/// `error` with `context` put in front of its message ("dictionary page: ...").
inline ApiError within(const std::string& context, ApiError error) {
  error.message = context + error.message;
  return error;
}

}  // namespace dbk::scorer::parquet
