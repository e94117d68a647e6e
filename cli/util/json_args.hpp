#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dbk/result.hpp"

namespace dbk::cli {

/// Parses the value of a JSON-taking flag: inline JSON or `@file.json`.
/// Windows-style escaped quotes (`{\"a\":\"b\"}`, docs/reference/rest-api.md §6.5 and the seed
/// README) are accepted. Malformed JSON is a usage error naming line and column.
Result<nlohmann::ordered_json> parse_json_argument(const std::string& text,
                                                   const std::string& flag_name);

/// Reads a whole file (for --json-file); an I/O error value whose message names the
/// file and why (e.g. "'x' is a directory") when it cannot.
Result<std::string> read_text_file(const std::string& path);

/// Parses JSON text from `source` (a file name or flag) with line/column errors;
/// nesting deeper than dbk::kMaxJsonDepth is a usage error.
Result<nlohmann::ordered_json> parse_json_text(const std::string& text, const std::string& source);

/// `parsed` when it failed or is an object; else a usage error naming `source`:
/// every request body given with --json/--json-file is a JSON object.
Result<nlohmann::ordered_json> require_json_object(Result<nlohmann::ordered_json> parsed,
                                                   const std::string& source);

/// Notebook-style parameters: one JSON object (inline or @file), and/or
/// repeated KEY=VALUE pairs. Non-string JSON values become their JSON text.
Result<std::map<std::string, std::string>> parse_string_map(const std::vector<std::string>& values,
                                                            const std::string& flag_name);

/// A JSON array of strings (jar/python/spark-submit params), inline or @file.
Result<std::vector<std::string>> parse_string_list(const std::string& text,
                                                   const std::string& flag_name);

}  // namespace dbk::cli
