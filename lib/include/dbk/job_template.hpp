#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "dbk/result.hpp"

namespace dbk {

/// Job spec templates (jobs/README.md): valid JSON whose strings may hold `{{name}}`
/// placeholders. Kept as text, not parsed, so that a template renders to exactly the
/// file with only the placeholders replaced.

/// The placeholder names in `text`, in order of first appearance, without duplicates.
/// A placeholder is `{{` name `}}` with whatever lies between the braces as the name,
/// so a malformed one (`{{ cluster id }}`) is still reported rather than left behind.
std::vector<std::string> job_template_placeholders(std::string_view text);

/// Replaces every `{{name}}` by `values.at(name)`, JSON-escaped (the value lands inside a
/// JSON string, so quotes, backslashes and control characters must not end it or break
/// the document). Values are inserted once: a value that itself contains `{{...}}` is not
/// expanded again. Fails with INVALID_ARGUMENT naming every placeholder that has no value;
/// an unterminated `{{` is an error too. Keys of `values` that the text does not use are
/// ignored, so one set of values can render all the templates of a pipeline.
Result<std::string> render_job_template(std::string_view text,
                                        const std::map<std::string, std::string>& values);

}  // namespace dbk
