"""The official databricks-sdk against the emulator's Secrets and Token APIs.

The emulator runs with an admin token, so that tokens created through the Token API are
checked: they authenticate until revoked (docs/emulator.md, "Tokens").
"""

import base64

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk import errors
from databricks.sdk.service.workspace import AclPermission

from conftest import running_emulator

ADMIN_TOKEN = "dapi-admin-token-for-sdk-tests"


@pytest.fixture(scope="module")
def emulator_url():
    with running_emulator(("--token", ADMIN_TOKEN)) as url:
        yield url


@pytest.fixture
def w(emulator_url):
    return WorkspaceClient(host=emulator_url, token=ADMIN_TOKEN)


def test_secret_scopes_secrets_and_acls(w):
    w.secrets.create_scope(scope="sdk")
    with pytest.raises(errors.ResourceAlreadyExists, match="Scope sdk already exists!"):
        w.secrets.create_scope(scope="sdk")
    assert [s.name for s in w.secrets.list_scopes()] == ["sdk"]

    w.secrets.put_secret(scope="sdk", key="pw", string_value="hunter2")
    w.secrets.put_secret(scope="sdk", key="bin",
                         bytes_value=base64.b64encode(b"\x00\xff").decode())
    listed = list(w.secrets.list_secrets(scope="sdk"))
    assert sorted(s.key for s in listed) == ["bin", "pw"]
    assert all(s.last_updated_timestamp > 0 for s in listed)
    got = w.secrets.get_secret(scope="sdk", key="pw")
    assert base64.b64decode(got.value) == b"hunter2"
    assert base64.b64decode(w.secrets.get_secret(scope="sdk", key="bin").value) == b"\x00\xff"

    w.secrets.put_acl(scope="sdk", principal="users", permission=AclPermission.READ)
    assert w.secrets.get_acl(scope="sdk", principal="users").permission == AclPermission.READ
    principals = sorted(a.principal for a in w.secrets.list_acls(scope="sdk"))
    assert principals == ["emulator@dbk.local", "users"]
    w.secrets.delete_acl(scope="sdk", principal="users")
    with pytest.raises(errors.NotFound):
        w.secrets.get_acl(scope="sdk", principal="users")

    w.secrets.delete_secret(scope="sdk", key="pw")
    with pytest.raises(errors.NotFound):
        w.secrets.get_secret(scope="sdk", key="pw")
    with pytest.raises(errors.InvalidParameterValue):
        w.secrets.put_secret(scope="sdk", key="big", string_value="x" * (128 * 1024 + 1))
    w.secrets.delete_scope(scope="sdk")
    with pytest.raises(errors.NotFound, match="Scope sdk does not exist!"):
        list(w.secrets.list_secrets(scope="sdk"))


def test_created_tokens_authenticate_until_revoked(w, emulator_url):
    created = w.tokens.create(comment="sdk", lifetime_seconds=3600)
    assert created.token_value.startswith("dapi")
    info = created.token_info
    assert info.comment == "sdk"
    assert info.expiry_time - info.creation_time == 3600 * 1000
    assert [t.token_id for t in w.tokens.list()] == [info.token_id]

    user = WorkspaceClient(host=emulator_url, token=created.token_value)
    assert user.current_user.me().user_name == "emulator@dbk.local"
    w.tokens.delete(token_id=info.token_id)
    with pytest.raises(errors.Unauthenticated):
        user.current_user.me()
    with pytest.raises(errors.NotFound):
        w.tokens.delete(token_id=info.token_id)
    assert list(w.tokens.list()) == []
