#!/usr/bin/env python3
"""`dbk score --output x.parquet` read by pyarrow, an independent reader, and a folder output
read by pyarrow and PySpark.

Scores the committed Spark 3.5 seed model twice, once into .parquet and once into .jsonl,
and checks that pyarrow sees the same columns in the same order, with Parquet types, and
the same value in every cell. Then checks that failed writes (a missing folder, a full
disk emulated with RLIMIT_FSIZE, for .parquet, .csv and .jsonl) exit 1 with a message naming
the file and leave nothing.

    parquet_output_check.py --dbk build/dev/cli/dbk --fixtures tests/fixtures/scorer --work DIR
"""
import argparse
import datetime as dt
import json
import math
import os
import resource
import shutil
import signal
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq

FEATURES = "--features=f_cont1,f_cont2,f_cont3,f_cat1,f_cat2,age"
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL: " + what)


def score(args, output, preexec=None, extra=("--columns", "*")):
    spark = os.path.join(args.fixtures, "spark-3.5")
    cmd = [args.dbk, "score", "--model", os.path.join(spark, "rf_seed", "model"),
           "--input", os.path.join(spark, "scoring_input"), FEATURES, "--handle-invalid", "keep",
           "--output", output] + list(extra)
    return subprocess.run(cmd, capture_output=True, text=True, preexec_fn=preexec)


def json_cell(value):
    """A JSON lines cell as the Python value pyarrow should give (non-finite doubles are
    strings there)."""
    if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
        return float(value.replace("Infinity", "inf"))
    if isinstance(value, list):
        return [json_cell(v) for v in value]
    return value


def arrow_cell(value):
    """A pyarrow cell in the JSON lines writer's text form where that differs."""
    if isinstance(value, dt.datetime):
        text = value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        if value.microsecond:
            text += ".%06d" % value.microsecond
        return text + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def same(a, b):
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        b = float(b)  # JSON lines print whole doubles without a point
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def check_round_trip(args):
    parquet_path = os.path.join(args.work, "scored.parquet")
    jsonl_path = os.path.join(args.work, "scored.jsonl")
    for path in (parquet_path, jsonl_path):
        run = score(args, path)
        check(run.returncode == 0, "dbk score --output %s: exit %d: %s" %
              (path, run.returncode, run.stderr.strip()))
    with open(jsonl_path) as f:
        expected = [json.loads(line) for line in f if line.strip()]

    meta = pq.ParquetFile(parquet_path).metadata
    check(meta.num_rows == len(expected), "rows: %d, JSON lines %d" % (meta.num_rows, len(expected)))
    for g in range(meta.num_row_groups):
        for c in range(meta.num_columns):
            chunk = meta.row_group(g).column(c)
            check(chunk.compression == "SNAPPY", "%s: codec %s" % (chunk.path_in_schema, chunk.compression))

    table = pq.read_table(parquet_path)
    names = list(expected[0].keys())
    check(table.column_names == names, "columns %s, JSON lines %s" % (table.column_names, names))
    want_types = {
        "machineID": pa.int64(),
        "f_cont1": pa.float64(),
        "color": pa.string(),
        "dt_truncated": pa.timestamp("us", tz="UTC"),
        "prediction": pa.float64(),
        "probability": pa.list_(pa.field("element", pa.float64(), nullable=False)),
        "rawPrediction": pa.list_(pa.field("element", pa.float64(), nullable=False)),
    }
    for name, want in want_types.items():
        if name not in table.column_names:
            check(False, "no column %s" % name)
            continue
        got = table.schema.field(name).type
        check(got == want, "%s: type %s, want %s" % (name, got, want))

    rows = table.to_pylist()
    cells = 0
    for r, (got, want) in enumerate(zip(rows, expected)):
        for name in names:
            a, b = arrow_cell(got.get(name)), json_cell(want[name])
            if not same(a, b):
                check(False, "row %d, %s: parquet %r, JSON lines %r" % (r, name, a, b))
            cells += 1
    nulls = sum(v is None for row in expected for v in row.values())
    print("compared %d cells of %d rows (%d nulls)" % (cells, len(rows), nulls))


def check_failures(args):
    missing = os.path.join(args.work, "no", "such", "out.parquet")
    run = score(args, missing)
    check(run.returncode == 1, "missing folder: exit %d" % run.returncode)
    check(missing in run.stderr, "missing folder: message %r" % run.stderr)
    check(not os.path.exists(os.path.join(args.work, "no")), "missing folder was created")

    # A full disk, as the file-size limit makes writes fail (SIGXFSZ ignored, so write()
    # returns EFBIG instead of killing the process).
    full = os.path.join(args.work, "full")
    os.makedirs(full)

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    # Every output format: none may leave a partial file.
    for name in ("out.parquet", "out.csv", "out.jsonl"):
        run = score(args, os.path.join(full, name), preexec=limit)
        check(run.returncode == 1, "full disk, %s: exit %d: %s" % (name, run.returncode, run.stderr.strip()))
        check(name in run.stderr, "full disk, %s: message %r" % (name, run.stderr))
        check(os.listdir(full) == [], "full disk, %s: left %s" % (name, os.listdir(full)))


KEY = ("--key", "machineID,dt_truncated")


def check_default_columns(args):
    """The default output (keys, prediction, probability) as a folder of Parquet part files read
    by pyarrow and by Spark, as CSV chosen by --format, and --columns."""
    jsonl = os.path.join(args.work, "default.jsonl")
    run = score(args, jsonl, extra=KEY + ("--threads", "2"))
    check(run.returncode == 0, "default columns: exit %d: %s" % (run.returncode, run.stderr))
    with open(jsonl) as f:
        expected = [json.loads(line) for line in f if line.strip()]
    names = ["machineID", "dt_truncated", "prediction", "probability"]
    check(expected and list(expected[0].keys()) == names,
          "default columns: %s" % (list(expected[0].keys()) if expected else None))

    folder = os.path.join(args.work, "parts")
    run = score(args, folder + "/", extra=KEY + ("--threads", "2"))
    check(run.returncode == 0, "folder output: exit %d: %s" % (run.returncode, run.stderr))
    listed = sorted(os.listdir(folder))
    check(listed == ["_SUCCESS", "part-00000.parquet"], "folder holds %s" % listed)
    table = pq.read_table(folder)
    check(table.column_names == names, "folder columns %s" % table.column_names)
    rows = table.to_pylist()
    check(len(rows) == len(expected), "folder rows %d, JSON lines %d" % (len(rows), len(expected)))
    for r, (got, want) in enumerate(zip(rows, expected)):
        for name in names:
            a, b = arrow_cell(got.get(name)), json_cell(want[name])
            if not same(a, b):
                check(False, "folder row %d, %s: parquet %r, JSON lines %r" % (r, name, a, b))
    # Scoring again replaces the previous output folder.
    run = score(args, folder, extra=KEY)
    check(run.returncode == 0, "folder rewrite: exit %d: %s" % (run.returncode, run.stderr))
    check(not [n for n in os.listdir(args.work) if "dbk-" in n], "temporaries left in %s" % os.listdir(args.work))

    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[1]").appName("dbk-parquet-output-check")
             .config("spark.ui.enabled", "false").getOrCreate())
    try:
        df = spark.read.parquet(folder)
        check(df.columns == names, "Spark columns %s" % df.columns)
        got = {(r["machineID"], r["prediction"], tuple(r["probability"])) for r in df.collect()}
        want = {(w["machineID"], float(w["prediction"]), tuple(float(v) for v in w["probability"]))
                for w in expected}
        check(got == want, "Spark read %d distinct rows, JSON lines %d" % (len(got), len(want)))
    finally:
        spark.stop()

    csv_path = os.path.join(args.work, "scored.out")
    run = score(args, csv_path, extra=KEY + ("--format", "csv"))
    check(run.returncode == 0, "--format csv: exit %d: %s" % (run.returncode, run.stderr))
    with open(csv_path) as f:
        header = f.readline().strip()
        lines = 1 + sum(1 for _ in f)
    check(header == ",".join(names), "--format csv header %r" % header)
    check(lines == len(expected) + 1, "--format csv: %d lines" % lines)

    run = score(args, os.path.join(args.work, "few.jsonl"), extra=("--columns", "prediction,f_cont1"))
    check(run.returncode == 0, "--columns: exit %d: %s" % (run.returncode, run.stderr))
    with open(os.path.join(args.work, "few.jsonl")) as f:
        first = json.loads(f.readline())
    check(list(first.keys()) == ["f_cont1", "prediction"], "--columns gave %s" % list(first.keys()))

    bad = os.path.join(args.work, "bad.parquet")
    run = score(args, bad, extra=("--columns", "prediction,nope"))
    check(run.returncode == 1 and "nope" in run.stderr and "probability" in run.stderr,
          "unknown --columns: exit %d: %s" % (run.returncode, run.stderr))
    check(not os.path.exists(bad), "unknown --columns wrote %s" % bad)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dbk", required=True)
    parser.add_argument("--fixtures", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    check_round_trip(args)
    check_failures(args)
    check_default_columns(args)
    print("parquet output check: " + ("%d failures" % len(failures) if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
