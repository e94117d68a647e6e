#include "app/man_page.hpp"

#include <cstdint>
#include <cstdio>
#include <sstream>

#include "app/command_table.hpp"
#include "app/help.hpp"
#include "dbk/version.hpp"

namespace dbk::cli {
namespace {

// A roff line beginning with '.' or '\'' would be read as a request: \& neutralises it.
std::string guard_line_starts(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    out += c;
    line_start = c == '\n';
  }
  return out;
}

// groff reads its input as Latin-1 bytes: a UTF-8 character must go in as its code point,
// \[uXXXX]. Returns the bytes consumed at `i` (1 for a byte that starts no valid sequence,
// written as '?').
std::size_t append_unicode_escape(const std::string& text, std::size_t i, std::string& out) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  const std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (length == 0 || length > 4 || i + length > text.size()) {
    out += '?';
    return 1;
  }
  std::uint32_t code = lead & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      out += '?';
      return 1;
    }
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  char escape[16];
  std::snprintf(escape, sizeof escape, "\\[u%04X]", static_cast<unsigned>(code));
  out += escape;
  return length;
}

void tagged(std::ostream& out, const std::string& tag, const std::string& text) {
  out << ".TP\n.B " << roff_text(tag) << "\n" << roff_text(text) << "\n";
}

}  // namespace

std::string roff_text(const std::string& text) {
  std::string out;
  bool in_code = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      i += append_unicode_escape(text, i, out) - 1;
    } else if (c == '`') {
      out += in_code ? "\\fR" : "\\fB";
      in_code = !in_code;
    } else if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  if (in_code) out += "\\fR";  // an unpaired backtick must not leave the rest in bold
  return guard_line_starts(out);
}

std::string man_page() {
  std::ostringstream out;
  // No date in .TH: the page is the same for every build of one version.
  out << ".TH DBK 1 \"\" \"dbk " << DBK_VERSION << "\" \"User Commands\"\n"
      << ".SH NAME\n"
      << "dbk, databricks, dbfs \\- client for the Databricks Workspace, DBFS, Jobs and "
         "Clusters REST APIs\n"
      << ".SH SYNOPSIS\n"
      << ".B dbk\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...\n.br\n"
      << ".B databricks\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...\n.br\n"
      << ".B dbfs\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...\n"
      << ".SH DESCRIPTION\n"
      << roff_text(
             "dbk is compatible with databricks-cli 0.18: run it as `dbk`, or through the "
             "`databricks` and `dbfs` links installed next to it (`dbfs ARGS` is `dbk fs ARGS`). "
             "Errors go to stderr, JSON to stdout. `dbk COMMAND --help` shows a command's "
             "options; `dbk emulator` serves a local emulator of a Databricks workspace and "
             "`dbk score` scores a Spark ML model natively.")
      << "\n.SH OPTIONS\nAccepted before the command group, after it and after the command.\n";
  for (const auto& [label, help] : global_option_rows()) tagged(out, label, help);

  out << ".SH COMMANDS\n";
  for (const auto& group : visible_command_groups()) {
    out << ".SS " << roff_text(group.name) << "\n"
        << roff_text(group.spec ? group.spec->summary : std::string()) << "\n";
    for (const CommandSpec* listed : group.commands) {
      const CommandSpec& command = *listed;
      std::string summary = command.summary;
      if (!command.aliases.empty()) {
        summary += " Aliases:";
        for (const auto& alias : command.aliases) summary += " `" + alias + "`";
        summary += ".";
      }
      tagged(out, usage_line("dbk", command), summary);
      if (!command.description.empty()) out << ".IP\n" << roff_text(command.description) << "\n";
      out << ".RS\n";
      for (const auto& p : command.positionals) {
        tagged(out, p.name, p.help + (p.required ? "" : " (optional)"));
      }
      for (const auto& option : command.options) {
        if (!option.hidden) tagged(out, option_label(option), option_reference_help(option));
      }
      out << ".RE\n";
    }
  }

  out << ".SH EXIT STATUS\n.nf\n"
      << roff_text(exit_codes_text()) << ".fi\n"
      << ".SH FILES\n"
      << ".TP\n.I ~/.databrickscfg\n"
      << roff_text("Connection profiles (host, token), written by `dbk configure`.") << "\n"
      << ".SH SEE ALSO\n"
      << roff_text(
             "The full reference with examples is docs/cli.md in the dbk sources "
             "(`dbk docs` prints it). Shell completion: `dbk completion bash` or "
             "`dbk completion zsh`.")
      << "\n";
  return out.str();
}

}  // namespace dbk::cli
