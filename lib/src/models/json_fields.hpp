#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbk/api_error.hpp"
#include "dbk/result.hpp"

namespace dbk::detail {

// Tolerant readers for server objects: a missing key or a value of another type
// leaves the default, so an unexpected response never throws out of a parser.

inline std::string string_field(const nlohmann::ordered_json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

inline std::optional<std::string> optional_string_field(const nlohmann::ordered_json& j,
                                                        const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

inline std::optional<std::int64_t> optional_int_field(const nlohmann::ordered_json& j,
                                                      const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_number_float()) return static_cast<std::int64_t>(it->get<double>());
  return std::nullopt;
}

inline std::int64_t int_field(const nlohmann::ordered_json& j, const char* key) {
  return optional_int_field(j, key).value_or(0);
}

inline double double_field(const nlohmann::ordered_json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

inline bool bool_field(const nlohmann::ordered_json& j, const char* key) {
  if (!j.is_object()) return false;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

/// The object under `key`, or null when absent or not an object.
inline const nlohmann::ordered_json& object_field(const nlohmann::ordered_json& j,
                                                  const char* key) {
  static const nlohmann::ordered_json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kNull;
}

/// Elements of the array under `key`; a missing key means empty (see
/// docs/reference/rest-api.md §1: lists omit the key when empty). Non-object elements are dropped.
template <typename T>
std::vector<T> list_field(const nlohmann::ordered_json& j, const char* key) {
  std::vector<T> out;
  if (!j.is_object()) return out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  out.reserve(it->size());
  for (const auto& element : *it) {
    if (!element.is_object()) continue;
    T value;
    from_json(element, value);
    out.push_back(std::move(value));
  }
  return out;
}

/// Parses a whole response into T, or INVALID_RESPONSE when it is not an object.
template <typename T>
Result<T> parse_object(const nlohmann::ordered_json& j, const char* what) {
  if (!j.is_object()) {
    return make_error(error_codes::kInvalidResponse,
                      std::string("expected a JSON object for ") + what + ", got " + j.type_name());
  }
  T value;
  from_json(j, value);
  return value;
}

}  // namespace dbk::detail
