"""The warm cluster: one long-lived Spark driver per all-purpose cluster, tasks attach to it.

``python -m dbk_runtime driver`` is started by the emulator for a cluster. It starts the JVM
and the SparkContext (with the session settings of sparkenv), writes the py4j gateway's port
and secret to a private file (0600, written whole), then serves commands from its stdin,
which is the emulator's end of a socket: ``cancel TAG`` cancels the Spark jobs of one run
(a cancelled or dead task process leaves no orphan jobs); end of input stops Spark and exits.
It also exits when its JVM dies, so the emulator sees a dead driver as a dead process.

A task process finds the file in DBK_DRIVER_INFO and ``attach`` connects to that JVM instead
of starting one: its own Python SparkContext around the shared JVM one, and its own
SparkSession (``newSession()``: own SQL conf, temp views and functions; shared cache and
tables), as a notebook on a Databricks cluster gets. The secret reaches the task only through
the private file and the task's own environment while py4j connects, never a command line.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

from .dbfs import Dbfs

# What Databricks shows a notebook whose cluster's driver went away.
DRIVER_LOST = ("The spark driver has stopped unexpectedly and is restarting. "
               "Your notebook will be automatically reattached.")


class DriverUnavailable(RuntimeError):
    """The cluster's driver is gone or never became ready."""


def _write_private(path: str, text: str) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def serve(dbfs_root: str, master: str, info_path: str) -> int:
    """Run a cluster's driver until stdin closes or the JVM dies."""
    from .sparkenv import build_session

    dbfs = Dbfs(dbfs_root)
    os.makedirs(dbfs.root, exist_ok=True)
    spark = build_session(master, dbfs, app_name="dbk-cluster")
    sc = spark.sparkContext
    params = sc._gateway.gateway_parameters
    _write_private(info_path, json.dumps({"port": params.port, "secret": params.auth_token,
                                          "pid": os.getpid()}))
    print(f"dbk_runtime: driver ready (Spark {sc.version}, master {sc.master})", file=sys.stderr,
          flush=True)
    done = threading.Event()

    def commands():
        for line in sys.stdin:
            verb, _, arg = line.strip().partition(" ")
            if verb == "cancel" and arg:
                try:
                    sc.cancelJobsWithTag(arg)
                except Exception as exc:  # the health check below notices a dead JVM
                    print(f"dbk_runtime: cancel {arg} failed: {exc}", file=sys.stderr, flush=True)
        done.set()

    threading.Thread(target=commands, name="dbk-driver-commands", daemon=True).start()
    while not done.wait(1.0):
        try:
            alive = not sc._jsc.sc().isStopped()
        except Exception:
            alive = False
        if not alive:
            print("dbk_runtime: the driver's JVM is gone", file=sys.stderr, flush=True)
            os._exit(3)
    try:
        os.unlink(info_path)
    except OSError:
        pass
    try:
        sc.stop()
    except Exception:
        pass
    return 0


def _driver_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _last_log_line() -> str:
    path = os.environ.get("DBK_DRIVER_LOG", "")
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = [ln.strip() for ln in f.read()[-8192:].splitlines() if ln.strip()]
        return lines[-1] if lines else ""
    except OSError:
        return ""


def _wait_for_info(info_path: str) -> dict:
    pid = int(os.environ.get("DBK_DRIVER_PID", "0") or 0)
    while True:
        try:
            with open(info_path, encoding="utf-8") as f:
                return json.load(f)
        except FileNotFoundError:
            pass
        if pid and not _driver_alive(pid):
            last = _last_log_line()
            raise DriverUnavailable("The cluster's Spark driver stopped before it was ready"
                                    + (f": {last}" if last else ""))
        time.sleep(0.05)


def _refuse_stop(*_args, **_kwargs) -> None:
    # Databricks does not let a notebook stop the cluster's shared context.
    print("dbk_runtime: stop() ignored: the SparkContext belongs to the cluster",
          file=sys.stderr, flush=True)


def attach(info_path: str, dbfs: Dbfs, job_tag: str | None):
    """This process's SparkSession on the cluster's running driver."""
    info = _wait_for_info(info_path)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway
    from pyspark.sql import SparkSession

    # launch_gateway connects to a running JVM when these are set; they leave the
    # environment at once so that child processes of user code never see the secret.
    os.environ["PYSPARK_GATEWAY_PORT"] = str(int(info["port"]))
    os.environ["PYSPARK_GATEWAY_SECRET"] = str(info["secret"])
    try:
        gateway = launch_gateway()
        jvm = gateway.jvm
        jscala = jvm.org.apache.spark.SparkContext.getOrCreate()
        if jscala.isStopped():
            raise DriverUnavailable(DRIVER_LOST)
    except DriverUnavailable:
        raise
    except Exception as exc:
        raise DriverUnavailable(f"{DRIVER_LOST} ({exc})") from None
    finally:
        os.environ.pop("PYSPARK_GATEWAY_PORT", None)
        os.environ.pop("PYSPARK_GATEWAY_SECRET", None)
    jsc = jvm.org.apache.spark.api.java.JavaSparkContext(jscala)
    sc = SparkContext(conf=SparkConf(_jconf=jsc.getConf()), gateway=gateway, jsc=jsc)
    # Python workers for this task's UDFs see its libraries (the JVM was started earlier).
    sc.environment["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    root = jvm.org.apache.spark.sql.SparkSession.getDefaultSession()
    jroot = root.get() if root.isDefined() else jvm.org.apache.spark.sql.SparkSession(jscala)
    spark = SparkSession(sc, jsparkSession=jroot.newSession())
    # The new session becomes the JVM's default/active one for this process's calls.
    jvm.org.apache.spark.sql.SparkSession.setActiveSession(spark._jsparkSession)
    sc.stop = _refuse_stop
    spark.stop = _refuse_stop
    tag_thread(sc, job_tag)
    from .sparkenv import prepare_session
    prepare_session(spark, dbfs)
    return spark


def tag_thread(sc, job_tag: str | None) -> None:
    """Mark the Spark jobs of the calling thread as this run's, so they can be cancelled."""
    if job_tag:
        sc.addJobTag(job_tag)
        sc.setInterruptOnCancel(True)
