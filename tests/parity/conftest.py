"""Fixtures of the parity test: the legacy databricks-cli 0.18.0 and dbk, each against
its own emulator, both prepared identically.

The legacy CLI drops the port from the configured host, so every emulator listens on
port 80 of a random 127.x.y.z address (one per CLI, chosen per session so that
concurrent tests do not collide). Both CLIs get their own HOME with the same
~/.databrickscfg (host, token, jobs-api-version = 2.1; and a profile `legacy` without
jobs-api-version) and a scrubbed environment.

Nothing here skips: a missing dbk binary, venv or databricks-cli is a failure.
"""
import json
import os
import random
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LEGACY_VERSION = "0.18.0"
TOKEN = "dapi-parity-test-token"
USER = "someone@example.com"
TERMINAL_STATES = ("TERMINATED", "SKIPPED", "INTERNAL_ERROR")


def _fail(message):
    pytest.fail(message, pytrace=False)


def find_dbk():
    path = os.environ.get("DBK_BIN")
    if not path:
        _fail("DBK_BIN is not set: point it at the dbk binary (CTest does this)")
    if not os.access(path, os.X_OK):
        _fail("DBK_BIN=%s is not an executable file" % path)
    return os.path.abspath(path)


def find_legacy():
    """The databricks-cli 0.18.0 entry points of the project venv (next to sys.executable)."""
    bin_dir = Path(sys.executable).parent
    exe = bin_dir / "databricks"
    hint = "install it with: %s -m pip install -r %s" % (
        sys.executable, REPO / "requirements" / "test.txt")
    if not exe.exists():
        _fail("databricks-cli is not installed in the venv (%s missing); %s" % (exe, hint))
    try:
        from importlib.metadata import version
        found = version("databricks-cli")
    except Exception as e:  # noqa: BLE001 - any failure here means "not installed"
        _fail("databricks-cli metadata not found (%s); %s" % (e, hint))
    if found != LEGACY_VERSION:
        _fail("databricks-cli %s found, the parity test needs %s; %s" % (found, LEGACY_VERSION,
                                                                         hint))
    return bin_dir


class Emulator:
    """`dbk emulator` on port 80 of a loopback address, stopped with SIGTERM."""

    def __init__(self, dbk, address, state_dir, log_path):
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(
            [dbk, "emulator", "--host", address, "--port", "80", "--state", state_dir,
             "--token", TOKEN],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline().strip() if ready else ""
        if not line.startswith("http"):
            self.stop()
            raise RuntimeError("emulator on %s:80 did not start (stdout %r, log %s: %s)" % (
                address, line, log_path, Path(log_path).read_text()[-500:]))
        # Keep draining stdout so that the emulator can never block on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        self.url = line.rstrip("/")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def start_emulator(dbk, state_dir, log_path, taken):
    """Tries random 127.x.y.z addresses until one has port 80 free."""
    last = None
    for _ in range(8):
        address = "127.%d.%d.%d" % (random.randint(1, 254), random.randint(0, 255),
                                    random.randint(2, 254))
        if address in taken:
            continue
        try:
            emulator = Emulator(dbk, address, state_dir, log_path)
            taken.add(address)
            return emulator
        except RuntimeError as e:
            last = e
    _fail("could not start an emulator on port 80 of a loopback address (need root): %s" % last)


class Side:
    """One CLI (legacy or dbk), its emulator, HOME and working folder."""

    def __init__(self, name, bin_dir, root, emulator):
        self.name = name
        self.bin_dir = str(bin_dir)
        self.emulator = emulator
        self.url = emulator.url
        self.root = root
        self.work = os.path.join(root, "work")
        self.home = os.path.join(root, "home")
        os.makedirs(self.work)
        os.makedirs(self.home)
        config = os.path.join(self.home, ".databrickscfg")
        # [legacy] names no jobs-api-version: each CLI's own default applies (2.0 for
        # databricks-cli 0.18, and for dbk called as `databricks`).
        with open(config, "w") as f:
            f.write("[DEFAULT]\nhost = %s\ntoken = %s\njobs-api-version = 2.1\n\n"
                    "[legacy]\nhost = %s\ntoken = %s\n" % (self.url, TOKEN, self.url, TOKEN))
        os.chmod(config, 0o600)
        self.env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": self.home,
            "LC_ALL": "C.UTF-8",
            "TERM": "dumb",
            "DATABRICKS_CLI_DO_NOT_EXECUTE_NEWER_VERSION": "1",
        }
        # A sanitizer build of dbk needs its runtime options (suppression files).
        self.env.update({k: v for k, v in os.environ.items() if k.endswith("SAN_OPTIONS")})
        self.vars = {"u": USER}   # values substituted into command lines (${name})
        self.ids = {}             # (family, raw id) -> label, labels given in order of appearance

    def run(self, argv, timeout=300, input=None, env=None):
        """Runs argv[0] of this side; `input` is piped to stdin (else /dev/null), `env` adds
        variables to the scrubbed environment."""
        exe = os.path.join(self.bin_dir, argv[0])
        stdin = subprocess.DEVNULL if input is None else None
        return subprocess.run([exe] + list(argv[1:]), cwd=self.work,
                              env=dict(self.env, **(env or {})), stdin=stdin, input=input,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)

    def api(self, method, path, body=None):
        """Calls the emulator directly (admin surface and waiting); not part of the comparison."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
        return json.loads(text) if text.strip() else {}

    def wait_cluster(self, cluster_id, state="RUNNING", timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            cluster = self.api("GET", "/api/2.0/clusters/get?cluster_id=%s" % cluster_id)
            if cluster.get("state") == state:
                return cluster
            if time.monotonic() > deadline:
                raise AssertionError("%s: cluster %s is not %s: %s" % (
                    self.name, cluster_id, state, cluster))
            time.sleep(0.1)

    def wait_pipeline_idle(self, pipeline_id, timeout=60):
        """Until the pipeline has no active update (the emulator fails each one)."""
        deadline = time.monotonic() + timeout
        while True:
            pipeline = self.api("GET", "/api/2.0/pipelines/%s" % pipeline_id)
            if pipeline.get("state") == "IDLE":
                return pipeline
            if time.monotonic() > deadline:
                raise AssertionError("%s: pipeline %s is not IDLE: %s" % (
                    self.name, pipeline_id, pipeline))
            time.sleep(0.1)

    def wait_run(self, run_id, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            run = self.api("GET", "/api/2.1/jobs/runs/get?run_id=%s" % run_id)
            if run.get("state", {}).get("life_cycle_state") in TERMINAL_STATES:
                return run
            if time.monotonic() > deadline:
                raise AssertionError("%s: run %s did not finish: %s" % (self.name, run_id, run))
            time.sleep(0.1)


def _prepare(side):
    """Identical starting point for both sides: fixtures and scripted run outcomes."""
    shutil.copytree(REPO / "notebooks", os.path.join(side.work, "notebooks"))
    fixtures = Path(__file__).parent / "fixtures"
    for entry in fixtures.iterdir():
        target = os.path.join(side.work, entry.name)
        if entry.is_dir():
            shutil.copytree(entry, target)
        else:
            shutil.copy(entry, target)
    os.makedirs(os.path.join(side.work, "exported"))
    # A file above the 1 MiB DBFS block size, deterministic content.
    rng = random.Random(42)
    with open(os.path.join(side.work, "data", "big.bin"), "wb") as f:
        f.write(rng.randbytes(3 * 1024 * 1024 + 17))
    # Text above the block size too: the legacy `fs cat` decodes UTF-8 and fails on binary.
    with open(os.path.join(side.work, "data", "big.txt"), "w") as f:
        f.write("".join("line %07d %s\n" % (i, "x" * (i % 50)) for i in range(90000)))
    clusters = side.api("GET", "/api/2.0/clusters/list").get("clusters", [])
    if not clusters:
        _fail("the emulator lists no cluster")
    side.vars["cluster_id"] = clusters[0]["cluster_id"]
    side.vars["cluster_name"] = clusters[0]["cluster_name"]
    # The seed job template, rendered as the pipeline does.
    template = (REPO / "jobs" / "02_CreateFeatureEngineering.json").read_text()
    rendered = template.replace("{{cluster_id}}", side.vars["cluster_id"]).replace(
        "{{notebook_dir}}", "/Users/%s/notebooks" % USER)
    with open(os.path.join(side.work, "seed_job.json"), "w") as f:
        f.write(rendered)
    for name in ("multi_task_job.json", "submit.json", "submit_long.json", "reset.json"):
        path = os.path.join(side.work, name)
        with open(path) as f:
            text = f.read().replace("{{cluster_id}}", side.vars["cluster_id"])
        with open(path, "w") as f:
            f.write(text)
    nb = "/Users/%s/notebooks" % USER
    rules = [
        ({"notebook_path": nb + "/2_feature_engineering"},
         {"result_state": "SUCCESS", "duration_ms": 200, "result": "features done"}),
        ({"notebook_path": nb + "/3_model_building"},
         {"result_state": "FAILED", "duration_ms": 200,
          "error": "AnalysisException: Table not found: training_data"}),
        ({"notebook_path": nb + "/4_model_scoring"},
         {"result_state": "SUCCESS", "duration_ms": 200, "result": "scored"}),
        ({"notebook_path": nb + "/5_scoring_workflow"},
         {"result_state": "SUCCESS", "duration_ms": 3600 * 1000}),
    ]
    for match, outcome in rules:
        side.api("POST", "/__dbk/runs/script", {"match": match, "outcome": outcome})


@pytest.fixture(scope="session")
def sides():
    dbk = find_dbk()
    legacy_bin = find_legacy()
    root = tempfile.mkdtemp(prefix="dbk-parity-")
    # dbk takes the legacy syntax when called through symlinks named databricks/dbfs.
    dbk_bin = os.path.join(root, "dbk-bin")
    os.makedirs(dbk_bin)
    for name in ("databricks", "dbfs"):
        os.symlink(dbk, os.path.join(dbk_bin, name))
    taken = set()
    emulators = []
    try:
        result = {}
        for name, bin_dir in (("legacy", legacy_bin), ("dbk", dbk_bin)):
            base = os.path.join(root, name)
            os.makedirs(os.path.join(base, "state"))
            emulator = start_emulator(dbk, os.path.join(base, "state"),
                                      os.path.join(base, "emulator.log"), taken)
            emulators.append(emulator)
            side = Side(name, bin_dir, base, emulator)
            _prepare(side)
            result[name] = side
        yield result
    finally:
        for emulator in emulators:
            emulator.stop()
        if os.environ.get("DBK_PARITY_KEEP"):
            print("parity: kept %s" % root)
        else:
            shutil.rmtree(root, ignore_errors=True)
