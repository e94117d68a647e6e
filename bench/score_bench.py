"""Benchmark, Spark side, and the driver of the side-by-side run (docs/benchmarks.md).

Trains the scenario's model shape (docs/reference/pipeline.md §3.2: StringIndexer on label_e,
VectorIndexer maxCategories=10, RandomForest 200 trees, depth 15, 34 features) on synthetic
data, saves model and scoring data, times PySpark's transform on one core, then runs the
native dbk_score_bench on the same files with one thread and prints both.

    build/scorer-venvs/spark35/bin/python bench/score_bench.py --bench-binary build/release/scorer/dbk_score_bench
"""
import argparse
import json
import os
import subprocess
import time

import numpy as np
from pyspark.ml import Pipeline
from pyspark.ml.classification import RandomForestClassifier
from pyspark.ml.feature import StringIndexer, VectorAssembler, VectorIndexer
from pyspark.sql import SparkSession

FEATURES = ["f%02d" % i for i in range(34)]


def make(rng, n):
    x = rng.normal(size=(n, 34))
    x[:, 24:29] = rng.poisson(0.3, size=(n, 5))       # sparse error-like counts
    x[:, 33] = rng.integers(0, 21, size=n)             # age-like integer
    x[:, 29:33] = np.round(rng.exponential(30, size=(n, 4)))  # comp day counts
    score = x[:, 0] + 0.5 * x[:, 24] + 0.3 * x[:, 25] - 0.02 * x[:, 33] + rng.normal(0, 0.5, n)
    label = np.clip(np.round(score + 0.5), 0, 4)
    rows = [tuple(float(v) for v in x[i]) + (float(label[i]),) for i in range(n)]
    return rows


def train_and_save(spark, model_dir, data_dir, train_rows, score_rows):
    """Trains the scenario-shaped forest into model_dir and writes score_rows rows of scoring
    data with Spark into data_dir (both skipped when model_dir already holds a model). Returns
    the VectorAssembler that builds `features` from the raw columns."""
    rng = np.random.default_rng(1)
    cols = FEATURES + ["label_e"]
    assembler = VectorAssembler(inputCols=FEATURES, outputCol="features")
    if not os.path.exists(os.path.join(model_dir, "metadata")):
        train = assembler.transform(spark.createDataFrame(make(rng, train_rows), cols))
        model = Pipeline(stages=[
            StringIndexer(inputCol="label_e", outputCol="indexedLabel"),
            # keep: synthetic count features can take values unseen in training (the first run
            # stopped on a 5.0 in feature 26 — Spark and dbk both refuse it with handleInvalid=error).
            VectorIndexer(inputCol="features", outputCol="indexedFeatures", maxCategories=10,
                          handleInvalid="keep"),
            RandomForestClassifier(labelCol="indexedLabel", featuresCol="indexedFeatures",
                                   numTrees=200, maxDepth=15, maxBins=32, featureSubsetStrategy="sqrt",
                                   subsamplingRate=0.632, seed=3),
        ]).fit(train)
        model.write().overwrite().save(model_dir)
        spark.createDataFrame(make(rng, score_rows), cols).coalesce(1).write.mode("overwrite").parquet(data_dir)
    return assembler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="build/score-bench")
    ap.add_argument("--train-rows", type=int, default=20000)
    ap.add_argument("--score-rows", type=int, default=100000)
    ap.add_argument("--bench-binary", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    model_dir = os.path.join(args.work, "RandomForest.pqt")
    data_dir = os.path.join(args.work, "scoring_input")

    spark = (SparkSession.builder.master("local[1]").appName("dbk-score-bench")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
             .config("spark.driver.memory", "2g").getOrCreate())
    assembler = train_and_save(spark, model_dir, data_dir, args.train_rows, args.score_rows)
    from pyspark.ml import PipelineModel
    model = PipelineModel.load(model_dir)
    data = assembler.transform(spark.read.parquet(data_dir)).cache()
    n = data.count()
    # Spark: transform + force every prediction, one core (local[1]); best of 2 after a warm-up.
    model.transform(data.limit(1000)).select("prediction").agg({"prediction": "sum"}).collect()
    spark_times = []
    spark_cpu = []
    jvm_pid = spark.sparkContext._gateway.proc.pid
    for _ in range(2):
        t0 = time.perf_counter()
        c0 = jvm_cpu_seconds(jvm_pid)
        model.transform(data).select("probability", "prediction").write.mode("overwrite").format("noop").save()
        spark_cpu.append(jvm_cpu_seconds(jvm_pid) - c0)
        spark_times.append(time.perf_counter() - t0)
    spark.stop()
    for _ in range(360):  # the native binary may still be building when Spark finishes
        if os.path.exists(args.bench_binary):
            break
        time.sleep(5)
    out = subprocess.run([args.bench_binary, model_dir, data_dir], capture_output=True, text=True, check=True)
    dbk = json.loads(out.stdout.strip().splitlines()[-1])
    spark_rps = n / min(spark_times)
    spark_cpu_rps = n / min(spark_cpu)
    print("rows=%d trees=200 depth<=15 features=34 loadavg=%s" % (n, os.getloadavg()))
    print("Spark %s transform, 1 core: %.0f rows/s wall, %.0f rows per JVM CPU second"
          % (pyspark_version(), spark_rps, spark_cpu_rps))
    print("dbk native scoring, 1 thread: %.0f rows/s wall, %.0f rows per CPU second "
          "(model load %.2f s, read %.2f s)"
          % (dbk["rows_per_second_per_core"], dbk["rows_per_cpu_second"], dbk["load_seconds"],
             dbk["read_seconds"]))
    print("speed-up: %.1fx wall, %.1fx CPU" % (dbk["rows_per_second_per_core"] / spark_rps,
                                               dbk["rows_per_cpu_second"] / spark_cpu_rps))
    print(json.dumps({"spark_rows_per_second_per_core": spark_rps,
                      "spark_rows_per_cpu_second": spark_cpu_rps, **dbk}))


def jvm_cpu_seconds(pid):
    """User + system CPU time of the Spark JVM (all its threads: tasks, JIT, GC), from /proc."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pyspark_version():
    import pyspark
    return pyspark.__version__


if __name__ == "__main__":
    main()
