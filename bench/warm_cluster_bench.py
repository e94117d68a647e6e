#!/usr/bin/env python3
"""Wall time of `dbk jobs run-now --wait` for a Spark notebook on the emulator's RUNNING cluster.

Starts `dbk emulator` on a fresh state folder, imports a notebook that runs
`spark.range(10).count()`, creates a job on the default all-purpose cluster and times
`dbk jobs run-now --wait` --runs times in a row: the first run on the cluster (which, with
warm clusters, also starts the cluster's Spark driver) and the following ones. Every run
must end SUCCESS with the count as its exit value, so a fast failure cannot pass.

Run it with two binaries (e.g. before and after a change) to compare; the machine's load
average is printed with the figures.
"""

import argparse
import base64
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
NOTEBOOK = ("# Databricks notebook source\n"
            "dbutils.notebook.exit(str(spark.range(10).count()))\n")
CLUSTER = "0101-000000-dbklocal"


def api(url, method, path, body=None):
    req = urllib.request.Request(url + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "Bearer dbk-local",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read() or b"{}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dbk", default=os.path.join(REPO, "build", "release", "cli", "dbk"))
    ap.add_argument("--runs", type=int, default=5, help="runs in a row (the first is cold)")
    args = ap.parse_args()
    state = tempfile.mkdtemp(prefix="dbk-warm-bench-")
    env = {**os.environ, "PYTHONPATH": os.path.join(REPO, "emulator", "runtime")}
    emulator = subprocess.Popen([args.dbk, "emulator", "--host", "127.0.0.1", "--port", "0",
                                 "--state", state], stdout=subprocess.PIPE,
                                stderr=open(os.path.join(state, "..", os.path.basename(state)
                                                         + ".log"), "w"),
                                text=True, env=env)
    try:
        url = emulator.stdout.readline().strip()
        if not url.startswith("http://"):
            sys.exit(f"the emulator did not start: {url!r}")
        api(url, "POST", "/api/2.0/workspace/mkdirs", {"path": "/bench"})
        api(url, "POST", "/api/2.0/workspace/import",
            {"path": "/bench/count", "format": "SOURCE", "language": "PYTHON", "overwrite": True,
             "content": base64.b64encode(NOTEBOOK.encode()).decode()})
        job = api(url, "POST", "/api/2.1/jobs/create", {
            "name": "warm-bench", "max_concurrent_runs": 1,
            "tasks": [{"task_key": "t", "existing_cluster_id": CLUSTER,
                       "notebook_task": {"notebook_path": "/bench/count"}}]})["job_id"]
        cli_env = {**os.environ, "DATABRICKS_HOST": url, "DATABRICKS_TOKEN": "dbk-local"}
        cli_env.pop("DATABRICKS_CONFIG_FILE", None)
        times = []
        rows = []
        load_start = "%.1f %.1f %.1f" % os.getloadavg()
        for i in range(args.runs):
            start = time.monotonic()
            wall_start_ms = time.time() * 1000
            proc = subprocess.run([args.dbk, "jobs", "run-now", "--job-id", str(job), "--wait"],
                                  capture_output=True, text=True, env=cli_env)
            elapsed = time.monotonic() - start
            wall_end_ms = time.time() * 1000
            run = json.loads(proc.stdout) if proc.returncode == 0 else {}
            if run.get("state", {}).get("result_state") != "SUCCESS":
                sys.exit(f"run {i + 1} did not succeed: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
            task_run = run["tasks"][0]["run_id"]
            out = api(url, "GET", f"/api/2.1/jobs/runs/get-output?run_id={task_run}")
            if out.get("notebook_output", {}).get("result") != "10":
                sys.exit(f"run {i + 1} returned {out.get('notebook_output')}")
            times.append(elapsed)
            # Where the wall time went, from the emulator's own timestamps: until the run
            # started (submission, queueing), the task (its setup = the driver's start on a
            # cold cluster, then the notebook), and after the run ended until the CLI saw it
            # (the --wait poll interval).
            task = run["tasks"][0]
            row = {
                "wall": elapsed,
                "to_start": (run["start_time"] - wall_start_ms) / 1000,
                "setup": task.get("setup_duration", 0) / 1000,
                "execution": task.get("execution_duration", 0) / 1000,
                "run": (run["end_time"] - run["start_time"]) / 1000,
                "after_end": (wall_end_ms - run["end_time"]) / 1000,
                "load": os.getloadavg()[0],
            }
            rows.append(row)
            print(f"run {i + 1}: {elapsed:.2f} s (run {row['run']:.2f} s, of it setup "
                  f"{row['setup']:.2f} s and notebook {row['execution']:.2f} s; CLI saw the end "
                  f"{row['after_end']:.2f} s after it; load {row['load']:.1f})", flush=True)
        rest = times[1:]
        print(f"first run {times[0]:.2f} s; following runs median "
              f"{statistics.median(rest):.2f} s (min {min(rest):.2f}, max {max(rest):.2f})"
              if rest else f"first run {times[0]:.2f} s")
        version = subprocess.run([args.dbk, "--version"], capture_output=True,
                                 text=True).stdout.strip()
        print()
        print(f"Run of `bench/warm_cluster_bench.py {' '.join(sys.argv[1:])}` on "
              f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; {os.cpu_count()} cores, "
              f"{platform.system()} {platform.release()}, `{version}`, Python "
              f"{platform.python_version()}; load average at start {load_start}, at the end "
              f"{'%.1f %.1f %.1f' % os.getloadavg()}.")
        print()
        print("| run | `run-now --wait` wall | submit → start | task setup | notebook "
              "| run (start → end) | end → CLI done | load |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for i, row in enumerate(rows):
            print(f"| {i + 1}{' (cold)' if i == 0 else ''} | {row['wall']:.2f} s "
                  f"| {row['to_start']:.2f} s | {row['setup']:.2f} s | {row['execution']:.2f} s "
                  f"| {row['run']:.2f} s | {row['after_end']:.2f} s | {row['load']:.1f} |")
        if rest:
            print(f"| following runs, median | {statistics.median(rest):.2f} s "
                  f"| | | | | | |")
    finally:
        emulator.terminate()
        emulator.wait(timeout=120)
        shutil.rmtree(state, ignore_errors=True)
        log = state.rstrip("/") + ".log"
        if os.path.exists(log) and os.path.getsize(log) == 0:
            os.remove(log)


if __name__ == "__main__":
    main()
