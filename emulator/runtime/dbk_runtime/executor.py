"""Executing a notebook: cells in one globals dict, magics, exit values, child notebooks.

One ``Runtime`` per process owns the Spark session (created at the first cell that needs it,
so notebooks that never touch Spark do not pay for a JVM) and the DBFS root. Each notebook
execution (the task's notebook, every dbutils.notebook.run child) is a ``NotebookRun`` with
its own globals and widgets; %run executes the other notebook inside the caller's run.
"""

from __future__ import annotations

import ast
import ctypes
import linecache
import os
import re
import shlex
import subprocess
import sys
import threading
import traceback
import uuid
from dataclasses import dataclass, field

from . import source as nbsource
from .dbfs import Dbfs
from .dbutils import (DBUtils, EXIT_LIMIT, Fs, NotebookExit, NotebookUtils, Widgets,
                      WorkflowException)
from .secrets import Redactor, SecretsUtils
from .workspace import LocalWorkspace, NotebookNotFound, resolve

_NEEDS_SPARK = re.compile(r"spark|\bsc\b|sqlContext|\bdisplay\(|saveAsTable|pyspark")


class ShellCommandError(Exception):
    """A %sh cell exited with a non-zero status."""


class NotebookTimeout(BaseException):
    """Injected into a child notebook's thread when its timeout expires."""


class RunCanceled(BaseException):
    """Raised in the main thread on SIGTERM (cancel or timeout by the emulator)."""


@dataclass
class RunResult:
    """What a notebook execution produced, in result.json terms."""

    state: str = "SUCCESS"
    exit_value: str | None = None
    truncated: bool = False
    error: str | None = None
    error_trace: str | None = None
    unknown_parameters: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        out: dict = {"result_state": self.state,
                     "notebook_output": ({} if self.exit_value is None else
                                         {"result": self.exit_value, "truncated": self.truncated}),
                     "unknown_parameters": self.unknown_parameters}
        if self.state != "SUCCESS":
            out["error"] = self.error or "Unknown error"
            out["error_trace"] = self.error_trace or ""
        return out


def describe_error(exc: BaseException) -> str:
    """One line 'ExcType: message', using the Java exception's text for Py4J errors."""
    name = type(exc).__name__
    msg = str(exc)
    java = getattr(exc, "java_exception", None)
    if java is not None:
        try:
            msg = str(java.toString())
        except Exception:
            pass
    first = next((ln.strip() for ln in msg.splitlines() if ln.strip()), "")
    return f"{name}: {first}" if first else name


def truncate_exit(value) -> tuple[str, bool]:
    text = "" if value is None else str(value)
    data = text.encode("utf-8")
    if len(data) <= EXIT_LIMIT:
        return text, False
    return data[:EXIT_LIMIT].decode("utf-8", errors="ignore"), True


class _LazySpark:
    """Stands for `spark`/`sc`/`sqlContext` until a cell really needs the session."""

    def __init__(self, runtime: "Runtime", attr: str | None):
        object.__setattr__(self, "_rt", runtime)
        object.__setattr__(self, "_attr", attr)

    def _target(self):
        s = self._rt.spark_session()
        if self._attr == "sc":
            return s.sparkContext
        if self._attr == "sqlContext":
            from pyspark.sql import SQLContext
            return SQLContext(s.sparkContext, s)
        return s

    def __getattr__(self, name):
        return getattr(self._target(), name)


class Runtime:
    """Process-wide state: DBFS root, Spark master and session, where notebooks come from."""

    def __init__(self, dbfs_root: str, spark_master: str = "local[*]", workspace=None,
                 job_tag: str | None = None):
        self.dbfs = Dbfs(dbfs_root)
        os.makedirs(self.dbfs.root, exist_ok=True)
        # there is no /dbfs FUSE mount locally: Python code can build paths from this instead
        os.environ["DBFS_ROOT"] = self.dbfs.root
        self.spark_master = spark_master or "local[*]"
        self.workspace = workspace
        self.redactor = Redactor()  # one per process: stdout is process-wide
        self.job_tag = job_tag  # the run's Spark job tag, which the emulator cancels
        # On a warm cluster: the driver's connection file (driver.py); else Spark starts here.
        self.driver_info = os.environ.pop("DBK_DRIVER_INFO", "")
        self._spark = None
        self._lock = threading.Lock()

    def spark_session(self):
        with self._lock:
            if self._spark is None:
                if self.driver_info:
                    from .driver import attach
                    self._spark = attach(self.driver_info, self.dbfs, self.job_tag)
                else:
                    from .sparkenv import build_session
                    self._spark = build_session(self.spark_master, self.dbfs)
            return self._spark

    @property
    def spark_started(self) -> bool:
        return self._spark is not None

    def refresh_tables(self) -> None:
        if self._spark is not None:
            from .sparkenv import register_warehouse_tables
            register_warehouse_tables(self._spark, self.dbfs)

    def stop(self) -> None:
        if self._spark is not None:
            try:
                if self.driver_info:  # the cluster's context outlives the run, its jobs do not
                    if self.job_tag:
                        self._spark.sparkContext.cancelJobsWithTag(self.job_tag)
                else:
                    self._spark.stop()
            except Exception:
                pass
            self._spark = None

    def fetch_notebook(self, path: str) -> tuple[str, str]:
        if self.workspace is None:
            raise NotebookNotFound(f"Notebook not found: {path} (no workspace to look in)")
        return self.workspace.fetch(path)


class NotebookRun:
    """One execution of one notebook with its own globals and widgets."""

    def __init__(self, runtime: Runtime, path: str, text: str, fmt: str | None,
                 params: dict | None = None):
        self.rt = runtime
        self.path = path or "/notebook"
        self.cells = nbsource.parse_notebook(text, fmt)
        self.widgets = Widgets(params)
        self.dbutils = DBUtils(self.widgets, Fs(runtime.dbfs), NotebookUtils(self._run_child),
                               SecretsUtils(runtime.workspace, runtime.redactor))
        self._path_stack = [self.path]
        self.job_group: str | None = None  # set for dbutils.notebook.run children
        self.globals: dict = {
            "__name__": "__main__",
            "__builtins__": __builtins__,
            "spark": _LazySpark(runtime, None),
            "sc": _LazySpark(runtime, "sc"),
            "sqlContext": _LazySpark(runtime, "sqlContext"),
            "dbutils": self.dbutils,
            "display": self._display,
            "displayHTML": lambda html: print(html),
            "getArgument": self.widgets.getArgument,
        }

    # ------------------------------------------------------------------ helpers
    def _ensure_spark(self) -> None:
        """Swap the lazy stand-ins for the real objects once Spark is needed."""
        spark = self.rt.spark_session()
        if self.rt.driver_info:
            from .driver import tag_thread
            tag_thread(spark.sparkContext, self.rt.job_tag)  # per thread (pinned threads)
        if self.job_group:
            # thread-local (pinned threads): lets a timeout cancel exactly this child's jobs
            spark.sparkContext.setJobGroup(self.job_group, self.path, True)
        if isinstance(self.globals.get("spark"), _LazySpark):
            self.globals["spark"] = spark
        if isinstance(self.globals.get("sc"), _LazySpark):
            self.globals["sc"] = spark.sparkContext
        if isinstance(self.globals.get("sqlContext"), _LazySpark):
            from pyspark.sql import SQLContext
            self.globals["sqlContext"] = SQLContext(spark.sparkContext, spark)
        self.rt.refresh_tables()

    @staticmethod
    def _display(obj, *args, **kwargs):
        if hasattr(obj, "show") and hasattr(obj, "schema"):
            obj.show(20, truncate=40)
        elif hasattr(obj, "to_string"):
            print(obj.to_string(max_rows=50))
        else:
            print(obj)

    # ------------------------------------------------------------------ cells
    def _exec_python(self, text: str, label: str) -> None:
        filename = f"<{label}>"
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        tree = ast.parse(text, filename=filename, mode="exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, filename, "exec"), self.globals)
        if last is not None:
            value = eval(compile(last, filename, "eval"), self.globals)
            if value is not None:
                self._display(value)

    def _exec_sh(self, text: str) -> None:
        root = self.rt.dbfs.root
        script = re.sub(r"(?<![\w/])/dbfs(?=/|\b)", root, text)
        env = dict(os.environ, DBFS_ROOT=root)
        proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env)
        sys.stdout.write(proc.stdout)
        sys.stdout.write(proc.stderr)
        sys.stdout.flush()
        if proc.returncode != 0:
            raise ShellCommandError(f"%sh exited with status {proc.returncode}: "
                                    f"{(proc.stderr or proc.stdout).strip()[-500:]}")

    def _exec_run(self, text: str) -> None:
        tokens = shlex.split(text)
        if not tokens:
            raise ValueError("%run needs a notebook path")
        target = resolve(self._path_stack[-1], tokens[0])
        args = {}
        for tok in tokens[1:]:
            key, sep, value = tok.partition("=")
            if sep:
                args[key.lstrip("$")] = value
        src, fmt = self.rt.fetch_notebook(target)
        saved = dict(self.widgets._params)
        self.widgets._params.update(args)
        self._path_stack.append(target)
        try:
            for cell in nbsource.parse_notebook(src, fmt):
                self._exec_cell(cell, target)
        finally:
            self._path_stack.pop()
            self.widgets._params = saved

    def _exec_fs(self, text: str) -> None:
        tokens = shlex.split(text)
        if not tokens:
            return
        result = getattr(self.dbutils.fs, tokens[0])(*tokens[1:])
        self._display(result)

    def _exec_cell(self, cell: nbsource.Cell, path: str) -> None:
        label = f"notebook {path} cell {cell.number}"
        kind = cell.kind
        if kind in ("md", "md-sandbox"):
            return
        if kind in ("python", "py") or kind == "pip" or kind == "sql":
            if kind != "pip" and (kind == "sql" or _NEEDS_SPARK.search(cell.text)):
                self._ensure_spark()
        if kind in ("python", "py"):
            self._exec_python(cell.text, label)
        elif kind == "sh":
            self._exec_sh(cell.text)
        elif kind == "run":
            self._exec_run(cell.text)
        elif kind == "sql":
            for stmt in filter(None, (s.strip() for s in cell.text.split(";"))):
                df = self.globals["spark"].sql(stmt)
                if df.columns:
                    self._display(df)
        elif kind == "pip":
            subprocess.run([sys.executable, "-m", "pip", "install", *shlex.split(cell.text.replace("install", "", 1))],
                           check=True)
        elif kind == "fs":
            self._exec_fs(cell.text)
        else:
            raise NotImplementedError(f"%{kind} cells are not supported by the local runtime")

    # ------------------------------------------------------------------ run
    def execute(self) -> RunResult:
        """Run all cells; never raises for notebook errors (they become FAILED)."""
        result = RunResult()
        try:
            for cell in self.cells:
                self._exec_cell(cell, self.path)
        except NotebookExit as ex:
            result.exit_value, result.truncated = truncate_exit(ex.value)
        except (Exception, NotebookTimeout, RunCanceled, KeyboardInterrupt) as exc:
            result.state = "FAILED"
            result.error = describe_error(exc)
            result.error_trace = "".join(traceback.format_exception(exc))
        except SystemExit as exc:
            if exc.code not in (None, 0):
                result.state = "FAILED"
                result.error = f"SystemExit: {exc.code}"
                result.error_trace = "".join(traceback.format_exception(exc))
        result.unknown_parameters = self.widgets.unknown_parameters()
        # An error message can quote a secret the notebook read: it is output too.
        if result.error:
            result.error = self.rt.redactor.redact(result.error)
        if result.error_trace:
            result.error_trace = self.rt.redactor.redact(result.error_trace)
        return result

    def _run_child(self, path: str, timeout_seconds, arguments: dict) -> str:
        """dbutils.notebook.run: a fresh notebook in this Spark session, with a timeout."""
        target = resolve(self._path_stack[-1], str(path))
        text, fmt = self.rt.fetch_notebook(target)
        child = NotebookRun(self.rt, target, text, fmt,
                            {str(k): str(v) for k, v in (arguments or {}).items()})
        group = f"dbk-notebook-run-{uuid.uuid4().hex[:12]}"
        child.job_group = group
        box: dict = {}

        def body():
            box["result"] = child.execute()

        thread = threading.Thread(target=body, name=group, daemon=True)
        thread.start()
        timeout = float(timeout_seconds or 0)
        thread.join(timeout if timeout > 0 else None)
        if thread.is_alive():
            if self.rt.spark_started:
                self.rt.spark_session().sparkContext.cancelJobGroup(group)
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident),
                                                       ctypes.py_object(NotebookTimeout))
            thread.join(30)
            raise WorkflowException(f"Notebook {target} timed out after {timeout:g} seconds")
        res: RunResult = box.get("result") or RunResult("FAILED", error="child did not finish")
        if res.unknown_parameters:
            print(f"dbk_runtime: notebook {target}: parameters matched no widget: "
                  f"{', '.join(res.unknown_parameters)}", file=sys.stderr)
        if res.state != "SUCCESS":
            print(res.error_trace or "", file=sys.stderr)
            raise WorkflowException(f"Notebook {target} failed: {res.error}")
        return "" if res.exit_value is None else res.exit_value


def run_python_file(runtime: Runtime, path: str, argv: list[str]) -> RunResult:
    """spark_python_task: run a file as __main__ with the session and dbutils available."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    run = NotebookRun(runtime, path, "", "SOURCE")
    if _NEEDS_SPARK.search(text):
        run._ensure_spark()
    old_argv = sys.argv
    sys.argv = [path, *argv]
    result = RunResult()
    try:
        run.globals["__file__"] = path
        exec(compile(text, path, "exec"), run.globals)
    except NotebookExit as ex:
        result.exit_value, result.truncated = truncate_exit(ex.value)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            result.state, result.error = "FAILED", f"SystemExit: {exc.code}"
            result.error_trace = "".join(traceback.format_exception(exc))
    except (Exception, RunCanceled, KeyboardInterrupt) as exc:
        result.state, result.error = "FAILED", describe_error(exc)
        result.error_trace = "".join(traceback.format_exception(exc))
    finally:
        sys.argv = old_argv
    return result


def local_workspace_for(notebook_file: str, workspace_dir: str | None) -> tuple[LocalWorkspace, str]:
    """Workspace folder and workspace path of a local notebook file."""
    root = os.path.abspath(workspace_dir or os.path.dirname(os.path.abspath(notebook_file)))
    rel = os.path.relpath(os.path.abspath(notebook_file), root)
    if rel.startswith(".."):
        rel = os.path.basename(notebook_file)
    for suffix in (".py", ".ipynb"):
        if rel.endswith(suffix):
            rel = rel[: -len(suffix)]
    return LocalWorkspace(root), "/" + rel.replace(os.sep, "/")
