"""The official databricks-sdk against the emulator's instance pools, cluster policies and
libraries: what a setup script does with them, with the errors the SDK maps."""

import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import timedelta

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk import errors
from databricks.sdk.service import compute
from databricks.sdk.service import jobs

DEFAULT_CLUSTER = "0101-000000-dbklocal"


@pytest.fixture(scope="module")
def w(emulator_url):
    return WorkspaceClient(host=emulator_url, token="dapi-test-token")


def test_instance_pools(w):
    created = w.instance_pools.create(instance_pool_name="sdk-pool", node_type_id="local",
                                      min_idle_instances=1, custom_tags={"team": "a"})
    pool = w.instance_pools.get(created.instance_pool_id)
    assert pool.instance_pool_name == "sdk-pool"
    assert pool.state == compute.InstancePoolState.ACTIVE
    assert pool.stats.idle_count == 1
    assert pool.custom_tags == {"team": "a"}
    assert [p.instance_pool_id for p in w.instance_pools.list()] == [created.instance_pool_id]

    w.instance_pools.edit(instance_pool_id=created.instance_pool_id,
                          instance_pool_name="sdk-pool-2", node_type_id="local")
    assert w.instance_pools.get(created.instance_pool_id).instance_pool_name == "sdk-pool-2"

    cluster = w.clusters.create(cluster_name="on-pool", spark_version="15.4.x-scala2.12",
                                instance_pool_id=created.instance_pool_id, num_workers=1).result()
    assert cluster.node_type_id == "local"
    assert w.instance_pools.get(created.instance_pool_id).stats.used_count == 2

    w.instance_pools.delete(created.instance_pool_id)
    assert list(w.instance_pools.list()) == []
    with pytest.raises(errors.InvalidParameterValue):
        w.clusters.create(cluster_name="x", spark_version="15.4.x-scala2.12",
                          instance_pool_id=created.instance_pool_id)
    with pytest.raises(errors.InvalidParameterValue):
        w.instance_pools.get("no-such-pool")


def test_cluster_policies(w):
    definition = {"spark_version": {"type": "fixed", "value": "15.4.x-scala2.12"},
                  "autotermination_minutes": {"type": "range", "maxValue": 60, "defaultValue": 20}}
    created = w.cluster_policies.create(name="sdk-policy", definition=json.dumps(definition))
    policy = w.cluster_policies.get(created.policy_id)
    assert policy.name == "sdk-policy"
    assert json.loads(policy.definition) == definition
    assert [p.policy_id for p in w.cluster_policies.list()] == [created.policy_id]

    # Within the policy: the fixed value and the default are filled in.
    cluster = w.clusters.create(cluster_name="by-policy", policy_id=created.policy_id,
                                spark_version="15.4.x-scala2.12").result()
    assert cluster.autotermination_minutes == 20
    with pytest.raises(errors.InvalidParameterValue) as refused:
        w.clusters.create(cluster_name="too-long", policy_id=created.policy_id,
                          spark_version="15.4.x-scala2.12", autotermination_minutes=120)
    assert "Validation failed for autotermination_minutes" in str(refused.value)

    w.cluster_policies.edit(policy_id=created.policy_id, name="sdk-policy-2", definition="{}")
    assert w.cluster_policies.get(created.policy_id).name == "sdk-policy-2"
    w.cluster_policies.delete(created.policy_id)
    with pytest.raises(errors.NotFound):
        w.cluster_policies.get(created.policy_id)


def _wheel(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("dbk_sdk_lib/__init__.py", "VALUE = 7\n")
        z.writestr("dbk_sdk_lib-1.0.dist-info/METADATA",
                   "Metadata-Version: 2.1\nName: dbk_sdk_lib\nVersion: 1.0\n")
        z.writestr("dbk_sdk_lib-1.0.dist-info/WHEEL",
                   "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr("dbk_sdk_lib-1.0.dist-info/RECORD", "")


def _settled(w, cluster_id, timeout=180):
    deadline = time.monotonic() + timeout
    while True:
        statuses = list(w.libraries.cluster_status(cluster_id))
        if all(s.status not in (compute.LibraryInstallStatus.PENDING,
                                compute.LibraryInstallStatus.INSTALLING) for s in statuses):
            return statuses
        assert time.monotonic() < deadline, statuses
        time.sleep(0.2)


def test_libraries(w):
    with tempfile.TemporaryDirectory() as folder:
        wheel = os.path.join(folder, "dbk_sdk_lib-1.0-py3-none-any.whl")
        _wheel(wheel)
        with open(wheel, "rb") as f:
            w.dbfs.upload("/libs/dbk_sdk_lib-1.0-py3-none-any.whl", f, overwrite=True)
    whl = compute.Library(whl="dbfs:/libs/dbk_sdk_lib-1.0-py3-none-any.whl")
    cran = compute.Library(cran=compute.RCranLibrary(package="data.table"))
    # An index nobody listens on: pip fails, and says so.
    offline = compute.Library(pypi=compute.PythonPyPiLibrary(package="six",
                                                             repo="http://127.0.0.1:9/simple"))
    w.libraries.install(DEFAULT_CLUSTER, [whl, cran, offline])
    statuses = {json.dumps(s.library.as_dict(), sort_keys=True): s for s in _settled(w, DEFAULT_CLUSTER)}
    assert statuses[json.dumps(whl.as_dict(), sort_keys=True)].status == \
        compute.LibraryInstallStatus.INSTALLED
    failed_cran = statuses[json.dumps(cran.as_dict(), sort_keys=True)]
    assert failed_cran.status == compute.LibraryInstallStatus.FAILED
    assert "cannot install cran libraries" in failed_cran.messages[0]
    assert statuses[json.dumps(offline.as_dict(), sort_keys=True)].status == \
        compute.LibraryInstallStatus.FAILED

    everywhere = list(w.libraries.all_cluster_statuses())
    assert [s.cluster_id for s in everywhere] == [DEFAULT_CLUSTER]

    w.libraries.uninstall(DEFAULT_CLUSTER, [whl])
    marked = [s for s in w.libraries.cluster_status(DEFAULT_CLUSTER) if s.library.whl]
    assert marked[0].status == compute.LibraryInstallStatus.UNINSTALL_ON_RESTART
    with pytest.raises(errors.InvalidParameterValue):
        w.libraries.install("no-such-cluster", [whl])


def _admin(base_url, path, body):
    import urllib.request
    request = urllib.request.Request(base_url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"{}")


def _finished_run(w, run_id, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        run = w.jobs.get_run(run_id)
        if run.state.life_cycle_state in (jobs.RunLifeCycleState.TERMINATED,
                                          jobs.RunLifeCycleState.INTERNAL_ERROR):
            return run
        assert time.monotonic() < deadline, run.state
        time.sleep(0.1)


def test_cluster_policies_apply_to_job_clusters(w, emulator_url):
    _admin(emulator_url, "/__dbk/runs/script", {"match": {"task_key": "main"},
                                                "outcome": {"result_state": "SUCCESS"}})
    definition = {"spark_version": {"type": "fixed", "value": "14.3.x-scala2.12"},
                  "cluster_type": {"type": "fixed", "value": "job"},
                  "num_workers": {"type": "range", "maxValue": 2}}
    policy = w.cluster_policies.create(name="jobs-only", definition=json.dumps(definition)).policy_id
    task = dict(task_key="main", notebook_task=jobs.NotebookTask(notebook_path="/Shared/etl"))

    # An unknown policy is refused when the job is created.
    with pytest.raises(errors.NotFound) as unknown:
        w.jobs.create(name="bad", tasks=[jobs.Task(
            **task, new_cluster=compute.ClusterSpec(policy_id="no-such-policy", num_workers=1))])
    assert "no-such-policy" in str(unknown.value)

    # Within the policy: the run's job cluster gets the policy's fixed values.
    good = w.jobs.create(name="good", job_clusters=[jobs.JobCluster(
        job_cluster_key="shared", new_cluster=compute.ClusterSpec(policy_id=policy, num_workers=1))],
        tasks=[jobs.Task(**task, job_cluster_key="shared")]).job_id
    run = _finished_run(w, w.jobs.run_now(good).response.run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS
    cluster = w.clusters.get(run.tasks[0].cluster_instance.cluster_id)
    assert (cluster.spark_version, cluster.cluster_source) == ("14.3.x-scala2.12", compute.ClusterSource.JOB)

    # A violating job cluster fails the run when it starts, with the policy's message.
    bad = w.jobs.create(name="too-big", tasks=[jobs.Task(
        **task, new_cluster=compute.ClusterSpec(policy_id=policy, num_workers=5))]).job_id
    run = _finished_run(w, w.jobs.run_now(bad).response.run_id)
    assert run.state.life_cycle_state == jobs.RunLifeCycleState.INTERNAL_ERROR
    assert run.state.result_state == jobs.RunResultState.FAILED
    assert "Validation failed for num_workers, the value must be at most 2" in run.state.state_message
    # The same policy refuses all-purpose clusters (cluster_type is "all-purpose" there).
    with pytest.raises(errors.InvalidParameterValue) as refused:
        w.clusters.create(cluster_name="interactive", policy_id=policy, num_workers=1,
                          spark_version="14.3.x-scala2.12")
    assert "Validation failed for cluster_type" in str(refused.value)


def test_instance_pool_max_capacity(w, emulator_url):
    pool = w.instance_pools.create(instance_pool_name="small", node_type_id="local",
                                   max_capacity=2).instance_pool_id
    first = w.clusters.create(cluster_name="first", spark_version="15.4.x-scala2.12",
                              instance_pool_id=pool, num_workers=1).cluster_id
    assert w.instance_pools.get(pool).stats.pending_used_count == 2
    _admin(emulator_url, "/__dbk/clock", {"advance_ms": 5000})
    assert w.clusters.get(first).state == compute.State.RUNNING
    stats = w.instance_pools.get(pool).stats
    assert (stats.used_count, stats.pending_used_count) == (2, 0)

    # The pool is full: the next cluster is accepted, then fails to start.
    second = w.clusters.create(cluster_name="second", spark_version="15.4.x-scala2.12",
                               instance_pool_id=pool, num_workers=0).cluster_id
    _admin(emulator_url, "/__dbk/clock", {"advance_ms": 5000})
    failed = w.clusters.get(second)
    assert failed.state == compute.State.TERMINATED
    assert failed.termination_reason.code == compute.TerminationReasonCode.INSTANCE_POOL_MAX_CAPACITY_REACHED
    assert failed.termination_reason.type == compute.TerminationReasonType.CLIENT_ERROR
    assert failed.termination_reason.parameters["instance_pool_id"] == pool
    assert w.instance_pools.get(pool).stats.used_count == 2

    # So does a job's cluster on it: the run ends INTERNAL_ERROR with the reason.
    _admin(emulator_url, "/__dbk/runs/script", {"match": {"task_key": "pooled"},
                                                "outcome": {"result_state": "SUCCESS"}})
    job = w.jobs.create(name="pooled", tasks=[jobs.Task(
        task_key="pooled", notebook_task=jobs.NotebookTask(notebook_path="/Shared/etl"),
        new_cluster=compute.ClusterSpec(instance_pool_id=pool, num_workers=0,
                                        spark_version="15.4.x-scala2.12"))]).job_id
    run = _finished_run(w, w.jobs.run_now(job).response.run_id)
    assert run.state.life_cycle_state == jobs.RunLifeCycleState.INTERNAL_ERROR
    assert "INSTANCE_POOL_MAX_CAPACITY_REACHED" in run.tasks[0].state.state_message

    # Once the first cluster is gone, the second starts and the job runs.
    w.clusters.delete(first)
    _admin(emulator_url, "/__dbk/clock", {"advance_ms": 2000})
    w.clusters.start(second)
    _admin(emulator_url, "/__dbk/clock", {"advance_ms": 5000})
    assert w.clusters.get(second).state == compute.State.RUNNING
    assert w.instance_pools.get(pool).stats.used_count == 1
    run = _finished_run(w, w.jobs.run_now(job).response.run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS


def test_command_execution_contexts(w):
    ce = w.command_execution

    def run(context, command, language=compute.Language.PYTHON):
        return ce.execute_and_wait(cluster_id=DEFAULT_CLUSTER, context_id=context, language=language,
                                   command=command, timeout=timedelta(minutes=10))

    first = ce.create_and_wait(cluster_id=DEFAULT_CLUSTER, language=compute.Language.PYTHON).id
    done = run(first, "x = 41\nprint('hello')")
    assert done.status == compute.CommandStatus.FINISHED
    assert (done.results.result_type, done.results.data) == (compute.ResultType.TEXT, "hello\n")
    # The context keeps its state; its last expression is shown as a REPL shows it.
    assert run(first, "x + 1").results.data == "42\n"
    failed = run(first, "1 / 0")
    assert failed.status == compute.CommandStatus.FINISHED
    assert failed.results.result_type == compute.ResultType.ERROR
    assert "ZeroDivisionError" in failed.results.summary
    assert "Traceback" in failed.results.cause

    # Another context has its own state.
    second = ce.create_and_wait(cluster_id=DEFAULT_CLUSTER, language=compute.Language.PYTHON).id
    assert "NameError" in run(second, "print(x)").results.summary

    # SQL runs through the context's own SparkSession; the result is a table.
    table = run(second, "SELECT 1 AS one, 'a' AS letter", compute.Language.SQL).results
    assert table.result_type == compute.ResultType.TABLE
    assert table.data == [[1, "a"]]
    assert [column["name"] for column in table.schema] == ["one", "letter"]

    # Secrets a command reads never show in its results.
    w.secrets.create_scope("commands")
    w.secrets.put_secret("commands", "password", string_value="s3cr3t-value")
    shown = run(first, "v = dbutils.secrets.get('commands', 'password')\nprint('pw=' + v)")
    assert shown.results.data == "pw=[REDACTED]\n"

    # Scala and R are refused, clearly.
    scala = run(first, "println(1)", compute.Language.SCALA)
    assert scala.results.result_type == compute.ResultType.ERROR
    assert "scala is not supported" in scala.results.summary
    with pytest.raises(errors.InvalidParameterValue):
        ce.create(cluster_id=DEFAULT_CLUSTER, language=compute.Language.R)

    ce.destroy(cluster_id=DEFAULT_CLUSTER, context_id=second)
    with pytest.raises(errors.InvalidParameterValue):
        ce.context_status(cluster_id=DEFAULT_CLUSTER, context_id=second)
    ce.destroy(cluster_id=DEFAULT_CLUSTER, context_id=first)

    # The cluster must be running.
    pending = w.clusters.create(cluster_name="not-yet", spark_version="15.4.x-scala2.12").cluster_id
    with pytest.raises(errors.BadRequest) as refused:
        ce.create(cluster_id=pending, language=compute.Language.PYTHON)
    assert "is not running" in str(refused.value)
