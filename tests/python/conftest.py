"""Shared fixtures for the official-SDK tests: an emulator child process per module.

The emulator binary is, in order: `$DBK_CLI emulator` when DBK_CLI points at the `dbk`
binary, else $DBK_TEST_EMULATOR_SERVER (tests/emulator/server/test_server_main.cpp), else
the newest build/*/tests/emulator/dbk_test_emulator_server. CTest sets both variables.
"""

import contextlib
import glob
import os
import subprocess
import tempfile
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _command(state_dir, url_file, extra_args=()):
    cli = os.environ.get("DBK_CLI")
    if cli:
        return [cli, "emulator", "--host", "127.0.0.1", "--port", "0", "--state", state_dir,
                *extra_args], True
    server = os.environ.get("DBK_TEST_EMULATOR_SERVER")
    if not server:
        found = sorted(glob.glob(os.path.join(REPO, "build", "*", "tests", "emulator", "dbk_test_emulator_server")),
                       key=os.path.getmtime, reverse=True)
        if not found:
            pytest.fail("no emulator binary: set DBK_CLI or DBK_TEST_EMULATOR_SERVER (or build "
                        "dbk_test_emulator_server)")
        server = found[0]
    return [server, "--port", "0", "--state", state_dir, "--url-file", url_file,
            *extra_args], False


def start_emulator(state_root, extra_args=()):
    """Starts an emulator with its state under state_root; returns (process, base_url).
    `extra_args` are flags both emulator programs take (e.g. ("--token", T))."""
    url_file = os.path.join(state_root, "url")
    command, url_on_stdout = _command(os.path.join(state_root, "state"), url_file, extra_args)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    if url_on_stdout:
        url = process.stdout.readline().strip()  # `dbk emulator` prints the base URL once listening
        if not url:
            process.kill()
            pytest.fail("`dbk emulator` exited without printing its URL")
        return process, url
    deadline = time.monotonic() + 60
    while not os.path.exists(url_file):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("the emulator did not start")
        time.sleep(0.05)
    with open(url_file) as f:
        return process, f.read().strip()


@contextlib.contextmanager
def running_emulator(extra_args=()):
    """An emulator child process on a temporary state for the `with` block; yields its URL."""
    with tempfile.TemporaryDirectory() as state_root:
        process, url = start_emulator(state_root, extra_args)
        try:
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def emulator_url():
    with running_emulator() as url:
        yield url
