# Databricks notebook source
# MAGIC %md
# MAGIC # 4. Model scoring
# MAGIC
# MAGIC Loads the PipelineModel saved by `3_model_building` from
# MAGIC `dbfs:/storage/models/<MODEL_TYPE>.pqt`, scores `SCORING_DATA` (a feature table written by
# MAGIC `2_feature_engineering`; no label needed) and saves the predictions as `RESULTS_DATA`.
# MAGIC `predicted_label` is the failure class ("0.0" healthy, "1.0".."4.0" = comp1..comp4);
# MAGIC `prediction` is its index in the model's label order.

# COMMAND ----------

dbutils.widgets.removeAll()

# COMMAND ----------

dbutils.widgets.text("SCORING_DATA", "scoring_input")
dbutils.widgets.text("RESULTS_DATA", "results_output")
dbutils.widgets.text("MODEL_TYPE", "RandomForest")

# COMMAND ----------

import json

from pyspark.ml import PipelineModel

SCORING_DATA = dbutils.widgets.get("SCORING_DATA")
RESULTS_DATA = dbutils.widgets.get("RESULTS_DATA")
MODEL_TYPE = dbutils.widgets.get("MODEL_TYPE")
MODEL_PATH = "dbfs:/storage/models/" + MODEL_TYPE + ".pqt"

spark.catalog.refreshTable(SCORING_DATA)
score_data = spark.table(SCORING_DATA)
model = PipelineModel.load(MODEL_PATH)
predictions = model.transform(score_data)

keep = ["machineID", "dt_truncated"]
keep += ["label_e"] if "label_e" in score_data.columns else []
keep += ["features", "rawPrediction", "probability", "prediction", "predicted_label"]
predictions.select(*keep).write.mode("overwrite").saveAsTable(RESULTS_DATA)

# COMMAND ----------

results = spark.table(RESULTS_DATA)
summary = {"table": RESULTS_DATA, "rows": results.count(), "model_path": MODEL_PATH,
           "predicted": {r["predicted_label"]: r["count"]
                         for r in results.groupBy("predicted_label").count().collect()}}
print(summary)
dbutils.notebook.exit(json.dumps(summary))
