"""The official databricks-sdk against the emulator's SCIM identities: users and service
principals with their group memberships, as an onboarding script manages them, and the
SCIM error bodies the SDK maps to its exceptions."""

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk import errors
from databricks.sdk.service import iam

ME = "emulator@dbk.local"


@pytest.fixture(scope="module")
def w(emulator_url):
    return WorkspaceClient(host=emulator_url, token="dapi-test-token")


def _group_names(principal):
    return sorted(g.display for g in principal.groups or [])


def _member_ids(w, group_id):
    return sorted(m.value for m in w.groups.get(group_id).members or [])


def test_users_create_get_list_update_patch_delete(w):
    data = w.groups.create(display_name="data-eng")
    alice = w.users.create(user_name="alice@example.com", display_name="Alice",
                           name=iam.Name(given_name="Alice", family_name="A"),
                           entitlements=[iam.ComplexValue(value="allow-cluster-create")],
                           groups=[iam.ComplexValue(value=data.id)])
    assert alice.id and alice.active is True
    assert alice.emails[0].value == "alice@example.com"
    assert _group_names(alice) == ["data-eng", "users"]
    # The group sees its new member, by the user's id.
    assert _member_ids(w, data.id) == [alice.id]

    got = w.users.get(alice.id)
    assert (got.user_name, got.display_name, got.name.given_name) == ("alice@example.com", "Alice", "Alice")
    assert [e.value for e in got.entitlements] == ["allow-cluster-create"]

    bob = w.users.create(user_name="bob@example.com")
    assert bob.display_name == "bob@example.com"
    names = [u.user_name for u in w.users.list()]
    assert sorted(names) == ["alice@example.com", "bob@example.com", ME]
    # Filter, attributes, sortBy and paging as the SDK sends them.
    found = list(w.users.list(filter='userName eq "ALICE@example.com"'))
    assert [u.id for u in found] == [alice.id]
    assert [u.user_name for u in w.users.list(filter='userName sw "b" or displayName co "lic"',
                                              sort_by="userName")] == ["alice@example.com",
                                                                      "bob@example.com"]
    slim = list(w.users.list(attributes="userName", sort_by="userName",
                             sort_order=iam.ListSortOrder.DESCENDING))
    assert [u.user_name for u in slim] == [ME, "bob@example.com", "alice@example.com"]
    assert all(u.display_name is None and u.id for u in slim)
    assert len(list(w.users.list(count=1))) == 3  # the SDK pages through count-sized pages

    # PATCH: deactivate, join and leave groups, drop an entitlement, rename.
    w.users.patch(alice.id, operations=[
        # The SDK drops a false value: the service's documented form is a wrapped string.
        iam.Patch(op=iam.PatchOp.REPLACE, path="active", value=[{"value": "false"}]),
        iam.Patch(op=iam.PatchOp.REMOVE, path=f'groups[value eq "{data.id}"]'),
        iam.Patch(op=iam.PatchOp.REMOVE, path="entitlements",
                  value=[{"value": "allow-cluster-create"}]),
        iam.Patch(op=iam.PatchOp.REPLACE, value={"displayName": "Alice B"})],
        schemas=[iam.PatchSchema.URN_IETF_PARAMS_SCIM_API_MESSAGES_2_0_PATCH_OP])
    patched = w.users.get(alice.id)
    assert patched.active is False and patched.display_name == "Alice B"
    assert not patched.entitlements
    assert _group_names(patched) == ["users"]
    assert _member_ids(w, data.id) == []
    w.users.patch(alice.id, operations=[iam.Patch(op=iam.PatchOp.ADD, path="groups",
                                                  value=[{"value": data.id}])])
    assert _member_ids(w, data.id) == [alice.id]

    # PUT replaces the user, its groups included.
    w.users.update(alice.id, user_name="alice@example.com", display_name="Alice C", active=True)
    replaced = w.users.get(alice.id)
    assert (replaced.display_name, replaced.active, replaced.name) == ("Alice C", True, None)
    assert _group_names(replaced) == ["users"]

    # Groups' own PATCH is the other side of the same membership.
    w.groups.patch(data.id, operations=[iam.Patch(op=iam.PatchOp.ADD, path="members",
                                                  value=[{"value": bob.id}])])
    assert _group_names(w.users.get(bob.id)) == ["data-eng", "users"]

    w.users.delete(bob.id)
    assert _member_ids(w, data.id) == []
    with pytest.raises(errors.NotFound):
        w.users.get(bob.id)
    with pytest.raises(errors.NotFound):
        w.users.delete(bob.id)


def test_user_errors_are_scim_errors(w):
    w.users.create(user_name="carol@example.com")
    with pytest.raises(errors.ResourceConflict) as duplicate:
        w.users.create(user_name="Carol@example.com")
    assert "already exists" in str(duplicate.value)
    with pytest.raises(errors.BadRequest):
        w.users.create(display_name="no user name")
    with pytest.raises(errors.BadRequest):
        w.users.create(user_name="dave@example.com",
                       entitlements=[iam.ComplexValue(value="be-root")])
    with pytest.raises(errors.BadRequest):
        list(w.users.list(filter='userName eq'))
    with pytest.raises(errors.BadRequest):
        w.users.patch(w.current_user.me().id,
                      operations=[iam.Patch(op=iam.PatchOp.REPLACE, path="password", value="x")])
    # The emulator's own user stays: Me still answers, with its groups.
    with pytest.raises(errors.BadRequest):
        w.users.delete(w.current_user.me().id)
    me = w.current_user.me()
    assert me.user_name == ME
    assert "admins" in _group_names(me)
    assert w.users.get(me.id).user_name == ME


def test_service_principals(w):
    ops = w.groups.create(display_name="ops")
    sp = w.service_principals.create(display_name="ci-bot",
                                      entitlements=[iam.ComplexValue(value="workspace-access")])
    assert sp.application_id and sp.active is True
    assert _group_names(sp) == ["users"]
    named = w.service_principals.create(application_id="11111111-2222-3333-4444-555555555555",
                                        display_name="deployer", groups=[iam.ComplexValue(value=ops.id)])
    assert _member_ids(w, ops.id) == [named.id]
    assert sorted(p.display_name for p in w.service_principals.list()) == ["ci-bot", "deployer"]
    assert [p.id for p in w.service_principals.list(filter='displayName eq "ci-bot"')] == [sp.id]
    with pytest.raises(errors.ResourceConflict):
        w.service_principals.create(application_id=named.application_id)

    w.service_principals.patch(sp.id, operations=[
        iam.Patch(op=iam.PatchOp.ADD, path="groups", value=[{"value": ops.id}]),
        iam.Patch(op=iam.PatchOp.REPLACE, path="active", value="false")])
    got = w.service_principals.get(sp.id)
    assert got.active is False
    assert _group_names(got) == ["ops", "users"]
    w.service_principals.update(named.id, application_id=named.application_id, display_name="deployer-2",
                                groups=[iam.ComplexValue(value=ops.id)])
    assert w.service_principals.get(named.id).display_name == "deployer-2"
    with pytest.raises(errors.BadRequest):
        w.service_principals.update(named.id, application_id="another-id")

    w.service_principals.delete(sp.id)
    assert _member_ids(w, ops.id) == [named.id]
    with pytest.raises(errors.NotFound):
        w.service_principals.get(sp.id)
