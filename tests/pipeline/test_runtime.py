"""The notebook runtime without Spark: widgets, exit, errors, magics, child notebooks, fs."""

import json
import os
import subprocess
import sys
import time

import pytest

from conftest import RUNTIME_DIR, write_notebook
from dbk_runtime.dbutils import InputWidgetNotDefined, Widgets
from dbk_runtime.executor import NotebookRun, Runtime
from dbk_runtime.workspace import LocalWorkspace, resolve


def run(tmp_path, *cells, params=None, path="/Users/u/nb"):
    ws = tmp_path / "ws"
    rt = Runtime(str(tmp_path / "dbfs"), "local[1]", LocalWorkspace(str(ws)))
    src = "# Databricks notebook source\n" + "\n# COMMAND ----------\n".join(cells)
    return NotebookRun(rt, path, src, "SOURCE", params).execute()


# ---------------------------------------------------------------- widgets

def test_parameter_overrides_default_and_default_applies_otherwise():
    w = Widgets({"A": "from-job"})
    w.text("A", "default-a")
    w.dropdown("B", "x", ["x", "y"])
    assert w.get("A") == "from-job"
    assert w.get("B") == "x"
    assert w.getArgument("B") == "x"


def test_parameters_that_match_no_widget_are_reported():
    w = Widgets({"A": "1", "zEND_DATE": "2016-01-01"})
    w.text("A", "")
    w.text("zEnd_Date", "2015-10-30")
    assert w.get("zEnd_Date") == "2015-10-30"
    assert w.unknown_parameters() == ["zEND_DATE"]


def test_undefined_widget_raises_and_remove_all_clears():
    w = Widgets()
    w.text("A", "1")
    w.combobox("C", "c", ["c"])
    w.multiselect("M", "a", ["a", "b"])
    assert w.get("M") == "a"
    w.remove("C")
    with pytest.raises(InputWidgetNotDefined):
        w.get("C")
    w.removeAll()
    with pytest.raises(InputWidgetNotDefined):
        w.get("A")
    assert w.getArgument("A", "fallback") == "fallback"


def test_dropdown_default_must_be_a_choice():
    with pytest.raises(ValueError):
        Widgets().dropdown("D", "z", ["x", "y"])


# ---------------------------------------------------------------- results

def test_exit_value_is_the_result_and_stops_the_notebook(tmp_path):
    res = run(tmp_path, "dbutils.notebook.exit({'a': 1})\n", "raise RuntimeError('not reached')\n")
    assert res.state == "SUCCESS"
    assert res.exit_value == "{'a': 1}" and res.truncated is False


def test_exit_is_not_swallowed_by_except_exception(tmp_path):
    res = run(tmp_path, "try:\n    dbutils.notebook.exit('v')\nexcept Exception:\n    pass\nraise ValueError('x')\n")
    assert res.state == "SUCCESS" and res.exit_value == "v"


def test_large_exit_value_is_truncated(tmp_path):
    res = run(tmp_path, "dbutils.notebook.exit('x' * (6 * 1024 * 1024))\n")
    assert res.truncated is True and len(res.exit_value) == 5 * 1024 * 1024


def test_no_exit_gives_empty_notebook_output(tmp_path):
    res = run(tmp_path, "a = 1\n")
    assert res.to_json()["notebook_output"] == {}


def test_failure_reports_error_line_and_trace_with_cell_number(tmp_path):
    res = run(tmp_path, "x = 1\n", "def f():\n    raise ValueError('bad input')\nf()\n")
    assert res.state == "FAILED"
    assert res.error == "ValueError: bad input"
    assert "cell 2" in res.error_trace and "raise ValueError('bad input')" in res.error_trace
    out = res.to_json()
    assert out["result_state"] == "FAILED" and out["error_trace"]


def test_globals_are_shared_between_cells_and_last_expression_is_shown(tmp_path, capsys):
    res = run(tmp_path, "x = 20\n", "x + 22\n", "dbutils.notebook.exit(x)\n")
    assert res.exit_value == "20"
    assert "42" in capsys.readouterr().out


def test_widgets_in_a_notebook(tmp_path):
    cells = ["dbutils.widgets.removeAll()\n",
             "dbutils.widgets.text('Start_Date', '2000-01-01')\n"
             "dbutils.widgets.text('zEnd_Date', '2015-10-30')\n",
             "dbutils.notebook.exit(dbutils.widgets.get('Start_Date') + '|' + getArgument('zEnd_Date'))\n"]
    res = run(tmp_path, *cells, params={"Start_Date": "2015-11-15", "Typo": "1"})
    assert res.exit_value == "2015-11-15|2015-10-30"
    assert res.unknown_parameters == ["Typo"]


def test_undefined_widget_fails_the_notebook(tmp_path):
    res = run(tmp_path, "dbutils.widgets.get('NOPE')\n")
    assert res.state == "FAILED" and res.error.startswith("InputWidgetNotDefined")


# ---------------------------------------------------------------- magics

def test_md_is_skipped_and_sh_runs_with_dbfs_mapped(tmp_path, capsys):
    (tmp_path / "dbfs" / "d").mkdir(parents=True)
    (tmp_path / "dbfs" / "d" / "f.txt").write_text("hello")
    res = run(tmp_path, "# MAGIC %md\n# MAGIC raise would fail\n", "# MAGIC %sh\n# MAGIC cat /dbfs/d/f.txt; echo\n")
    assert res.state == "SUCCESS"
    assert "hello" in capsys.readouterr().out


def test_failing_sh_fails_the_cell(tmp_path):
    res = run(tmp_path, "# MAGIC %sh\n# MAGIC exit 3\n")
    assert res.state == "FAILED" and "status 3" in res.error


def test_run_magic_includes_another_notebook_relative_to_this_one(tmp_path):
    write_notebook(tmp_path / "ws" / "Users" / "u" / "lib" / "helpers.py",
                   "def helper(v):\n    return v * 2\nWIDGET = dbutils.widgets.get('P')\n")
    res = run(tmp_path, "dbutils.widgets.text('P', 'p0')\n", "# MAGIC %run ./lib/helpers\n",
              "dbutils.notebook.exit(f'{helper(21)} {WIDGET}')\n")
    assert res.exit_value == "42 p0", res.error_trace


def test_notebook_run_has_own_globals_and_widgets(tmp_path):
    write_notebook(tmp_path / "ws" / "Users" / "u" / "child.py",
                   "dbutils.widgets.text('N', '1')\n",
                   "secret = 'child'\ndbutils.notebook.exit(int(dbutils.widgets.get('N')) * 10)\n")
    res = run(tmp_path, "secret = 'parent'\nr = dbutils.notebook.run('child', 60, {'N': '4'})\n",
              "dbutils.notebook.exit(r + ' ' + secret)\n")
    assert res.exit_value == "40 parent", res.error_trace


def test_notebook_run_failure_is_raised_in_the_caller(tmp_path):
    write_notebook(tmp_path / "ws" / "Users" / "u" / "bad.py", "1 / 0\n")
    res = run(tmp_path, "dbutils.notebook.run('./bad', 60)\n")
    assert res.state == "FAILED"
    assert res.error.startswith("WorkflowException") and "ZeroDivisionError" in res.error


def test_notebook_run_timeout(tmp_path):
    write_notebook(tmp_path / "ws" / "Users" / "u" / "slow.py",
                   "import time\nfor _ in range(600):\n    time.sleep(0.05)\n")
    t0 = time.monotonic()
    res = run(tmp_path, "dbutils.notebook.run('slow', 1, {})\n")
    assert time.monotonic() - t0 < 15
    assert res.state == "FAILED" and "timed out" in res.error


def test_missing_notebook_fails(tmp_path):
    res = run(tmp_path, "dbutils.notebook.run('/nowhere/x', 10)\n")
    assert res.state == "FAILED" and "NotebookNotFound" in res.error


def test_resolve_relative_workspace_paths():
    assert resolve("/Users/u/notebooks/5_x", "2_feature_engineering") == "/Users/u/notebooks/2_feature_engineering"
    assert resolve("/Users/u/notebooks/5_x", "./a") == "/Users/u/notebooks/a"
    assert resolve("/Users/u/notebooks/5_x", "../b/c") == "/Users/u/b/c"
    assert resolve("/Users/u/notebooks/5_x", "/Shared/y") == "/Shared/y"


# ---------------------------------------------------------------- dbutils.fs

def test_fs_operations_on_the_dbfs_root(tmp_path):
    cells = ["dbutils.fs.mkdirs('dbfs:/a/b')\n"
             "dbutils.fs.put('dbfs:/a/b/f.txt', 'content', True)\n"
             "dbutils.fs.cp('dbfs:/a/b/f.txt', '/dbfs/a/g.txt')\n"
             "dbutils.fs.mv('dbfs:/a/g.txt', 'dbfs:/a/h.txt')\n"
             "names = sorted(f.name for f in dbutils.fs.ls('dbfs:/a'))\n"
             "head = dbutils.fs.head('dbfs:/a/h.txt')\n"
             "dbutils.fs.rm('dbfs:/a/b', True)\n"
             "dbutils.notebook.exit(f'{names} {head} {[f.path for f in dbutils.fs.ls(\"dbfs:/a\")]}')\n"]
    res = run(tmp_path, *cells)
    assert res.exit_value == "['b/', 'h.txt'] content ['dbfs:/a/h.txt']", res.error_trace
    assert (tmp_path / "dbfs" / "a" / "h.txt").read_text() == "content"


@pytest.mark.parametrize("path", ["dbfs:/../outside.txt", "/dbfs/../outside.txt",
                                  "dbfs:/a/../../outside.txt", "dbfs:/./outside.txt",
                                  "dbfs:/a\x00b"])
def test_dbfs_paths_follow_the_dbfs_api_rule(tmp_path, path):
    # As the DBFS API: '.', '..' and NUL are refused, not resolved (not even at the root).
    res = run(tmp_path, f"dbutils.fs.put({path!r}, 'x')\n")
    assert res.state == "FAILED"
    assert "not allowed" in res.error or "NUL" in res.error
    assert not (tmp_path / "outside.txt").exists()
    assert not (tmp_path / "dbfs" / "outside.txt").exists()


def test_dbfs_names_collapse_slashes(tmp_path):
    from dbk_runtime.dbfs import Dbfs
    d = Dbfs(str(tmp_path))
    assert d.dbfs_part("dbfs://a//b/") == "/a/b"
    assert d.local("/dbfs") == str(tmp_path)


def test_spark_paths_are_rewritten(tmp_path):
    from dbk_runtime.dbfs import Dbfs
    d = Dbfs(str(tmp_path))
    assert d.spark_path("dbfs:/storage/models/RF.pqt") == f"file://{tmp_path}/storage/models/RF.pqt"
    assert d.spark_path("/dbfs/x") == f"file://{tmp_path}/x"
    assert d.spark_path(["dbfs:/a", "s3://b/c"]) == [f"file://{tmp_path}/a", "s3://b/c"]
    assert d.spark_path("/tmp/local") == "/tmp/local"


# ---------------------------------------------------------------- protocol

def test_run_task_protocol_writes_result_json(tmp_path):
    nb = write_notebook(tmp_path / "nb.py", "dbutils.widgets.text('A', 'a')\n",
                        "dbutils.notebook.exit(dbutils.widgets.get('A'))\n")
    task = {"run_id": 1, "task_type": "notebook_task", "notebook_path": "/Users/u/nb",
            "notebook_file": nb, "notebook_format": "SOURCE", "parameters": {"A": "b", "X": "1"},
            "dbfs_root": str(tmp_path / "dbfs"), "spark_master": "local[1]", "workspace_url": "",
            "workspace_token": "", "output_file": str(tmp_path / "result.json"), "timeout_seconds": 0}
    (tmp_path / "task.json").write_text(json.dumps(task))
    proc = subprocess.run([sys.executable, "-m", "dbk_runtime", "run", "--task", str(tmp_path / "task.json")],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": RUNTIME_DIR},
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "result.json").read_text())
    assert result == {"result_state": "SUCCESS", "notebook_output": {"result": "b", "truncated": False},
                      "unknown_parameters": ["X"]}
    assert "X" in proc.stderr


def test_run_task_failure_exit_status(tmp_path):
    nb = write_notebook(tmp_path / "nb.py", "raise KeyError('k')\n")
    task = {"task_type": "notebook_task", "notebook_path": "/nb", "notebook_file": nb,
            "parameters": {}, "dbfs_root": str(tmp_path / "dbfs"), "output_file": str(tmp_path / "r.json")}
    (tmp_path / "task.json").write_text(json.dumps(task))
    proc = subprocess.run([sys.executable, "-m", "dbk_runtime", "run", "--task", str(tmp_path / "task.json")],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": RUNTIME_DIR},
                          timeout=120)
    assert proc.returncode == 1
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["result_state"] == "FAILED" and result["error"] == "KeyError: 'k'"
    assert "Traceback" in result["error_trace"]


def test_spark_python_task_gets_argv(tmp_path):
    main = tmp_path / "main.py"
    main.write_text("import sys\nif sys.argv[1:] != ['a', 'b']:\n    raise SystemExit(3)\n")
    task = {"task_type": "spark_python_task", "python_file": str(main), "python_params": ["a", "b"],
            "parameters": {}, "dbfs_root": str(tmp_path / "dbfs"), "output_file": str(tmp_path / "r.json")}
    (tmp_path / "task.json").write_text(json.dumps(task))
    proc = subprocess.run([sys.executable, "-m", "dbk_runtime", "run", "--task", str(tmp_path / "task.json")],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": RUNTIME_DIR},
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "r.json").read_text())["result_state"] == "SUCCESS"


def test_rest_workspace_fetches_notebooks_for_notebook_run(tmp_path):
    """dbutils.notebook.run under the emulator: GET /api/2.0/workspace/export with the token."""
    import base64
    import http.server
    import threading
    seen = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen["path"], seen["auth"] = self.path, self.headers.get("Authorization")
            if "child" not in self.path:
                self.send_response(404); self.end_headers(); return
            body = json.dumps({"content": base64.b64encode(
                b"# Databricks notebook source\ndbutils.notebook.exit('from-rest')\n").decode()})
            self.send_response(200); self.send_header("Content-Type", "application/json"); self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        from dbk_runtime.workspace import RestWorkspace
        rt = Runtime(str(tmp_path / "dbfs"), "local[1]",
                     RestWorkspace(f"http://127.0.0.1:{server.server_port}", "tok"))
        res = NotebookRun(rt, "/Users/u/notebooks/5_x", "dbutils.notebook.exit(dbutils.notebook.run('child', 30))\n",
                          "SOURCE").execute()
        assert res.exit_value == "from-rest", res.error_trace
        assert seen["auth"] == "Bearer tok"
        assert "path=%2FUsers%2Fu%2Fnotebooks%2Fchild" in seen["path"] and "format=SOURCE" in seen["path"]
        res = NotebookRun(rt, "/Users/u/nb", "dbutils.notebook.run('missing', 30)\n", "SOURCE").execute()
        assert res.state == "FAILED" and "NotebookNotFound" in res.error
    finally:
        server.shutdown()
