"""DBFS paths on local storage.

Databricks code names DBFS objects as ``dbfs:/x`` (Spark, dbutils) or ``/dbfs/x`` (the FUSE
mount used by local file APIs and %sh). Locally both live under one folder, the emulator's
DBFS root, so that what a notebook writes is what the DBFS REST API lists.
"""

from __future__ import annotations

import os


class DbfsPathError(ValueError):
    """A path that would escape the DBFS root."""


class Dbfs:
    """Maps DBFS names to local paths below ``root`` and back."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    @staticmethod
    def is_dbfs(path: str) -> bool:
        return isinstance(path, str) and (
            path.startswith("dbfs:") or path == "/dbfs" or path.startswith("/dbfs/")
        )

    def dbfs_part(self, path: str) -> str:
        """The absolute DBFS path ('/x/y') that a dbfs:/ or /dbfs/ name denotes."""
        if path.startswith("dbfs:"):
            rest = path[len("dbfs:"):]
        elif path == "/dbfs" or path.startswith("/dbfs/"):
            rest = path[len("/dbfs"):]
        else:
            rest = path
        # The DBFS API's rule (emulator/src/dbfs/dbfs_paths.cpp): repeated and trailing
        # slashes collapse; '.' and '..' segments and NUL bytes are refused rather than
        # resolved, so no spelling of a name reaches outside the root.
        if "\0" in rest:
            raise DbfsPathError(f"path contains a NUL byte: {path!r}")
        segments = [s for s in rest.split("/") if s]
        if any(s in (".", "..") for s in segments):
            raise DbfsPathError(f"'.' and '..' are not allowed in DBFS paths: {path}")
        return "/" + "/".join(segments)

    def local(self, path: str) -> str:
        """Local file-system path for a DBFS name (dbfs:/x, /dbfs/x or /x)."""
        part = self.dbfs_part(path)
        return self.root if part == "/" else os.path.join(self.root, part.lstrip("/"))

    def to_dbfs(self, local_path: str) -> str:
        """The dbfs:/ name of a local path below the root."""
        rel = os.path.relpath(os.path.abspath(local_path), self.root)
        return "dbfs:/" if rel == "." else "dbfs:/" + rel.replace(os.sep, "/")

    def spark_path(self, path):
        """Rewrite a Spark/ML path argument (str or list of str); other values pass through.

        Only dbfs:/ and /dbfs/ names are rewritten (to file:// URIs, explicit so that a
        non-local default file system is not assumed); every other path is left alone.
        """
        if isinstance(path, (list, tuple)):
            return type(path)(self.spark_path(p) for p in path)
        if isinstance(path, str) and self.is_dbfs(path):
            return "file://" + self.local(path)
        return path
