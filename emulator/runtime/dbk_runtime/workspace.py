"""Finding other notebooks for %run and dbutils.notebook.run.

Under the emulator the source comes from its Workspace API (GET /api/2.0/workspace/export,
format SOURCE); locally from a folder that stands for the workspace root.
"""

from __future__ import annotations

import base64
import json
import os
import posixpath
import urllib.error
import urllib.parse
import urllib.request


class NotebookNotFound(Exception):
    """The referenced notebook does not exist in the workspace."""


def resolve(current_path: str, ref: str) -> str:
    """Absolute workspace path of ``ref`` as seen from the notebook at ``current_path``.

    Relative names ('x', './x', '../d/x') are relative to the current notebook's folder,
    as in Databricks; absolute names are used as they are.
    """
    ref = ref.strip().strip('"').strip("'")
    if ref.startswith("/"):
        return posixpath.normpath(ref)
    base = posixpath.dirname(current_path or "/") or "/"
    return posixpath.normpath(posixpath.join(base, ref))


class RestWorkspace:
    """Notebook sources from the emulator (or any Databricks workspace) over REST."""

    def __init__(self, url: str, token: str = ""):
        self.url = url.rstrip("/")
        self.token = token

    def get_json(self, api_path: str, params: dict) -> dict:
        """GET /api/2.0/<api_path>?params as JSON; HTTP errors raise urllib's HTTPError."""
        query = urllib.parse.urlencode(params)
        req = urllib.request.Request(f"{self.url}/api/2.0/{api_path}?{query}")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def fetch(self, path: str) -> tuple[str, str | None]:
        try:
            body = self.get_json("workspace/export", {"path": path, "format": "SOURCE"})
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise NotebookNotFound(f"Notebook not found: {path}") from None
            raise
        # format left open: a Jupyter notebook may come back as .ipynb JSON, which is sniffed
        return base64.b64decode(body.get("content", "")).decode("utf-8"), None


class LocalWorkspace:
    """A folder standing for the workspace: /a/b is <root>/a/b(.py|.ipynb)."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    def fetch(self, path: str) -> tuple[str, str]:
        base = os.path.join(self.root, path.lstrip("/"))
        for candidate, fmt in ((base + ".py", "SOURCE"), (base + ".ipynb", "JUPYTER"), (base, None)):
            if os.path.isfile(candidate):
                with open(candidate, encoding="utf-8") as f:
                    text = f.read()
                if fmt is None:
                    fmt = "JUPYTER" if text.lstrip().startswith("{") else "SOURCE"
                return text, fmt
        raise NotebookNotFound(f"Notebook not found: {path}")
