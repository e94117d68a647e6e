"""Shared helpers for the pipeline tests: paths, and running the runtime as a process."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import uuid

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUNTIME_DIR = os.path.join(REPO, "emulator", "runtime")
NOTEBOOKS = os.path.join(REPO, "notebooks")
SIMULATOR = os.path.join(REPO, "data", "simulate_pdm.py")

if RUNTIME_DIR not in sys.path:
    sys.path.insert(0, RUNTIME_DIR)

# Small Spark for a shared 2-core machine.
SPARK_ENV = {
    "PYTHONPATH": RUNTIME_DIR,
    "DBK_SPARK_DRIVER_MEMORY": os.environ.get("DBK_SPARK_DRIVER_MEMORY", "1g"),
    "DBK_SPARK_SHUFFLE_PARTITIONS": "2",
}
MASTER = os.environ.get("DBK_TEST_SPARK_MASTER", "local[2]")


def run_notebook(file, dbfs_root, params=None, workspace_dir=None, timeout=900):
    """Run one notebook in a fresh runtime process; returns (result dict, completed process)."""
    out = os.path.join(str(dbfs_root), "..", f"result-{os.path.basename(file)}-{uuid.uuid4().hex[:8]}.json")
    cmd = [sys.executable, "-m", "dbk_runtime", "notebook", str(file), "--dbfs-root", str(dbfs_root),
           "--master", MASTER, "--output", out]
    if workspace_dir:
        cmd += ["--workspace-dir", str(workspace_dir)]
    for k, v in (params or {}).items():
        cmd += ["--param", f"{k}={v}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **SPARK_ENV})
    with open(out, encoding="utf-8") as f:
        result = json.load(f)
    return result, proc


@contextlib.contextmanager
def running_emulator(state, log_path):
    """`dbk emulator` ($DBK_BIN) on a free loopback port with `state`; yields (url, process).

    The runs inherit the emulator's environment: small Spark, sanitizer options."""
    dbk = os.environ.get("DBK_BIN", "")
    assert dbk and os.access(dbk, os.X_OK), "DBK_BIN must name the dbk binary (CTest sets it)"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([dbk, "emulator", "--host", "127.0.0.1", "--port", "0",
                                 "--state", str(state)], stdout=subprocess.PIPE, stderr=log,
                                text=True, env={**os.environ, **SPARK_ENV})
        try:
            url = proc.stdout.readline().strip()
            assert url.startswith("http://"), f"the emulator did not start: {url!r}"
            yield url, proc
        finally:
            proc.terminate()
            proc.wait(timeout=120)


def write_notebook(path, *cells):
    """Write a SOURCE-format notebook from cell bodies."""
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("# Databricks notebook source\n")
        f.write("\n\n# COMMAND ----------\n\n".join(c.strip("\n") + "\n" for c in cells))
    return str(path)


@pytest.fixture
def simulator():
    """The simulator module, imported from data/."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("simulate_pdm", SIMULATOR)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
