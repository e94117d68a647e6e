"""Parsing notebooks into cells.

Two formats are understood, the ones the Workspace API imports and exports:

* SOURCE (Python): first line ``# Databricks notebook source``, cells separated by a
  ``# COMMAND ----------`` line, magic cells written as ``# MAGIC <line>`` lines.
* JUPYTER (.ipynb JSON): code cells in order; markdown cells are skipped.

A cell is returned as (kind, text): kind is ``python`` or the magic name (``md``, ``sh``,
``run``, ``sql``, ``pip``, ``fs``, ``python``...), text the cell body without the magic line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

SOURCE_HEADER = "# Databricks notebook source"
COMMAND_SEPARATOR = "# COMMAND ----------"
_MAGIC_PREFIX = "# MAGIC"
_TITLE_RE = re.compile(r"^# DBTITLE \d+,")


@dataclass
class Cell:
    """One executable unit of a notebook; ``number`` counts from 1 as the UI shows it."""

    number: int
    kind: str
    text: str


def _strip_magic_prefix(line: str) -> str:
    rest = line[len(_MAGIC_PREFIX):]
    return rest[1:] if rest.startswith(" ") else rest


def _classify(body: str) -> tuple[str, str]:
    """Split a cell body into its magic kind and the text after the magic word."""
    stripped = body.lstrip("\n")
    if stripped.startswith("%"):
        first, _, rest = stripped.partition("\n")
        word, _, inline = first[1:].partition(" ")
        kind = word.strip().lower() or "python"
        text = inline.strip() if kind == "run" else (inline + "\n" + rest if inline.strip() else rest)
        return kind, text
    return "python", body


def parse_source(text: str) -> list[Cell]:
    """Cells of a SOURCE-format notebook (header optional, so plain .py files also run)."""
    lines = text.splitlines()
    if lines and lines[0].strip() == SOURCE_HEADER:
        lines = lines[1:]
    chunks: list[list[str]] = [[]]
    for line in lines:
        if line.strip() == COMMAND_SEPARATOR:
            chunks.append([])
        else:
            chunks[-1].append(line)
    cells: list[Cell] = []
    for chunk in chunks:
        chunk = [ln for ln in chunk if not _TITLE_RE.match(ln)]
        nonblank = [ln for ln in chunk if ln.strip()]
        if not nonblank:
            continue
        if all(ln.startswith(_MAGIC_PREFIX) for ln in nonblank):
            body = "\n".join(_strip_magic_prefix(ln) for ln in chunk if ln.strip() or True)
            kind, body = _classify(body)
        else:
            kind, body = _classify("\n".join(chunk))
        cells.append(Cell(len(cells) + 1, kind, body.strip("\n") + "\n"))
    return cells


def parse_ipynb(text: str) -> list[Cell]:
    """Cells of a Jupyter notebook; markdown and raw cells are not executed."""
    doc = json.loads(text)
    cells: list[Cell] = []
    for raw in doc.get("cells", []):
        if raw.get("cell_type") != "code":
            continue
        src = raw.get("source", "")
        body = "".join(src) if isinstance(src, list) else str(src)
        if not body.strip():
            continue
        kind, body = _classify(body)
        cells.append(Cell(len(cells) + 1, kind, body.strip("\n") + "\n"))
    return cells


def parse_notebook(text: str, fmt: str | None = None) -> list[Cell]:
    """Parse by declared format, else by sniffing (JSON object → Jupyter)."""
    fmt = (fmt or "").upper()
    if fmt == "JUPYTER":
        return parse_ipynb(text)
    if not fmt and text.lstrip().startswith("{"):
        try:
            if "cells" in json.loads(text):
                return parse_ipynb(text)
        except (ValueError, TypeError):
            pass
    return parse_source(text)
