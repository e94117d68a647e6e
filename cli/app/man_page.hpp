#pragma once

#include <string>

namespace dbk::cli {

/// The dbk(1) manual page in roff (man(7) macros), rendered from the command table and the
/// shared help texts, so it always says what `dbk --help` and docs/cli.md say. The build
/// writes it with `dbk docs --format man`; the install ships it as man1/dbk.1.gz.
std::string man_page();

/// `text` as roff body text: backslashes, hyphens and line-leading dots escaped, and
/// `code` spans (Markdown backticks, used in the table's texts) set in bold.
std::string roff_text(const std::string& text);

}  // namespace dbk::cli
