"""The emulator's warm all-purpose cluster: one long-lived Spark driver, a session per run.

Runs go through the REST API of a `dbk emulator` on the default cluster. Each notebook
reports what it saw through dbutils.notebook.exit; the checks are on those values and on
the cluster's state, never on timings.
"""

import base64
import json
import os
import subprocess
import time
import urllib.request

import pytest

from conftest import running_emulator

CLUSTER = "0101-000000-dbklocal"
DEADLINE = 900  # seconds a run may take on a loaded machine before the test gives up

# Sets session state of every kind and reports the Spark application it ran on.
SETTER = """
dbutils.widgets.text("W", "default")
spark.range(3).createOrReplaceTempView("leaky_view")
spark.conf.set("spark.sql.shuffle.partitions", "13")
spark.udf.register("leaky_udf", lambda x: x)
import json
dbutils.notebook.exit(json.dumps({"app": sc.applicationId, "start": sc.startTime,
                                  "widget": dbutils.widgets.get("W")}))
"""
# Reports what it can see of the state SETTER left behind.
READER = """
dbutils.widgets.text("W", "default")
import json
names = [t.name for t in spark.catalog.listTables()]
fns = [f.name for f in spark.catalog.listFunctions() if f.name == "leaky_udf"]
dbutils.notebook.exit(json.dumps({"app": sc.applicationId, "start": sc.startTime,
                                  "widget": dbutils.widgets.get("W"), "views": names,
                                  "udfs": fns, "count": spark.range(10).count(),
                                  "partitions": spark.conf.get("spark.sql.shuffle.partitions")}))
"""
CRASH = """
spark.range(5).count()
import os
os._exit(1)
"""
# A Spark job that runs until it is cancelled.
LONG_JOB = """
import time
sc.parallelize(range(2), 2).map(lambda x: time.sleep(3600)).count()
"""
# Waits until the cluster's driver runs a job (the long one) with a task in every executor
# slot (local[2] on the test machines: the long job's two tasks).
STARTED = """
import json, os, time
tracker = sc.statusTracker()
def running_tasks():
    infos = [tracker.getStageInfo(s) for s in tracker.getActiveStageIds()]
    return sum(i.numActiveTasks for i in infos if i)
while running_tasks() < min(2, os.cpu_count()):
    time.sleep(0.2)
dbutils.notebook.exit(json.dumps({"active": list(tracker.getActiveJobsIds())}))
"""
# Attaches a session to the driver and runs no Spark job.
ATTACH = """
import json
dbutils.notebook.exit(json.dumps({"version": spark.version}))
"""
# Waits until the cluster's driver has no active job, then reports what is left.
ACTIVE_JOBS = """
import json, time
tracker = sc.statusTracker()
for _ in range(600):
    active = list(tracker.getActiveJobsIds())
    if not active:
        break
    time.sleep(0.5)
dbutils.notebook.exit(json.dumps({"active": active}))
"""
KILL_DRIVER = """
import os, signal
spark.range(1).count()
os.kill(int(os.environ["DBK_DRIVER_PID"]), signal.SIGKILL)
import time
time.sleep(2)
spark.range(3).count()
"""
STOPPER = """
spark.stop()
sc.stop()
dbutils.notebook.exit(str(spark.range(4).count()))
"""


class Api:
    def __init__(self, url):
        self.url = url

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Authorization": "Bearer dbk-local",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"{}")

    def notebook(self, name, text):
        content = "# Databricks notebook source\n" + text
        self.call("POST", "/api/2.0/workspace/mkdirs", {"path": "/warm"})
        self.call("POST", "/api/2.0/workspace/import",
                  {"path": f"/warm/{name}", "format": "SOURCE", "language": "PYTHON",
                   "overwrite": True, "content": base64.b64encode(content.encode()).decode()})
        return f"/warm/{name}"

    def submit(self, name, text, params=None):
        path = self.notebook(name, text)
        task = {"task_key": "t", "existing_cluster_id": CLUSTER,
                "notebook_task": {"notebook_path": path, "base_parameters": params or {}}}
        return self.call("POST", "/api/2.1/jobs/runs/submit",
                         {"run_name": name, "tasks": [task]})["run_id"]

    def wait(self, run_id):
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            run = self.call("GET", f"/api/2.1/jobs/runs/get?run_id={run_id}")
            if run["state"]["life_cycle_state"] in ("TERMINATED", "INTERNAL_ERROR", "SKIPPED"):
                task_run = run["tasks"][0]["run_id"]
                out = self.call("GET", f"/api/2.1/jobs/runs/get-output?run_id={task_run}")
                return run, out
            time.sleep(0.3)
        pytest.fail(f"run {run_id} did not finish")

    def run(self, name, text, params=None):
        run, out = self.wait(self.submit(name, text, params))
        return run["state"].get("result_state"), out

    def exit_value(self, name, text, params=None):
        state, out = self.run(name, text, params)
        assert state == "SUCCESS", out
        return json.loads(out["notebook_output"]["result"])

    def cluster(self):
        return self.call("GET", f"/api/2.0/clusters/get?cluster_id={CLUSTER}")

    def events(self):
        body = self.call("POST", "/api/2.0/clusters/events", {"cluster_id": CLUSTER, "limit": 500})
        return [e["type"] for e in body.get("events", [])]


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    state = tmp_path_factory.mktemp("warm")
    with running_emulator(state, state.parent / "warm-emulator.log") as (url, _):
        yield Api(url)
    # Shutdown stops the cluster's driver too: no JVM of this state folder is left.
    left = subprocess.run(["pgrep", "-f", str(state)], capture_output=True, text=True).stdout
    assert left.strip() == "", left


def test_runs_share_the_driver_but_not_session_state(api):
    first = api.exit_value("setter", SETTER, {"W": "set-by-run"})
    assert first["widget"] == "set-by-run"
    second = api.exit_value("reader", READER)
    assert second["app"] == first["app"] and second["start"] == first["start"]  # one driver
    assert second["count"] == 10
    assert "leaky_view" not in second["views"]
    assert second["udfs"] == []
    assert second["partitions"] != "13"
    assert second["widget"] == "default"


def test_stop_in_a_notebook_does_not_stop_the_cluster(api):
    before = api.exit_value("reader", READER)
    state, out = api.run("stopper", STOPPER)
    assert state == "SUCCESS", out
    assert out["notebook_output"]["result"] == "4"
    assert api.exit_value("reader", READER)["app"] == before["app"]


def test_a_crashed_run_fails_and_the_cluster_keeps_running(api):
    before = api.exit_value("reader", READER)
    state, out = api.run("crash", CRASH)
    assert state == "FAILED"
    assert "exit status 1" in out["error"]
    after = api.exit_value("reader", READER)
    assert after["app"] == before["app"] and after["count"] == 10


def test_cancelling_a_run_cancels_its_spark_jobs(api):
    # With a warehouse folder, each new session looks for tables there; that lookup must not
    # need a Spark job, which would wait behind the long job holding every executor slot.
    api.call("POST", "/api/2.0/dbfs/mkdirs", {"path": "/user/hive/warehouse"})
    run_id = api.submit("long", LONG_JOB)
    # A second run on the same driver waits until the long job is active in the JVM.
    assert api.exit_value("started", STARTED)["active"] != []
    # Every slot is taken: a new notebook still starts (its session setup needs no job).
    assert api.exit_value("attach", ATTACH)["version"]
    api.call("POST", "/api/2.1/jobs/runs/cancel", {"run_id": run_id})
    run, _ = api.wait(run_id)
    assert run["state"]["result_state"] == "CANCELED"
    assert api.exit_value("jobs", ACTIVE_JOBS)["active"] == []


def test_a_dead_driver_shows_and_a_new_one_serves_the_next_run(api):
    before = api.exit_value("reader", READER)
    context = api.cluster()["spark_context_id"]
    state, out = api.run("kill", KILL_DRIVER)
    assert state == "FAILED"
    end = time.monotonic() + DEADLINE
    while "DRIVER_NOT_RESPONDING" not in api.events() and time.monotonic() < end:
        time.sleep(0.3)
    cluster = api.cluster()
    assert "DRIVER_NOT_RESPONDING" in api.events()
    assert cluster["state"] == "RUNNING"
    assert cluster["spark_context_id"] == context + 1
    after = api.exit_value("reader", READER)
    assert after["app"] != before["app"] and after["count"] == 10
    while "DRIVER_HEALTHY" not in api.events() and time.monotonic() < end:
        time.sleep(0.3)
    assert api.cluster()["state_message"] == ""


def test_restart_gives_a_fresh_driver(api):
    before = api.exit_value("reader", READER)
    api.call("POST", "/api/2.0/clusters/restart", {"cluster_id": CLUSTER})
    end = time.monotonic() + DEADLINE
    while api.cluster()["state"] != "RUNNING" and time.monotonic() < end:
        time.sleep(0.3)
    after = api.exit_value("reader", READER)
    assert after["app"] != before["app"] and after["count"] == 10
