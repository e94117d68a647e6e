"""Cell splitting of SOURCE and Jupyter notebooks."""

import json

from dbk_runtime.source import parse_notebook, parse_source

NB = """# Databricks notebook source
# MAGIC %md
# MAGIC # Title
# MAGIC text

# COMMAND ----------

x = 1
# a comment

# COMMAND ----------

# DBTITLE 1,A titled cell
y = x + 1

# COMMAND ----------

# MAGIC %sh
# MAGIC echo hi
# MAGIC ls

# COMMAND ----------

# MAGIC %run ./other

# COMMAND ----------

# MAGIC %sql SELECT 1

# COMMAND ----------


"""


def test_cells_split_on_command_separator():
    cells = parse_source(NB)
    assert [c.kind for c in cells] == ["md", "python", "python", "sh", "run", "sql"]
    assert [c.number for c in cells] == [1, 2, 3, 4, 5, 6]
    assert cells[1].text.startswith("x = 1")
    assert "# a comment" in cells[1].text


def test_magic_prefix_is_stripped():
    cells = parse_source(NB)
    assert cells[3].text == "echo hi\nls\n"
    assert cells[4].text.strip() == "./other"
    assert cells[5].text.strip() == "SELECT 1"


def test_title_lines_are_not_code():
    assert parse_source(NB)[2].text.strip() == "y = x + 1"


def test_header_is_optional():
    cells = parse_source("a = 1\n# COMMAND ----------\nb = 2\n")
    assert [c.text.strip() for c in cells] == ["a = 1", "b = 2"]


def test_python_comment_cells_that_mix_magic_and_code_stay_python():
    cells = parse_source("# Databricks notebook source\n# MAGIC %md not all magic\nz = 3\n")
    assert cells[0].kind == "python"


def test_ipynb_code_cells_and_magics():
    doc = {"cells": [
        {"cell_type": "markdown", "source": ["# T"]},
        {"cell_type": "code", "source": ["a = 1\n", "b = 2"]},
        {"cell_type": "code", "source": "%sh\necho x"},
        {"cell_type": "code", "source": []},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 2}
    cells = parse_notebook(json.dumps(doc))
    assert [(c.kind, c.text) for c in cells] == [("python", "a = 1\nb = 2\n"), ("sh", "echo x\n")]
