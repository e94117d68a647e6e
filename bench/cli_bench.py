#!/usr/bin/env python3
"""Side-by-side benchmark of dbk, the legacy databricks-cli 0.18.0 and the Go Databricks CLI.

One emulator on port 80 of a random loopback address (the legacy CLI drops the port),
--latency-ms of latency injected on every /api/ request, then, for every CLI in the same run:

* single commands: `jobs get`, `runs get`, `fs ls` (median of --repeat runs each);
* `workspace import_dir` (Go: `import-dir`) of --notebooks small notebooks;
* `fs cp -r` of --cp-total-mb MB in --cp-files files.

The Go CLI (scripts/install-go-cli.sh, default .tools/go-cli/bin/databricks; skipped if
absent) runs the transfers twice: with its client-side rate limit at its default (15
requests/s) and lifted (DATABRICKS_RATE_LIMIT). Prints a table with times and dbk's
speed-ups and writes a markdown snippet (machine, versions, results) to --markdown.
Loopback only; stops by itself.

    .venv/bin/python bench/cli_bench.py                        # full run (1 GB copy)
    .venv/bin/python bench/cli_bench.py --cp-total-mb 100 --notebooks 100 --repeat 5  # quick
"""
import argparse
import json
import os
import platform
import random
import resource
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "dapi-bench-token"
TARGETS = {"single": 30.0, "import_dir": 8.0, "cp_r": 5.0}
GO_UNLIMITED = "1000000"  # requests/s: DATABRICKS_RATE_LIMIT, i.e. no client-side limit


def default_dbk():
    for path in ("build/release/cli/dbk", "build/lead/cli/dbk", "build/cli/cli/dbk"):
        full = os.path.join(REPO, path)
        if os.access(full, os.X_OK):
            return full
    return None


class Emulator:
    def __init__(self, dbk, state, log):
        last = ""
        for _ in range(8):
            address = "127.%d.%d.%d" % (random.randint(1, 254), random.randint(0, 255),
                                        random.randint(2, 254))
            self.log = open(log, "w")
            self.proc = subprocess.Popen(
                [dbk, "emulator", "--host", address, "--port", "80", "--state", state,
                 "--token", TOKEN], stdout=subprocess.PIPE, stderr=self.log, text=True)
            ready, _, _ = select.select([self.proc.stdout], [], [], 30)
            line = self.proc.stdout.readline().strip() if ready else ""
            if line.startswith("http"):
                threading.Thread(target=self.proc.stdout.read, daemon=True).start()
                self.url = line.rstrip("/")
                return
            self.stop()
            last = line
        sys.exit("could not start the emulator on port 80 of a loopback address (root "
                 "needed): %r, see %s" % (last, log))

    def api(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read().decode()
        return json.loads(text) if text.strip() else {}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Cli:
    """One CLI with its own HOME and ~/.databrickscfg (jobs-api-version 2.1 for both)."""

    def __init__(self, name, exe, root, url, go=False, extra_env=None):
        self.name, self.exe, self.go = name, exe, go
        self.home = os.path.join(root, name + "-home")
        os.makedirs(self.home)
        with open(os.path.join(self.home, ".databrickscfg"), "w") as f:
            f.write("[DEFAULT]\nhost = %s\ntoken = %s\njobs-api-version = 2.1\n" % (url, TOKEN))
        self.env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": self.home,
                    "LC_ALL": "C.UTF-8", "DATABRICKS_CLI_DO_NOT_EXECUTE_NEWER_VERSION": "1"}
        self.env.update(extra_env or {})

    def command(self, what, *args):
        """The CLI's arguments for one benchmarked operation (the Go CLI spells them apart)."""
        if what == "jobs get":
            return ["jobs", "get", args[0]] if self.go else ["jobs", "get", "--job-id", args[0]]
        if what == "runs get":
            return (["jobs", "get-run", args[0]] if self.go else
                    ["runs", "get", "--run-id", args[0]])
        if what == "fs ls":
            return ["fs", "ls", args[0]]
        if what == "import_dir":
            return ["workspace", "import-dir" if self.go else "import_dir", args[0], args[1]]
        if what == "cp -r":
            return ["fs", "cp", "-r", args[0], args[1]]
        raise ValueError(what)

    def run(self, *args, cwd=None, timeout=3600):
        start = time.perf_counter()
        result = subprocess.run([self.exe] + list(args), env=self.env, cwd=cwd,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=timeout)
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit("%s %s failed (exit %d): %s %s" % (
                self.name, " ".join(args), result.returncode, result.stdout[-500:],
                result.stderr[-500:]))
        return elapsed, result.stdout


def output(command, *args):
    try:
        result = subprocess.run([command] + list(args), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=60,
                                env={"PATH": "/usr/bin:/bin",
                                     "DATABRICKS_CLI_DO_NOT_EXECUTE_NEWER_VERSION": "1"})
        return result.stdout.strip().splitlines()[0] if result.stdout.strip() else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def machine_info(dbk, legacy, go_cli):
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    load = os.getloadavg()
    return {
        "cpu": "%d x %s" % (os.cpu_count(), model),
        "memory": "%.1f GiB" % (mem_kb / 1024 / 1024),
        "os": "%s %s" % (platform.system(), platform.release()),
        "load": "%.1f %.1f %.1f" % load,
        "dbk": output(dbk, "--version"),
        "legacy": output(legacy, "--version"),
        "go": output(go_cli, "--version") if go_cli else "not run",
        "python": "Python " + platform.python_version(),
    }


def make_notebooks(folder, count):
    os.makedirs(folder)
    for i in range(count):
        with open(os.path.join(folder, "nb_%03d.py" % i), "w") as f:
            f.write("# Databricks notebook source\nprint(%d)\n\n# COMMAND ----------\n\n"
                    "x = %d * 2\n" % (i, i))


def make_files(folder, total_mb, count):
    os.makedirs(folder)
    size = total_mb * 1024 * 1024 // count
    block = os.urandom(1024 * 1024)
    for i in range(count):
        with open(os.path.join(folder, "part_%03d.bin" % i), "wb") as f:
            left = size
            # Different bytes per file (first 8 bytes), cheap to generate.
            f.write(i.to_bytes(8, "little"))
            left -= 8
            while left > 0:
                f.write(block[:min(left, len(block))])
                left -= len(block)
    return size


def seconds(value):
    return "%.3f s" % value if value is not None else "–"


def report(label, times):
    print("%-12s %s" % (label, "  ".join("%s %.3fs" % item for item in times.items())),
          flush=True)


def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_of_process(pid):
    """User + system seconds of a running process (the emulator)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def interleaved_medians(clis, label, arg, repeat):
    """Median wall and CPU time per CLI, the CLIs taking turns run by run so that a change
    in the machine's load hits all of them alike."""
    walls = {cli.name: [] for cli in clis}
    cpus = {cli.name: [] for cli in clis}
    for _ in range(repeat):
        for cli in clis:
            before = cpu_of_children()
            walls[cli.name].append(cli.run(*cli.command(label, arg))[0])
            cpus[cli.name].append(cpu_of_children() - before)
    return ({name: statistics.median(v) for name, v in walls.items()},
            {name: statistics.median(v) for name, v in cpus.items()})


# Endpoints whose requests are counted per transfer (latency-free fault rules that only
# count: the emulator reports how often each rule matched).
COUNTED = ["dbfs/put", "dbfs/move", "dbfs/create", "dbfs/add-block", "dbfs/close",
           "dbfs/get-status", "dbfs/mkdirs", "dbfs/list", "dbfs/delete", "workspace/import",
           "workspace/mkdirs", "workspace/get-status", "workspace-files/import-file/*"]


def count_requests(emulator):
    rules = emulator.api("GET", "/__dbk/faults").get("faults", [])
    counts = {}
    for rule in rules:
        for name in COUNTED:
            if rule["path_pattern"] == "/api/2.0/" + name:
                counts[name] = rule["matched"]
        if rule["path_pattern"] == "/api/*":
            counts["all"] = rule["matched"]
    return counts


def measure_transfer(emulator, cli, args, cwd):
    """Wall time, the CLI's CPU time, the emulator's CPU time and the requests it sent."""
    counts = count_requests(emulator)
    cpu = cpu_of_children()
    server_cpu = cpu_of_process(emulator.proc.pid)
    elapsed, _ = cli.run(*args, cwd=cwd)
    after = count_requests(emulator)
    return {"wall": elapsed, "cpu": cpu_of_children() - cpu,
            "server_cpu": cpu_of_process(emulator.proc.pid) - server_cpu,
            "requests": {k: after[k] - counts.get(k, 0) for k in after if after[k] - counts.get(k, 0)}}


def prepare(emulator):
    """A job with one finished run and a DBFS folder of 20 files, created before the latency."""
    cluster = emulator.api("GET", "/api/2.0/clusters/list")["clusters"][0]["cluster_id"]
    emulator.api("POST", "/__dbk/runs/script", {
        "match": {"notebook_path": "/Users/bench/notebook"},
        "outcome": {"result_state": "SUCCESS", "duration_ms": 0, "result": "ok"}})
    job = emulator.api("POST", "/api/2.1/jobs/create", {
        "name": "bench", "tasks": [{"task_key": "t", "existing_cluster_id": cluster,
                                    "notebook_task": {"notebook_path": "/Users/bench/notebook"}}]})
    run = emulator.api("POST", "/api/2.1/jobs/run-now", {"job_id": job["job_id"]})
    deadline = time.monotonic() + 60
    while emulator.api("GET", "/api/2.1/jobs/runs/get?run_id=%d" % run["run_id"])[
            "state"]["life_cycle_state"] not in ("TERMINATED", "INTERNAL_ERROR", "SKIPPED"):
        if time.monotonic() > deadline:
            sys.exit("the prepared run did not finish")
        time.sleep(0.1)
    emulator.api("POST", "/api/2.0/dbfs/mkdirs", {"path": "/bench/ls"})
    for i in range(20):
        emulator.api("POST", "/api/2.0/dbfs/put", {
            "path": "/bench/ls/file_%02d.txt" % i, "contents": "aGVsbG8=", "overwrite": True})
    return job["job_id"], run["run_id"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dbk", default=default_dbk(), help="dbk binary (default: release build)")
    ap.add_argument("--legacy", default=os.path.join(REPO, ".venv", "bin", "databricks"),
                    help="databricks-cli 0.18.0 entry point")
    ap.add_argument("--go-cli", default=os.path.join(REPO, ".tools", "go-cli", "bin", "databricks"),
                    help="the Go Databricks CLI (scripts/install-go-cli.sh); skipped if absent")
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=11, help="runs per single command (median)")
    ap.add_argument("--notebooks", type=int, default=500)
    ap.add_argument("--cp-total-mb", type=int, default=1024)
    ap.add_argument("--cp-files", type=int, default=200)
    ap.add_argument("--markdown", default=os.path.join(REPO, "build", "cli_bench.md"),
                    help="where to write the markdown snippet")
    ap.add_argument("--work", help="scratch folder (default: a temporary one, removed)")
    args = ap.parse_args()
    if not args.dbk or not os.access(args.dbk, os.X_OK):
        sys.exit("no dbk binary: build the release preset or pass --dbk")
    args.dbk = os.path.abspath(args.dbk)  # the CLIs run in the scratch folder
    if not os.access(args.legacy, os.X_OK):
        sys.exit("%s missing: pip install -r requirements/test.txt into .venv" % args.legacy)

    work = args.work or tempfile.mkdtemp(prefix="dbk-cli-bench-")
    os.makedirs(work, exist_ok=True)
    go_cli = os.path.abspath(args.go_cli) if os.access(args.go_cli, os.X_OK) else None
    if not go_cli:
        print("no Go CLI at %s (scripts/install-go-cli.sh): comparing dbk and legacy only"
              % args.go_cli, flush=True)
    info = machine_info(args.dbk, args.legacy, go_cli)
    emulator = Emulator(args.dbk, os.path.join(work, "state"), os.path.join(work, "emulator.log"))
    rows = []
    details = []  # (operation, {cli: {cpu, server_cpu, requests}}, items)
    load_after = "?"
    try:
        job_id, run_id = prepare(emulator)
        notebooks = os.path.join(work, "notebooks")
        make_notebooks(notebooks, args.notebooks)
        files = os.path.join(work, "files")
        file_size = make_files(files, args.cp_total_mb, args.cp_files)
        emulator.api("POST", "/__dbk/faults", {"method": "*", "path_pattern": "/api/*",
                                              "status": 0, "latency_ms": args.latency_ms,
                                              "times": -1})
        for name in COUNTED:
            emulator.api("POST", "/__dbk/faults", {"method": "*", "status": 0, "latency_ms": 0,
                                                  "path_pattern": "/api/2.0/" + name,
                                                  "times": -1})
        clis = [Cli("legacy", args.legacy, work, emulator.url)]
        if go_cli:
            clis.append(Cli("go", go_cli, work, emulator.url, go=True))
            clis.append(Cli("go-unlimited", go_cli, work, emulator.url, go=True,
                            extra_env={"DATABRICKS_RATE_LIMIT": GO_UNLIMITED}))
        clis.append(Cli("dbk", args.dbk, work, emulator.url))
        # One or two requests each: the Go CLI's rate limit does not matter there.
        single_clis = [cli for cli in clis if cli.name != "go-unlimited"]

        singles = [("jobs get", str(job_id)), ("runs get", str(run_id)),
                   ("fs ls", "dbfs:/bench/ls")]
        for label, arg in singles:
            times, cpus = interleaved_medians(single_clis, label, arg, args.repeat)
            rows.append((label + " (median of %d)" % args.repeat, times, TARGETS["single"]))
            details.append((label, {name: {"cpu": cpu} for name, cpu in cpus.items()}, 1))
            report(label, times)

        times = {}
        measured = {}
        for cli in clis:
            folder = "/Users/bench/import_%s" % cli.name
            measured[cli.name] = measure_transfer(
                emulator, cli, cli.command("import_dir", notebooks, folder), work)
            times[cli.name] = measured[cli.name]["wall"]
            listed = emulator.api("GET", "/api/2.0/workspace/list?path=" + folder).get(
                "objects", [])
            if len(listed) != args.notebooks:
                sys.exit("%s imported %d of %d notebooks" % (cli.name, len(listed),
                                                             args.notebooks))
        rows.append(("workspace import_dir, %d notebooks" % args.notebooks, times,
                     TARGETS["import_dir"]))
        details.append(("import_dir", measured, args.notebooks))
        report("import_dir", times)

        times = {}
        measured = {}
        for cli in clis:
            target = "dbfs:/bench/cp_%s" % cli.name
            measured[cli.name] = measure_transfer(emulator, cli,
                                                  cli.command("cp -r", files, target), work)
            times[cli.name] = measured[cli.name]["wall"]
            listed = emulator.api("GET", "/api/2.0/dbfs/list?path=/bench/cp_%s" % cli.name)
            sizes = [f["file_size"] for f in listed.get("files", [])]
            if len(sizes) != args.cp_files or any(s != file_size for s in sizes):
                sys.exit("%s copied %d files (sizes %s)" % (cli.name, len(sizes),
                                                            sorted(set(sizes))))
            emulator.api("POST", "/api/2.0/dbfs/delete", {"path": "/bench/cp_%s" % cli.name,
                                                          "recursive": True})
        rows.append(("fs cp -r, %d MB in %d files" % (args.cp_total_mb, args.cp_files), times,
                     TARGETS["cp_r"]))
        details.append(("cp -r", measured, args.cp_files))
        report("cp -r", times)
        load_after = "%.1f %.1f %.1f" % os.getloadavg()
    finally:
        emulator.stop()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)

    lines = [
        "Run of `bench/cli_bench.py %s` on %s UTC." % (
            " ".join(sys.argv[1:]), time.strftime("%Y-%m-%d %H:%M", time.gmtime())),
        "",
        "- Machine: %s, %s RAM, %s; load average at start %s" % (
            info["cpu"], info["memory"], info["os"], info["load"]),
        "- Versions: `%s`; legacy `%s` on %s; Go CLI `%s`" % (
            info["dbk"], info["legacy"], info["python"], info["go"]),
        "- One emulator on loopback port 80, %d ms latency injected on every `/api/` request; "
        "every CLI with default settings (dbk: concurrency 8; Go CLI: client-side rate limit "
        "15 requests/s), and the Go CLI once more for the transfers with "
        "DATABRICKS_RATE_LIMIT=%s (limit lifted)." % (args.latency_ms, GO_UNLIMITED),
        "",
        "| operation | databricks-cli 0.18.0 | Go CLI | Go CLI, no rate limit | dbk "
        "| dbk vs legacy | target | met | dbk vs Go CLI (best) |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for label, times, target in rows:
        ratio = times["legacy"] / times["dbk"]
        go_best = min([times[k] for k in ("go", "go-unlimited") if k in times] or [0])
        lines.append("| %s | %.3f s | %s | %s | %.3f s | %.1f× | %.0f× | %s | %s |" % (
            label, times["legacy"], seconds(times.get("go")), seconds(times.get("go-unlimited")),
            times["dbk"], ratio, target, "yes" if ratio >= target else "**no**",
            "%.1f×" % (go_best / times["dbk"]) if go_best else "–"))
    lines += [
        "",
        "Load average at the end: %s. CPU time (user + system) of each CLI process, of the "
        "emulator while serving it, and the requests each CLI sent per file/notebook:" % load_after,
        "",
        "| operation | CLI | CLI CPU | emulator CPU | requests per item | requests by endpoint |",
        "|---|---|---:|---:|---:|---|",
    ]
    for label, per_cli, items in details:
        for name, figures in per_cli.items():
            requests = figures.get("requests")
            lines.append("| %s | %s | %.3f s | %s | %s | %s |" % (
                label, name, figures["cpu"],
                "%.3f s" % figures["server_cpu"] if "server_cpu" in figures else "–",
                "%.2f" % (requests.get("all", 0) / items) if requests else "–",
                ", ".join("%s %d" % (k, v) for k, v in sorted(requests.items()) if k != "all")
                if requests else "–"))
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(args.markdown)), exist_ok=True)
    with open(args.markdown, "w") as f:
        f.write(text)
    print("markdown written to %s" % args.markdown)


if __name__ == "__main__":
    main()
