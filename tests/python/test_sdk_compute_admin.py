"""The official databricks-sdk against the emulator's instance pools, cluster policies and
libraries: what a setup script does with them, with the errors the SDK maps."""

import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk import errors
from databricks.sdk.service import compute

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
