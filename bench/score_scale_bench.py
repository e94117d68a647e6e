"""`dbk score` at scale: wall time, rows/s and peak RSS over 1 M, 10 M (and 50 M) rows.

The model and a 100,000-row scoring input come from PySpark (bench/score_bench.py's
train_and_save: the scenario's forest, 200 trees, depth 15, 34 features; the input written by
Spark in 4 part files). Larger inputs repeat that Spark-written input: the folder for N rows
holds N / 100,000 hard links to each of Spark's part files (named part-<copy>-<file>.parquet),
so they cost no disk and dbk reads them as one table of N rows, as it would Spark's own part
files. Each size is scored end to end (Parquet decode, scoring, Parquet output of the default
columns into a folder) with 1 and 2 threads; peak RSS is the child's ru_maxrss (os.wait4).

    .venv/bin/python bench/score_scale_bench.py --dbk build/release/cli/dbk --sizes 1000000,10000000
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def spark_inputs(work, base_rows):
    """The model and Spark's base input (made once, then reused from `work`)."""
    model_dir = os.path.join(work, "RandomForest.pqt")
    base_dir = os.path.join(work, "base_input")
    if os.path.exists(os.path.join(model_dir, "metadata")) and os.path.isdir(base_dir):
        return model_dir, base_dir
    from pyspark.sql import SparkSession
    import score_bench
    spark = (SparkSession.builder.master("local[2]").appName("dbk-score-scale-bench")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
             .config("spark.driver.memory", "2g").getOrCreate())
    single = os.path.join(work, "spark_single_input")
    score_bench.train_and_save(spark, model_dir, single, 20000, base_rows)
    # Four part files, as a Spark job writes a table.
    spark.read.parquet(single).repartition(4).write.mode("overwrite").parquet(base_dir)
    spark.stop()
    return model_dir, base_dir


def repeated_input(work, base_dir, base_rows, rows):
    parts = sorted(f for f in os.listdir(base_dir) if f.endswith(".parquet"))
    copies = max(1, rows // base_rows)
    target = os.path.join(work, "input_%d" % (copies * base_rows))
    if os.path.isdir(target) and len(os.listdir(target)) == copies * len(parts):
        return target, copies * base_rows
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(target)
    for c in range(copies):
        for i, p in enumerate(parts):
            os.link(os.path.join(base_dir, p), os.path.join(target, "part-%05d-%02d.parquet" % (c, i)))
    return target, copies * base_rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dbk", default="build/release/cli/dbk")
    ap.add_argument("--work", default="build/score-scale-bench")
    ap.add_argument("--base-rows", type=int, default=100000)
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--threads", default="1,2")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    model, base = spark_inputs(args.work, args.base_rows)
    print("machine: %d hardware threads, load average %s" % (os.cpu_count(), os.getloadavg()))
    print("| rows | threads | wall s | rows/s | peak RSS MB | output MB |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        data, rows = repeated_input(args.work, base, args.base_rows, size)
        for threads in (int(t) for t in args.threads.split(",")):
            output = os.path.join(args.work, "scored")
            wall, report, peak_kb = measure(args.dbk, model, data, output, threads)
            print("| %d | %d | %.1f | %.0f | %.0f | %.1f |" % (
                report["rows_scored"], threads, wall, report["rows_scored"] / wall, peak_kb / 1024,
                report.get("output_bytes", 0) / 1e6), flush=True)
            shutil.rmtree(output, ignore_errors=True)


def measure(dbk, model, data, output, threads):
    """Runs one score; (wall seconds, the -o json report, the child's peak RSS in KB)."""
    shutil.rmtree(output, ignore_errors=True)
    cmd = [dbk, "score", "--model", model, "--input", data, "--output", output + "/",
           "--threads", str(threads), "-o", "json"]
    with open(output + ".out", "w+b") as out, open(output + ".err", "w+b") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        # wait4 rather than Popen.wait: it also returns the child's own resource usage.
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit("dbk score failed (%d): %s" % (proc.returncode, err.read().decode()))
        return wall, json.loads(out.read()), usage.ru_maxrss


if __name__ == "__main__":
    main()
