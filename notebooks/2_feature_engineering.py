# Databricks notebook source
# MAGIC %md
# MAGIC # 2. Feature engineering
# MAGIC
# MAGIC Turns the ingested tables into one row per machine and 12-hour bucket with 34 model
# MAGIC features and a look-ahead label, and saves it as `FEATURES_TABLE`.
# MAGIC
# MAGIC * Window: rows with `Start_Date < datetime <= zEnd_Date`, compared as **strings**, which
# MAGIC   selects `[Start_Date 00:00:00, zEnd_Date 00:00:00)`.
# MAGIC * Bucket key `dt_truncated`: epoch seconds rounded HALF_UP to 12 hours (UTC).
# MAGIC * Telemetry: row-based rolling mean and sample std over 12, 24 and 36 hours, then per
# MAGIC   bucket the mean of the rolling means and the sample std of the rolling stds.
# MAGIC * Errors: hourly count per error type, 24-row rolling mean, bucket mean.
# MAGIC * Maintenance: days since the earliest in-window replacement of each component, with the
# MAGIC   comp1 → comp2 → comp3 → comp4 existence chain of the original joins (0 otherwise).
# MAGIC * Label `label_e`: failure codes (comp1..comp4 → 1..4) summed over this bucket and the next
# MAGIC   7, capped at 4.

# COMMAND ----------

dbutils.widgets.removeAll()

# COMMAND ----------

dbutils.widgets.text("FEATURES_TABLE", "training_data")
dbutils.widgets.text("Start_Date", "2000-01-01")
dbutils.widgets.text("zEnd_Date", "2015-10-30")

# COMMAND ----------

import json

from pyspark.ml import Pipeline
from pyspark.ml.feature import OneHotEncoder, StringIndexer
from pyspark.sql import functions as F
from pyspark.sql.window import Window

FEATURES_TABLE = dbutils.widgets.get("FEATURES_TABLE")
START_DATE = dbutils.widgets.get("Start_Date")
END_DATE = dbutils.widgets.get("zEnd_Date")

TIME_VAL = 12 * 3600
ROLLING_FEATURES = ["volt", "rotate", "pressure", "vibration"]
LAGS = [12, 24, 36]
# Explicit pivot values: a small window may lack some error types or components, and the
# feature columns must exist anyway (the original pivoted on the values present).
ERROR_TYPES = ["error1", "error2", "error3", "error4", "error5"]
COMPONENTS = ["comp1", "comp2", "comp3", "comp4"]
KEYS = ["machineID", "dt_truncated"]

# Telemetry feature order of the original aggregation (note the 36-hour means).
MEAN_COLS = ([f"{s}_rollingmean_12" for s in ROLLING_FEATURES]
             + [f"{s}_rollingmean_24" for s in ROLLING_FEATURES]
             + ["volt_rollingmean_36", "vibration_rollingmean_36",
                "rotate_rollingmean_36", "pressure_rollingmean_36"])
STD_COLS = [f"{s}_rollingstd_{lag}" for lag in LAGS for s in ROLLING_FEATURES]
ERROR_COLS = [f"{e}sum_rollingmean_24" for e in ERROR_TYPES]
COMP_COLS = [f"{c}sum" for c in COMPONENTS]


def in_window(df):
    """The date filter, on the string column: [Start 00:00:00, End 00:00:00)."""
    return df.where((F.col("datetime") <= END_DATE) & (F.col("datetime") > START_DATE))


def bucket(column="datetime"):
    """12-hour bucket: epoch seconds / 43200, rounded HALF_UP, as a UTC timestamp."""
    seconds = F.round(F.unix_timestamp(F.col(column)) / TIME_VAL) * TIME_VAL
    return F.timestamp_seconds(seconds.cast("long"))


def by_machine(order_col="datetime"):
    return Window.partitionBy("machineID").orderBy(order_col)

# COMMAND ----------

# MAGIC %md ## Telemetry features

# COMMAND ----------

telemetry = in_window(spark.table("telemetry_files"))

rolled = telemetry
for lag in LAGS:
    frame = by_machine().rowsBetween(1 - lag, 0)
    for s in ROLLING_FEATURES:
        rolled = (rolled.withColumn(f"{s}_rollingmean_{lag}", F.mean(s).over(frame))
                  .withColumn(f"{s}_rollingstd_{lag}", F.stddev(s).over(frame)))
# one-row windows have a null std: 0, as in the original, before bucketing
rolled = rolled.drop(*ROLLING_FEATURES).fillna(0).withColumn("dt_truncated", bucket())

telemetry_feat = rolled.groupBy(*KEYS).agg(
    *[F.mean(c).alias(c) for c in MEAN_COLS],
    *[F.stddev(c).alias(c) for c in STD_COLS])  # sample std of the rolling stds (sic)

# COMMAND ----------

# MAGIC %md ## Error features

# COMMAND ----------

errors = in_window(spark.table("errors_files"))
error_ind = (errors.groupBy("machineID", "datetime").pivot("errorID", ERROR_TYPES).count()
             .fillna(0))
for e in ERROR_TYPES:
    error_ind = error_ind.withColumnRenamed(e, f"{e}sum")

error_hourly = (telemetry.select("machineID", "datetime")
                .join(error_ind, ["machineID", "datetime"], "left").fillna(0))
frame24 = by_machine().rowsBetween(-23, 0)
for e in ERROR_TYPES:
    error_hourly = error_hourly.withColumn(f"{e}sum_rollingmean_24", F.mean(f"{e}sum").over(frame24))
error_feat = (error_hourly.withColumn("dt_truncated", bucket())
              .drop(*[f"{e}sum" for e in ERROR_TYPES]).fillna(0)
              .groupBy(*KEYS).agg(*[F.mean(c).alias(c) for c in ERROR_COLS]))

# COMMAND ----------

# MAGIC %md ## Maintenance features
# MAGIC
# MAGIC The original joined every earlier replacement of comp1 × comp2 × comp3 × comp4 to every
# MAGIC bucket and took the max of `datediff`, i.e. the days since the **earliest** in-window
# MAGIC replacement. The same values are computed here from the earliest replacement directly,
# MAGIC keeping the join chain's existence rules, without the row explosion.

# COMMAND ----------

maint = in_window(spark.table("maint_files"))
maint_replace = maint.groupBy("machineID", "datetime").pivot("comp", COMPONENTS).count().fillna(0)
firsts = spark.table("machines_files").select("machineID")
for c in COMPONENTS:
    first_c = (maint_replace.where(F.col(c) == 1).groupBy("machineID")
               .agg(F.min("datetime").alias(f"first_{c}")))
    firsts = firsts.join(first_c, "machineID", "left")

times = telemetry_feat.select(*KEYS).join(firsts, "machineID", "left")
chain = F.lit(True)
for c in COMPONENTS:
    earlier = F.coalesce(F.col("dt_truncated") > F.to_timestamp(F.col(f"first_{c}")), F.lit(False))
    # the original's join chain: comp1 needs comp1, comp2 needs comp1 and comp2, ...
    chain = chain & earlier
    times = times.withColumn(
        f"{c}sum",
        F.when(chain, F.datediff(F.col("dt_truncated"), F.col(f"first_{c}"))).otherwise(0)
        .cast("double"))
maint_feat = times.select(*KEYS, *COMP_COLS)

# COMMAND ----------

# MAGIC %md ## Machine features, merge and labels

# COMMAND ----------

machines = spark.table("machines_files")
machine_pipeline = Pipeline(stages=[
    StringIndexer(inputCol="model", outputCol="model_indexed"),
    OneHotEncoder(inputCol="model_indexed", outputCol="model_encoded")])
machines_feat = (machine_pipeline.fit(machines).transform(machines)
                 .select("machineID", "model", "age", "model_encoded"))

error_maint_feat = (error_feat.join(maint_feat, KEYS, "left")
                    .join(machines_feat, "machineID", "left"))
final_feat = telemetry_feat.join(error_maint_feat, KEYS, "left")

failure_code = F.when(F.col("failure") == "comp1", 1.0).when(F.col("failure") == "comp2", 2.0) \
    .when(F.col("failure") == "comp3", 3.0).when(F.col("failure") == "comp4", 4.0)
failures = (in_window(spark.table("failure_files"))
            .select("machineID", bucket().alias("dt_truncated"),
                    failure_code.cast("double").alias("failure")))

# several failures in one bucket duplicate the feature row, one per failed component
labeled = final_feat.join(failures, KEYS, "left").fillna(0)

# descending time order: the 7 rows before are the 7 buckets after (96 h with this one)
ahead = Window.partitionBy("machineID").orderBy(F.col("dt_truncated").desc()).rowsBetween(-7, 0)
labeled = labeled.withColumn("label", F.sum("failure").over(ahead))
labeled = labeled.withColumn(
    "label_e", F.when(F.col("label") > 4, 4.0).otherwise(F.col("label")).cast("double"))

COLUMNS = KEYS + MEAN_COLS + STD_COLS + ERROR_COLS + COMP_COLS + [
    "model", "age", "model_encoded", "failure", "label_e"]
labeled.select(*COLUMNS).write.mode("overwrite").saveAsTable(FEATURES_TABLE)

# COMMAND ----------

result = spark.table(FEATURES_TABLE)
summary = {
    "table": FEATURES_TABLE,
    "rows": result.count(),
    "machines": result.select("machineID").distinct().count(),
    "buckets": result.select(*KEYS).distinct().count(),
    "window": [START_DATE, END_DATE],
}
print(summary)
dbutils.notebook.exit(json.dumps(summary))
