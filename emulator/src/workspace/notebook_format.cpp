#include "workspace/notebook_format.hpp"

#include <nlohmann/json.hpp>
#include <vector>

#include "dbk/internal/text.hpp"
#include "dbk/json.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace dbk::emulator {
namespace {

std::string comment_prefix(std::string_view language) {
  if (language == "SCALA") return "//";
  if (language == "SQL") return "--";
  return "#";  // PYTHON, R
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      if (start < text.size()) lines.emplace_back(text.substr(start));
      break;
    }
    std::string line(text.substr(start, end - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

std::string rtrim(std::string text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

std::string join(const std::vector<std::string>& lines, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) out += '\n';
    out += lines[i];
  }
  return out;
}

// Lines of one cell without the blank lines that surround the separators.
std::vector<std::string> trim_blank(std::vector<std::string> lines) {
  while (!lines.empty() && rtrim(lines.front()).empty()) lines.erase(lines.begin());
  while (!lines.empty() && rtrim(lines.back()).empty()) lines.pop_back();
  return lines;
}

// Jupyter stores source as a list of lines, each but the last ending in '\n'.
nlohmann::json jupyter_source(const std::string& text) {
  nlohmann::json lines = nlohmann::json::array();
  auto parts = split_lines(text);
  for (size_t i = 0; i < parts.size(); ++i) {
    lines.push_back(i + 1 < parts.size() ? parts[i] + "\n" : parts[i]);
  }
  return lines;
}

using internal::ascii_lower;

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool is_notebook_language(std::string_view language) {
  return language == "PYTHON" || language == "SCALA" || language == "SQL" || language == "R";
}

std::string source_extension(std::string_view language) {
  if (language == "SCALA") return "scala";
  if (language == "SQL") return "sql";
  if (language == "R") return "r";
  return "py";
}

std::optional<std::string> language_for_extension(std::string_view extension) {
  const std::string ext = ascii_lower(extension);
  if (ext == ".py") return "PYTHON";
  if (ext == ".scala") return "SCALA";
  if (ext == ".sql") return "SQL";
  if (ext == ".r") return "R";
  return std::nullopt;
}

bool has_notebook_header(std::string_view content) {
  std::string_view first = content.substr(0, content.find('\n'));
  while (!first.empty() && (first.back() == '\r' || first.back() == ' ')) first.remove_suffix(1);
  return first == "# Databricks notebook source" || first == "// Databricks notebook source" ||
         first == "-- Databricks notebook source";
}

std::string notebook_header(std::string_view language) {
  return comment_prefix(language) + " Databricks notebook source";
}

bool begins_with_notebook_header(std::string_view content, std::string_view language) {
  constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
  if (content.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
    content.remove_prefix(kByteOrderMark.size());
  }
  const size_t start = content.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return false;
  const std::string header = notebook_header(language);
  return content.substr(start, header.size()) == header;
}

std::string with_notebook_header(std::string source, std::string_view language) {
  if (begins_with_notebook_header(source, language)) return source;
  return notebook_header(language) + "\n" + source;
}

std::string empty_source(std::string_view language) {
  return notebook_header(language) + "\n";
}

std::string source_to_jupyter(std::string_view source, std::string_view language,
                              std::string_view name) {
  const std::string prefix = comment_prefix(language);
  const std::string separator = prefix + " COMMAND ----------";
  const std::string magic = prefix + " MAGIC";
  auto lines = split_lines(source);
  size_t begin = 0;
  if (!lines.empty() && has_notebook_header(lines.front())) begin = 1;
  std::vector<std::vector<std::string>> cells(1);
  for (size_t i = begin; i < lines.size(); ++i) {
    if (rtrim(lines[i]) == separator) {
      cells.emplace_back();
    } else {
      cells.back().push_back(lines[i]);
    }
  }
  nlohmann::json out_cells = nlohmann::json::array();
  for (auto& raw : cells) {
    auto cell = trim_blank(raw);
    if (cell.empty()) continue;
    bool all_magic = true;
    for (const auto& line : cell) {
      if (line.compare(0, magic.size(), magic) != 0) all_magic = false;
    }
    std::string text;
    if (all_magic) {
      std::vector<std::string> stripped;
      for (const auto& line : cell) {
        std::string rest = line.substr(magic.size());
        if (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
        stripped.push_back(rest);
      }
      text = join(stripped, 0, stripped.size());
    } else {
      text = join(cell, 0, cell.size());
    }
    if (all_magic &&
        (text == "%md" || text.compare(0, 4, "%md ") == 0 || text.compare(0, 4, "%md\n") == 0)) {
      std::string markdown = text.size() > 4 ? text.substr(4) : "";
      out_cells.push_back({{"cell_type", "markdown"},
                           {"metadata", nlohmann::json::object()},
                           {"source", jupyter_source(markdown)}});
    } else {
      out_cells.push_back({{"cell_type", "code"},
                           {"execution_count", nullptr},
                           {"metadata", nlohmann::json::object()},
                           {"outputs", nlohmann::json::array()},
                           {"source", jupyter_source(text)}});
    }
  }
  std::string lang = ascii_lower(language);
  nlohmann::json notebook = {{"cells", out_cells},
                             {"metadata",
                              {{"application/vnd.databricks.v1+notebook",
                                {{"language", lang}, {"notebookName", std::string(name)}}},
                               {"language_info", {{"name", lang}}}}},
                             {"nbformat", 4},
                             {"nbformat_minor", 0}};
  return notebook.dump(1);
}

std::optional<std::string> jupyter_language(std::string_view ipynb) {
  auto parsed = parse_json(ipynb);  // depth-limited: the values below are copied
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  const nlohmann::json& notebook = *parsed;
  const auto metadata = notebook.value("metadata", nlohmann::json::object());
  std::string name;
  if (!metadata.is_object()) return std::nullopt;
  if (metadata.contains("application/vnd.databricks.v1+notebook") &&
      metadata["application/vnd.databricks.v1+notebook"].is_object()) {
    name = metadata["application/vnd.databricks.v1+notebook"].value("language", "");
  }
  if (name.empty() && metadata.contains("language_info") && metadata["language_info"].is_object()) {
    name = metadata["language_info"].value("name", "");
  }
  if (name.empty() && metadata.contains("kernelspec") && metadata["kernelspec"].is_object()) {
    name = metadata["kernelspec"].value("language", "");
  }
  std::string language = upper(name);
  if (is_notebook_language(language)) return language;
  return std::nullopt;
}

Result<std::string> jupyter_to_source(std::string_view ipynb, std::string_view language) {
  if (auto deep = too_deep_json(ipynb)) return std::move(*deep);
  auto parsed = parse_json(ipynb);
  if (!parsed.ok() || !parsed->is_object() || !parsed->contains("cells") ||
      !(*parsed)["cells"].is_array()) {
    return invalid_parameter("Unable to parse the Jupyter notebook: not a valid .ipynb document.");
  }
  const nlohmann::json& notebook = *parsed;
  const std::string prefix = comment_prefix(language);
  std::string out = prefix + " Databricks notebook source\n";
  bool first = true;
  for (const auto& cell : notebook["cells"]) {
    if (!cell.is_object()) continue;
    std::string text;
    const auto& source = cell.contains("source") ? cell["source"] : nlohmann::json();
    if (source.is_string()) {
      text = source.get<std::string>();
    } else if (source.is_array()) {
      for (const auto& line : source) {
        if (line.is_string()) text += line.get<std::string>();
      }
    }
    const std::string type = cell.value("cell_type", "code");
    std::vector<std::string> lines = split_lines(text);
    std::string body;
    if (type == "markdown" || (!text.empty() && text.front() == '%')) {
      if (type == "markdown") lines.insert(lines.begin(), "%md");
      for (size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) body += '\n';
        body += prefix + " MAGIC" + (lines[i].empty() ? "" : " " + lines[i]);
      }
    } else {
      body = join(lines, 0, lines.size());
    }
    if (!first) out += "\n\n" + prefix + " COMMAND ----------\n\n";
    out += body;
    first = false;
  }
  return out + "\n";
}

std::string source_to_html(std::string_view source, std::string_view name) {
  return "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>" + html_escape(name) +
         "</title>\n</head>\n<body>\n<pre class=\"databricks-notebook-source\">" +
         html_escape(source) + "</pre>\n</body>\n</html>\n";
}

}  // namespace dbk::emulator
