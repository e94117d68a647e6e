#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dbk/result.hpp"

namespace dbk::emulator {

/// Notebook languages (docs/reference/rest-api.md §1.1). Upper case.
bool is_notebook_language(std::string_view language);
/// "py", "scala", "sql", "r": the file_type of a SOURCE export.
std::string source_extension(std::string_view language);
/// The language a file extension implies, case-insensitively (".py" → PYTHON, ".R" → R);
/// nullopt if none.
std::optional<std::string> language_for_extension(std::string_view extension);
/// True when `content` starts with a Databricks notebook header ("# Databricks notebook
/// source" or its // and -- forms).
bool has_notebook_header(std::string_view content);
/// "# Databricks notebook source" in `language`'s comment syntax (// for SCALA, -- for SQL).
std::string notebook_header(std::string_view language);
/// AUTO import's test for a notebook in `language` (docs/compatibility.md, emulator): the
/// content, after an optional UTF-8 byte order mark and leading white space, begins with
/// that language's header, whatever follows it on the line.
bool begins_with_notebook_header(std::string_view content, std::string_view language);
/// The SOURCE export of a notebook: the service always writes the header line first, so
/// it is added when the stored source lacks it.
std::string with_notebook_header(std::string source, std::string_view language);

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
