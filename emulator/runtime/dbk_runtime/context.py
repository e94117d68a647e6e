"""An execution context of the Command Execution API (/api/1.2): one Python REPL on a cluster.

``python -m dbk_runtime context`` is started by the emulator for each context. Its stdin is
the emulator's end of a socket: it reads one JSON request a line ({"id", "language",
"command"}) and answers each, in order, with one JSON line ({"id", "results"}) in the
service's result shape (resultType text, table or error). The context keeps its globals
between commands and has its own SparkSession on the cluster's driver (attached on first
use, as a notebook task is), so two contexts share tables but not variables, temp views or
SQL settings. Secret values a command read show as [REDACTED] in every later result.
A SIGINT interrupts the command that is running (commands/cancel).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import sys
import traceback

from .executor import _NEEDS_SPARK, NotebookRun, Runtime, describe_error
from .workspace import RestWorkspace

MAX_ROWS = 1000  # rows of a table result (the service's default limit)
_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))


def _user_traceback(exc: BaseException) -> str:
    """The traceback from the command's own code on (the runtime's frames left out)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(_RUNTIME_DIR):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _json_value(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return str(value)


def _table(df) -> dict:
    rows = df.limit(MAX_ROWS + 1).collect()
    return {"resultType": "table",
            "data": [[_json_value(v) for v in row] for row in rows[:MAX_ROWS]],
            "schema": [{"name": f.name, "type": f.dataType.json(), "metadata": json.dumps(f.metadata)}
                       for f in df.schema.fields],
            "truncated": len(rows) > MAX_ROWS,
            "isJsonSchema": True}


class Context:
    def __init__(self, runtime: Runtime):
        self.rt = runtime
        self.run = NotebookRun(runtime, "/command-execution-context", "", None, {})

    def execute(self, language: str, command: str) -> dict:
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                if language == "sql":
                    self.run._ensure_spark()
                    df = None
                    for stmt in filter(None, (s.strip() for s in command.split(";"))):
                        df = self.run.globals["spark"].sql(stmt)
                    result = _table(df) if df is not None and df.columns else {
                        "resultType": "text", "data": out.getvalue()}
                else:
                    if _NEEDS_SPARK.search(command):
                        self.run._ensure_spark()
                    self.run._exec_python(command, "command")
                    result = {"resultType": "text", "data": out.getvalue()}
        except KeyboardInterrupt:
            return {"cancelled": True}
        except BaseException as exc:  # SystemExit too: the context outlives its command
            cause = _user_traceback(exc)
            text = out.getvalue()
            result = {"resultType": "error", "summary": describe_error(exc),
                      "cause": (text + cause) if text else cause}
        return self._redacted(result)

    def _redacted(self, value):
        if isinstance(value, str):
            return self.rt.redactor.redact(value)
        if isinstance(value, list):
            return [self._redacted(v) for v in value]
        if isinstance(value, dict):
            return {k: self._redacted(v) for k, v in value.items()}
        return value


def serve(dbfs_root: str, master: str) -> int:
    channel = socket.socket(fileno=os.dup(0))
    reader = channel.makefile("r", encoding="utf-8")
    writer = channel.makefile("w", encoding="utf-8")
    url = os.environ.pop("DBK_WORKSPACE_URL", "")
    token = os.environ.pop("DBK_WORKSPACE_TOKEN", "")
    rt = Runtime(dbfs_root, master, RestWorkspace(url, token) if url else None)
    context = Context(rt)
    # A cancel interrupts the running command only; between commands it is ignored.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    writer.write(json.dumps({"ready": True}) + "\n")
    writer.flush()
    for line in reader:
        try:
            request = json.loads(line)
            command_id = str(request["id"])
        except (ValueError, KeyError, TypeError):
            continue
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            results = context.execute(str(request.get("language", "python")),
                                      str(request.get("command", "")))
        except KeyboardInterrupt:
            results = {"cancelled": True}
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        writer.write(json.dumps({"id": command_id, "results": results}) + "\n")
        writer.flush()
    rt.stop()
    return 0
