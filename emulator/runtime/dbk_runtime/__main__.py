"""Command line: `run --task task.json`, `driver` and `context` for the emulator, `notebook FILE` for local use."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys

from .executor import (NotebookRun, RunCanceled, RunResult, Runtime, local_workspace_for,
                       run_python_file)
from .workspace import LocalWorkspace, RestWorkspace


def write_result(path: str, result: RunResult) -> None:
    """Atomically write result.json (temp file + rename), as the protocol requires."""
    if not path:
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result.to_json(), f, indent=2)
    os.replace(tmp, path)


def _on_sigterm(signum, frame):
    raise RunCanceled("run canceled (SIGTERM)")


def _report(result: RunResult) -> None:
    if result.unknown_parameters:
        print("dbk_runtime: parameters matched no widget: " + ", ".join(result.unknown_parameters),
              file=sys.stderr)
    if result.state != "SUCCESS":
        print(result.error_trace or result.error, file=sys.stderr)


def cmd_run(args) -> int:
    with open(args.task, encoding="utf-8") as f:
        task = json.load(f)
    output = task.get("output_file") or os.path.join(os.path.dirname(os.path.abspath(args.task)),
                                                      "result.json")
    url = task.get("workspace_url") or ""
    # The emulator passes its token in the environment, never in task.json; it is taken
    # out so that %sh and other child processes of user code do not inherit it.
    token = os.environ.pop("DBK_WORKSPACE_TOKEN", "") or task.get("workspace_token") or ""
    workspace = RestWorkspace(url, token) if url else None
    run_id = task.get("run_id")
    rt = Runtime(task["dbfs_root"], task.get("spark_master") or "local[*]", workspace,
                 job_tag=f"dbk-run-{run_id}" if isinstance(run_id, int) else None)
    try:
        if task.get("task_type") == "spark_python_task":
            result = run_python_file(rt, task["python_file"], [str(a) for a in task.get("python_params", [])])
        else:
            with open(task["notebook_file"], encoding="utf-8") as f:
                text = f.read()
            run = NotebookRun(rt, task.get("notebook_path") or "/notebook", text,
                              task.get("notebook_format"), task.get("parameters") or {})
            result = run.execute()
    except (Exception, RunCanceled) as exc:  # setup problems (bad task.json, no Java, ...)
        import traceback
        from .executor import describe_error
        result = RunResult("FAILED", error=describe_error(exc),
                           error_trace="".join(traceback.format_exception(exc)))
    write_result(output, result)
    _report(result)
    rt.stop()
    return 0 if result.state == "SUCCESS" else 1


def cmd_notebook(args) -> int:
    params = {}
    for item in args.param or []:
        key, sep, value = item.partition("=")
        if not sep:
            print(f"--param needs KEY=VALUE, got {item!r}", file=sys.stderr)
            return 2
        params[key] = value
    workspace, path = local_workspace_for(args.file, args.workspace_dir)
    rt = Runtime(args.dbfs_root, args.master, workspace)
    with open(args.file, encoding="utf-8") as f:
        text = f.read()
    fmt = "JUPYTER" if args.file.endswith(".ipynb") else None
    result = NotebookRun(rt, path, text, fmt, params).execute()
    write_result(args.output, result)
    _report(result)
    summary = {k: v for k, v in result.to_json().items() if k != "error_trace"}
    print(json.dumps(summary), file=sys.stderr)
    rt.stop()
    return 0 if result.state == "SUCCESS" else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dbk_runtime", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_run = sub.add_parser("run", help="run one task as described by task.json (emulator protocol)")
    p_run.add_argument("--task", required=True)
    p_nb = sub.add_parser("notebook", help="run a notebook file locally")
    p_nb.add_argument("file")
    p_nb.add_argument("--param", action="append", metavar="KEY=VALUE", help="notebook parameter")
    p_nb.add_argument("--dbfs-root", required=True, help="local folder standing for dbfs:/")
    p_nb.add_argument("--workspace-dir", help="folder standing for the workspace root "
                      "(default: the notebook's folder); used by %%run and dbutils.notebook.run")
    p_nb.add_argument("--master", default=os.environ.get("DBK_SPARK_MASTER", "local[*]"))
    p_nb.add_argument("--output", help="write result.json here")
    p_drv = sub.add_parser("driver", help="a warm cluster's Spark driver (emulator protocol)")
    p_drv.add_argument("--dbfs-root", required=True)
    p_drv.add_argument("--master", default="local[*]")
    p_drv.add_argument("--info", required=True, help="where to write the gateway's port and secret")
    p_ctx = sub.add_parser("context", help="a command execution context (emulator protocol)")
    p_ctx.add_argument("--dbfs-root", required=True)
    p_ctx.add_argument("--master", default="local[*]")
    args = parser.parse_args(argv)
    if args.cmd == "context":
        from .context import serve as serve_context
        return serve_context(args.dbfs_root, args.master)
    if args.cmd == "driver":
        from .driver import serve
        return serve(args.dbfs_root, args.master, args.info)
    signal.signal(signal.SIGTERM, _on_sigterm)
    return cmd_run(args) if args.cmd == "run" else cmd_notebook(args)


if __name__ == "__main__":
    sys.exit(main())
