# Databricks notebook source
# MAGIC %md
# MAGIC # 5. Scoring workflow
# MAGIC
# MAGIC Scores a date window end to end: `2_feature_engineering` writes the window's features to
# MAGIC `HPscoring_input`, then `4_model_scoring` scores them into `RESULTS_DATA`, both through
# MAGIC `dbutils.notebook.run` (the original called a `2_feature_engineering_clean` notebook that
# MAGIC does not exist).

# COMMAND ----------

dbutils.widgets.removeAll()

# COMMAND ----------

dbutils.widgets.text("RESULTS_DATA", "HPresults_output")
dbutils.widgets.text("MODEL_TYPE", "RandomForest")
dbutils.widgets.text("Start_Date", "2015-11-15")
dbutils.widgets.text("zEnd_Date", "2016-04-30")

# COMMAND ----------

import json

SCORING_TABLE = "HPscoring_input"
# Per-step timeout in seconds (the original used 600; a few minutes more leaves room for a
# small single-machine cluster).
STEP_TIMEOUT = 1800

RESULTS_DATA = dbutils.widgets.get("RESULTS_DATA")
MODEL_TYPE = dbutils.widgets.get("MODEL_TYPE")
START_DATE = dbutils.widgets.get("Start_Date")
END_DATE = dbutils.widgets.get("zEnd_Date")

features = dbutils.notebook.run("2_feature_engineering", STEP_TIMEOUT, {
    "FEATURES_TABLE": SCORING_TABLE, "Start_Date": START_DATE, "zEnd_Date": END_DATE})
print("feature engineering:", features)

# COMMAND ----------

scoring = dbutils.notebook.run("4_model_scoring", STEP_TIMEOUT, {
    "SCORING_DATA": SCORING_TABLE, "RESULTS_DATA": RESULTS_DATA, "MODEL_TYPE": MODEL_TYPE})
print("scoring:", scoring)

dbutils.notebook.exit(json.dumps({"feature_engineering": json.loads(features or "{}"),
                                  "scoring": json.loads(scoring or "{}")}))
