#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace dbk::cli {

/// Python's `json.dumps(value, indent=2)` byte for byte (docs/reference/rest-api.md §5.2):
/// two-space indent, ", "/": " separators, `[]`/`{}` for empty containers, non-ASCII and control
/// characters as lower-case \uXXXX (surrogate pairs above U+FFFF), floats in repr() form. No
/// trailing newline.
std::string to_python_json(const nlohmann::ordered_json& value);
std::string to_python_json(const nlohmann::json& value);

/// Python's `json.dumps(value)` with its default separators (", " and ": "), on one line.
std::string to_python_json_compact(const nlohmann::ordered_json& value);

/// Python's repr() of a finite or non-finite double ("1.0", "1e+16", "NaN", "Infinity").
std::string python_float_repr(double number);

/// Python's repr() of the value json.loads would make of `value` ({'a': [1, True, None]}):
/// how the legacy CLI's tables print a JSON object in a cell.
std::string python_repr(const nlohmann::ordered_json& value);

}  // namespace dbk::cli
