#pragma once
// What the `unity-catalog` command files share (docs/compatibility.md, "Unity Catalog").

#include <string>
#include <vector>

#include "app/command_spec.hpp"
#include "app/invocation.hpp"
#include "dbk/unity_catalog.hpp"

namespace dbk::cli::uc {

using Json = nlohmann::ordered_json;

inline constexpr const char* kGroup = "unity-catalog";

/// Prints a command's answer as legacy does (json.dumps, indent 2).
CommandStatus print_result(Invocation& inv, const Result<Json>& result);

// Commands that call one method of the API and print its answer: without an argument, with
// one required option, or with one required option and a --json/--json-file body.
using NoArg = Result<Json> (UnityCatalogApi::*)(const CallContext&) const;
using OneArg = Result<Json> (UnityCatalogApi::*)(const std::string&, const CallContext&) const;
using WithBody = Result<Json> (UnityCatalogApi::*)(const std::string&, const Json&,
                                                   const CallContext&) const;
Handler printing(NoArg call);
Handler printing(const char* option, OneArg call);
Handler updating(const char* option, WithBody call);

/// One command under its sub-group (`catalogs create`) and, hidden, under legacy's older
/// verb-noun name (`create-catalog`), unless `legacy_verb` is empty.
void add(std::vector<CommandSpec>& table, const std::string& sub_group, const std::string& verb,
         const std::string& legacy_verb, const std::string& summary, Handler handler,
         std::vector<OptionSpec> options);

/// The flags most updates share, as the request fields: --new-name (as `new_name`),
/// --comment and --owner, each only when given.
Json rename_comment_owner(const Invocation& inv);

/// The request built from a command's flags, or else its --json/--json-file body; both is
/// a usage error (legacy: "Cannot specify JSON if any other ... flags are specified").
Result<Json> flags_or_json(const Invocation& inv, Json from_flags);

}  // namespace dbk::cli::uc

namespace dbk::cli {
/// `unity-catalog storage-credentials` and `external-locations`.
void add_uc_storage_commands(std::vector<CommandSpec>& table);
/// `unity-catalog permissions`.
void add_uc_permissions_commands(std::vector<CommandSpec>& table);
/// `unity-catalog catalogs get-bindings/update-bindings` and `lineage`.
void add_uc_lineage_binding_commands(std::vector<CommandSpec>& table);
/// `unity-catalog shares`.
void add_uc_shares_commands(std::vector<CommandSpec>& table);
/// `unity-catalog recipients`, `providers` and the share permission commands.
void add_uc_sharing_commands(std::vector<CommandSpec>& table);
}  // namespace dbk::cli
