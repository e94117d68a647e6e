#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbk/result.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace dbk::emulator {

/// The SCIM 2.0 protocol parts the identity endpoints share (RFC 7644 as the service
/// serves it; docs/emulator.md, "SCIM"): error bodies, list queries and PATCH paths.

/// A SCIM error: `status` with `scim_type` (RFC 7644 §3.12: invalidFilter, invalidValue,
/// invalidPath, invalidSyntax, uniqueness, mutability; "" for none) and `detail`.
ApiError scim_error(int status, const std::string& scim_type, std::string detail);
/// The SCIM error body {"schemas": [...Error], "detail", "status": "<code>", "scimType"?}
/// for any error a SCIM handler met (those built by scim_error carry their scimType).
Response scim_error_response(const ApiError& error);

/// In a SCIM handler: like DBK_ASSIGN_OR_RESPOND, answering in the SCIM error shape.
#define DBK_SCIM_ASSIGN_OR_RESPOND(lhs, expr) \
  DBK_SCIM_ASSIGN_IMPL(DBK_RESPOND_CONCAT(dbk_scim_, __LINE__), lhs, expr)
#define DBK_SCIM_ASSIGN_IMPL(tmp, lhs, expr)                               \
  auto tmp = (expr);                                                       \
  if (!tmp.ok()) return ::dbk::emulator::scim_error_response(tmp.error()); \
  lhs = std::move(*tmp)

/// A parsed `filter` expression: comparisons (eq, ne, co, sw, ew, gt, ge, lt, le, pr) joined
/// by `and` / `or` (and binds tighter), without parentheses, as the service documents.
class ScimFilter {
 public:
  /// 400 invalidFilter for anything else.
  static Result<ScimFilter> parse(const std::string& text);
  /// Whether a rendered resource matches. Attribute names are case-insensitive; string
  /// comparisons too (the attributes filtered on are case-insensitive in SCIM's schemas);
  /// a multi-valued attribute (emails.value, groups.display) matches when any value does.
  bool matches(const nlohmann::json& resource) const;

 private:
  struct Comparison {
    std::string path;
    std::string op;
    nlohmann::json value;
  };
  std::vector<std::vector<Comparison>> any_of_;  ///< OR of ANDs
};

/// GET on a SCIM collection: filter, sortBy/sortOrder, startIndex/count, attributes /
/// excludedAttributes applied to the rendered resources (in id order), answered as a
/// ListResponse. Errors in the query are SCIM 400s.
Response scim_list_response(const Request& request, std::vector<nlohmann::json> resources);

/// The value of an attribute by case-insensitive name in a JSON object, or null.
const nlohmann::json* scim_attribute(const nlohmann::json& object, const std::string& name);

/// A PATCH operation's target: `attribute` (lower-cased, e.g. "groups", "name.givenname")
/// and, for `attr[value eq "x"]`, the selected value.
struct ScimPatchPath {
  std::string attribute;
  std::optional<std::string> selected_value;
};
/// 400 invalidPath for a path the service does not take.
Result<ScimPatchPath> parse_patch_path(const std::string& path);

/// Lower-cased ASCII copy.
std::string scim_lower(std::string text);

}  // namespace dbk::emulator
