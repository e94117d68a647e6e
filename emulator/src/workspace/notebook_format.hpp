#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dbk/result.hpp"

namespace dbk::emulator {

/// Notebook languages (reference databricks-api.md §1.1). Upper case.
bool is_notebook_language(std::string_view language);
/// "py", "scala", "sql", "r": the file_type of a SOURCE export.
std::string source_extension(std::string_view language);
/// The language a file extension implies (".py" → PYTHON; ".r"/".R" → R); nullopt if none.
std::optional<std::string> language_for_extension(std::string_view extension);
/// True when `content` starts with a Databricks notebook header ("# Databricks notebook
/// source" or its // and -- forms), which is what AUTO import looks for.
bool has_notebook_header(std::string_view content);

/// SOURCE (.py/.scala/.sql/.r with "COMMAND ----------" separators and "MAGIC" lines)
/// → Jupyter nbformat 4 JSON: one cell per command, %md cells become markdown cells.
std::string source_to_jupyter(std::string_view source, std::string_view language,
                              std::string_view name);
/// Jupyter JSON → SOURCE in `language` (the reverse mapping). 400 on unreadable JSON.
Result<std::string> jupyter_to_source(std::string_view ipynb, std::string_view language);
/// The language recorded in a notebook's metadata (PYTHON, ...); nullopt if none/unreadable.
std::optional<std::string> jupyter_language(std::string_view ipynb);
/// A self-contained HTML page showing the notebook's source.
std::string source_to_html(std::string_view source, std::string_view name);
/// An empty notebook in `language` (just the header).
std::string empty_source(std::string_view language);

}  // namespace dbk::emulator
