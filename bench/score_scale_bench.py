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


def spark_results(work, model_dir, base_dir):
    """Spark's results of each base part file, as a folder of part files in the same order."""
    results_dir = os.path.join(work, "base_results")
    parts = sorted(f for f in os.listdir(base_dir) if f.endswith(".parquet"))
    if os.path.isdir(results_dir) and len(os.listdir(results_dir)) == len(parts):
        return results_dir
    from pyspark.sql import SparkSession
    from pyspark.ml import PipelineModel
    import score_bench
    spark = (SparkSession.builder.master("local[2]").appName("dbk-score-scale-results")
             .config("spark.ui.enabled", "false").config("spark.driver.memory", "2g").getOrCreate())
    model = PipelineModel.load(model_dir)
    assembler = score_bench.train_and_save(spark, model_dir, None, 0, 0)
    shutil.rmtree(results_dir, ignore_errors=True)
    os.makedirs(results_dir)
    for i, p in enumerate(parts):
        # One small file is one partition: Spark's rows stay in the file's order.
        one = spark.read.parquet(os.path.join(base_dir, p))
        out = os.path.join(work, "results_part_%d" % i)
        (model.transform(assembler.transform(one)).select("prediction", "probability")
         .coalesce(1).write.mode("overwrite").parquet(out))
        written = [f for f in os.listdir(out) if f.endswith(".parquet")]
        os.rename(os.path.join(out, written[0]), os.path.join(results_dir, "part-%05d.parquet" % i))
        shutil.rmtree(out)
    spark.stop()
    return results_dir


def repeated_input(work, base_dir, base_rows, rows, name="input"):
    parts = sorted(f for f in os.listdir(base_dir) if f.endswith(".parquet"))
    copies = max(1, rows // base_rows)
    target = os.path.join(work, "%s_%d" % (name, copies * base_rows))
    if os.path.isdir(target) and len(os.listdir(target)) == copies * len(parts):
        return target, copies * base_rows
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(target)
    for c in range(copies):
        for i, p in enumerate(parts):
            os.link(os.path.join(base_dir, p), os.path.join(target, "part-%05d-%02d.parquet" % (c, i)))
    return target, copies * base_rows


def load():
    return "%.1f" % os.getloadavg()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dbk", default="build/release/cli/dbk",
                    help="the dbk CLI, or build/release/scorer/dbk_score_job_bench")
    ap.add_argument("--work", default="build/score-scale-bench")
    ap.add_argument("--base-rows", type=int, default=100000)
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--compare", action="store_true", help="also score with --compare-with")
    ap.add_argument("--results", help="with --compare: a results table of the base input's rows "
                    "in its part files' order (default: Spark's, made once)")
    ap.add_argument("--keep", action="store_true", help="keep the linked inputs afterwards")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    model, base = spark_inputs(args.work, args.base_rows)
    results = None
    if args.compare:
        results = args.results or spark_results(args.work, model, base)
    print("machine: %d hardware threads; dbk: %s" % (os.cpu_count(), args.dbk))
    # CPU seconds (user + system) say what a core does whatever the machine's load.
    print("| rows | threads | compare | wall s | rows/s | CPU s | rows per CPU s | peak RSS MB "
          "| output MB | load before/after |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        data, rows = repeated_input(args.work, base, args.base_rows, size)
        expected = None
        if results:
            expected, _ = repeated_input(args.work, results, args.base_rows, size, "results")
        for threads in (int(t) for t in args.threads.split(",")):
            for compare in ([None, expected] if expected else [None]):
                output = os.path.join(args.work, "scored")
                before = load()
                wall, report, peak_kb, cpu = measure(args.dbk, model, data, output, threads,
                                                     compare)
                print("| %d | %d | %s | %.1f | %.0f | %.1f | %.0f | %.0f | %.1f | %s / %s |" % (
                    report["rows_scored"], threads, compare_text(report), wall,
                    report["rows_scored"] / wall, cpu, report["rows_scored"] / cpu,
                    peak_kb / 1024, report.get("output_bytes", 0) / 1e6, before, load()),
                    flush=True)
                shutil.rmtree(output, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)
            if expected:
                shutil.rmtree(expected, ignore_errors=True)


def compare_text(report):
    c = report.get("comparison")
    if not c:
        return "-"
    return "%d compared, %d mismatches, %s, %d B spilled" % (
        c["rows_compared"], c["prediction_mismatches"] + c["probability_mismatches"],
        "in order" if c.get("merged_in_order") else "hashed", c.get("spilled_bytes", 0))


def measure(dbk, model, data, output, threads, expected=None):
    """Runs one score; (wall seconds, the -o json report, the child's peak RSS in KB, its CPU
    seconds)."""
    shutil.rmtree(output, ignore_errors=True)
    if os.path.basename(dbk) == "dbk_score_job_bench":
        # run_score_job as the CLI calls it (bench/score_job_bench.cpp), same JSON figures.
        cmd = [dbk, model, data, output + "/", str(threads)] + ([expected] if expected else [])
    else:
        cmd = [dbk, "score", "--model", model, "--input", data, "--output", output + "/",
               "--threads", str(threads), "-o", "json"]
        if expected:
            cmd += ["--compare-with", expected]
    with open(output + ".out", "w+b") as out, open(output + ".err", "w+b") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        # wait4 rather than Popen.wait: it also returns the child's own resource usage.
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        # 3: the comparison found differences; the report says which.
        if proc.returncode not in (0, 3):
            raise SystemExit("dbk score failed (%d): %s" % (proc.returncode, err.read().decode()))
        return (wall, json.loads(out.read()), usage.ru_maxrss,
                usage.ru_utime + usage.ru_stime)


if __name__ == "__main__":
    main()
