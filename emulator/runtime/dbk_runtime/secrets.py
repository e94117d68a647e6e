"""``dbutils.secrets``: secret values from the workspace's Secrets API, redacted in output.

As on Databricks, a value read by a notebook never shows in its output: every text
written to stdout/stderr after a value was read has each read value replaced by
``[REDACTED]`` (docs/emulator.md, "Secrets").
"""

from __future__ import annotations

import base64
import sys
import threading
import urllib.error
from collections import namedtuple

REDACTED = "[REDACTED]"

SecretMetadata = namedtuple("SecretMetadata", ["key"])
SecretScope = namedtuple("SecretScope", ["name"])


class SecretNotFound(Exception):
    """A scope or key that does not exist (Databricks raises IllegalArgumentException)."""


class Redactor:
    """The secret values read so far; installs redacting streams at the first one."""

    def __init__(self):
        self._values: list[str] = []
        self._lock = threading.Lock()
        self._installed = False

    def add(self, value: str) -> None:
        if not value:
            return
        with self._lock:
            if value not in self._values:
                self._values.append(value)
                self._values.sort(key=len, reverse=True)  # longest first: no partial leaks
            if not self._installed:
                sys.stdout = RedactingStream(sys.stdout, self)
                sys.stderr = RedactingStream(sys.stderr, self)
                self._installed = True

    def redact(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, REDACTED)
        return text


class RedactingStream:
    """A text stream that writes through `redactor` to `inner`."""

    def __init__(self, inner, redactor: Redactor):
        self._inner = inner
        self._redactor = redactor

    def write(self, text):
        if isinstance(text, str):
            text = self._redactor.redact(text)
        return self._inner.write(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._inner, name)


class SecretsUtils:
    """get, getBytes, list and listScopes over the workspace REST API."""

    def __init__(self, workspace, redactor: Redactor):
        self._workspace = workspace
        self._redactor = redactor

    def _call(self, api_path: str, params: dict, missing: str) -> dict:
        if self._workspace is None or not hasattr(self._workspace, "get_json"):
            raise SecretNotFound(f"{missing} (no workspace to read secrets from)")
        try:
            return self._workspace.get_json(api_path, params)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise SecretNotFound(missing) from None
            raise

    def getBytes(self, scope: str, key: str) -> bytes:
        body = self._call("secrets/get", {"scope": scope, "key": key},
                          f"Secret does not exist with scope: {scope} and key: {key}")
        value = base64.b64decode(body.get("value", ""))
        try:
            self._redactor.add(value.decode("utf-8"))
        except UnicodeDecodeError:
            pass
        return value

    def get(self, scope: str, key: str) -> str:
        value = self.getBytes(scope, key).decode("utf-8", errors="replace")
        self._redactor.add(value)
        return value

    def list(self, scope: str) -> list:
        body = self._call("secrets/list", {"scope": scope}, f"Scope {scope} does not exist!")
        return [SecretMetadata(s.get("key", "")) for s in body.get("secrets", [])]

    def listScopes(self) -> list:
        body = self._call("secrets/scopes/list", {}, "No secret scopes")
        return [SecretScope(s.get("name", "")) for s in body.get("scopes", [])]

    def help(self):
        print("dbutils.secrets: get(scope, key), getBytes(scope, key), list(scope), listScopes()")
