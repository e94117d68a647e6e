"""What the official databricks-sdk expects of any workspace around its first calls: the
host metadata it fetches when a client is created, the current user's home folder, and a
node type with local storage for select_node_type."""

import json
import logging
import urllib.request

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.service import workspace


@pytest.fixture(scope="module")
def w(emulator_url):
    return WorkspaceClient(host=emulator_url, token="dapi-test-token")


def reset(emulator_url):
    request = urllib.request.Request(emulator_url + "/__dbk/reset", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()


def test_client_creation_resolves_host_metadata_without_a_warning(emulator_url, caplog):
    with caplog.at_level(logging.DEBUG, logger="databricks.sdk"):
        client = WorkspaceClient(host=emulator_url, token="dapi-test-token")
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == []
    assert client.config.workspace_id == "1"
    assert client.config.discovery_url == emulator_url + "/oidc/.well-known/oauth-authorization-server"
    # Served without credentials, as the SDK asks for it before authenticating.
    with urllib.request.urlopen(emulator_url + "/.well-known/databricks-config") as response:
        assert json.load(response) == {"oidc_endpoint": emulator_url + "/oidc", "workspace_id": "1"}


def test_current_user_home_folder_exists_on_a_fresh_workspace(w, emulator_url):
    reset(emulator_url)
    me = w.current_user.me()
    home = w.workspace.get_status("/Users/%s" % me.user_name)
    assert home.object_type == workspace.ObjectType.DIRECTORY
    # The usual first step of a setup script: a folder under the home folder, no mkdirs -p.
    w.workspace.upload("/Users/%s/setup.py" % me.user_name, b"print('hello')\n",
                       format=workspace.ImportFormat.AUTO)
    names = [o.path for o in w.workspace.list("/Users/%s" % me.user_name)]
    assert names == ["/Users/%s/setup.py" % me.user_name]


def test_select_node_type_finds_a_node_with_local_disk(w):
    assert w.clusters.select_node_type(local_disk=True) == "local"
    assert w.clusters.select_node_type(local_disk=True, local_disk_min_size=1) == "local"
    node = w.clusters.list_node_types().node_types[0]
    assert node.node_instance_type.local_disks == 1
    assert node.node_instance_type.local_disk_size_gb >= 1
