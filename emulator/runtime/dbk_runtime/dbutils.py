"""The parts of Databricks ``dbutils`` that jobs use: widgets, fs, notebook (and secrets,
in secrets.py).

Semantics follow Databricks where the pipeline depends on them: a job parameter overrides
a widget's default; reading a widget that was neither created nor passed raises
InputWidgetNotDefined; ``notebook.exit`` ends the notebook successfully with a value.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections import namedtuple

from .dbfs import Dbfs

EXIT_LIMIT = 5 * 1024 * 1024  # bytes kept of a notebook's exit value


class InputWidgetNotDefined(Exception):
    """Raised by widgets.get for a name that is neither a widget nor a parameter."""


class NotebookExit(BaseException):
    """Raised by dbutils.notebook.exit; BaseException so that `except Exception` in a
    notebook does not swallow it."""

    def __init__(self, value):
        super().__init__(value)
        self.value = value


class WorkflowException(Exception):
    """Raised by dbutils.notebook.run when the child notebook fails or times out."""


class Widgets:
    """Widget definitions plus the parameters the run was started with."""

    def __init__(self, params: dict[str, str] | None = None):
        self._params = {str(k): str(v) for k, v in (params or {}).items()}
        self._defaults: dict[str, str] = {}
        self._matched: set[str] = set()

    # creation ---------------------------------------------------------------
    def _create(self, name, default_value, label=None, choices=None):
        name = str(name)
        default = "" if default_value is None else str(default_value)
        if choices is not None and default not in [str(c) for c in choices]:
            raise ValueError(f"Default value {default!r} of widget {name!r} is not one of its choices")
        self._defaults[name] = default
        if name in self._params:
            self._matched.add(name)

    def text(self, name, defaultValue="", label=None):
        self._create(name, defaultValue, label)

    def dropdown(self, name, defaultValue, choices, label=None):
        self._create(name, defaultValue, label, choices)

    def combobox(self, name, defaultValue, choices, label=None):
        self._create(name, defaultValue, label)

    def multiselect(self, name, defaultValue, choices, label=None):
        self._create(name, defaultValue, label, choices)

    # reading ----------------------------------------------------------------
    def get(self, name):
        name = str(name)
        if name in self._params:
            self._matched.add(name)
            return self._params[name]
        if name in self._defaults:
            return self._defaults[name]
        raise InputWidgetNotDefined(f"No input widget named {name} is defined")

    def getArgument(self, name, defaultValue=None):
        try:
            return self.get(name)
        except InputWidgetNotDefined:
            if defaultValue is None:
                raise
            return defaultValue

    def getAll(self):
        return {**self._defaults, **{k: v for k, v in self._params.items() if k in self._defaults}}

    # removal ----------------------------------------------------------------
    def remove(self, name):
        name = str(name)
        if name not in self._defaults:
            raise InputWidgetNotDefined(f"No input widget named {name} is defined")
        del self._defaults[name]

    def removeAll(self):
        self._defaults.clear()

    # reporting --------------------------------------------------------------
    def unknown_parameters(self) -> list[str]:
        """Parameters that never matched a widget (created or read): likely a typo."""
        return sorted(k for k in self._params if k not in self._matched)

    def help(self):
        print("dbutils.widgets: text, dropdown, combobox, multiselect, get, getArgument, remove, removeAll")


FileInfo = namedtuple("FileInfo", ["path", "name", "size", "modificationTime"])


class Fs:
    """dbutils.fs over the local DBFS root; file:/ paths address the driver's disk."""

    def __init__(self, dbfs: Dbfs):
        self._dbfs = dbfs

    def _local(self, path: str) -> str:
        if path.startswith("file:"):
            return "/" + path[len("file:"):].lstrip("/")
        return self._dbfs.local(path)

    def _name(self, path: str, local: str) -> str:
        if path.startswith("file:"):
            return "file:" + local
        return self._dbfs.to_dbfs(local)

    def ls(self, path):
        local = self._local(path)
        if not os.path.exists(local):
            raise FileNotFoundError(f"java.io.FileNotFoundException: File {path} does not exist.")
        entries = [local] if os.path.isfile(local) else [
            os.path.join(local, n) for n in sorted(os.listdir(local))]
        out = []
        for e in entries:
            st = os.stat(e)
            isdir = os.path.isdir(e)
            name = os.path.basename(e) + ("/" if isdir else "")
            out.append(FileInfo(self._name(path, e) + ("/" if isdir else ""), name,
                                0 if isdir else st.st_size, int(st.st_mtime * 1000)))
        return out

    def mkdirs(self, path):
        os.makedirs(self._local(path), exist_ok=True)
        return True

    def put(self, path, contents, overwrite=False):
        local = self._local(path)
        if os.path.exists(local) and not overwrite:
            raise FileExistsError(f"File {path} already exists; pass overwrite=True")
        os.makedirs(os.path.dirname(local), exist_ok=True)
        data = contents.encode("utf-8") if isinstance(contents, str) else bytes(contents)
        with open(local, "wb") as f:
            f.write(data)
        print(f"Wrote {len(data)} bytes.")
        return True

    def head(self, path, maxBytes=65536):
        with open(self._local(path), "rb") as f:
            return f.read(maxBytes).decode("utf-8", errors="replace")

    def cp(self, from_, to, recurse=False):
        src, dst = self._local(from_), self._local(to)
        if os.path.isdir(src):
            if not recurse:
                raise IsADirectoryError(f"{from_} is a directory; pass recurse=True")
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            os.makedirs(os.path.dirname(dst) or ".", exist_ok=True)
            shutil.copyfile(src, dst)
        return True

    def mv(self, from_, to, recurse=False):
        src, dst = self._local(from_), self._local(to)
        os.makedirs(os.path.dirname(dst) or ".", exist_ok=True)
        shutil.move(src, dst)
        return True

    def rm(self, path, recurse=False):
        local = self._local(path)
        if not os.path.exists(local):
            return False
        if os.path.isdir(local):
            if not recurse and os.listdir(local):
                raise OSError(f"{path} is a non-empty directory; pass recurse=True")
            shutil.rmtree(local)
        else:
            os.remove(local)
        return True

    def help(self):
        print("dbutils.fs: ls, cp, mv, rm, mkdirs, put, head")


class NotebookUtils:
    """dbutils.notebook: exit ends this notebook, run starts a child (see executor)."""

    def __init__(self, runner):
        self._runner = runner  # callable(path, timeout_seconds, arguments) -> str

    def exit(self, value):
        raise NotebookExit(value)

    def run(self, path, timeout_seconds=0, arguments=None):
        return self._runner(path, timeout_seconds, arguments or {})

    def help(self):
        print("dbutils.notebook: exit(value), run(path, timeout_seconds, arguments)")


class DBUtils:
    """What ``dbutils`` is inside a notebook run by dbk_runtime."""

    def __init__(self, widgets: Widgets, fs: Fs, notebook: NotebookUtils, secrets=None):
        self.widgets = widgets
        self.fs = fs
        self.notebook = notebook
        self.secrets = secrets

    def help(self):
        print("dbutils (dbk local runtime): widgets, fs, notebook, secrets", file=sys.stdout)
