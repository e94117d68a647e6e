"""Parity of dbk with the legacy databricks-cli 0.18.0.

Every case runs the same command line with the legacy CLI (against its emulator) and
with dbk called as `databricks`/`dbfs` (against an identically prepared twin emulator),
in table order, then compares:

* exit codes, stdout and stderr, after normalising volatile values: epoch-ms times,
  `*_duration`, the emulator URL, the local work folder, and ids (job, run, workspace
  object) mapped to labels by order of first appearance on each side;
* JSON field by field (and key order), tables and line output line by line;
* local files written by the command (exports, downloads).

Differences documented in docs/compatibility.md are encoded explicitly below (the
`DOCUMENTED` notes); anything else that differs fails.
"""
import ast
import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from string import Template
from typing import Callable, Dict, Optional, Sequence

import pytest

WS = "/Users/${u}/notebooks"
MISC = "/Users/${u}/misc"
# The local time at the start of a `clusters events` table line (the seconds differ).
EVENT_TIME = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+"
# The emulator's one user (docs/emulator.md), a member of its built-in groups.
EMU_USER = "emulator@dbk.local"
UC = ["databricks", "unity-catalog"]
SEED_PARAMS = '{"FEATURES_TABLE": "testing_data", "Start_Date": "2015-11-15", "zEnd_Date": "2017-01-01"}'

# docs/compatibility.md, "Errors and exit codes": errors go to stderr as one line; API
# errors read `Error: CODE: message (HTTP status, METHOD path)`; malformed JSON exits 2.
DBK_API_ERROR = re.compile(r"^Error: ([A-Z_]+): (.*) \(HTTP (\d{3}), ([A-Z]+) (/\S*)\)$")


@dataclass
class Case:
    name: str
    argv: Sequence[str]
    # json | table | lines | sorted_lines | raw | none
    out: str = "json"
    # None (success) | api | client | json | usage; see check_error
    error: Optional[str] = None
    dbk_exit: int = 1                      # documented dbk exit code for error cases
    capture: Dict[str, Callable] = field(default_factory=dict)  # var -> f(parsed stdout)
    wait: Optional[str] = None             # var holding a run id to wait for afterwards
    files: Sequence[str] = ()              # local paths (files or trees) to compare afterwards
    special: Optional[str] = None          # name of a documented-difference check
    legacy_argv: Optional[Sequence[str]] = None  # legacy equivalent, when it differs
    mask: Optional[str] = None             # regex of a volatile part of each output line
    setup: Optional[Callable] = None       # f(side), run on both sides before the command
    stdin: Optional[str] = None            # text piped to the command (else /dev/null)
    env: Dict[str, str] = field(default_factory=dict)  # extra environment of the command
    config_files: Sequence[str] = ()      # profile files to compare afterwards (config_lines)


REPO_PATH = "/Repos/${u}/parity-repo"
# The first pipeline the emulator creates (ids come from a counter; docs/emulator.md).
PIPE = "00000000-0000-4000-8000-000000000001"


def make_git_source(side):
    """The same git repository on both sides (fixed author and dates, so the same commit
    ids): main with a notebook and a file, tag v1, branch feature with one more file."""
    src = os.path.join(side.work, "gitsrc")
    side.vars["work"] = side.work
    if os.path.exists(src):
        return
    env = dict(side.env, GIT_AUTHOR_NAME="p", GIT_AUTHOR_EMAIL="p@example.com",
               GIT_COMMITTER_NAME="p", GIT_COMMITTER_EMAIL="p@example.com",
               GIT_AUTHOR_DATE="2024-01-01T00:00:00Z", GIT_COMMITTER_DATE="2024-01-01T00:00:00Z",
               GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")

    def git(*args):
        subprocess.run(["git", "-C", src] + list(args), env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.makedirs(src)
    git("init", "-q", "-b", "main")
    with open(os.path.join(src, "nb.py"), "w") as f:
        f.write("# Databricks notebook source\nprint('repo')\n")
    with open(os.path.join(src, "README.md"), "w") as f:
        f.write("parity\n")
    git("add", "-A")
    git("commit", "-q", "-m", "one")
    git("tag", "v1")
    git("checkout", "-q", "-b", "feature")
    with open(os.path.join(src, "more.txt"), "w") as f:
        f.write("more\n")
    git("add", "-A")
    git("commit", "-q", "-m", "two")
    git("checkout", "-q", "main")


def write_sharing_profile(side):
    """The credential file a recipient downloads through its activation link (captured from
    the last rotate-token), as profile.json: each side's own emulator and bearer token."""
    profile = side.api("GET", "/api/2.1/unity-catalog/public/data_sharing_activation/" +
                       side.vars["activation"])
    with open(os.path.join(side.work, "profile.json"), "w") as f:
        json.dump(profile, f)


CASES = [
    # The seed scenario, in its order.
    # DOCUMENTED (Workspace and DBFS): import_dir runs in parallel and prints its
    # `src -> dst` lines sorted; legacy prints them in os.listdir order.
    Case("import_dir", ["databricks", "workspace", "import_dir", "notebooks", WS],
         out="sorted_lines"),
    Case("workspace_ls", ["databricks", "workspace", "ls", WS], out="table"),
    Case("clusters_list", ["databricks", "clusters", "list"], out="table"),
    Case("jobs_create", ["databricks", "jobs", "create", "--json-file", "seed_job.json"],
         capture={"job_id": lambda o: o["job_id"]}),
    Case("jobs_list", ["databricks", "jobs", "list"], out="table"),
    Case("jobs_get", ["databricks", "jobs", "get", "--job-id", "${job_id}"]),
    Case("jobs_run_now", ["databricks", "jobs", "run-now", "--job-id", "${job_id}",
                          "--notebook-params", SEED_PARAMS],
         capture={"run_id": lambda o: o["run_id"]}, wait="run_id"),
    Case("runs_get", ["databricks", "runs", "get", "--run-id", "${run_id}"],
         capture={"task_run_id": lambda o: o["tasks"][0]["run_id"]}),
    Case("runs_list", ["databricks", "runs", "list"], out="table"),
    # DOCUMENTED (Runs): get-output on a job run with a single task resolves it to its
    # task run, so dbk's answer equals the legacy answer for the task run.
    Case("runs_get_output", ["databricks", "runs", "get-output", "--run-id", "${run_id}"],
         legacy_argv=["databricks", "runs", "get-output", "--run-id", "${task_run_id}"]),
    Case("runs_get_output_task", ["databricks", "runs", "get-output", "--run-id",
                                  "${task_run_id}"]),

    # Workspace.
    Case("workspace_ls_long", ["databricks", "workspace", "ls", "-l", WS], out="table"),
    # Object ids follow creation order, which the parallel import_dir does not fix (nor,
    # when ids cross a power of ten, the width of the right-aligned id column).
    Case("workspace_ls_abs_id", ["databricks", "workspace", "list", "--absolute", "-l", "--id",
                                 WS], out="table", mask=r"\s+\d+$"),
    Case("workspace_ls_root", ["databricks", "workspace", "ls"], out="table"),
    Case("workspace_import_dir_overwrite",
         ["databricks", "workspace", "import_dir", "-o", "notebooks", WS], out="sorted_lines"),
    Case("workspace_mkdirs", ["databricks", "workspace", "mkdirs", MISC], out="none"),
    Case("workspace_import", ["databricks", "workspace", "import", "extra/helper.py",
                              MISC + "/helper", "-l", "PYTHON"], out="none"),
    Case("workspace_import_exists", ["databricks", "workspace", "import", "extra/helper.py",
                                     MISC + "/helper", "--language", "python"], error="api"),
    Case("workspace_import_overwrite", ["databricks", "workspace", "import", "-o",
                                        "extra/helper.py", MISC + "/helper", "-l", "PYTHON",
                                        "-f", "SOURCE"], out="none"),
    Case("workspace_ls_misc", ["databricks", "workspace", "ls", "-l", MISC], out="table"),
    Case("workspace_export_file", ["databricks", "workspace", "export", WS + "/1_data_ingestion",
                                   "ingest_copy.py"], out="none", files=["ingest_copy.py"]),
    Case("workspace_export_into_dir", ["databricks", "workspace", "export",
                                       WS + "/2_feature_engineering", "exported"],
         out="none", files=["exported"]),
    Case("workspace_export_exists", ["databricks", "workspace", "export",
                                     WS + "/2_feature_engineering", "exported"], error="client"),
    Case("workspace_export_dir", ["databricks", "workspace", "export_dir", WS, "tree"],
         out="sorted_lines", files=["tree"]),
    Case("workspace_export_dir_again", ["databricks", "workspace", "export_dir", WS, "tree"],
         out="sorted_lines", files=["tree"]),
    Case("workspace_export_missing", ["databricks", "workspace", "export",
                                      WS + "/no_such_notebook", "missing.py"], error="api"),

    # Clusters.
    Case("clusters_list_json", ["databricks", "clusters", "list", "--output", "JSON"]),
    Case("clusters_get", ["databricks", "clusters", "get", "--cluster-id", "${cluster_id}"]),
    Case("clusters_get_by_name", ["databricks", "clusters", "get", "--cluster-name",
                                  "${cluster_name}"]),
    Case("clusters_spark_versions", ["databricks", "clusters", "spark-versions"]),
    Case("clusters_list_node_types", ["databricks", "clusters", "list-node-types"]),
    Case("clusters_get_missing", ["databricks", "clusters", "get", "--cluster-id",
                                  "0000-000000-nosuchcl"], error="api"),

    # Jobs and runs beyond the seed.
    Case("jobs_create_multi_task", ["databricks", "jobs", "create", "--json-file",
                                    "multi_task_job.json"],
         capture={"job2_id": lambda o: o["job_id"]}),
    Case("jobs_list_json", ["databricks", "jobs", "list", "--output", "json"]),
    Case("jobs_list_json_v20", ["databricks", "jobs", "list", "--output", "JSON",
                                "--version", "2.0"]),
    Case("jobs_get_v20", ["databricks", "jobs", "get", "--job-id", "${job_id}",
                          "--version=2.0"]),
    Case("jobs_get_multi_task", ["databricks", "jobs", "get", "--job-id", "${job2_id}"]),
    Case("jobs_run_now_multi_task", ["databricks", "jobs", "run-now", "--job-id", "${job2_id}"],
         capture={"run2_id": lambda o: o["run_id"]}, wait="run2_id"),
    Case("runs_get_multi_task", ["databricks", "runs", "get", "--run-id", "${run2_id}"],
         capture={"run2_model_task": lambda o: [t for t in o["tasks"]
                                                if t["task_key"] == "model"][0]["run_id"]}),
    Case("runs_get_multi_task_v20", ["databricks", "runs", "get", "--run-id", "${run2_id}",
                                     "--version", "2.0"]),
    # DOCUMENTED (Runs): get-output on a run with several tasks aggregates the task outputs.
    Case("runs_get_output_multi_task", ["databricks", "runs", "get-output", "--run-id",
                                        "${run2_id}"], special="multi_task_output"),
    Case("runs_get_output_failed_task", ["databricks", "runs", "get-output", "--run-id",
                                         "${run2_model_task}"]),
    Case("runs_list_job", ["databricks", "runs", "list", "--job-id", "${job2_id}"], out="table"),
    Case("runs_list_json", ["databricks", "runs", "list", "--output", "JSON"]),
    Case("runs_list_completed", ["databricks", "runs", "list", "--completed-only",
                                 "--limit", "1", "--output", "json"]),
    Case("runs_submit", ["databricks", "runs", "submit", "--json-file", "submit.json"],
         capture={"run3_id": lambda o: o["run_id"]}, wait="run3_id"),
    Case("runs_get_submitted", ["databricks", "runs", "get", "--run-id", "${run3_id}"]),
    Case("runs_submit_long", ["databricks", "runs", "submit", "--json-file", "submit_long.json"],
         capture={"run4_id": lambda o: o["run_id"]}),
    Case("runs_list_active", ["databricks", "runs", "list", "--active-only"], out="table"),
    Case("runs_cancel", ["databricks", "runs", "cancel", "--run-id", "${run4_id}"],
         wait="run4_id"),
    Case("runs_get_cancelled", ["databricks", "runs", "get", "--run-id", "${run4_id}"]),
    # Profile `legacy` names no jobs-api-version: both default to Jobs API 2.0 (2.0 shapes,
    # and databricks-cli's upgrade warning on stderr).
    Case("jobs_get_default_v20", ["databricks", "jobs", "get", "--job-id", "${job_id}",
                                  "--profile", "legacy"]),
    Case("jobs_get_multi_task_default_v20", ["databricks", "jobs", "get", "--job-id",
                                             "${job2_id}", "--profile", "legacy"]),
    Case("runs_get_default_v20", ["databricks", "runs", "get", "--run-id", "${run_id}",
                                  "--profile", "legacy"]),
    Case("runs_list_default_v20", ["databricks", "runs", "list", "--profile", "legacy"],
         out="table"),
    Case("runs_list_json_default_v20", ["databricks", "runs", "list", "--output", "JSON",
                                        "--profile", "legacy"]),
    # 30 jobs: 2.0 has no pages, so both list all of them.
    Case("jobs_list_json_30_default_v20", ["databricks", "jobs", "list", "--output", "JSON",
                                           "--profile", "legacy"],
         setup=lambda side: add_jobs(side, 28)),
    Case("jobs_list_30_default_v20", ["databricks", "jobs", "list", "--profile", "legacy"],
         out="table"),
    # DOCUMENTED (Jobs): under 2.1 legacy prints the first page (20 jobs) and stops; dbk
    # follows the pages.
    Case("jobs_list_json_30_v21", ["databricks", "jobs", "list", "--output", "JSON"],
         special="pages_through"),
    # DOCUMENTED (Jobs): one page asked for; dbk keeps the server's has_more/next_page_token.
    Case("jobs_list_json_limit_v21", ["databricks", "jobs", "list", "--output", "JSON",
                                      "--limit", "5"], special="paging_fields"),
    Case("jobs_reset", ["databricks", "jobs", "reset", "--job-id", "${job_id}", "--json-file",
                        "reset.json"], out="none"),
    Case("jobs_get_after_reset", ["databricks", "jobs", "get", "--job-id", "${job_id}"]),
    Case("jobs_delete", ["databricks", "jobs", "delete", "--job-id", "${job2_id}"], out="none"),
    Case("jobs_get_deleted", ["databricks", "jobs", "get", "--job-id", "${job2_id}"],
         error="api"),
    Case("jobs_get_missing", ["databricks", "jobs", "get", "--job-id", "987654"], error="api"),
    Case("runs_get_missing", ["databricks", "runs", "get", "--run-id", "987654"], error="api"),
    Case("jobs_run_now_missing", ["databricks", "jobs", "run-now", "--job-id", "987654"],
         error="api"),
    # DOCUMENTED (Jobs): malformed JSON is a one-line error with exit 2 (legacy exit 1).
    Case("jobs_create_bad_json", ["databricks", "jobs", "create", "--json", '{"name": "x"'],
         error="json", dbk_exit=2),
    Case("jobs_run_now_bad_params", ["databricks", "jobs", "run-now", "--job-id", "${job_id}",
                                     "--notebook-params", "{nope"], error="json", dbk_exit=2),
    # DOCUMENTED (Errors and exit codes): usage errors exit 2 on both.
    Case("jobs_get_no_id", ["databricks", "jobs", "get"], error="usage", dbk_exit=2),
    # Legacy crashes with a RuntimeError traceback (exit 1); DOCUMENTED (Crashes): one line,
    # and a usage error exits 2.
    Case("jobs_list_bad_output", ["databricks", "jobs", "list", "--output", "XML"],
         error="crash", dbk_exit=2),
    # Legacy: `Error: RuntimeError: Either --json-file or --json should be provided`, exit 1;
    # DOCUMENTED: a usage error exits 2 in dbk.
    Case("jobs_create_no_spec", ["databricks", "jobs", "create"], error="client", dbk_exit=2),

    # DBFS.
    Case("fs_mkdirs", ["databricks", "fs", "mkdirs", "dbfs:/parity/models"], out="none"),
    Case("dbfs_mkdirs", ["dbfs", "mkdirs", "dbfs:/parity/staging"], out="none"),
    Case("fs_cp_up", ["databricks", "fs", "cp", "hello.txt", "dbfs:/parity/hello.txt"],
         out="none"),
    Case("fs_cp_up_exists", ["databricks", "fs", "cp", "hello.txt", "dbfs:/parity/hello.txt"],
         error="api"),
    Case("fs_cp_up_overwrite", ["dbfs", "cp", "--overwrite", "hello.txt",
                                "dbfs:/parity/hello.txt"], out="none"),
    Case("fs_cat", ["databricks", "fs", "cat", "dbfs:/parity/hello.txt"], out="raw"),
    # DOCUMENTED (Workspace and DBFS): cp -r runs in parallel, lines sorted.
    Case("fs_cp_r_up", ["databricks", "fs", "cp", "-r", "data", "dbfs:/parity/data"],
         out="sorted_lines"),
    Case("fs_cp_r_up_again", ["dbfs", "cp", "-r", "data", "dbfs:/parity/data"],
         out="sorted_lines"),
    Case("fs_ls", ["databricks", "fs", "ls", "dbfs:/parity"], out="table"),
    Case("fs_ls_long", ["databricks", "fs", "ls", "-l", "dbfs:/parity/data"], out="table"),
    Case("fs_ls_absolute", ["dbfs", "ls", "--absolute", "dbfs:/parity/data"], out="table"),
    Case("fs_ls_long_absolute", ["dbfs", "ls", "-l", "--absolute", "dbfs:/parity/data/nested"],
         out="table"),
    Case("fs_ls_root", ["databricks", "fs", "ls"], out="table"),
    Case("fs_cat_big", ["databricks", "fs", "cat", "dbfs:/parity/data/big.txt"], out="raw"),
    Case("fs_cp_down", ["databricks", "fs", "cp", "dbfs:/parity/data/big.bin", "big_copy.bin"],
         out="none", files=["big_copy.bin"]),
    Case("fs_cp_down_into_dir", ["databricks", "fs", "cp", "dbfs:/parity/hello.txt", "exported"],
         out="none", files=["exported"]),
    Case("fs_cp_r_down", ["databricks", "fs", "cp", "-r", "dbfs:/parity/data", "copy"],
         out="sorted_lines", files=["copy"]),
    Case("fs_mv", ["databricks", "fs", "mv", "dbfs:/parity/hello.txt", "dbfs:/parity/moved.txt"],
         out="none"),
    Case("fs_cp_dbfs_to_dbfs", ["databricks", "fs", "cp", "dbfs:/parity/moved.txt",
                                "dbfs:/parity/models/copied.txt"], out="none"),
    Case("dbfs_mv", ["dbfs", "mv", "dbfs:/parity/models/copied.txt",
                     "dbfs:/parity/staging/copied.txt"], out="none"),
    Case("fs_ls_after_mv", ["databricks", "fs", "ls", "-l", "dbfs:/parity"], out="table"),
    # DOCUMENTED (Workspace and DBFS): `Delete finished successfully.` without `\r`.
    Case("fs_rm", ["databricks", "fs", "rm", "dbfs:/parity/moved.txt"], out="lines",
         special="rm_carriage_return"),
    Case("fs_rm_dir_not_recursive", ["databricks", "fs", "rm", "dbfs:/parity/data"],
         error="api"),
    Case("fs_rm_r", ["dbfs", "rm", "-r", "dbfs:/parity"], out="lines",
         special="rm_carriage_return"),
    Case("fs_ls_missing", ["databricks", "fs", "ls", "dbfs:/parity"], error="api"),
    Case("fs_cat_missing", ["dbfs", "cat", "dbfs:/no/such/file.txt"], error="api"),
    # Argument errors the legacy CLI reports as `Error:` with exit 1 are usage errors in
    # dbk (exit 2); DOCUMENTED in compatibility.md (Errors and exit codes).
    Case("fs_cp_both_local", ["databricks", "fs", "cp", "hello.txt", "other.txt"],
         error="client", dbk_exit=2),
    Case("fs_mkdirs_no_path", ["databricks", "fs", "mkdirs"], error="usage", dbk_exit=2),

    # Secrets (docs/compatibility.md, "Secrets").
    Case("secrets_list_scopes_none", ["databricks", "secrets", "list-scopes"], out="table"),
    Case("secrets_create_scope", ["databricks", "secrets", "create-scope", "--scope", "parity"],
         out="none"),
    Case("secrets_create_scope_users", ["databricks", "secrets", "create-scope", "--scope",
                                        "shared", "--initial-manage-principal", "users"],
         out="none"),
    Case("secrets_create_scope_exists", ["databricks", "secrets", "create-scope", "--scope",
                                         "parity"], error="api"),
    Case("secrets_create_scope_bad_name", ["databricks", "secrets", "create-scope", "--scope",
                                           "bad name"], error="api"),
    Case("secrets_create_scope_no_scope", ["databricks", "secrets", "create-scope"],
         error="usage", dbk_exit=2),
    Case("secrets_list_scopes", ["databricks", "secrets", "list-scopes"], out="table"),
    Case("secrets_list_scopes_json", ["databricks", "secrets", "list-scopes", "--output",
                                      "JSON"]),
    Case("secrets_put", ["databricks", "secrets", "put", "--scope", "parity", "--key", "pw",
                         "--string-value", "hunter2"], out="none"),
    Case("secrets_write_binary", ["databricks", "secrets", "write", "--scope", "parity",
                                  "--key", "blob", "--binary-file", "hello.txt"], out="none"),
    Case("secrets_put_both", ["databricks", "secrets", "put", "--scope", "parity", "--key", "x",
                              "--string-value", "a", "--binary-file", "hello.txt"],
         error="client"),
    Case("secrets_put_missing_file", ["databricks", "secrets", "put", "--scope", "parity",
                                      "--key", "x", "--binary-file", "no-such-file"],
         error="usage", dbk_exit=2),
    Case("secrets_put_no_scope", ["databricks", "secrets", "put", "--scope", "none", "--key",
                                  "x", "--string-value", "a"], error="api"),
    Case("secrets_put_bad_key", ["databricks", "secrets", "put", "--scope", "parity", "--key",
                                 "a/b", "--string-value", "a"], error="api"),
    Case("secrets_list", ["databricks", "secrets", "list", "--scope", "parity"], out="table"),
    Case("secrets_list_json", ["databricks", "secrets", "list", "--scope", "parity",
                               "--output", "json"]),
    Case("secrets_list_missing", ["databricks", "secrets", "list", "--scope", "none"],
         error="api"),
    Case("secrets_delete", ["databricks", "secrets", "delete", "--scope", "parity", "--key",
                            "blob"], out="none"),
    Case("secrets_delete_missing", ["databricks", "secrets", "delete", "--scope", "parity",
                                    "--key", "blob"], error="api"),
    Case("secrets_put_acl", ["databricks", "secrets", "put-acl", "--scope", "parity",
                             "--principal", "users", "--permission", "READ"], out="none"),
    Case("secrets_write_acl", ["databricks", "secrets", "write-acl", "--scope", "parity",
                               "--principal", "admins", "--permission", "WRITE"], out="none"),
    Case("secrets_put_acl_bad_permission", ["databricks", "secrets", "put-acl", "--scope",
                                            "parity", "--principal", "users", "--permission",
                                            "OWN"], error="usage", dbk_exit=2),
    Case("secrets_put_acl_no_principal", ["databricks", "secrets", "put-acl", "--scope",
                                          "parity", "--principal", "nobody@example.com",
                                          "--permission", "READ"], error="api"),
    Case("secrets_list_acls", ["databricks", "secrets", "list-acls", "--scope", "parity"],
         out="table"),
    Case("secrets_list_acls_json", ["databricks", "secrets", "list-acls", "--scope", "parity",
                                    "--output", "JSON"]),
    Case("secrets_get_acl", ["databricks", "secrets", "get-acl", "--scope", "parity",
                             "--principal", "users"], out="table"),
    Case("secrets_get_acl_json", ["databricks", "secrets", "get-acl", "--scope", "parity",
                                  "--principal", "users", "--output", "JSON"]),
    Case("secrets_delete_acl", ["databricks", "secrets", "delete-acl", "--scope", "parity",
                                "--principal", "users"], out="none"),
    Case("secrets_get_acl_missing", ["databricks", "secrets", "get-acl", "--scope", "parity",
                                     "--principal", "users"], error="api"),
    Case("secrets_delete_acl_missing", ["databricks", "secrets", "delete-acl", "--scope",
                                        "parity", "--principal", "users"], error="api"),
    Case("secrets_delete_scope", ["databricks", "secrets", "delete-scope", "--scope", "shared"],
         out="none"),
    Case("secrets_delete_scope_missing", ["databricks", "secrets", "delete-scope", "--scope",
                                          "shared"], error="api"),

    # Tokens (docs/compatibility.md, "Tokens"): values and ids are random on each side.
    Case("tokens_create", ["databricks", "tokens", "create", "--comment", "parity",
                           "--lifetime-seconds", "3600"],
         capture={"token_id": lambda o: o["token_info"]["token_id"]}),
    Case("tokens_create_default", ["databricks", "tokens", "create", "--comment", "default"]),
    Case("tokens_create_no_comment", ["databricks", "tokens", "create"], error="usage",
         dbk_exit=2),
    Case("tokens_create_bad_lifetime", ["databricks", "tokens", "create", "--comment", "x",
                                        "--lifetime-seconds", "soon"], error="usage",
         dbk_exit=2),
    Case("tokens_list", ["databricks", "tokens", "list"]),
    Case("tokens_revoke", ["databricks", "tokens", "revoke", "--token-id", "${token_id}"]),
    Case("tokens_revoke_missing", ["databricks", "tokens", "revoke", "--token-id",
                                   "no-such-token"], error="api"),
    Case("tokens_list_after_revoke", ["databricks", "tokens", "list"]),

    # Groups (docs/compatibility.md, "Groups").
    Case("groups_list", ["databricks", "groups", "list"]),
    Case("groups_create", ["databricks", "groups", "create", "--group-name", "data"]),
    Case("groups_create_eng", ["databricks", "groups", "create", "--group-name", "eng"]),
    Case("groups_create_exists", ["databricks", "groups", "create", "--group-name", "data"],
         error="api"),
    Case("groups_add_user", ["databricks", "groups", "add-member", "--parent-name", "data",
                             "--user-name", EMU_USER], out="none"),
    Case("groups_add_group", ["databricks", "groups", "add-member", "--parent-name", "data",
                              "--group-name", "eng"], out="none"),
    Case("groups_add_missing_user", ["databricks", "groups", "add-member", "--parent-name",
                                     "data", "--user-name", "nobody@example.com"], error="api"),
    Case("groups_add_neither", ["databricks", "groups", "add-member", "--parent-name", "data"],
         error="usage", dbk_exit=2),
    Case("groups_add_both", ["databricks", "groups", "add-member", "--parent-name", "data",
                             "--user-name", EMU_USER, "--group-name", "eng"], error="usage",
         dbk_exit=2),
    Case("groups_list_members", ["databricks", "groups", "list-members", "--group-name",
                                 "data"]),
    Case("groups_list_parents_user", ["databricks", "groups", "list-parents", "--user-name",
                                      EMU_USER]),
    Case("groups_list_parents_group", ["databricks", "groups", "list-parents", "--group-name",
                                       "eng"]),
    Case("groups_remove_member", ["databricks", "groups", "remove-member", "--parent-name",
                                  "data", "--group-name", "eng"], out="none"),
    Case("groups_remove_member_again", ["databricks", "groups", "remove-member",
                                        "--parent-name", "data", "--group-name", "eng"],
         error="api"),
    Case("groups_delete", ["databricks", "groups", "delete", "--group-name", "eng"]),
    Case("groups_delete_missing", ["databricks", "groups", "delete", "--group-name", "eng"],
         error="api"),
    Case("groups_delete_no_name", ["databricks", "groups", "delete"], error="api"),
    Case("groups_list_after", ["databricks", "groups", "list"]),

    # `fs configure` is the configure command (a profile of its own, not the one in use).
    Case("fs_configure_token_file", ["databricks", "fs", "configure", "--profile", "made",
                                     "--host", "https://made.example.com", "--token-file",
                                     "hello.txt"], out="none"),
    Case("dbfs_configure_token_file", ["dbfs", "configure", "--profile", "made2", "--host",
                                       "https://made.example.com", "--token-file",
                                       "hello.txt"], out="none"),

    # `configure` as setup scripts drive it, into the file DATABRICKS_CONFIG_FILE names: the
    # host piped on stdin (legacy prints its prompt), the token from a file; then `jobs
    # configure` on that profile, and an Azure AD token from the environment into DEFAULT.
    Case("configure_piped_host", ["databricks", "configure", "--token-file", "hello.txt",
                                  "--profile", "scripted"], out="raw",
         stdin="https://made.example.com\n", env={"DATABRICKS_CONFIG_FILE": "made.cfg"},
         config_files=["made.cfg"]),
    Case("jobs_configure", ["databricks", "jobs", "configure", "--version=2.1", "--profile",
                            "scripted"], out="none", env={"DATABRICKS_CONFIG_FILE": "made.cfg"},
         config_files=["made.cfg"]),
    Case("configure_aad_token", ["databricks", "configure", "--aad-token", "--host",
                                 "https://adb-1.azuredatabricks.net"], out="none",
         env={"DATABRICKS_CONFIG_FILE": "made.cfg", "DATABRICKS_AAD_TOKEN": "eyJ0-parity"},
         config_files=["made.cfg"]),
    Case("configure_again_keeps_keys", ["databricks", "configure", "--profile", "scripted",
                                        "--host", "https://made.example.com", "--token-file",
                                        "hello.txt", "--jobs-api-version", "2.1"], out="none",
         env={"DATABRICKS_CONFIG_FILE": "made.cfg"}, config_files=["made.cfg"],
         setup=lambda side: add_profile_key(side, "made.cfg", "scripted", "cluster_id",
                                            "0101-parity")),
    # Legacy: a RuntimeError traceback; dbk one line, exit 1. Nothing is written.
    Case("configure_missing_token_file", ["databricks", "configure", "--host",
                                          "https://made.example.com", "--token-file",
                                          "no-such-token"], error="crash",
         env={"DATABRICKS_CONFIG_FILE": "made.cfg"}, config_files=["made.cfg"]),

    # Workspace removal last (the jobs above run notebooks from it).
    Case("workspace_rm_not_recursive", ["databricks", "workspace", "rm", WS], error="api"),
    Case("workspace_rm_r", ["databricks", "workspace", "rm", "-r", WS], out="none"),
    Case("workspace_delete", ["databricks", "workspace", "delete", MISC + "/helper"],
         out="none"),
    Case("workspace_ls_missing", ["databricks", "workspace", "ls", WS], error="api"),

    # Instance pools: ids come from a counter, the same on both emulators.
    Case("pools_list_none", ["databricks", "instance-pools", "list"], out="table"),
    Case("pools_list_none_json", ["databricks", "instance-pools", "list", "--output", "JSON"]),
    Case("pools_create", ["databricks", "instance-pools", "create", "--json",
                          '{"instance_pool_name": "parity-pool", "node_type_id": "local", '
                          '"min_idle_instances": 1}'],
         capture={"pool_id": lambda o: o["instance_pool_id"]}),
    Case("pools_create_no_name", ["databricks", "instance-pools", "create", "--json",
                                  '{"node_type_id": "local"}'], error="api"),
    Case("pools_get", ["databricks", "instance-pools", "get", "--instance-pool-id",
                       "${pool_id}"]),
    Case("pools_list", ["databricks", "instance-pools", "list"], out="table"),
    Case("pools_list_json", ["databricks", "instance-pools", "list", "--output", "JSON"]),
    Case("pools_edit", ["databricks", "instance-pools", "edit", "--json",
                        '{"instance_pool_id": "${pool_id}", "instance_pool_name": "parity-pool-2", '
                        '"node_type_id": "local"}'], out="none"),
    Case("pools_get_edited", ["databricks", "instance-pools", "get", "--instance-pool-id",
                              "${pool_id}"]),
    Case("pools_get_missing", ["databricks", "instance-pools", "get", "--instance-pool-id",
                               "0101-000000-nosuchpool"], error="api"),
    Case("pools_delete", ["databricks", "instance-pools", "delete", "--instance-pool-id",
                          "${pool_id}"], out="none"),
    Case("pools_delete_no_id", ["databricks", "instance-pools", "delete"], error="usage",
         dbk_exit=2),

    # Cluster policies; legacy sends an object definition as json.dumps text.
    Case("policies_list_none", ["databricks", "cluster-policies", "list"], out="table"),
    Case("policies_create", ["databricks", "cluster-policies", "create", "--json",
                             '{"name": "parity-policy", "definition": {"spark_version": '
                             '{"type": "fixed", "value": "15.4.x-scala2.12"}, "num_workers": '
                             '{"type": "range", "maxValue": 2, "defaultValue": 1}}}'],
         capture={"policy_id": lambda o: o["policy_id"]}),
    Case("policies_create_duplicate", ["databricks", "cluster-policies", "create", "--json",
                                       '{"name": "parity-policy", "definition": "{}"}'],
         error="api"),
    Case("policies_get", ["databricks", "cluster-policies", "get", "--policy-id",
                          "${policy_id}"]),
    Case("policies_list", ["databricks", "cluster-policies", "list"], out="table"),
    Case("policies_list_json", ["databricks", "cluster-policies", "list", "--output", "JSON"]),
    Case("policies_cluster_refused", ["databricks", "clusters", "create", "--json",
                                      '{"cluster_name": "p", "spark_version": "13.3.x-scala2.12",'
                                      ' "policy_id": "${policy_id}"}'], error="api"),
    Case("policies_edit", ["databricks", "cluster-policies", "edit", "--json",
                           '{"policy_id": "${policy_id}", "name": "parity-policy-2", '
                           '"definition": "{}"}'], out="none"),
    Case("policies_get_edited", ["databricks", "cluster-policies", "get", "--policy-id",
                                 "${policy_id}"]),
    Case("policies_delete", ["databricks", "cluster-policies", "delete", "--policy-id",
                             "${policy_id}"], out="none"),
    Case("policies_get_missing", ["databricks", "cluster-policies", "get", "--policy-id",
                                  "${policy_id}"], error="api"),

    # Libraries on the default cluster: kinds the emulator cannot install end FAILED.
    Case("libraries_install_maven", ["databricks", "libraries", "install", "--cluster-id",
                                     "${cluster_id}", "--maven-coordinates",
                                     "org.jsoup:jsoup:1.7.2", "--maven-exclusion",
                                     "slf4j:slf4j"], out="none"),
    Case("libraries_install_whl", ["databricks", "libraries", "install", "--cluster-id",
                                   "${cluster_id}", "--whl",
                                   "dbfs:/parity/nothere-1.0-py3-none-any.whl"], out="none"),
    Case("libraries_cluster_status", ["databricks", "libraries", "cluster-status",
                                      "--cluster-id", "${cluster_id}"],
         setup=lambda side: wait_libraries(side, side.vars["cluster_id"])),
    Case("libraries_cluster_status_by_name", ["databricks", "libraries", "cluster-status",
                                              "--cluster-name", "dbk-local"]),
    Case("libraries_list", ["databricks", "libraries", "list"]),
    Case("libraries_list_cluster", ["databricks", "libraries", "list", "--cluster-id",
                                    "${cluster_id}"]),
    Case("libraries_all_cluster_statuses", ["databricks", "libraries", "all-cluster-statuses"]),
    Case("libraries_install_two_kinds", ["databricks", "libraries", "install", "--cluster-id",
                                         "${cluster_id}", "--jar", "dbfs:/a.jar", "--egg",
                                         "dbfs:/b.egg"], error="usage", dbk_exit=2),
    Case("libraries_install_no_kind", ["databricks", "libraries", "install", "--cluster-id",
                                       "${cluster_id}"], error="usage", dbk_exit=2),
    Case("libraries_install_missing_cluster", ["databricks", "libraries", "install",
                                               "--cluster-id", "0000-000000-nosuchcl",
                                               "--pypi-package", "six"], error="api"),
    Case("libraries_uninstall", ["databricks", "libraries", "uninstall", "--cluster-id",
                                 "${cluster_id}", "--maven-coordinates", "org.jsoup:jsoup:1.7.2",
                                 "--maven-exclusion", "slf4j:slf4j"], out="lines"),
    Case("libraries_uninstall_all", ["databricks", "libraries", "uninstall", "--cluster-id",
                                     "${cluster_id}", "--all"], out="lines"),
    Case("libraries_status_marked", ["databricks", "libraries", "cluster-status",
                                     "--cluster-id", "${cluster_id}"]),

    # Unity Catalog (docs/compatibility.md, "Unity Catalog"): one metastore assigned to the
    # workspace on a fresh state.
    Case("uc_metastores_get_assignment", UC + ["metastores", "get-assignment"],
         capture={"metastore_id": lambda o: o["metastore_id"]}),
    Case("uc_metastores_get_summary", UC + ["metastores", "get-summary"]),
    Case("uc_metastores_list", UC + ["metastores", "list"]),
    Case("uc_metastores_get", UC + ["metastores", "get", "--id", "${metastore_id}"]),
    Case("uc_metastores_get_missing", UC + ["get-metastore", "--id", "no-such-metastore"],
         error="api"),
    Case("uc_metastores_create", UC + ["metastores", "create", "--name", "parity",
                                       "--storage-root", "s3://bucket/root", "--region",
                                       "us-west-2"],
         capture={"new_metastore": lambda o: o["metastore_id"]}),
    Case("uc_metastores_create_no_root", UC + ["metastores", "create", "--name", "x"],
         error="usage", dbk_exit=2),
    # Legacy sends `name` (and every unset flag as null), dbk `new_name`: both rename.
    Case("uc_metastores_update", UC + ["metastores", "update", "--id", "${new_metastore}",
                                       "--new-name", "parity-renamed", "--owner", "admins"]),
    Case("uc_metastores_update_json", UC + ["metastores", "update", "--id", "${new_metastore}",
                                            "--json", '{"delta_sharing_scope": '
                                            '"INTERNAL_AND_EXTERNAL"}']),
    # Legacy: `Error: ValueError: Cannot specify JSON ...`, exit 1; a usage error in dbk.
    Case("uc_metastores_update_both", UC + ["update-metastore", "--id", "${new_metastore}",
                                            "--owner", "a", "--json", "{}"],
         error="client", dbk_exit=2),
    Case("uc_metastores_assign", UC + ["metastores", "assign", "--workspace-id", "1",
                                       "--metastore-id", "${new_metastore}"]),
    Case("uc_metastores_get_assignment_new", UC + ["get-metastore-assignment"]),
    Case("uc_catalogs_list_new_metastore", UC + ["catalogs", "list"]),
    Case("uc_metastores_unassign_wrong", UC + ["unassign-metastore", "--workspace-id", "1",
                                               "--metastore-id", "${metastore_id}"],
         error="api"),
    Case("uc_metastores_unassign", UC + ["metastores", "unassign", "--workspace-id", "1",
                                         "--metastore-id", "${new_metastore}"]),
    Case("uc_metastores_summary_unassigned", UC + ["metastore-summary"], error="api"),
    Case("uc_catalogs_list_unassigned", UC + ["catalogs", "list"], error="api"),
    Case("uc_metastores_assign_back", UC + ["assign-metastore", "--workspace-id", "1",
                                            "--metastore-id", "${metastore_id}",
                                            "--default-catalog-name", "main"]),
    Case("uc_metastores_delete", UC + ["metastores", "delete", "--id", "${new_metastore}"],
         out="none"),
    Case("uc_metastores_delete_missing", UC + ["delete-metastore", "--id",
                                               "${new_metastore}", "--force"], error="api"),
    # Legacy's hidden verb-noun commands (create-metastore, ...) are the same commands under
    # older names; scripts use both, so each has a case of its own.
    Case("uc_metastores_create_alias", UC + ["create-metastore", "--name", "parity-two",
                                             "--storage-root", "s3://bucket/two", "--region",
                                             "us-west-2"],
         capture={"metastore2": lambda o: o["metastore_id"]}),
    Case("uc_metastores_list_alias", UC + ["list-metastores"]),
    Case("uc_metastores_delete_two", UC + ["metastores", "delete", "--id", "${metastore2}"],
         out="none"),
    Case("uc_catalogs_create", UC + ["catalogs", "create", "--name", "Parity_Cat", "--comment",
                                     "made by parity"]),
    Case("uc_catalogs_create_exists", UC + ["create-catalog", "--name", "parity_cat"],
         error="api"),
    Case("uc_catalogs_create_bad_name", UC + ["catalogs", "create", "--name", "bad name"],
         error="api"),
    Case("uc_catalogs_create_too_long", UC + ["catalogs", "create", "--name", "x" * 256],
         error="api"),
    Case("uc_catalogs_list", UC + ["catalogs", "list"]),
    Case("uc_catalogs_list_legacy_verb", UC + ["list-catalogs"]),
    Case("uc_catalogs_get", UC + ["catalogs", "get", "--name", "parity_cat"]),
    Case("uc_catalogs_get_missing", UC + ["catalogs", "get", "--name", "nope"], error="api"),
    Case("uc_catalogs_update", UC + ["catalogs", "update", "--name", "parity_cat", "--json",
                                     '{"comment": "updated", "properties": {"k": "v"}}']),
    Case("uc_catalogs_update_no_json", UC + ["update-catalog", "--name", "parity_cat"],
         error="client", dbk_exit=2),
    Case("uc_schemas_create", UC + ["schemas", "create", "--catalog-name", "parity_cat",
                                    "--name", "raw", "--comment", "landing"]),
    Case("uc_schemas_create_no_catalog", UC + ["create-schema", "--catalog-name", "nope",
                                               "--name", "raw"], error="api"),
    Case("uc_schemas_list", UC + ["schemas", "list", "--catalog-name", "parity_cat"]),
    Case("uc_schemas_list_missing", UC + ["list-schemas", "--catalog-name", "nope"],
         error="api"),
    Case("uc_schemas_get", UC + ["schemas", "get", "--full-name", "parity_cat.raw"]),
    Case("uc_schemas_get_bad_name", UC + ["get-schema", "--full-name", "parity_cat"],
         error="api"),
    Case("uc_schemas_update", UC + ["schemas", "update", "--full-name", "parity_cat.raw",
                                    "--json", '{"comment": "raw data"}']),
    Case("uc_schemas_update_alias", UC + ["update-schema", "--full-name", "parity_cat.raw",
                                          "--json", '{"properties": {"layer": "bronze"}}']),
    Case("uc_tables_create", UC + ["tables", "create", "--json",
                                   '{"catalog_name": "parity_cat", "schema_name": "raw", '
                                   '"name": "events", "table_type": "MANAGED", '
                                   '"data_source_format": "DELTA", "columns": ['
                                   '{"name": "id", "type_name": "LONG", "position": 0}]}']),
    Case("uc_tables_create_default", UC + ["create-table", "--json",
                                           '{"catalog_name": "parity_cat", "schema_name": '
                                           '"default", "name": "t2"}']),
    Case("uc_tables_list", UC + ["tables", "list", "--catalog-name", "parity_cat",
                                 "--schema-name", "raw"]),
    Case("uc_tables_list_summaries", UC + ["tables", "list-summaries", "--catalog-name",
                                           "parity_cat"]),
    Case("uc_tables_get", UC + ["tables", "get", "--full-name", "parity_cat.raw.events"]),
    Case("uc_tables_get_bad_name", UC + ["tables", "get", "--full-name", "a b.c.d"],
         error="api"),
    Case("uc_tables_update", UC + ["tables", "update", "--full-name", "parity_cat.raw.events",
                                   "--json", '{"comment": "clicks"}']),
    Case("uc_tables_update_alias", UC + ["update-table", "--full-name", "parity_cat.raw.events",
                                         "--json", '{"comment": "click events"}']),
    Case("uc_tables_list_alias", UC + ["list-tables", "--catalog-name", "parity_cat",
                                       "--schema-name", "raw"]),
    Case("uc_tables_list_summaries_alias", UC + ["list-table-summaries", "--catalog-name",
                                                 "parity_cat"]),
    Case("uc_tables_delete", UC + ["tables", "delete", "--full-name", "parity_cat.default.t2"],
         out="none"),
    Case("uc_schemas_delete_not_empty", UC + ["delete-schema", "--full-name",
                                              "parity_cat.raw"], error="api"),
    Case("uc_schemas_delete_purge", UC + ["schemas", "delete", "--full-name", "parity_cat.raw",
                                          "--purge"], out="lines"),
    Case("uc_tables_get_missing", UC + ["get-table", "--full-name",
                                        "parity_cat.raw.events"], error="api"),
    Case("uc_catalogs_delete_not_empty", UC + ["delete-catalog", "--name", "parity_cat"],
         error="api"),
    Case("uc_catalogs_delete_purge", UC + ["catalogs", "delete", "--name", "parity_cat",
                                           "--purge"], out="lines"),
    Case("uc_catalogs_get_deleted", UC + ["get-catalog", "--name", "parity_cat"],
         error="api"),
    Case("uc_catalogs_create_again", UC + ["catalogs", "create", "--name", "second"]),
    Case("uc_catalogs_delete_fresh", UC + ["catalogs", "delete", "--name", "second", "-p"],
         out="lines"),
    Case("uc_tables_delete_missing", UC + ["delete-table", "--full-name", "second.a.b"],
         error="api"),
    # Storage credentials and external locations. Legacy's create/update commands print a
    # Python traceback on an API error (they skip its error handler): "crash" cases.
    Case("uc_creds_create", UC + ["storage-credentials", "create", "--name", "Parity_Cred",
                                  "--aws-iam-role-arn", "arn:aws:iam::1:role/p", "--comment",
                                  "c"]),
    Case("uc_creds_create_exists", UC + ["create-storage-credential", "--name", "parity_cred",
                                         "--aws-iam-role-arn", "arn:aws:iam::1:role/p"],
         error="crash"),
    Case("uc_creds_list", UC + ["storage-credentials", "list"]),
    Case("uc_creds_list_alias", UC + ["list-storage-credentials"]),
    Case("uc_creds_get", UC + ["storage-credentials", "get", "--name", "parity_cred"]),
    Case("uc_creds_get_missing", UC + ["get-storage-credential", "--name", "nope"],
         error="api"),
    Case("uc_locs_create", UC + ["external-locations", "create", "--name", "parity_loc", "--url",
                                 "s3://parity/data/", "--storage-credential-name", "parity_cred"]),
    Case("uc_locs_create_overlap", UC + ["create-external-location", "--name", "inner",
                                         "--url", "s3://parity/data/in", "--storage-credential-name",
                                         "parity_cred"], error="crash"),
    Case("uc_locs_update", UC + ["external-locations", "update", "--name", "parity_loc",
                                 "--comment", "landing", "--read-only"]),
    Case("uc_locs_update_alias", UC + ["update-external-location", "--name", "parity_loc",
                                       "--no-read-only", "--comment", "landing zone"]),
    Case("uc_locs_list", UC + ["list-external-locations"]),
    Case("uc_locs_list_group", UC + ["external-locations", "list"]),
    Case("uc_locs_validate", UC + ["external-locations", "validate", "--name", "parity_loc",
                                   "--cred-name", "parity_cred"]),
    Case("uc_locs_validate_alias", UC + ["validate-external-location", "--url",
                                         "s3://parity/data/x", "--cred-name", "parity_cred"]),
    Case("uc_creds_delete_in_use", UC + ["delete-storage-credential", "--name",
                                         "parity_cred"], error="api"),
    # Legacy sends the new name as `name` (and unset flags as null), dbk as `new_name`.
    Case("uc_creds_update", UC + ["storage-credentials", "update", "--name", "parity_cred",
                                  "--new-name", "parity_cred2"]),
    Case("uc_creds_update_alias", UC + ["update-storage-credential", "--name", "parity_cred2",
                                        "--comment", "for landing"]),
    Case("uc_locs_get", UC + ["external-locations", "get", "--name", "parity_loc"]),
    # Permissions: legacy names the type `external-location`, dbk `external_location`.
    Case("uc_perms_update", UC + ["permissions", "update", "--external-location", "parity_loc",
                                  "--json", '{"changes": [{"principal": "users", "add": '
                                  '["READ_FILES", "create external table"]}]}']),
    Case("uc_perms_get", UC + ["get-permissions", "--external-location", "parity_loc"]),
    Case("uc_perms_get_effective", UC + ["permissions", "get", "--storage-credential",
                                         "parity_cred2", "--effective"]),
    Case("uc_perms_update_unknown_principal", UC + ["update-permissions", "--metastore",
                                                    "${metastore_id}", "--json",
                                                    '{"changes": [{"principal": "nobody", '
                                                    '"add": ["CREATE_CATALOG"]}]}'],
         error="api"),
    Case("uc_perms_get_missing", UC + ["permissions", "get", "--catalog", "nope"], error="api"),
    Case("uc_perms_get_no_securable", UC + ["permissions", "get"], error="usage", dbk_exit=2),
    Case("uc_locs_delete", UC + ["external-locations", "delete", "--name", "parity_loc"],
         out="none"),
    Case("uc_locs_get_deleted", UC + ["get-external-location", "--name", "parity_loc"],
         error="api"),
    Case("uc_locs_delete_missing", UC + ["delete-external-location", "--name", "parity_loc"],
         error="api"),
    Case("uc_creds_delete", UC + ["storage-credentials", "delete", "--name", "parity_cred2"],
         out="none"),
    # Lineage: the emulator records none, so both print the empty graph / answer.
    Case("uc_lineage_table", UC + ["lineage", "table", "--table-name", "c.s.t"], out="lines"),
    Case("uc_lineage_table_alias", UC + ["list-table-lineages", "--table-name", "c.s.t"],
         out="lines"),
    Case("uc_lineage_column", UC + ["list-column-lineages", "--table-name", "c.s.t",
                                    "--column-name", "id"]),
    Case("uc_lineage_bad_name", UC + ["lineage", "column", "--table-name", "c.s",
                                      "--column-name", "id"], error="api"),
    Case("uc_bindings_catalog", UC + ["catalogs", "create", "--name", "bound"]),
    Case("uc_bindings_update", UC + ["catalogs", "update-bindings", "--name", "bound", "--json",
                                     '{"assign_workspaces": [3, 1], "unassign_workspaces": [3]}']),
    Case("uc_bindings_get", UC + ["get-catalog-bindings", "--name", "bound"]),
    Case("uc_bindings_update_alias", UC + ["update-catalog-bindings", "--name", "bound",
                                           "--json", '{"assign_workspaces": [4]}']),
    Case("uc_bindings_get_group", UC + ["catalogs", "get-bindings", "--name", "bound"]),
    # Shares, holding the catalog `bound`'s schema `default` and a table in it.
    Case("uc_shares_table", UC + ["tables", "create", "--json", '{"catalog_name": "bound", '
                                  '"schema_name": "default", "name": "t"}']),
    Case("uc_shares_create", UC + ["shares", "create", "--name", "Parity_Share"]),
    Case("uc_shares_create_exists", UC + ["create-share", "--name", "parity_share"],
         error="api"),
    Case("uc_shares_add_table", UC + ["shares", "add-table", "--share", "parity_share",
                                      "--table", "bound.default.t", "--comment", "c"]),
    Case("uc_shares_add_schema", UC + ["shares", "add-schema", "--share", "parity_share",
                                       "--schema", "bound.default"]),
    Case("uc_shares_add_missing", UC + ["shares", "add-table", "--share", "parity_share",
                                        "--table", "bound.default.nope"], error="api"),
    Case("uc_shares_get", UC + ["shares", "get", "--name", "parity_share"]),
    Case("uc_shares_update_table", UC + ["shares", "update-table", "--share", "parity_share",
                                         "--table", "bound.default.t", "--comment", "daily"]),
    Case("uc_shares_update_schema", UC + ["shares", "update-schema", "--share", "parity_share",
                                          "--schema", "bound.default", "--comment", "all"]),
    Case("uc_shares_get_alias", UC + ["get-share", "--name", "parity_share"]),
    Case("uc_shares_list", UC + ["shares", "list"]),
    Case("uc_shares_list_alias", UC + ["list-shares"]),
    Case("uc_shares_remove_table", UC + ["shares", "remove-table", "--share", "parity_share",
                                         "--shared-as", "default.t"]),
    Case("uc_shares_remove_schema", UC + ["shares", "remove-schema", "--share", "parity_share",
                                          "--schema", "bound.default"]),
    # Legacy sends the new name as `name` and an empty `updates`, dbk `new_name` alone.
    Case("uc_shares_update", UC + ["shares", "update", "--name", "parity_share", "--new-name",
                                   "parity_share2", "--comment", "renamed"]),
    Case("uc_shares_update_alias", UC + ["update-share", "--name", "parity_share2", "--comment",
                                         "second"]),
    Case("uc_shares_delete", UC + ["shares", "delete", "--name", "parity_share2"], out="none"),
    Case("uc_shares_delete_missing", UC + ["delete-share", "--name", "parity_share2"],
         error="api"),
    # Delta Sharing: recipients (legacy sends properties as a list of {key, value}, dbk the
    # map the service answers with; both read back the same), share permissions, and a
    # provider made from the profile the emulator hands out at the recipient's activation.
    Case("uc_recipients_create", UC + ["recipients", "create", "--name", "Parity_Rcpt",
                                       "--comment", "c", "--allowed-ip-address", "10.0.0.0/8",
                                       "--property", "country=US"]),
    Case("uc_recipients_create_d2d", UC + ["create-recipient", "--name", "d2d", "--sharing-id",
                                           "aws:us-west-2:0dbc-parity"]),
    Case("uc_recipients_create_exists", UC + ["recipients", "create", "--name", "parity_rcpt"],
         error="api"),
    # Legacy: `Error: ValueError: Invalid format for property ...`, exit 1; a usage error in dbk.
    Case("uc_recipients_create_bad_property", UC + ["recipients", "create", "--name", "x",
                                                    "--property", "novalue"],
         error="client", dbk_exit=2),
    Case("uc_recipients_create_bad_ip", UC + ["recipients", "create", "--name", "x",
                                              "--allowed-ip-address", "300.0.0.1"], error="api"),
    Case("uc_recipients_list", UC + ["recipients", "list"]),
    Case("uc_recipients_list_alias", UC + ["list-recipients"]),
    Case("uc_recipients_get", UC + ["recipients", "get", "--name", "parity_rcpt"]),
    Case("uc_recipients_get_missing", UC + ["get-recipient", "--name", "nope"], error="api"),
    # One empty --allowed-ip-address clears the list.
    Case("uc_recipients_update", UC + ["recipients", "update", "--name", "parity_rcpt",
                                       "--comment", "updated", "--allowed-ip-address", "",
                                       "--property", "tier=gold"]),
    Case("uc_recipients_update_json", UC + ["update-recipient", "--name", "parity_rcpt",
                                            "--json", '{"comment": "from json"}']),
    Case("uc_recipients_update_both", UC + ["recipients", "update", "--name", "parity_rcpt",
                                            "--comment", "a", "--json", "{}"],
         error="client", dbk_exit=2),
    Case("uc_recipients_rotate", UC + ["recipients", "rotate-token", "--name", "parity_rcpt",
                                       "--existing-token-expire-in-seconds", "3600"]),
    # Two live tokens already: the old one must be expired first.
    Case("uc_recipients_rotate_full", UC + ["rotate-recipient-token", "--name", "parity_rcpt"],
         error="api"),
    Case("uc_recipients_rotate_now", UC + ["recipients", "rotate-token", "--name", "parity_rcpt",
                                           "--existing-token-expire-in-seconds", "0"],
         capture={"activation": lambda o: o["activation_url"].rsplit("?", 1)[1]}),
    Case("uc_recipients_rotate_d2d", UC + ["recipients", "rotate-token", "--name", "d2d"],
         error="api"),
    Case("uc_recipients_delete_alias", UC + ["delete-recipient", "--name", "d2d"], out="none"),
    Case("uc_share_perms_share", UC + ["shares", "create", "--name", "perm_share"]),
    Case("uc_share_perms_update", UC + ["shares", "update-permissions", "--name", "perm_share",
                                        "--json", '{"changes": [{"principal": "parity_rcpt", '
                                        '"add": ["SELECT"]}]}']),
    Case("uc_share_perms_update_privilege", UC + ["update-share-permissions", "--name",
                                                  "perm_share", "--json",
                                                  '{"changes": [{"principal": "parity_rcpt", '
                                                  '"add": ["MODIFY"]}]}'], error="api"),
    Case("uc_share_perms_update_unknown", UC + ["shares", "update-permissions", "--name",
                                                "perm_share", "--json",
                                                '{"changes": [{"principal": "nobody", '
                                                '"add": ["SELECT"]}]}'], error="api"),
    Case("uc_share_perms_list", UC + ["shares", "list-permissions", "--name", "perm_share"]),
    Case("uc_share_perms_list_missing", UC + ["list-share-permissions", "--name", "nope"],
         error="api"),
    Case("uc_recipients_list_permissions", UC + ["recipients", "list-permissions", "--name",
                                                 "parity_rcpt"]),
    Case("uc_recipients_list_permissions_alias", UC + ["list-recipient-permissions", "--name",
                                                       "parity_rcpt"]),
    Case("uc_providers_create", UC + ["providers", "create", "--name", "Parity_Prov",
                                      "--comment", "from the emulator",
                                      "--recipient-profile-json-file", "profile.json"],
         setup=lambda side: write_sharing_profile(side)),
    # Legacy: `Error: RuntimeError: Either --recipient-profile-json-file ...`, exit 1.
    Case("uc_providers_create_no_profile", UC + ["providers", "create", "--name", "x"],
         error="client", dbk_exit=2),
    Case("uc_providers_list", UC + ["providers", "list"]),
    Case("uc_providers_list_alias", UC + ["list-providers"]),
    Case("uc_providers_get", UC + ["get-provider", "--name", "parity_prov"]),
    Case("uc_providers_list_shares", UC + ["providers", "list-shares", "--name", "parity_prov"]),
    Case("uc_providers_list_shares_alias", UC + ["list-provider-shares", "--name", "parity_prov"]),
    Case("uc_providers_update_alias", UC + ["update-provider", "--name", "parity_prov",
                                            "--comment", "through the alias"]),
    # A second provider from the same downloaded profile (the link hands it out only once).
    Case("uc_providers_create_alias", UC + ["create-provider", "--name", "parity_prov_b",
                                            "--recipient-profile-json-file", "profile.json"]),
    Case("uc_providers_delete_b", UC + ["providers", "delete", "--name", "parity_prov_b"],
         out="none"),
    Case("uc_providers_update", UC + ["providers", "update", "--name", "parity_prov",
                                      "--new-name", "parity_prov2", "--comment", "renamed"]),
    Case("uc_providers_get_renamed", UC + ["providers", "get", "--name", "parity_prov"],
         error="api"),
    Case("uc_providers_delete", UC + ["delete-provider", "--name", "parity_prov2"], out="none"),
    Case("uc_recipients_delete", UC + ["recipients", "delete", "--name", "parity_rcpt"],
         out="none"),
    # The deleted recipient's grants go with it.
    Case("uc_share_perms_after_delete", UC + ["shares", "list-permissions", "--name",
                                              "perm_share"]),
    # Repos: a local git repository cloned through file:// (the emulator is offline).
    Case("repos_list_none", ["databricks", "repos", "list"]),
    Case("repos_create", ["databricks", "repos", "create", "--url", "file://${work}/gitsrc",
                          "--provider", "gitHub", "--path", REPO_PATH],
         capture={"repo_id": lambda o: o["id"]}, setup=lambda side: make_git_source(side)),
    Case("repos_create_exists", ["databricks", "repos", "create", "--url",
                                 "file://${work}/gitsrc", "--provider", "gitHub", "--path",
                                 REPO_PATH], error="api"),
    Case("repos_create_unreachable", ["databricks", "repos", "create", "--url",
                                      "https://github.com/databricks/databricks-cli.git",
                                      "--path", "/Repos/${u}/net"], error="api"),
    Case("repos_create_missing_source", ["databricks", "repos", "create", "--url",
                                         "file:///nonexistent/parity-src", "--provider",
                                         "gitHub", "--path", "/Repos/${u}/gone"], error="api"),
    Case("repos_create_bad_path", ["databricks", "repos", "create", "--url",
                                   "file://${work}/gitsrc", "--provider", "gitHub", "--path",
                                   "/Users/${u}/not-a-repo"], error="api"),
    Case("repos_create_option_url", ["databricks", "repos", "create",
                                     "--url=--upload-pack=touch /tmp/dbk-parity-pwned",
                                     "--provider",
                                     "gitHub", "--path", "/Repos/${u}/x"], error="api"),
    Case("repos_create_no_url", ["databricks", "repos", "create"], error="usage", dbk_exit=2),
    Case("repos_get", ["databricks", "repos", "get", "--repo-id", "${repo_id}"]),
    Case("repos_get_by_path", ["databricks", "repos", "get", "--path", REPO_PATH]),
    Case("repos_get_missing", ["databricks", "repos", "get", "--repo-id", "987654"],
         error="api"),
    Case("repos_get_path_not_repos", ["databricks", "repos", "get", "--path", "/Users/${u}"],
         error="client"),
    Case("repos_get_path_missing", ["databricks", "repos", "get", "--path",
                                    "/Repos/${u}/nothing"], error="client"),
    Case("repos_get_no_id", ["databricks", "repos", "get"], error="usage", dbk_exit=2),
    Case("repos_get_both_ids", ["databricks", "repos", "get", "--repo-id", "1", "--path",
                                REPO_PATH], error="usage", dbk_exit=2),
    Case("repos_list", ["databricks", "repos", "list"]),
    Case("repos_list_prefix", ["databricks", "repos", "list", "--path-prefix", "/Repos/${u}"]),
    Case("repos_list_prefix_other", ["databricks", "repos", "list", "--path-prefix",
                                     "/Repos/nobody"]),
    Case("repos_workspace_ls", ["databricks", "workspace", "ls", "-l", REPO_PATH], out="table"),
    Case("repos_update_branch", ["databricks", "repos", "update", "--repo-id", "${repo_id}",
                                 "--branch", "feature"]),
    Case("repos_get_on_branch", ["databricks", "repos", "get", "--repo-id", "${repo_id}"]),
    Case("repos_workspace_ls_branch", ["databricks", "workspace", "ls", "-l", REPO_PATH],
         out="table"),
    Case("repos_update_tag", ["databricks", "repos", "update", "--path", REPO_PATH, "--tag",
                              "v1"]),
    Case("repos_get_on_tag", ["databricks", "repos", "get", "--path", REPO_PATH]),
    Case("repos_update_missing_branch", ["databricks", "repos", "update", "--repo-id",
                                         "${repo_id}", "--branch", "nope"], error="api"),
    Case("repos_update_no_ref", ["databricks", "repos", "update", "--repo-id", "${repo_id}"],
         error="usage", dbk_exit=2),
    Case("repos_update_both_refs", ["databricks", "repos", "update", "--repo-id", "${repo_id}",
                                    "--branch", "a", "--tag", "b"], error="usage", dbk_exit=2),
    Case("repos_delete", ["databricks", "repos", "delete", "--repo-id", "${repo_id}"]),
    Case("repos_get_deleted", ["databricks", "repos", "get", "--repo-id", "${repo_id}"],
         error="api"),
    Case("repos_delete_missing", ["databricks", "repos", "delete", "--path", REPO_PATH],
         error="client"),

    # Pipelines (Delta Live Tables). The emulator hands out pipeline ids from a counter, so
    # both sides' first pipeline is PIPE. A started update ends FAILED (the emulator does
    # not run DLT); cases after a start wait for that on both sides.
    Case("pipelines_create", ["databricks", "pipelines", "create", "pipelines/pipeline.json"],
         out="lines"),
    Case("pipelines_create_duplicate", ["databricks", "pipelines", "create", "--settings",
                                        "pipelines/pipeline.json"], error="client"),
    Case("pipelines_create_no_settings", ["databricks", "pipelines", "create"], error="client"),
    Case("pipelines_code_uploaded", ["databricks", "fs", "ls", "dbfs:/pipelines/code"],
         out="lines"),
    Case("pipelines_get", ["databricks", "pipelines", "get", "--pipeline-id", PIPE]),
    Case("pipelines_edit", ["databricks", "pipelines", "edit", "--pipeline-id", PIPE,
                            "pipelines/pipeline_edit.json"], out="lines"),
    Case("pipelines_deploy", ["databricks", "pipelines", "deploy", "--settings",
                              "pipelines/deploy.json"], out="lines"),
    Case("pipelines_list", ["databricks", "pipelines", "list"]),
    Case("pipelines_start", ["databricks", "pipelines", "start", "--pipeline-id", PIPE],
         out="lines"),
    Case("pipelines_get_failed_update", ["databricks", "pipelines", "get", "--pipeline-id", PIPE],
         setup=lambda side: side.wait_pipeline_idle(PIPE)),
    Case("pipelines_start_full_refresh", ["databricks", "pipelines", "start", "--pipeline-id",
                                          PIPE, "--full-refresh"], out="lines"),
    Case("pipelines_stop", ["databricks", "pipelines", "stop", "--pipeline-id", PIPE],
         out="lines"),
    Case("pipelines_reset", ["databricks", "pipelines", "reset", "--pipeline-id", PIPE],
         out="lines", setup=lambda side: side.wait_pipeline_idle(PIPE)),
    # `run` is legacy's deprecated name of `start` (it prints the deprecation line first).
    # No `get` after it: the update `stop` ended above is FAILED or CANCELED depending on
    # which came first, the stop or the emulator failing the update.
    Case("pipelines_run", ["databricks", "pipelines", "run", "--pipeline-id", PIPE],
         out="lines", setup=lambda side: side.wait_pipeline_idle(PIPE)),
    Case("pipelines_run_missing", ["databricks", "pipelines", "run", "--pipeline-id",
                                   "00000000-0000-4000-8000-00000000ffff"],
         error="pipelines_api", special="progress"),
    Case("pipelines_get_missing", ["databricks", "pipelines", "get", "--pipeline-id",
                                   "00000000-0000-4000-8000-00000000ffff"], error="pipelines_api"),
    Case("pipelines_get_no_id", ["databricks", "pipelines", "get"], error="client"),
    Case("pipelines_delete", ["databricks", "pipelines", "delete", "--pipeline-id", PIPE],
         out="lines"),
    Case("pipelines_start_deleted", ["databricks", "pipelines", "start", "--pipeline-id", PIPE],
         error="pipelines_api"),

    # Stack: a notebook, a DBFS file and a job; the redeploy updates the same job (the
    # status file, compared byte for byte, keeps its id); download exports the notebook.
    Case("stack_deploy", ["databricks", "stack", "deploy", "stack/stack.json"], out="lines",
         files=["stack/stack.deployed.json"]),
    Case("stack_redeploy", ["databricks", "stack", "deploy", "-o", "stack/stack.json"],
         out="lines", files=["stack/stack.deployed.json"]),
    Case("stack_download", ["databricks", "stack", "download", "-o", "stack/stack.json"],
         out="lines", files=["stack/nb.py"]),
    # Failing deploys: the progress lines up to the failure on stdout, no status file
    # written. DOCUMENTED (Stack): dbk's error goes to stderr (special "progress").
    Case("stack_deploy_missing_source", ["databricks", "stack", "deploy",
                                         "stack/stack_missing.json"],
         error="client", special="progress", files=["stack"]),
    Case("stack_deploy_bad_job", ["databricks", "stack", "deploy", "stack/stack_bad_job.json"],
         error="api", special="progress", files=["stack"]),

    # Cluster life cycle last: a resize or an edit restarts clusters the runs above use.
    Case("clusters_create", ["databricks", "clusters", "create", "--json",
                             '{"cluster_name": "parity-made", "spark_version": '
                             '"15.4.x-scala2.12", "num_workers": 1}'],
         capture={"new_cluster": lambda o: o["cluster_id"]}),
    Case("clusters_create_no_version", ["databricks", "clusters", "create", "--json",
                                        '{"cluster_name": "x"}'], error="api"),
    Case("clusters_list_zones", ["databricks", "clusters", "list-zones"]),
    Case("clusters_edit", ["databricks", "clusters", "edit", "--json",
                           '{"cluster_id": "${new_cluster}", "cluster_name": "parity-edited", '
                           '"spark_version": "15.4.x-scala2.12", "num_workers": 2}'],
         out="none", setup=lambda side: side.wait_cluster(side.vars["new_cluster"])),
    Case("clusters_get_edited", ["databricks", "clusters", "get", "--cluster-id",
                                 "${new_cluster}"],
         setup=lambda side: side.wait_cluster(side.vars["new_cluster"])),
    Case("clusters_resize", ["databricks", "clusters", "resize", "--cluster-id",
                             "${new_cluster}", "--num-workers", "3"], out="none"),
    Case("clusters_resize_missing", ["databricks", "clusters", "resize", "--cluster-id",
                                     "0000-000000-nosuchcl", "--num-workers", "1"],
         error="api"),
    Case("clusters_events_json", ["databricks", "clusters", "events", "--cluster-id",
                                  "${new_cluster}", "--output", "JSON"],
         setup=lambda side: side.wait_cluster(side.vars["new_cluster"])),
    Case("clusters_events", ["databricks", "clusters", "events", "--cluster-id",
                             "${new_cluster}"], out="table", mask=EVENT_TIME),
    Case("clusters_events_page", ["databricks", "clusters", "events", "--cluster-id",
                                  "${new_cluster}", "--order", "ASC", "--limit", "2",
                                  "--offset", "1", "--output", "JSON"]),
    Case("clusters_events_type", ["databricks", "clusters", "events", "--cluster-id",
                                  "${new_cluster}", "--event-type", "EDITED",
                                  "--event-type", "RESIZING"], out="table", mask=EVENT_TIME),
    Case("clusters_events_missing", ["databricks", "clusters", "events", "--cluster-id",
                                     "0000-000000-nosuchcl"], error="api"),
    Case("clusters_restart", ["databricks", "clusters", "restart", "--cluster-id",
                              "${new_cluster}"], out="none",
         setup=lambda side: side.wait_cluster(side.vars["new_cluster"])),
    Case("clusters_delete", ["databricks", "clusters", "delete", "--cluster-id",
                             "${new_cluster}"], out="none",
         setup=lambda side: side.wait_cluster(side.vars["new_cluster"])),
    Case("clusters_get_terminated", ["databricks", "clusters", "get", "--cluster-id",
                                     "${new_cluster}"],
         setup=lambda side: side.wait_cluster(side.vars["new_cluster"], "TERMINATED")),
    Case("clusters_start", ["databricks", "clusters", "start", "--cluster-id",
                            "${new_cluster}"], out="none"),
    Case("clusters_permanent_delete", ["databricks", "clusters", "permanent-delete",
                                       "--cluster-id", "${new_cluster}"], out="none",
         setup=lambda side: side.wait_cluster(side.vars["new_cluster"])),
    Case("clusters_get_permanently_deleted", ["databricks", "clusters", "get", "--cluster-id",
                                              "${new_cluster}"], error="api"),
]

def wait_libraries(side, cluster_id, timeout=120):
    """Waits until no library of the cluster is PENDING or INSTALLING (the emulator installs
    in the background), so both sides print settled statuses."""
    deadline = time.monotonic() + timeout
    while True:
        body = side.api("GET", "/api/2.0/libraries/cluster-status?cluster_id=%s" % cluster_id)
        busy = [s for s in body.get("library_statuses", [])
                if s["status"] in ("PENDING", "INSTALLING")]
        if not busy:
            return
        if time.monotonic() > deadline:
            raise AssertionError("%s: libraries still busy: %s" % (side.name, busy))
        time.sleep(0.1)


def add_profile_key(side, name, profile, key, value):
    """A key a user added by hand to a profile (ConfigParser syntax), before a reconfigure."""
    path = os.path.join(side.work, name)
    with open(path) as f:
        text = f.read()
    header = "[%s]\n" % profile
    with open(path, "w") as f:
        f.write(text.replace(header, header + "%s = %s\n" % (key, value), 1))


def add_jobs(side, count):
    """Creates `count` more single-task jobs through the 2.0 API (the same on both sides)."""
    for i in range(count):
        side.api("POST", "/api/2.0/jobs/create", {
            "name": "bulk job %02d" % i,
            "existing_cluster_id": side.vars["cluster_id"],
            "notebook_task": {"notebook_path": "/Users/%s/notebooks/4_model_scoring" % side.vars["u"]}})


ID_FAMILIES = {
    "job_id": "job", "run_id": "run", "parent_run_id": "run", "original_attempt_run_id": "run",
    "number_in_job": "run", "object_id": "object", "token_id": "token",
    "id": "object",  # a repo's id is its workspace object's id
}
EPOCH_MS = re.compile(r"\b1[5-9]\d{11}\b")
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def label(side, family, raw):
    """Ids become `<family#n>`, n counting first appearances on this side."""
    key = (family, str(raw))
    if key not in side.ids:
        side.ids[key] = "<%s#%d>" % (family, 1 + sum(1 for f, _ in side.ids if f == family))
    return side.ids[key]


def norm_text(side, text):
    text = text.replace(side.url, "$HOST").replace(side.work, "$WORK")
    # Legacy drops the port from the host it prints (the pipelines' UI URLs).
    text = text.replace(re.sub(r":80$", "", side.url) + "/", "$HOST/")
    return EPOCH_MS.sub("<TIME>", text)


def label_clusters(side, text):
    """Cluster ids seen before (time-stamped, so different on the twins) become labels."""
    for (family, raw), lab in side.ids.items():
        if family == "cluster":
            text = text.replace(raw, lab)
    return text


def norm_url(side, text):
    text = norm_text(side, text)
    text = re.sub(r"(job|jobs)/(\d+)", lambda m: "%s/%s" % (m.group(1), label(side, "job",
                                                                               m.group(2))), text)
    return re.sub(r"(run|runs)/(\d+)", lambda m: "%s/%s" % (m.group(1), label(side, "run",
                                                                              m.group(2))), text)


def norm_json(side, value, key=None):
    if isinstance(value, dict):
        # Labels are handed out in sorted key order so that a key-order difference is
        # reported as such instead of scrambling the id labels.
        normalised = {k: norm_json(side, value[k], k) for k in sorted(value)}
        return {k: normalised[k] for k in value}
    if isinstance(value, list):
        return [norm_json(side, v, key) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if key in ID_FAMILIES:
            return label(side, ID_FAMILIES[key], value)
        if key and (key.endswith("_time") or key.endswith("timestamp") or key.endswith("_at")):
            return "<TIME>"
        if key and key.endswith("_duration"):
            return "<DURATION>"
        if key == "last_modified":
            return "<TIME>"
        return value
    if isinstance(value, str):
        if key == "token_value" and value.startswith("dapi"):  # random on each side
            return "<TOKEN>"
        if key == "token_id":
            return label(side, "token", value)
        if key == "cluster_id":  # time-stamped: twin emulators give different ids
            return label(side, "cluster", value)
        if key == "activation_url":  # a random one-time code after the '?'
            value = re.sub(r"\?[0-9a-f]{32}$", "?<CODE>", value)
        if key and key.endswith("_url"):
            return norm_url(side, value)
        if key and (key.endswith("_time") or key == "timestamp") and ISO_TIME.match(value):
            return "<TIME>"
        return norm_text(side, value)
    return value


def norm_table(side, text):
    """Cells that are known ids become their labels; spacing is kept as printed."""
    known = {raw: lab for (_, raw), lab in side.ids.items()}
    lines = []
    for line in norm_text(side, text).splitlines():
        parts = re.split(r"(\s{2,})", line)
        parts = [known.get(p, p) for p in parts]
        lines.append(norm_url(side, "".join(parts)))
    return lines


def json_diffs(a, b, path="$"):
    """Field-by-field differences between two normalised JSON values (legacy a, dbk b)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in a:
            if k not in b:
                out.append("%s.%s: missing in dbk (legacy %r)" % (path, k, a[k]))
            else:
                out.extend(json_diffs(a[k], b[k], "%s.%s" % (path, k)))
        out.extend("%s.%s: only in dbk (%r)" % (path, k, b[k]) for k in b if k not in a)
        if not out and list(a) != list(b):
            out.append("%s: key order legacy %s, dbk %s" % (path, list(a), list(b)))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return ["%s: %d items in legacy, %d in dbk" % (path, len(a), len(b))]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out.extend(json_diffs(x, y, "%s[%d]" % (path, i)))
        return out
    if a != b or type(a) is not type(b):
        return ["%s: legacy %r, dbk %r" % (path, a, b)]
    return []


def line_diffs(a, b):
    out = []
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else "<none>"
        y = b[i] if i < len(b) else "<none>"
        if x != y:
            out.append("line %d: legacy %r, dbk %r" % (i + 1, x, y))
    return out


def tree(root):
    """{relative path: bytes} of a file or folder (empty when missing)."""
    if os.path.isfile(root):
        return {".": open(root, "rb").read()}
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            files[os.path.relpath(path, root)] = open(path, "rb").read()
    return files


def parse_json(side, text, case):
    try:
        return json.loads(text)
    except ValueError:
        pytest.fail("%s: %s stdout is not JSON: %r" % (case.name, side.name, text[:500]),
                    pytrace=False)


def check_json_format(side, result, parsed):
    # DOCUMENTED (Output): JSON is byte-for-byte json.dumps(obj, indent=2) plus a newline.
    text = result.stdout.decode()
    expected = json.dumps(parsed, indent=2) + "\n"
    return [] if text == expected else ["%s: JSON not formatted as json.dumps(indent=2)" %
                                        side.name]


def check_success(case, legacy, dbk, lres, dres):
    problems = []
    if lres.returncode != 0:
        pytest.fail("%s: the legacy CLI failed (exit %d): %s %s" % (
            case.name, lres.returncode, lres.stdout.decode()[-800:],
            lres.stderr.decode()[-800:]), pytrace=False)
    if dres.returncode != 0:
        problems.append("exit code: legacy 0, dbk %d" % dres.returncode)
    lerr, derr = norm_text(legacy, lres.stderr.decode()), norm_text(dbk, dres.stderr.decode())
    if lerr != derr:
        problems.append("stderr: legacy %r, dbk %r" % (lerr[-500:], derr[-500:]))
    lout, dout = lres.stdout.decode(errors="replace"), dres.stdout.decode(errors="replace")
    if case.special == "rm_carriage_return":
        lout = lout.replace("\r", "").replace("\x1b[K", "")
    if case.out == "json":
        lj, dj = parse_json(legacy, lout, case), parse_json(dbk, dout, case)
        problems += check_json_format(dbk, dres, dj)
        problems += json_diffs(norm_json(legacy, lj), norm_json(dbk, dj))
        for var, get in case.capture.items():
            legacy.vars[var], dbk.vars[var] = get(lj), get(dj)
    elif case.out == "raw":
        if lres.stdout != dres.stdout:
            problems.append("stdout bytes differ: legacy %d bytes, dbk %d bytes" % (
                len(lres.stdout), len(dres.stdout)))
    elif case.out == "none":
        if lout or dout:
            problems.append("stdout: legacy %r, dbk %r" % (lout[:300], dout[:300]))
    else:
        la, da = norm_table(legacy, lout), norm_table(dbk, dout)
        if case.mask:
            la = [re.sub(case.mask, "<MASKED>", x) for x in la]
            da = [re.sub(case.mask, "<MASKED>", x) for x in da]
        if case.out == "sorted_lines":
            la, da = sorted(la), sorted(da)
        problems += line_diffs(la, da)
    return problems


# DOCUMENTED (Workspace and DBFS): a failed `fs rm` prints only the error (stderr).
LEGACY_PROGRESS = re.compile(r"^\r?Deleted at least \d+ files but interrupted by error\.\n")


def legacy_error_text(case, lres):
    out = LEGACY_PROGRESS.sub("", lres.stdout.decode())
    if lres.returncode != 1 or not out.startswith("Error: "):
        pytest.fail("%s: expected a legacy error (exit 1, `Error:` on stdout), got exit %d: %r %r"
                    % (case.name, lres.returncode, out[-500:], lres.stderr.decode()[-500:]),
                    pytrace=False)
    return out[len("Error: "):].strip()


def split_progress(case, legacy, dbk, lres, dres):
    """Commands that log progress on stdout before failing (`stack deploy`, the deprecation
    line of `pipelines run`): legacy's stdout
    ends with its `Error:` lines, dbk's is the progress alone (the error goes to stderr;
    docs/compatibility.md, Stack). Compares the progress and returns legacy's result with
    the progress removed, for check_error to compare the errors."""
    lout, dout = lres.stdout.decode(), dres.stdout.decode()
    at = lout.rfind("\nError: ")
    if at < 0:
        pytest.fail("%s: no legacy `Error:` line after the progress: %r" % (
            case.name, lout[-500:]), pytrace=False)
    problems = line_diffs(norm_table(legacy, lout[:at + 1]), norm_table(dbk, dout))
    lres = subprocess.CompletedProcess(lres.args, lres.returncode, lout[at + 1:].encode(),
                                       lres.stderr)
    dres = subprocess.CompletedProcess(dres.args, dres.returncode, b"", dres.stderr)
    return problems, lres, dres


def check_error(case, legacy, dbk, lres, dres):
    problems = []
    if case.special == "progress":
        problems, lres, dres = split_progress(case, legacy, dbk, lres, dres)
    dout, derr = dres.stdout.decode(), dres.stderr.decode()
    if dres.returncode != case.dbk_exit:
        problems.append("dbk exit code %d, documented %d" % (dres.returncode, case.dbk_exit))
    if dout:
        problems.append("dbk printed on stdout for an error: %r" % dout[:300])
    if case.error == "crash":
        if lres.returncode != 1 or "Traceback" not in lres.stderr.decode():
            pytest.fail("%s: expected a legacy traceback, got exit %d" % (
                case.name, lres.returncode), pytrace=False)
        if len(derr.strip().splitlines()) < 1 or not derr.startswith("Error: "):
            problems.append("dbk stderr does not start with `Error: `: %r" % derr[:300])
        return problems
    if case.error == "usage":
        # Both: usage text on stderr, exit 2; the texts are not compared.
        if lres.returncode != 2:
            pytest.fail("%s: legacy exit %d, expected a usage error (2)" % (
                case.name, lres.returncode), pytrace=False)
        if not derr.strip():
            problems.append("dbk printed nothing on stderr")
        return problems
    text = legacy_error_text(case, lres)
    lines = derr.strip().splitlines()
    if len(lines) != 1 or not lines[0].startswith("Error: "):
        problems.append("dbk stderr is not one `Error: ...` line: %r" % derr[:500])
        return problems
    if case.error == "api":
        # Legacy: Error: b'<raw body>'; dbk: Error: CODE: message (HTTP n, METHOD path).
        try:
            body = json.loads(ast.literal_eval(text).decode())
        except (ValueError, SyntaxError, AttributeError):
            pytest.fail("%s: legacy error is not a raw API body: %r" % (case.name, text),
                        pytrace=False)
        match = DBK_API_ERROR.match(lines[0])
        if not match:
            problems.append("dbk API error not in the documented form: %r" % lines[0])
        else:
            if match.group(1) != body.get("error_code"):
                problems.append("error_code: legacy %r, dbk %r" % (body.get("error_code"),
                                                                   match.group(1)))
            lmsg = label_clusters(legacy, norm_text(legacy, body.get("message", "")))
            dmsg = label_clusters(dbk, norm_text(dbk, match.group(2)))
            if lmsg != dmsg:
                problems.append("message: legacy %r, dbk %r" % (lmsg, dmsg))
    elif case.error == "pipelines_api":
        # Legacy's pipelines commands print `Error: CODE\nmessage`; dbk its documented form.
        code, _, message = text.partition("\n")
        match = DBK_API_ERROR.match(lines[0])
        if not match:
            problems.append("dbk API error not in the documented form: %r" % lines[0])
        elif (match.group(1), norm_text(dbk, match.group(2))) != (code, norm_text(legacy, message)):
            problems.append("error: legacy %r, dbk %r" % ((code, message), match.groups()[:2]))
    elif case.error == "json" and "JSONDecodeError" not in text:
        pytest.fail("%s: expected a legacy JSONDecodeError, got %r" % (case.name, text),
                    pytrace=False)
    return problems


def check_multi_task_output(case, legacy, dbk, lres, dres):
    """Legacy fails on a run with several tasks; dbk prints {"run_id", "task_outputs"}."""
    text = legacy_error_text(case, lres)
    assert "multiple tasks" in text, text
    problems = []
    if dres.returncode != 0:
        return ["dbk exit %d: %s" % (dres.returncode, dres.stderr.decode()[-300:])]
    out = parse_json(dbk, dres.stdout.decode(), case)
    problems += check_json_format(dbk, dres, out)
    if list(out) != ["run_id", "task_outputs"] or len(out["task_outputs"]) != 2:
        problems.append("dbk output is not {run_id, task_outputs[2]}: %r" % out)
    return problems


def check_jobs_pages(case, legacy, dbk, lres, dres):
    """The documented jobs-list paging differences: legacy's page is a prefix of dbk's
    listing (pages_through), or the same page without the paging fields (paging_fields)."""
    for side, res in ((legacy, lres), (dbk, dres)):
        if res.returncode != 0:
            return ["%s exit %d: %s" % (side.name, res.returncode, res.stderr.decode()[-300:])]
    problems = []
    lerr, derr = norm_text(legacy, lres.stderr.decode()), norm_text(dbk, dres.stderr.decode())
    if lerr != derr:
        problems.append("stderr: legacy %r, dbk %r" % (lerr[-500:], derr[-500:]))
    lj = norm_json(legacy, parse_json(legacy, lres.stdout.decode(), case))
    draw = parse_json(dbk, dres.stdout.decode(), case)
    problems += check_json_format(dbk, dres, draw)
    dj = norm_json(dbk, draw)
    if list(lj) != ["jobs"]:
        pytest.fail("%s: legacy printed %r, expected only jobs" % (case.name, list(lj)),
                    pytrace=False)
    if case.special == "pages_through":
        if (len(lj["jobs"]), len(dj.get("jobs", []))) != (20, 30) or list(dj) != ["jobs"]:
            problems.append("expected 20 jobs from legacy and {jobs: 30 jobs} from dbk, got %d "
                            "and %r" % (len(lj["jobs"]), {k: len(v) if isinstance(v, list) else v
                                                          for k, v in dj.items()}))
        else:
            problems += json_diffs(lj["jobs"], dj["jobs"][:20], "$.jobs")
    else:
        if list(dj) != ["jobs", "has_more", "next_page_token"] or dj["has_more"] is not True:
            problems.append("dbk page without has_more/next_page_token: %r" %
                            {k: v for k, v in dj.items() if k != "jobs"})
        problems += json_diffs(lj["jobs"], dj.get("jobs"), "$.jobs")
    return problems


def config_lines(path):
    """The lines of a profile file that carry meaning, and its mode. DOCUMENTED
    (Configuration): legacy rewrites the file through ConfigParser (comments dropped, a blank
    line after each section); dbk edits it in place, so blank lines are not compared."""
    if not os.path.exists(path):
        return ["<missing>"]
    with open(path) as f:
        lines = [line.rstrip("\n") for line in f if line.strip()]
    return lines + ["mode %o" % (os.stat(path).st_mode & 0o777)]


def substitute(side, argv):
    return [Template(a).substitute(side.vars) for a in argv]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_parity(sides, case):
    legacy, dbk = sides["legacy"], sides["dbk"]
    if case.setup:
        for side in (legacy, dbk):
            case.setup(side)
    extra = dict(input=case.stdin.encode() if case.stdin is not None else None, env=case.env)
    lres = legacy.run(substitute(legacy, case.legacy_argv or case.argv), **extra)
    dres = dbk.run(substitute(dbk, case.argv), **extra)
    if case.special == "multi_task_output":
        problems = check_multi_task_output(case, legacy, dbk, lres, dres)
    elif case.special in ("pages_through", "paging_fields"):
        problems = check_jobs_pages(case, legacy, dbk, lres, dres)
    elif case.error:
        problems = check_error(case, legacy, dbk, lres, dres)
    else:
        problems = check_success(case, legacy, dbk, lres, dres)
    for path in case.files:
        lt, dt = tree(os.path.join(legacy.work, path)), tree(os.path.join(dbk.work, path))
        if sorted(lt) != sorted(dt):
            problems.append("%s: files legacy %s, dbk %s" % (path, sorted(lt), sorted(dt)))
        problems += ["%s/%s: contents differ" % (path, name)
                     for name in sorted(lt) if name in dt and lt[name] != dt[name]]
    for path in case.config_files:
        lc, dc = (config_lines(os.path.join(side.work, path)) for side in (legacy, dbk))
        problems += ["%s: %s" % (path, d) for d in line_diffs(lc, dc)]
    # After the checks: they capture the run id (case.capture) that the wait names, and
    # the next cases must see the run settled on both sides.
    if case.wait:
        for side in (legacy, dbk):
            if case.wait in side.vars:
                side.wait_run(side.vars[case.wait])
    if problems:
        command = " ".join(case.argv)
        pytest.fail("%s: `%s` differs:\n  %s" % (case.name, command, "\n  ".join(problems)),
                    pytrace=False)
