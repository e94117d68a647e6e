"""The official databricks-sdk against the emulator's Repos API: a local git repository,
cloned through a file:// URL (the emulator is offline; docs/emulator.md, "Repos")."""

import base64
import os
import subprocess

import pytest
from databricks.sdk import WorkspaceClient, errors
from databricks.sdk.service.workspace import ExportFormat, ObjectType

PATH = "/Repos/sdk@example.com/project"


@pytest.fixture(scope="module")
def w(emulator_url):
    return WorkspaceClient(host=emulator_url, token="dapi-test-token")


def git(src, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="s", GIT_AUTHOR_EMAIL="s@example.com",
               GIT_COMMITTER_NAME="s", GIT_COMMITTER_EMAIL="s@example.com",
               GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["git", "-C", str(src)] + list(args), env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


@pytest.fixture
def source(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    git(src, "init", "-q", "-b", "main")
    (src / "job.py").write_text("# Databricks notebook source\nprint('main')\n")
    (src / "conf.yml").write_text("a: 1\n")
    git(src, "add", "-A")
    git(src, "commit", "-q", "-m", "one")
    git(src, "checkout", "-q", "-b", "dev")
    (src / "job.py").write_text("# Databricks notebook source\nprint('dev')\n")
    git(src, "commit", "-q", "-am", "two")
    git(src, "checkout", "-q", "main")
    return src


def test_repos_create_list_get_update_delete(w, source):
    created = w.repos.create(url="file://%s" % source, provider="gitHub", path=PATH)
    assert created.path == PATH
    assert created.branch == "main"
    assert created.head_commit_id == git(source, "rev-parse", "main")

    status = w.workspace.get_status(PATH)
    assert status.object_type == ObjectType.REPO
    assert status.object_id == created.id
    kinds = {o.path: o.object_type for o in w.workspace.list(PATH)}
    assert kinds == {PATH + "/job": ObjectType.NOTEBOOK, PATH + "/conf.yml": ObjectType.FILE}

    assert [r.id for r in w.repos.list(path_prefix="/Repos/sdk@example.com")] == [created.id]
    assert w.repos.get(created.id).url == "file://%s" % source

    w.repos.update(created.id, branch="dev")
    got = w.repos.get(created.id)
    assert got.branch == "dev"
    assert got.head_commit_id == git(source, "rev-parse", "dev")
    exported = w.workspace.export(PATH + "/job", format=ExportFormat.SOURCE)
    assert b"print('dev')" in base64.b64decode(exported.content)
    with pytest.raises(errors.NotFound):
        w.repos.update(created.id, branch="no-such-branch")

    w.repos.delete(created.id)
    with pytest.raises(errors.NotFound, match="Repo could not be found"):
        w.repos.get(created.id)
    with pytest.raises(errors.NotFound):
        w.workspace.get_status(PATH)


def test_repos_refuse_unreachable_and_hostile_urls(w, tmp_path):
    with pytest.raises(errors.InvalidParameterValue, match="cannot be reached"):
        w.repos.create(url="https://github.com/databricks/databricks-sdk-py.git",
                       provider="gitHub", path="/Repos/sdk@example.com/net")
    planted = tmp_path / "planted"
    for url in ("--upload-pack=touch %s" % planted, "ext::sh -c touch% " + str(planted)):
        with pytest.raises(errors.InvalidParameterValue):
            w.repos.create(url=url, provider="gitHub", path="/Repos/sdk@example.com/x")
    assert not planted.exists()
