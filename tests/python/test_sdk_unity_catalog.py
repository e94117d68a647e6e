"""The official databricks-sdk against the emulator's Unity Catalog: the metastore a workspace
has, catalogs and schemas as a setup script makes them, with the errors the SDK maps."""

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk import errors


@pytest.fixture(scope="module")
def w(emulator_url):
    return WorkspaceClient(host=emulator_url, token="dapi-test-token")


def test_current_metastore(w):
    current = w.metastores.current()
    assert current.workspace_id == 1
    assert current.default_catalog_name == "hive_metastore"
    summary = w.metastores.summary()
    assert summary.metastore_id == current.metastore_id
    assert w.metastores.get(current.metastore_id).name == summary.name
    assert [m.metastore_id for m in w.metastores.list()] == [current.metastore_id]
    with pytest.raises(errors.NotFound):
        w.metastores.get("no-such-metastore")


def test_catalogs_and_schemas(w):
    created = w.catalogs.create(name="SDK_Cat", comment="made by the sdk",
                                properties={"team": "a"})
    assert created.name == "sdk_cat"
    assert created.properties == {"team": "a"}
    assert w.catalogs.get("sdk_cat").comment == "made by the sdk"
    assert "sdk_cat" in [c.name for c in w.catalogs.list()]
    with pytest.raises(errors.ResourceConflict):
        w.catalogs.create(name="sdk_cat")
    with pytest.raises(errors.NotFound) as missing:
        w.catalogs.get("nope")
    assert missing.value.error_code == "CATALOG_DOES_NOT_EXIST"
    with pytest.raises(errors.InvalidParameterValue):
        w.catalogs.create(name="../etc")

    schema = w.schemas.create(name="raw", catalog_name="sdk_cat", comment="landing")
    assert schema.full_name == "sdk_cat.raw"
    assert sorted(s.name for s in w.schemas.list(catalog_name="sdk_cat")) == [
        "default", "information_schema", "raw"]
    assert w.schemas.update("sdk_cat.raw", comment="raw data").comment == "raw data"
    assert w.schemas.get("sdk_cat.raw").comment == "raw data"

    renamed = w.catalogs.update("sdk_cat", new_name="sdk_cat2", comment="renamed")
    assert renamed.name == "sdk_cat2"
    assert w.schemas.get("sdk_cat2.raw").catalog_name == "sdk_cat2"
    with pytest.raises(errors.NotFound):
        w.schemas.get("sdk_cat.raw")

    w.schemas.delete("sdk_cat2.raw")
    with pytest.raises(errors.NotFound):
        w.schemas.get("sdk_cat2.raw")
    with pytest.raises(errors.BadRequest):
        w.catalogs.delete("sdk_cat2")  # still holds `default`
    w.catalogs.delete("sdk_cat2", force=True)
    with pytest.raises(errors.NotFound):
        w.catalogs.get("sdk_cat2")


def test_catalog_list_pages_through_everything(w):
    names = ["page_%03d" % i for i in range(105)]  # more than one server page (100)
    for name in names:
        w.catalogs.create(name=name)
    listed = [c.name for c in w.catalogs.list() if c.name.startswith("page_")]
    assert listed == names
    for name in names:
        w.catalogs.delete(name, force=True)


def test_storage_credentials_and_external_locations(w):
    from databricks.sdk.service import catalog
    cred = w.storage_credentials.create(
        name="SDK_Cred", comment="sdk",
        aws_iam_role=catalog.AwsIamRoleRequest(role_arn="arn:aws:iam::1:role/sdk"))
    assert cred.name == "sdk_cred"
    assert cred.aws_iam_role.role_arn == "arn:aws:iam::1:role/sdk"
    with pytest.raises(errors.ResourceConflict):
        w.storage_credentials.create(
            name="sdk_cred", aws_iam_role=catalog.AwsIamRoleRequest(role_arn="a"))
    with pytest.raises(errors.BadRequest):  # no cloud credential
        w.storage_credentials.create(name="sdk_none")
    loc = w.external_locations.create(name="sdk_loc", url="s3://sdk-bucket/data/",
                                      credential_name="sdk_cred")
    assert (loc.url, loc.credential_name, loc.credential_id) == (
        "s3://sdk-bucket/data", "sdk_cred", cred.id)
    with pytest.raises(errors.BadRequest):  # overlaps sdk_loc
        w.external_locations.create(name="inner", url="s3://sdk-bucket/data/x",
                                    credential_name="sdk_cred")
    with pytest.raises(errors.NotFound):
        w.external_locations.create(name="other", url="s3://other", credential_name="nope")
    assert "sdk_loc" in [l.name for l in w.external_locations.list()]
    assert w.storage_credentials.update("sdk_cred", comment="changed").comment == "changed"
    with pytest.raises(errors.BadRequest):  # sdk_loc depends on it
        w.storage_credentials.delete("sdk_cred")
    w.external_locations.delete("sdk_loc")
    w.storage_credentials.delete("sdk_cred")
    with pytest.raises(errors.NotFound):
        w.storage_credentials.get("sdk_cred")


def test_grants_are_durable_and_checked(w):
    from databricks.sdk.service import catalog
    w.catalogs.create(name="grant_cat")
    w.schemas.create(name="s", catalog_name="grant_cat")
    try:
        changed = w.grants.update("catalog", "grant_cat", changes=[catalog.PermissionsChange(
            principal="users", add=[catalog.Privilege.USE_CATALOG, catalog.Privilege.SELECT])])
        assert [(a.principal, sorted(p.value for p in a.privileges))
                for a in changed.privilege_assignments] == [("users", ["SELECT", "USE_CATALOG"])]
        w.grants.update("catalog", "grant_cat", changes=[catalog.PermissionsChange(
            principal="users", remove=[catalog.Privilege.SELECT])])
        got = w.grants.get("catalog", "grant_cat")
        assert [p.value for p in got.privilege_assignments[0].privileges] == ["USE_CATALOG"]
        effective = w.grants.get_effective("schema", "grant_cat.s")
        inherited = effective.privilege_assignments[0].privileges[0]
        assert (inherited.privilege.value, inherited.inherited_from_name) == (
            "USE_CATALOG", "grant_cat")
        with pytest.raises(errors.NotFound):
            w.grants.update("catalog", "grant_cat", changes=[catalog.PermissionsChange(
                principal="nobody", add=[catalog.Privilege.SELECT])])
        with pytest.raises(errors.NotFound):
            w.grants.get("table", "grant_cat.s.missing")
    finally:
        w.catalogs.delete("grant_cat", force=True)
    # A catalog made again under the same name starts without the old grants.
    w.catalogs.create(name="grant_cat")
    assert not w.grants.get("catalog", "grant_cat").privilege_assignments
    w.catalogs.delete("grant_cat", force=True)


def test_catalog_workspace_bindings(w):
    w.catalogs.create(name="bound_cat")
    try:
        assert not w.workspace_bindings.get("bound_cat").workspaces
        assert w.workspace_bindings.update("bound_cat", assign_workspaces=[1, 7]).workspaces == [
            1, 7]
        assert w.workspace_bindings.update("bound_cat", unassign_workspaces=[7]).workspaces == [1]
        renamed = w.catalogs.update("bound_cat", new_name="bound_cat2")
        assert w.workspace_bindings.get(renamed.name).workspaces == [1]
        with pytest.raises(errors.NotFound):
            w.workspace_bindings.get("nope")
    finally:
        w.catalogs.delete("bound_cat2", force=True)


def test_shares(w):
    from databricks.sdk.service import sharing
    w.catalogs.create(name="share_cat")
    try:
        share = w.shares.create(name="SDK_Share", comment="sdk")
        assert share.name == "sdk_share"
        with pytest.raises(errors.ResourceConflict):
            w.shares.create(name="sdk_share")
        updated = w.shares.update("sdk_share", updates=[sharing.SharedDataObjectUpdate(
            action=sharing.SharedDataObjectUpdateAction.ADD,
            data_object=sharing.SharedDataObject(
                name="share_cat.default",
                data_object_type=sharing.SharedDataObjectDataObjectType.SCHEMA))])
        assert [o.name for o in updated.objects] == ["share_cat.default"]
        with pytest.raises(errors.NotFound):
            w.shares.update("sdk_share", updates=[sharing.SharedDataObjectUpdate(
                action=sharing.SharedDataObjectUpdateAction.ADD,
                data_object=sharing.SharedDataObject(name="share_cat.default.missing"))])
        got = w.shares.get("sdk_share", include_shared_data=True)
        assert got.objects[0].status.value == "ACTIVE"
        assert "sdk_share" in [s.name for s in w.shares.list_shares()]
        w.shares.delete("sdk_share")
        with pytest.raises(errors.NotFound):
            w.shares.get("sdk_share")
    finally:
        w.catalogs.delete("share_cat", force=True)


def test_delta_sharing_recipients_providers(w):
    """Open sharing end to end: a TOKEN recipient granted a share, its credential file
    downloaded once through the activation link, and a provider made from that file."""
    import json
    from databricks.sdk.service import sharing
    recipient = w.recipients.create(
        name="SDK_Partner", authentication_type=sharing.AuthenticationType.TOKEN,
        comment="sdk", ip_access_list=sharing.IpAccessList(allowed_ip_addresses=["10.1.0.0/16"]),
        properties_kvpairs=sharing.SecurablePropertiesKvPairs(properties={"country": "US"}))
    try:
        assert recipient.name == "sdk_partner"
        assert recipient.activated is False
        assert recipient.properties_kvpairs.properties == {"country": "US"}
        assert len(recipient.tokens) == 1
        assert recipient.tokens[0].activation_url == recipient.activation_url
        with pytest.raises(errors.ResourceConflict):
            w.recipients.create(name="sdk_partner",
                                authentication_type=sharing.AuthenticationType.TOKEN)
        w.shares.create(name="sdk_open_share")
        granted = w.shares.update_permissions("sdk_open_share", changes=[
            sharing.PermissionsChange(principal="sdk_partner", add=["SELECT"])])
        assert [(a.principal, a.privileges) for a in granted.privilege_assignments] == [
            ("sdk_partner", [sharing.Privilege.SELECT])]
        with pytest.raises(errors.NotFound):
            w.shares.update_permissions("sdk_open_share", changes=[
                sharing.PermissionsChange(principal="nobody", add=["SELECT"])])
        listed = w.shares.share_permissions("sdk_open_share")
        assert listed.privilege_assignments[0].principal == "sdk_partner"
        out = w.recipients.share_permissions("sdk_partner").permissions_out
        assert [p.share_name for p in out] == ["sdk_open_share"]

        code = recipient.activation_url.rsplit("?", 1)[1]
        w.recipient_activation.get_activation_url_info(code)
        profile = w.recipient_activation.retrieve_token(code)
        assert profile.share_credentials_version == 1 and profile.bearer_token
        with pytest.raises(errors.NotFound):  # the link works once
            w.recipient_activation.retrieve_token(code)
        assert w.recipients.get("sdk_partner").activated is True

        provider = w.providers.create(
            name="sdk_upstream", authentication_type=sharing.AuthenticationType.TOKEN,
            recipient_profile_str=json.dumps(profile.as_dict()))
        assert provider.recipient_profile.endpoint == profile.endpoint
        assert provider.recipient_profile.bearer_token is None
        assert [s.name for s in w.providers.list_shares("sdk_upstream")] == ["sdk_open_share"]
        assert "sdk_upstream" in [p.name for p in w.providers.list()]

        # Rotating with 0 expires the downloaded token: the provider loses access.
        rotated = w.recipients.rotate_token("sdk_partner", existing_token_expire_in_seconds=0)
        assert len(rotated.tokens) == 1 and rotated.activated is False
        with pytest.raises(errors.PermissionDenied):
            list(w.providers.list_shares("sdk_upstream"))
        w.providers.delete("sdk_upstream")
        with pytest.raises(errors.NotFound):
            w.providers.get("sdk_upstream")
    finally:
        w.recipients.delete("sdk_partner")
        try:
            w.shares.delete("sdk_open_share")
        except errors.NotFound:
            pass
    with pytest.raises(errors.NotFound):
        w.recipients.get("sdk_partner")


def test_activation_link_needs_no_workspace_token():
    """The activation endpoints are public on the service: the one-time code is the
    credential, so an emulator with --token serves them without one (and nothing else)."""
    import json
    import urllib.error
    import urllib.request
    from conftest import running_emulator
    token = "dapi-sharing-admin"
    with running_emulator(("--token", token)) as url:
        admin = WorkspaceClient(host=url, token=token)
        from databricks.sdk.service import sharing
        recipient = admin.recipients.create(
            name="public_check", authentication_type=sharing.AuthenticationType.TOKEN)
        code = recipient.activation_url.rsplit("?", 1)[1]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + "/api/2.1/unity-catalog/recipients", timeout=30)
        assert refused.value.code == 401
        with urllib.request.urlopen(
                url + "/api/2.1/unity-catalog/public/data_sharing_activation/" + code,
                timeout=30) as response:
            assert json.loads(response.read())["bearerToken"]
        # The public prefix is matched on the path as sent: dot segments, encoded or not,
        # never reach a private endpoint without the token.
        import http.client
        from urllib.parse import urlparse
        address = urlparse(url)
        for sneaky in ("/api/2.1/unity-catalog/public/../recipients",
                       "/api/2.1/unity-catalog/public/%2e%2e/recipients",
                       "/api/2.0/unity-catalog/public/../../2.1/unity-catalog/recipients"):
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
            try:
                connection.request("GET", sneaky)
                status = connection.getresponse().status
            finally:
                connection.close()
            assert status in (401, 404), sneaky
