"""Fixtures for the official Databricks CLI (Go) session against the emulator.

The CLI binary is $DBK_GO_CLI, else .tools/go-cli/bin/databricks (scripts/install-go-cli.sh
builds it there). Without it the tests fail with a message, never skip. The emulator is
started as the official Python SDK tests start it (tests/python/conftest.py).
"""

import importlib.util
import json
import os
import subprocess
import tempfile
import urllib.request

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "dapi-go-cli-session"

# tests/python/conftest.py is loaded under its own name: two modules called `conftest`
# cannot both be imported.
_spec = importlib.util.spec_from_file_location("dbk_sdk_fixtures",
                                               os.path.join(REPO, "tests", "python", "conftest.py"))
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)


def go_cli_binary():
    path = os.environ.get("DBK_GO_CLI") or os.path.join(REPO, ".tools", "go-cli", "bin", "databricks")
    if not os.access(path, os.X_OK):
        pytest.fail(f"the official Databricks CLI is missing at {path}: run scripts/install-go-cli.sh")
    return path


class GoCli:
    """Runs the Go CLI with the workspace in its environment (never on its command line),
    a private HOME and no ~/.databrickscfg, so only DATABRICKS_HOST/TOKEN configure it."""

    def __init__(self, binary, url, home):
        self.binary = binary
        self.url = url
        self.home = home
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("DATABRICKS_", "DBK_"))}
        self.env.update({"HOME": home, "DATABRICKS_HOST": url, "DATABRICKS_TOKEN": TOKEN,
                         "DATABRICKS_CONFIG_FILE": os.path.join(home, "no-databrickscfg")})

    def run(self, *args, token=None, timeout=120):
        env = dict(self.env)
        if token is not None:
            env["DATABRICKS_TOKEN"] = token
        return subprocess.run([self.binary, *args], env=env, cwd=self.home, capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def ok(self, *args, **kwargs):
        """Runs a command that must succeed without a warning; returns its stdout."""
        done = self.run(*args, **kwargs)
        assert done.returncode == 0, f"databricks {' '.join(args)} exited {done.returncode}: {done.stderr}"
        assert done.stderr == "", f"databricks {' '.join(args)} warned: {done.stderr}"
        return done.stdout

    def json(self, *args, **kwargs):
        return json.loads(self.ok(*args, "-o", "json", **kwargs))

    def admin(self, path, body):
        """The emulator's test hooks (/__dbk/...), e.g. scripted task outcomes."""
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": "Bearer " + TOKEN})
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read() or b"{}")


@pytest.fixture(scope="module")
def cli():
    binary = go_cli_binary()
    with _fixtures.running_emulator(("--token", TOKEN)) as url, tempfile.TemporaryDirectory() as home:
        yield GoCli(binary, url, home)
