"""dbutils.secrets in the notebook runtime: values from the workspace, redacted in output."""

import base64
import urllib.error

import pytest

from dbk_runtime.executor import NotebookRun, Runtime
from dbk_runtime.secrets import SecretNotFound


class FakeSecretsWorkspace:
    """The secrets endpoints of a workspace, as RestWorkspace.get_json answers them."""

    def __init__(self, secrets):
        self.secrets = secrets  # {(scope, key): bytes}

    def get_json(self, api_path, params):
        scopes = sorted({scope for scope, _ in self.secrets})
        if api_path == "secrets/scopes/list":
            return {"scopes": [{"name": s, "backend_type": "DATABRICKS"} for s in scopes]}
        if params.get("scope") not in scopes:
            raise urllib.error.HTTPError("u", 404, "not found", {}, None)
        if api_path == "secrets/list":
            return {"secrets": [{"key": k, "last_updated_timestamp": 1}
                                for s, k in sorted(self.secrets) if s == params["scope"]]}
        value = self.secrets.get((params["scope"], params["key"]))
        if value is None:
            raise urllib.error.HTTPError("u", 404, "not found", {}, None)
        return {"key": params["key"], "value": base64.b64encode(value).decode()}

    def fetch(self, path):
        raise AssertionError("no notebooks here")


def run(tmp_path, *cells):
    ws = FakeSecretsWorkspace({("app", "pw"): b"hunter2", ("app", "bin"): b"\x00\xff"})
    rt = Runtime(str(tmp_path / "dbfs"), "local[1]", ws)
    src = "# Databricks notebook source\n" + "\n# COMMAND ----------\n".join(cells)
    return NotebookRun(rt, "/Users/u/nb", src, "SOURCE", {}).execute()


def test_get_reads_the_value_and_printing_it_shows_redacted(tmp_path, capsys):
    result = run(tmp_path,
                 "pw = dbutils.secrets.get('app', 'pw')\nassert pw == 'hunter2'\n"
                 "print('password is ' + pw)\nprint(pw[::-1])",
                 "import sys\n_ = sys.stderr.write(pw + '\\n')",
                 "pw")
    assert result.state == "SUCCESS", result.error
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "hunter2" not in text
    assert "password is [REDACTED]" in text
    assert text.count("[REDACTED]") == 3
    assert "2retnuh" in text  # only the value itself is hidden, as on Databricks


def test_get_bytes_list_and_list_scopes(tmp_path):
    result = run(tmp_path,
                 "assert dbutils.secrets.getBytes('app', 'bin') == b'\\x00\\xff'\n"
                 "assert [m.key for m in dbutils.secrets.list('app')] == ['bin', 'pw']\n"
                 "assert [s.name for s in dbutils.secrets.listScopes()] == ['app']")
    assert result.state == "SUCCESS", result.error


def test_a_missing_secret_fails_the_notebook_with_its_names(tmp_path):
    result = run(tmp_path, "dbutils.secrets.get('app', 'nope')")
    assert result.state == "FAILED"
    assert "Secret does not exist with scope: app and key: nope" in result.error
    result = run(tmp_path, "dbutils.secrets.list('nope')")
    assert result.state == "FAILED"
    assert SecretNotFound.__name__ in result.error


def test_an_error_quoting_a_secret_is_redacted(tmp_path, capsys):
    result = run(tmp_path, "raise ValueError('bad password ' + dbutils.secrets.get('app', 'pw'))")
    assert result.state == "FAILED"
    assert "bad password [REDACTED]" in result.error
    assert "hunter2" not in result.error + result.error_trace
