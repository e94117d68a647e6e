"""The official databricks-sdk against the emulator's Jobs and Clusters APIs.

Starts the emulator (tests/emulator/server/test_server_main.cpp) as a child process.
Set DBK_TEST_EMULATOR_SERVER to its path, or build it under build/*/tests/emulator/.
Task outcomes are scripted through POST /__dbk/runs/script, so no Spark is needed.
"""

import glob
import json
import os
import subprocess
import tempfile
import time
import urllib.request
from datetime import timedelta

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk import errors
from databricks.sdk.service import jobs

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOTEBOOK = "/Users/uname@example.com/notebooks/1_data_ingestion"


def _server_binary():
    explicit = os.environ.get("DBK_TEST_EMULATOR_SERVER")
    if explicit:
        return explicit
    found = sorted(glob.glob(os.path.join(REPO, "build", "*", "tests", "emulator", "dbk_test_emulator_server")),
                   key=os.path.getmtime, reverse=True)
    if not found:
        pytest.skip("dbk_test_emulator_server is not built (set DBK_TEST_EMULATOR_SERVER)")
    return found[0]


@pytest.fixture(scope="module")
def jobs_emulator():
    with tempfile.TemporaryDirectory() as state:
        url_file = os.path.join(state, "url")
        process = subprocess.Popen([_server_binary(), "--port", "0", "--state", os.path.join(state, "s"),
                                    "--url-file", url_file])
        try:
            deadline = time.monotonic() + 30
            while not os.path.exists(url_file):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the emulator did not start")
                time.sleep(0.05)
            with open(url_file) as f:
                yield f.read().strip()
        finally:
            process.terminate()
            process.wait(timeout=30)


def _admin(base_url, path, body, method="POST"):
    request = urllib.request.Request(base_url + path, data=json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"{}")


@pytest.fixture
def w(jobs_emulator):
    return WorkspaceClient(host=jobs_emulator, token="dapi-emulator-test")


def _create_job(w, name, path=NOTEBOOK, **settings):
    cluster_id = next(c.cluster_id for c in w.clusters.list() if c.cluster_name == "dbk-local")
    created = w.jobs.create(
        name=name,
        tasks=[jobs.Task(task_key="main", existing_cluster_id=cluster_id,
                         notebook_task=jobs.NotebookTask(notebook_path=path,
                                                         base_parameters={"FEATURES_TABLE": "training_data"}))],
        **settings)
    return created.job_id


def test_clusters_list_has_the_local_cluster(w):
    clusters = list(w.clusters.list())
    local = [c for c in clusters if c.cluster_name == "dbk-local"]
    assert local and local[0].state.value == "RUNNING"
    assert w.clusters.get(local[0].cluster_id).cluster_source.value == "UI"


def test_create_get_list_and_delete(w):
    job_id = _create_job(w, "SDK Feature Engineering")
    job = w.jobs.get(job_id)
    assert job.job_id == job_id
    assert job.settings.name == "SDK Feature Engineering"
    assert job.settings.tasks[0].notebook_task.notebook_path == NOTEBOOK
    assert job.settings.max_concurrent_runs == 1

    listed = list(w.jobs.list(name="sdk feature engineering"))
    assert [j.job_id for j in listed] == [job_id]
    assert any(j.job_id == job_id for j in w.jobs.list())

    w.jobs.delete(job_id)
    with pytest.raises(errors.NotFound):
        w.jobs.get(job_id)


def test_missing_job_and_run_are_not_found(w):
    # The service answers 400 INVALID_PARAMETER_VALUE; the SDK maps it to NotFound.
    with pytest.raises(errors.NotFound) as raised:
        w.jobs.get(987654)
    assert "Job 987654 does not exist." in str(raised.value)
    with pytest.raises(errors.NotFound):
        w.jobs.get_run(987654)
    with pytest.raises(errors.InvalidParameterValue):
        w.jobs.run_now(987654)


def test_run_now_and_wait_sees_terminated(w, jobs_emulator):
    _admin(jobs_emulator, "/__dbk/runs/script",
           {"match": {"notebook_path": NOTEBOOK},
            "outcome": {"result_state": "SUCCESS", "notebook_output": {"result": "ingested", "truncated": False}},
            "times": 1})
    job_id = _create_job(w, "SDK Data ingestion")
    run = w.jobs.run_now(job_id, notebook_params={"zEnd_Date": "2015-10-30"}).result(timeout=timedelta(seconds=60))
    assert run.state.life_cycle_state == jobs.RunLifeCycleState.TERMINATED
    assert run.state.result_state == jobs.RunResultState.SUCCESS
    assert run.job_id == job_id
    assert run.run_page_url.startswith(jobs_emulator)
    assert run.tasks[0].notebook_task.base_parameters == {"FEATURES_TABLE": "training_data",
                                                          "zEnd_Date": "2015-10-30"}
    output = w.jobs.get_run_output(run.tasks[0].run_id)
    assert output.notebook_output.result == "ingested"

    runs = list(w.jobs.list_runs(job_id=job_id))
    assert [r.run_id for r in runs] == [run.run_id]


def test_cancel_a_job_run(w, jobs_emulator):
    _admin(jobs_emulator, "/__dbk/runs/script",
           {"match": {"notebook_path": "/slow"}, "outcome": {"result_state": "SUCCESS", "duration_ms": 3600000}})
    job_id = _create_job(w, "SDK slow", path="/slow")
    waiter = w.jobs.run_now(job_id)
    assert w.jobs.get_run(waiter.run_id).state.life_cycle_state in (
        jobs.RunLifeCycleState.PENDING, jobs.RunLifeCycleState.RUNNING)
    run = w.jobs.cancel_run(waiter.run_id).result(timeout=timedelta(seconds=60))
    assert run.state.life_cycle_state == jobs.RunLifeCycleState.TERMINATED
    assert run.state.result_state == jobs.RunResultState.CANCELED
    assert run.state.user_cancelled_or_timedout is True


def test_multi_task_get_output_is_rejected(w, jobs_emulator):
    _admin(jobs_emulator, "/__dbk/runs/script", {"match": {"notebook_path": "/a"}, "outcome": {"result_state": "SUCCESS"}})
    _admin(jobs_emulator, "/__dbk/runs/script", {"match": {"notebook_path": "/b"}, "outcome": {"result_state": "SUCCESS"}})
    submitted = w.jobs.submit(run_name="two tasks", tasks=[
        jobs.SubmitTask(task_key="a", notebook_task=jobs.NotebookTask(notebook_path="/a")),
        jobs.SubmitTask(task_key="b", depends_on=[jobs.TaskDependency(task_key="a")],
                        notebook_task=jobs.NotebookTask(notebook_path="/b")),
    ]).result(timeout=timedelta(seconds=60))
    assert submitted.state.result_state == jobs.RunResultState.SUCCESS
    with pytest.raises(errors.InvalidParameterValue) as raised:
        w.jobs.get_run_output(submitted.run_id)
    assert "Retrieving the output of runs with multiple tasks is not supported" in str(raised.value)


def test_repair_run_reruns_the_failed_task(w, jobs_emulator):
    for key in ("prepare", "score"):
        _admin(jobs_emulator, "/__dbk/runs/script", {"match": {"task_key": key}, "outcome": {"result_state": "SUCCESS"}})
    _admin(jobs_emulator, "/__dbk/runs/script",
           {"match": {"task_key": "fit"}, "outcome": {"result_state": "FAILED", "state_message": "no data"},
            "times": 1})
    _admin(jobs_emulator, "/__dbk/runs/script", {"match": {"task_key": "fit"}, "outcome": {"result_state": "SUCCESS"}})
    created = w.jobs.create(name="SDK repair", tasks=[
        jobs.Task(task_key="prepare", notebook_task=jobs.NotebookTask(notebook_path="/prepare")),
        jobs.Task(task_key="fit", depends_on=[jobs.TaskDependency(task_key="prepare")],
                  notebook_task=jobs.NotebookTask(notebook_path="/fit")),
        jobs.Task(task_key="score", depends_on=[jobs.TaskDependency(task_key="fit")],
                  notebook_task=jobs.NotebookTask(notebook_path="/score")),
    ])
    failed = w.jobs.run_now(created.job_id).result(timeout=timedelta(seconds=60))
    assert failed.state.result_state == jobs.RunResultState.FAILED
    keys = {t.task_key: t for t in failed.tasks}

    repaired = w.jobs.repair_run(failed.run_id, rerun_tasks=["fit"], rerun_dependent_tasks=True,
                                 notebook_params={"retry": "1"}).result(timeout=timedelta(seconds=60))
    assert repaired.run_id == failed.run_id
    assert repaired.state.result_state == jobs.RunResultState.SUCCESS
    again = {t.task_key: t for t in repaired.tasks}
    assert again["prepare"].run_id == keys["prepare"].run_id
    assert again["fit"].run_id != keys["fit"].run_id
    assert again["score"].state.result_state == jobs.RunResultState.SUCCESS
    assert again["fit"].notebook_task.base_parameters == {"retry": "1"}

    history = w.jobs.get_run(failed.run_id, include_history=True).repair_history
    assert [item.type for item in history] == [jobs.RepairHistoryItemType.ORIGINAL,
                                               jobs.RepairHistoryItemType.REPAIR]
    assert history[1].task_run_ids == [again["fit"].run_id, again["score"].run_id]
    assert not w.jobs.get_run(failed.run_id).repair_history

    # A second repair must name the first one.
    with pytest.raises(errors.InvalidParameterValue) as raised:
        w.jobs.repair_run(failed.run_id, rerun_all_failed_tasks=True)
    assert f"latest_repair_id must be {history[1].id}" in str(raised.value)
