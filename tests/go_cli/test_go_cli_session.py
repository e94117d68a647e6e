"""A setup script's session with the official Databricks CLI (Go, pinned by
scripts/install-go-cli.sh) against the emulator: the emulator must look like a real
workspace to it, with its JSON output (-o json), exit codes and error messages.

Task outcomes are scripted through POST /__dbk/runs/script, so no Spark is needed.
"""

import json
import os
import time

import pytest

ME = "emulator@dbk.local"
CLUSTER = "0101-000000-dbklocal"


def wait_for_run(cli, run_id, deadline_s=60):
    """Polls `jobs get-run` until the run is terminal (a bound for a broken emulator, not a
    timed assertion)."""
    deadline = time.monotonic() + deadline_s
    while True:
        run = cli.json("jobs", "get-run", str(run_id))
        if run["state"]["life_cycle_state"] in ("TERMINATED", "SKIPPED", "INTERNAL_ERROR"):
            return run
        assert time.monotonic() < deadline, f"run {run_id} did not finish: {run['state']}"
        time.sleep(0.2)


def test_current_user_and_token_authentication(cli):
    me = cli.json("current-user", "me")
    assert me["userName"] == ME
    assert me["active"] is True
    # A wrong token is refused with the service's 401 and a non-zero exit.
    denied = cli.run("current-user", "me", token="dapi-wrong")
    assert denied.returncode != 0
    assert denied.stdout == ""
    assert "dapi-wrong" not in denied.stderr


def test_workspace_mkdirs_import_list_export_delete(cli):
    folder = f"/Users/{ME}/setup"
    cli.ok("workspace", "mkdirs", folder)
    source = os.path.join(cli.home, "ingest.py")
    with open(source, "w") as f:
        f.write('print("ingest")\n')
    cli.ok("workspace", "import", f"{folder}/ingest", "--file", source, "--format", "SOURCE",
           "--language", "PYTHON")
    listed = cli.json("workspace", "list", folder)
    assert [(o["path"], o["object_type"], o.get("language")) for o in listed] == [
        (f"{folder}/ingest", "NOTEBOOK", "PYTHON")]
    status = cli.json("workspace", "get-status", f"{folder}/ingest")
    assert status["object_type"] == "NOTEBOOK"
    assert status["object_id"] == listed[0]["object_id"]

    # Exported in SOURCE format the notebook carries the header the service adds.
    exported = os.path.join(cli.home, "exported.py")
    cli.ok("workspace", "export", f"{folder}/ingest", "--format", "SOURCE", "--file", exported)
    with open(exported) as f:
        assert f.read() == '# Databricks notebook source\nprint("ingest")\n'
    assert cli.ok("workspace", "export", f"{folder}/ingest", "--format", "SOURCE") == (
        '# Databricks notebook source\nprint("ingest")\n')

    # Importing over an existing notebook needs --overwrite.
    again = cli.run("workspace", "import", f"{folder}/ingest", "--file", source, "--format", "SOURCE",
                    "--language", "PYTHON")
    assert again.returncode != 0
    assert "already exists" in again.stderr

    cli.ok("workspace", "delete", f"{folder}/ingest")
    assert cli.json("workspace", "list", folder) == []
    missing = cli.run("workspace", "get-status", f"{folder}/ingest")
    assert missing.returncode != 0
    assert f"Path ({folder}/ingest) doesn't exist." in missing.stderr


def test_dbfs_mkdir_cp_ls_cat_rm(cli):
    cli.ok("fs", "mkdir", "dbfs:/setup/data")
    local = os.path.join(cli.home, "features.csv")
    with open(local, "w") as f:
        f.write("id,value\n1,0.5\n")
    cli.ok("fs", "cp", local, "dbfs:/setup/data/features.csv")
    tree = os.path.join(cli.home, "tree")
    os.makedirs(os.path.join(tree, "nested"))
    for name, body in (("a.txt", "A\n"), ("nested/b.txt", "B\n")):
        with open(os.path.join(tree, name), "w") as f:
            f.write(body)
    cli.ok("fs", "cp", "-r", tree, "dbfs:/setup/tree")

    listed = cli.json("fs", "ls", "dbfs:/setup/data")
    assert [(e["name"], e["is_directory"], e["size"]) for e in listed] == [("features.csv", False, 15)]
    assert sorted((e["name"], e["is_directory"]) for e in cli.json("fs", "ls", "dbfs:/setup/tree")) == [
        ("a.txt", False), ("nested", True)]
    assert cli.ok("fs", "cat", "dbfs:/setup/data/features.csv") == "id,value\n1,0.5\n"
    assert cli.ok("fs", "cat", "dbfs:/setup/tree/nested/b.txt") == "B\n"

    # Removing a non-empty directory needs -r.
    assert cli.run("fs", "rm", "dbfs:/setup").returncode != 0
    cli.ok("fs", "rm", "-r", "dbfs:/setup")
    gone = cli.run("fs", "ls", "dbfs:/setup")
    assert gone.returncode != 0
    assert "no such directory" in gone.stderr


def test_clusters_list_get_start(cli):
    clusters = cli.json("clusters", "list")
    local = [c for c in clusters if c["cluster_id"] == CLUSTER]
    assert local and local[0]["cluster_name"] == "dbk-local"
    cluster = cli.json("clusters", "get", CLUSTER)
    assert cluster["state"] == "RUNNING"
    # Terminating waits for TERMINATED; starting waits for RUNNING again.
    assert cli.json("clusters", "delete", CLUSTER)["state"] == "TERMINATED"
    assert cli.json("clusters", "start", CLUSTER)["state"] == "RUNNING"
    missing = cli.run("clusters", "get", "0000-000000-missing")
    assert missing.returncode != 0
    assert "0000-000000-missing" in missing.stderr


def test_jobs_create_run_wait_list_and_errors(cli):
    cli.admin("/__dbk/runs/script", {"match": {"task_key": "ingest"},
                                     "outcome": {"result_state": "SUCCESS",
                                                 "notebook_output": {"result": "ingested"}}})
    cli.admin("/__dbk/runs/script", {"match": {"task_key": "train"}, "outcome": {"result_state": "SUCCESS"}})
    spec = {"name": "nightly setup",
            "max_concurrent_runs": 2,
            "tasks": [
                {"task_key": "ingest", "existing_cluster_id": CLUSTER,
                 "notebook_task": {"notebook_path": "/Shared/ingest", "base_parameters": {"day": "1"}}},
                {"task_key": "train", "depends_on": [{"task_key": "ingest"}], "existing_cluster_id": CLUSTER,
                 "notebook_task": {"notebook_path": "/Shared/train"}}]}
    spec_file = os.path.join(cli.home, "job.json")
    with open(spec_file, "w") as f:
        json.dump(spec, f)
    job_id = cli.json("jobs", "create", "--json", "@" + spec_file)["job_id"]
    job = cli.json("jobs", "get", str(job_id))
    assert job["settings"]["name"] == "nightly setup"
    assert [t["task_key"] for t in job["settings"]["tasks"]] == ["ingest", "train"]

    started = cli.json("jobs", "run-now", "--no-wait",
                       "--json", json.dumps({"job_id": job_id, "notebook_params": {"day": "2"}}))
    run = wait_for_run(cli, started["run_id"])
    assert run["job_id"] == job_id
    assert run["state"]["result_state"] == "SUCCESS"
    assert [(t["task_key"], t["state"]["result_state"]) for t in run["tasks"]] == [
        ("ingest", "SUCCESS"), ("train", "SUCCESS")]
    ingest = run["tasks"][0]
    assert ingest["notebook_task"]["base_parameters"] == {"day": "2"}
    output = cli.json("jobs", "get-run-output", str(ingest["run_id"]))
    assert output["notebook_output"]["result"] == "ingested"

    # Without --no-wait the CLI waits for the run and prints it.
    waited = cli.json("jobs", "run-now", str(job_id))
    assert waited["state"]["life_cycle_state"] == "TERMINATED"
    assert waited["state"]["result_state"] == "SUCCESS"

    assert job_id in [j["job_id"] for j in cli.json("jobs", "list")]
    runs = cli.json("jobs", "list-runs", "--job-id", str(job_id))
    assert sorted(r["run_id"] for r in runs) == sorted([started["run_id"], waited["run_id"]])

    # A missing job: non-zero exit with the service's message, nothing on stdout.
    for args in (("jobs", "get", "987654"), ("jobs", "run-now", "987654", "--no-wait")):
        missing = cli.run(*args)
        assert missing.returncode != 0, args
        assert missing.stdout == ""
        assert "Job 987654 does not exist." in missing.stderr
    assert "Run 987654 does not exist." in cli.run("jobs", "get-run", "987654").stderr


def test_secrets_tokens_pools_policies(cli):
    cli.ok("secrets", "create-scope", "setup")
    cli.ok("secrets", "put-secret", "setup", "db-password", "--string-value", "hunter2")
    assert [s["key"] for s in cli.json("secrets", "list-secrets", "setup")] == ["db-password"]
    assert "setup" in [s["name"] for s in cli.json("secrets", "list-scopes")]
    duplicate = cli.run("secrets", "create-scope", "setup")
    assert duplicate.returncode != 0
    assert "already exists" in duplicate.stderr

    created = cli.json("tokens", "create", "--comment", "ci", "--lifetime-seconds", "3600")
    assert created["token_value"].startswith("dapi")
    assert created["token_info"]["comment"] == "ci"
    listed = cli.json("tokens", "list")
    assert [t["token_id"] for t in listed if t.get("comment") == "ci"] == [created["token_info"]["token_id"]]
    assert all("token_value" not in t for t in listed)
    # The new token authenticates until it is revoked.
    assert cli.json("current-user", "me", token=created["token_value"])["userName"] == ME
    cli.ok("tokens", "delete", created["token_info"]["token_id"])
    assert cli.run("current-user", "me", token=created["token_value"]).returncode != 0

    assert cli.json("instance-pools", "list") == []
    assert cli.json("cluster-policies", "list") == []


def test_jobs_repair_run(cli):
    for key in ("load", "publish"):
        cli.admin("/__dbk/runs/script", {"match": {"task_key": key}, "outcome": {"result_state": "SUCCESS"}})
    cli.admin("/__dbk/runs/script", {"match": {"task_key": "check"},
                                     "outcome": {"result_state": "FAILED", "state_message": "bad rows"},
                                     "times": 1})
    cli.admin("/__dbk/runs/script", {"match": {"task_key": "check"}, "outcome": {"result_state": "SUCCESS"}})
    spec = {"name": "repairable", "tasks": [
        {"task_key": "load", "existing_cluster_id": CLUSTER, "notebook_task": {"notebook_path": "/Shared/load"}},
        {"task_key": "check", "depends_on": [{"task_key": "load"}], "existing_cluster_id": CLUSTER,
         "notebook_task": {"notebook_path": "/Shared/check"}},
        {"task_key": "publish", "depends_on": [{"task_key": "check"}], "existing_cluster_id": CLUSTER,
         "notebook_task": {"notebook_path": "/Shared/publish"}}]}
    job_id = cli.json("jobs", "create", "--json", json.dumps(spec))["job_id"]
    # A run that ends FAILED is still TERMINATED: the CLI's wait ends there and prints it.
    failed = cli.json("jobs", "run-now", str(job_id))
    assert failed["state"]["result_state"] == "FAILED"
    run_id = failed["run_id"]
    before = {t["task_key"]: t for t in failed["tasks"]}
    assert before["check"]["state"]["result_state"] == "FAILED"
    assert before["publish"]["state"]["result_state"] == "UPSTREAM_FAILED"

    # Repairing the named task alone leaves its dependant skipped.
    first = cli.json("jobs", "repair-run", "--no-wait",
                     "--json", json.dumps({"run_id": run_id, "rerun_tasks": ["check"]}))
    assert wait_for_run(cli, run_id)["state"]["result_state"] == "FAILED"
    # A second repair without latest_repair_id is refused with the service's message.
    refused = cli.run("jobs", "repair-run", str(run_id), "--rerun-all-failed-tasks")
    assert refused.returncode != 0
    assert f"latest_repair_id must be {first['repair_id']}" in refused.stderr
    repaired = cli.json("jobs", "repair-run", str(run_id), "--rerun-all-failed-tasks",
                        "--latest-repair-id", str(first["repair_id"]))
    assert repaired["run_id"] == run_id
    assert repaired["state"]["result_state"] == "SUCCESS"
    after = {t["task_key"]: t for t in repaired["tasks"]}
    assert after["load"]["run_id"] == before["load"]["run_id"]
    assert after["publish"]["run_id"] != before["publish"]["run_id"]

    history = cli.json("jobs", "get-run", str(run_id), "--include-history")["repair_history"]
    assert [(item["type"], item["state"]["result_state"]) for item in history] == [
        ("ORIGINAL", "FAILED"), ("REPAIR", "FAILED"), ("REPAIR", "SUCCESS")]
    assert history[1]["id"] == first["repair_id"]
    assert history[2]["task_run_ids"] == [after["publish"]["run_id"]]
    assert "repair_history" not in cli.json("jobs", "get-run", str(run_id))


def _write_tree(root, files):
    for name, body in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(body)


def _read_tree(root):
    found = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path) as f:
                found[os.path.relpath(path, root)] = f.read()
    return found


# A project as a repository holds it: notebooks (with their headers) and plain files.
PROJECT = {"etl.py": "# Databricks notebook source\nprint('etl')\n",
           "report.sql": "-- Databricks notebook source\nSELECT 1\n",
           "lib/util.py": "def double(x):\n    return 2 * x\n",
           "conf/settings.json": '{"env": "dev"}\n'}


def test_workspace_import_dir_export_dir_round_trip(cli):
    source = os.path.join(cli.home, "project")
    _write_tree(source, PROJECT)
    target = f"/Users/{ME}/project"
    cli.ok("workspace", "import-dir", source, target)
    listed = {o["path"]: (o["object_type"], o.get("language")) for o in cli.json("workspace", "list", target)}
    assert listed == {f"{target}/etl": ("NOTEBOOK", "PYTHON"), f"{target}/report": ("NOTEBOOK", "SQL"),
                      f"{target}/lib": ("DIRECTORY", None), f"{target}/conf": ("DIRECTORY", None)}
    assert cli.json("workspace", "get-status", f"{target}/lib/util.py")["object_type"] == "FILE"

    exported = os.path.join(cli.home, "exported-project")
    cli.ok("workspace", "export-dir", target, exported)
    assert _read_tree(exported) == PROJECT
    # Importing again skips what exists (the service's RESOURCE_ALREADY_EXISTS, which the
    # CLI reports per file); --overwrite replaces it.
    again = cli.ok("workspace", "import-dir", source, target)
    assert f"{target}/etl (skipped; already exists)" in again
    _write_tree(source, {"etl.py": "# Databricks notebook source\nprint('v2')\n"})
    cli.ok("workspace", "import-dir", source, target, "--overwrite")
    assert cli.ok("workspace", "export", f"{target}/etl", "--format", "SOURCE") == (
        "# Databricks notebook source\nprint('v2')\n")


def test_fs_cp_recursive_round_trip(cli):
    source = os.path.join(cli.home, "upload")
    _write_tree(source, PROJECT)
    cli.ok("fs", "cp", "-r", source, "dbfs:/roundtrip/project")
    back = os.path.join(cli.home, "download")
    cli.ok("fs", "cp", "-r", "dbfs:/roundtrip/project", back)
    assert _read_tree(back) == PROJECT
    cli.ok("fs", "rm", "-r", "dbfs:/roundtrip")


def test_clusters_create_and_delete(cli):
    created = cli.json("clusters", "create", "15.4.x-scala2.12", "--cluster-name", "etl",
                       "--num-workers", "1", "--no-wait")
    cluster_id = created["cluster_id"]
    assert cli.json("clusters", "get", cluster_id)["state"] == "PENDING"
    # The emulated clock runs the start-up, so the session need not wait for it.
    cli.admin("/__dbk/clock", {"advance_ms": 5000})
    cluster = cli.json("clusters", "get", cluster_id)
    assert (cluster["state"], cluster["cluster_name"], cluster["num_workers"]) == ("RUNNING", "etl", 1)
    assert cluster["creator_user_name"] == ME
    cli.ok("clusters", "delete", cluster_id, "--no-wait")
    cli.admin("/__dbk/clock", {"advance_ms": 2000})
    assert cli.json("clusters", "get", cluster_id)["state"] == "TERMINATED"
    cli.ok("clusters", "permanent-delete", cluster_id)
    assert cli.run("clusters", "get", cluster_id).returncode != 0
    refused = cli.run("clusters", "create", "15.4.x-scala2.12", "--num-workers", "-1", "--no-wait")
    assert refused.returncode != 0
    assert "num_workers" in refused.stderr


def test_jobs_get_run_output_of_a_failed_run(cli):
    cli.admin("/__dbk/runs/script", {"match": {"task_key": "broken"},
                                     "outcome": {"result_state": "FAILED", "state_message": "boom",
                                                 "error": "ValueError: boom",
                                                 "error_trace": "Traceback ...\nValueError: boom"}})
    submitted = cli.json("jobs", "submit", "--no-wait", "--json", json.dumps({
        "run_name": "one-off", "tasks": [{"task_key": "broken", "existing_cluster_id": CLUSTER,
                                          "notebook_task": {"notebook_path": "/Shared/broken"}}]}))
    run = wait_for_run(cli, submitted["run_id"])
    assert run["state"]["result_state"] == "FAILED"
    output = cli.json("jobs", "get-run-output", str(run["tasks"][0]["run_id"]))
    assert output["error"] == "ValueError: boom"
    assert "Traceback" in output["error_trace"]
    assert output["metadata"]["state"]["result_state"] == "FAILED"
