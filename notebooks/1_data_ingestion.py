# Databricks notebook source
# MAGIC %md
# MAGIC # 1. Data ingestion
# MAGIC
# MAGIC Reads the five predictive-maintenance data sets (machines, errors, maint, telemetry,
# MAGIC failures) and stores each as a managed Spark table: `machines_files`, `errors_files`,
# MAGIC `maint_files`, `telemetry_files` and `failure_files` (singular, as in the original jobs).
# MAGIC
# MAGIC `DATA_SOURCE` is the folder holding `machines.csv`, `errors.csv`, `maint.csv`,
# MAGIC `telemetry.csv` and `failures.csv`: an http(s) URL (files are downloaded to the driver
# MAGIC first) or a Spark path such as `dbfs:/datasets/pdm/`. The default is the public
# MAGIC location of the original 1000-machine data.
# MAGIC
# MAGIC `datetime` stays a **string** (`yyyy-MM-dd HH:mm:ss`), so the date filters of the
# MAGIC feature-engineering notebook compare lexicographically and select `[start, end)`.

# COMMAND ----------

dbutils.widgets.removeAll()

# COMMAND ----------

DEFAULT_SOURCE = ("http://media.githubusercontent.com/media/Microsoft/SQL-Server-R-Services-Samples/"
                  "master/PredictiveMaintanenceModelingGuide/Data/")
dbutils.widgets.text("DATA_SOURCE", DEFAULT_SOURCE)

# COMMAND ----------

import os
import socket
import tempfile
import urllib.request

from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

DATA_SOURCE = dbutils.widgets.get("DATA_SOURCE").strip()
if not DATA_SOURCE.endswith("/"):
    DATA_SOURCE += "/"


def _schema(*fields):
    return StructType([StructField(name, kind, True) for name, kind in fields])


# file name -> (table name, schema in CSV column order)
DATASETS = [
    ("machines.csv", "machines_files",
     _schema(("machineID", LongType()), ("model", StringType()), ("age", LongType()))),
    ("errors.csv", "errors_files",
     _schema(("datetime", StringType()), ("machineID", LongType()), ("errorID", StringType()))),
    ("maint.csv", "maint_files",
     _schema(("datetime", StringType()), ("machineID", LongType()), ("comp", StringType()))),
    ("telemetry.csv", "telemetry_files",
     _schema(("datetime", StringType()), ("machineID", LongType()), ("volt", DoubleType()),
             ("rotate", DoubleType()), ("pressure", DoubleType()), ("vibration", DoubleType()))),
    ("failures.csv", "failure_files",
     _schema(("datetime", StringType()), ("machineID", LongType()), ("failure", StringType()))),
]

# COMMAND ----------


def source_path(file_name):
    """A Spark-readable path for one data file; http(s) sources are downloaded first."""
    if not DATA_SOURCE.startswith(("http://", "https://")):
        return DATA_SOURCE + file_name
    local_dir = os.path.join(tempfile.gettempdir(), "pdm_download")
    os.makedirs(local_dir, exist_ok=True)
    local = os.path.join(local_dir, file_name)
    if not os.path.exists(local):
        socket.setdefaulttimeout(90)
        urllib.request.urlretrieve(DATA_SOURCE + file_name, local)
    return "file://" + local


counts = {}
for file_name, table, schema in DATASETS:
    df = (spark.read.option("header", "true").option("mode", "FAILFAST")
          .schema(schema).csv(source_path(file_name)))
    if table == "telemetry_files":
        numeric = ["volt", "rotate", "pressure", "vibration"]
        df = df.fillna(0, subset=numeric)  # the original's NA->0; the data has no NAs
    df.write.mode("overwrite").saveAsTable(table)
    counts[table] = spark.table(table).count()
    print(f"{table}: {counts[table]} rows")

# COMMAND ----------

import json

dbutils.notebook.exit(json.dumps(counts))
