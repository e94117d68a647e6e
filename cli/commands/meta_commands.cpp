// `dbk completion` and the hidden `dbk docs` (Markdown or man page), all generated from the
// command table.
#include <strings.h>

#include <map>
#include <set>
#include <sstream>

#include "app/command_table.hpp"
#include "app/exit_codes.hpp"
#include "app/help.hpp"
#include "app/invocation.hpp"
#include "app/man_page.hpp"

namespace dbk::cli {
namespace {

std::string words(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& w : list) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::vector<std::string> option_words(const CommandSpec& command) {
  std::vector<std::string> out;
  for (const auto& option : command.options) {
    if (option.hidden) continue;
    out.push_back("--" + option.long_name);
    if (option.short_name) out.push_back(std::string("-") + option.short_name);
  }
  for (const char* global : {"--profile", "--debug", "--help"}) out.push_back(global);
  if (command.accepts_output) out.push_back("--output");
  return out;
}

// " group:sub " for every sub-group of two-word verbs (" unity-catalog:catalogs ... ").
std::string sub_group_words() {
  std::set<std::string> subs;
  for (const auto& command : command_table()) {
    const auto space = command.verb.find(' ');
    if (space != std::string::npos)
      subs.insert(command.group + ":" + command.verb.substr(0, space));
  }
  std::string out = " ";
  for (const auto& sub : subs) out += sub + " ";
  return out;
}

std::string bash_script() {
  std::ostringstream out;
  out << "# bash completion for dbk (generated from its command table)\n"
      << "_dbk_complete() {\n"
      << "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" group=\"\" verb=\"\" i w\n"
      << "  local prog=\"${COMP_WORDS[0]##*/}\"\n"
      << "  local start=1\n"
      << "  local sub_groups=\"" << sub_group_words() << "\"\n"
      << "  [[ \"$prog\" == dbfs ]] && group=fs\n"
      << "  for ((i = start; i < COMP_CWORD; i++)); do\n"
      << "    w=\"${COMP_WORDS[i]}\"\n"
      << "    [[ \"$w\" == -* ]] && continue\n"
      << "    if [[ -z \"$group\" ]]; then group=\"$w\"; elif [[ -z \"$verb\" ]]; then "
         "verb=\"$w\"; "
         "elif [[ \"$sub_groups\" == *\" $group:$verb \"* ]]; then verb=\"$verb $w\"; "
         "fi\n"
      << "  done\n"
      << "  local candidates=\"\"\n"
      << "  case \"$group\" in\n";
  std::vector<std::string> groups;
  for (const auto& group : group_table()) {
    if (!group.hidden) groups.push_back(group.name);
  }
  out << "    \"\") candidates=\"" << words(groups) << " --help --version --profile --debug "
      << "--output\" ;;\n";
  std::map<std::string, std::vector<const CommandSpec*>> by_group;
  for (const auto& command : command_table()) {
    if (!command.hidden) by_group[command.group].push_back(&command);
  }
  for (const auto& [group, commands] : by_group) {
    out << "    " << group << ")\n";
    if (commands.size() == 1 && commands.front()->verb.empty()) {
      out << "      candidates=\"" << words(option_words(*commands.front())) << "\" ;;\n";
      continue;
    }
    // Two-word verbs (`catalogs create`) offer their first word, then the second.
    std::vector<std::string> verbs;
    std::map<std::string, std::vector<std::string>> sub_verbs;
    for (const auto* command : commands) {
      const auto space = command->verb.find(' ');
      if (space != std::string::npos) {
        auto& seconds = sub_verbs[command->verb.substr(0, space)];
        if (seconds.empty()) verbs.push_back(command->verb.substr(0, space));
        seconds.push_back(command->verb.substr(space + 1));
        continue;
      }
      verbs.push_back(command->verb);
      for (const auto& alias : command->aliases) verbs.push_back(alias);
    }
    out << "      case \"$verb\" in\n"
        << "        \"\") candidates=\"" << words(verbs) << "\" ;;\n";
    for (const auto& [sub_group, seconds] : sub_verbs) {
      out << "        \"" << sub_group << "\") candidates=\"" << words(seconds) << "\" ;;\n";
    }
    for (const auto* command : commands) {
      std::string pattern = "\"" + command->verb + "\"";
      for (const auto& alias : command->aliases) pattern += "|\"" + alias + "\"";
      out << "        " << pattern << ") candidates=\"" << words(option_words(*command))
          << "\" ;;\n";
    }
    out << "      esac ;;\n";
  }
  out << "  esac\n"
      << "  if [[ \"$cur\" == -* || -z \"$verb\" || \"$sub_groups\" == *\" $group:$verb \"* ]]; "
         "then\n"
      << "    COMPREPLY=($(compgen -W \"$candidates\" -- \"$cur\"))\n"
      << "  else\n"
      << "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      << "  fi\n"
      << "}\n"
      << "complete -o default -F _dbk_complete dbk databricks dbfs\n";
  return out.str();
}

CommandStatus completion(Invocation& inv) {
  std::string shell = *inv.arg("SHELL");
  if (shell == "bash") {
    inv.out() << bash_script();
  } else if (shell == "zsh") {
    // zsh runs the bash completion through its bashcompinit layer. The same text works
    // sourced (eval "$(dbk completion zsh)") and installed as _dbk in $fpath, where compinit
    // autoloads it as the completion function itself: then it also completes this first call.
    inv.out() << "#compdef dbk databricks dbfs\n"
              << "autoload -U +X bashcompinit && bashcompinit\n"
              << bash_script()
              << "if [[ \"${funcstack[1]}\" == _dbk ]]; then _bash_complete -o default -F "
                 "_dbk_complete; fi\n";
  } else {
    return usage_error("Unsupported shell '" + shell + "': use bash or zsh.");
  }
  return exit_codes::kOk;
}

std::string md_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else
      out += c;
  }
  return out;
}

CommandStatus docs(Invocation& inv) {
  // The parser has checked the value against the choices, case-insensitively.
  auto format = inv.value("format");
  if (format && ::strcasecmp(format->c_str(), "man") == 0) {
    inv.out() << man_page();
    return exit_codes::kOk;
  }
  std::ostringstream out;
  out << "# dbk command reference\n\n"
      << "<!-- Generated by `dbk docs` from the command table (cli/commands/*.cpp). "
         "Do not edit by hand. -->\n\n"
      << "`dbk` is a drop-in replacement for databricks-cli 0.18: run it as `dbk`, or through "
         "the `databricks` and `dbfs` symlinks installed next to it (`dbfs ARGS` = `dbk fs ARGS`). "
         "See [compatibility.md](compatibility.md) for the intentional differences.\n\n"
      << "## Global options\n\nAccepted before the group, after it, and after the command.\n\n"
      << "| Option | Meaning |\n|---|---|\n";
  for (const auto& [label, help] : global_option_rows()) {
    out << "| `" << label << "` | " << md_escape(help) << " |\n";
  }
  out << "\nOn jobs and runs commands, `--version 2.0|2.1` selects the Jobs API version "
         "(as in databricks-cli). Without it, the version is DATABRICKS_JOBS_API_VERSION or "
         "the profile's `jobs-api-version`, else 2.1 for `dbk` and 2.0 (with databricks-cli's "
         "upgrade warning on stderr) for `databricks`, so legacy scripts print the same. List "
         "commands list everything, following the API's pages, unless given `--offset` or "
         "`--limit`. In workspace import/export and configure, `-o` keeps its "
         "legacy meaning (`--overwrite`, `--oauth`), so use `--output` there.\n\n"
      << "## Exit codes\n\n```\n"
      << exit_codes_text() << "```\n\n"
      << "Errors are one line on stderr: `Error: CODE: message (HTTP 404, GET /api/2.0/...)`. "
         "With `-o json` an API error is a JSON object on stderr with `error_code`, `message`, "
         "`http_status`, `method` and `path`.\n\n"
      << "## Waiting for runs\n\n"
      << "`jobs run-now --wait` and `runs submit --wait` poll the run until it ends. Progress "
         "(state changes with elapsed time and the run page URL) goes to stderr: a live status "
         "line when stderr is a terminal and neither `NO_COLOR` nor `TERM=dumb` is set, plain "
         "lines otherwise. The final run is printed as JSON on stdout. `--timeout DURATION` "
         "(90s, 20m, 2h) gives up with exit 4. Ctrl-C or SIGTERM stops the wait at once, also "
         "while a poll is in flight or being retried: on a terminal dbk then asks `Cancel run N? "
         "[y/N]`, with `--cancel-on-interrupt` it cancels without asking, and otherwise leaves "
         "the run running; either way the exit code is 130. The cancel gets at most 5 seconds, "
         "retries included (a second Ctrl-C abandons it); when it fails, dbk says so and prints "
         "the `dbk runs cancel` command to finish the job. `fs cp`, `workspace import_dir` and "
         "`workspace export_dir` also stop on Ctrl-C or SIGTERM: no new file starts, requests in "
         "flight end, temporary files are removed, and the exit code is 130.\n\n"
      << "## Commands\n";
  for (const auto& group : visible_command_groups()) {
    out << "\n### " << group.name << "\n\n" << (group.spec ? group.spec->summary : "") << "\n";
    for (const CommandSpec* listed : group.commands) {
      const CommandSpec& command = *listed;
      out << "\n#### `" << usage_line("dbk", command) << "`\n\n" << command.summary << "\n";
      if (!command.aliases.empty()) {
        out << "\nAliases: ";
        for (std::size_t i = 0; i < command.aliases.size(); ++i) {
          out << (i ? ", " : "") << "`" << command.aliases[i] << "`";
        }
        out << "\n";
      }
      if (!command.description.empty()) out << "\n" << command.description << "\n";
      if (!command.positionals.empty() || !command.options.empty()) {
        out << "\n| Argument / option | Meaning |\n|---|---|\n";
        for (const auto& p : command.positionals) {
          out << "| `" << p.name << "`" << (p.required ? "" : " (optional)") << " | "
              << md_escape(p.help) << " |\n";
        }
        for (const auto& option : command.options) {
          if (option.hidden) continue;
          out << "| `" << option_label(option) << "` | " << md_escape(option_reference_help(option))
              << " |\n";
        }
      }
    }
  }
  inv.out() << out.str();
  return exit_codes::kOk;
}

}  // namespace

void add_meta_commands(std::vector<CommandSpec>& table) {
  auto spec =
      command("completion", "", "Print a shell completion script: eval \"$(dbk completion bash)\".",
              completion);
  spec.positionals = {positional("SHELL", "bash or zsh.")};
  spec.accepts_output = false;
  table.push_back(spec);

  spec = command("docs", "", "Print this command reference as Markdown (generates docs/cli.md).",
                 docs);
  spec.options = {value("format", 0, "FORMAT",
                        "markdown (docs/cli.md) or man (the dbk(1) page the install ships).",
                        {"markdown", "man"})};
  spec.hidden = true;
  spec.accepts_output = false;
  table.push_back(spec);
}

}  // namespace dbk::cli
