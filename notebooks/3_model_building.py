# Databricks notebook source
# MAGIC %md
# MAGIC # 3. Model building
# MAGIC
# MAGIC Trains a multi-class classifier on `TRAINING_TABLE` and saves a **self-contained**
# MAGIC PipelineModel to `dbfs:/storage/models/<model>.pqt`:
# MAGIC
# MAGIC `VectorAssembler(34 features) → VectorIndexer(maxCategories=10) → classifier → IndexToString`
# MAGIC
# MAGIC The label indexer (`label_e` → `indexedLabel`) is fitted outside the pipeline, so scoring
# MAGIC data needs no label column; its labels feed the IndexToString stage, which turns the
# MAGIC indexed `prediction` back into a failure class (`predicted_label`, "0.0".."4.0").
# MAGIC
# MAGIC When `TESTING_TABLE` exists the model is evaluated on it and the notebook exits with
# MAGIC accuracy, precision, recall and F1 (failure classes 1–4 as positives) as JSON.

# COMMAND ----------

dbutils.widgets.removeAll()

# COMMAND ----------

dbutils.widgets.text("TRAINING_TABLE", "training_data")
dbutils.widgets.dropdown("model", "RandomForest", ["RandomForest", "DecisionTree"])
dbutils.widgets.text("TESTING_TABLE", "testing_data")
# size knob for small test runs; the reference model has 200 trees
dbutils.widgets.text("NUM_TREES", "200")

# COMMAND ----------

import json

from pyspark.ml import Pipeline
from pyspark.ml.classification import DecisionTreeClassifier, RandomForestClassifier
from pyspark.ml.feature import IndexToString, StringIndexer, VectorAssembler, VectorIndexer
from pyspark.sql import functions as F

TRAINING_TABLE = dbutils.widgets.get("TRAINING_TABLE")
MODEL_TYPE = dbutils.widgets.get("model")
TESTING_TABLE = dbutils.widgets.get("TESTING_TABLE")
NUM_TREES = int(dbutils.widgets.get("NUM_TREES"))
MODEL_PATH = "dbfs:/storage/models/" + MODEL_TYPE + ".pqt"

LABEL = "label_e"
KEY_COLS = ["machineID", "dt_truncated"]
NOT_FEATURES = KEY_COLS + [LABEL, "failure", "model_encoded", "model"]

training = spark.table(TRAINING_TABLE)
features = [c for c in training.columns if c not in NOT_FEATURES]
if len(features) != 34:
    raise ValueError(f"expected 34 feature columns in {TRAINING_TABLE}, found {len(features)}")

# COMMAND ----------

label_indexer = StringIndexer(inputCol=LABEL, outputCol="indexedLabel").fit(training)
train = label_indexer.transform(training)

common = dict(labelCol="indexedLabel", featuresCol="indexedFeatures", maxDepth=15, maxBins=32,
              minInstancesPerNode=1, minInfoGain=0.0, impurity="gini")
if MODEL_TYPE == "RandomForest":
    classifier = RandomForestClassifier(numTrees=NUM_TREES, featureSubsetStrategy="sqrt",
                                        subsamplingRate=0.632, **common)
elif MODEL_TYPE == "DecisionTree":
    classifier = DecisionTreeClassifier(**common)
else:
    raise ValueError(f"model must be RandomForest or DecisionTree, not {MODEL_TYPE!r}")

pipeline = Pipeline(stages=[
    VectorAssembler(inputCols=features, outputCol="features"),
    # unseen categorical values at scoring time go to an extra bucket instead of failing
    VectorIndexer(inputCol="features", outputCol="indexedFeatures", maxCategories=10,
                  handleInvalid="keep"),
    classifier,
    IndexToString(inputCol="prediction", outputCol="predicted_label", labels=label_indexer.labels),
])
model = pipeline.fit(train)
model.write().overwrite().save(MODEL_PATH)
print(f"saved {MODEL_TYPE} to {MODEL_PATH}; label order {label_indexer.labels}")

# COMMAND ----------

# MAGIC %sh
# MAGIC ls -l /dbfs/storage/models

# COMMAND ----------

# MAGIC %md ## Evaluation on the testing table (when it exists)
# MAGIC
# MAGIC Class 0 is "healthy"; classes 1–4 are failures. TP: right failure class; FP: predicted a
# MAGIC failure but not that one; TN: healthy predicted healthy; FN: failure predicted healthy.


# COMMAND ----------


def confusion_metrics(pairs):
    """Accuracy/precision/recall/F1 from {(true, predicted): count} over classes 0..4."""
    total = sum(pairs.values())
    tp = sum(n for (t, p), n in pairs.items() if t == p and t != 0)
    tn = pairs.get((0.0, 0.0), 0)
    predicted_failure = sum(n for (t, p), n in pairs.items() if p != 0)
    fp = predicted_failure - tp
    fn = sum(n for (t, p), n in pairs.items() if p == 0) - tn

    def ratio(a, b):
        return a / b if b else None

    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    f1 = (2 * precision * recall / (precision + recall)
          if precision is not None and recall is not None and precision + recall > 0 else None)
    return {"accuracy": ratio(tn + tp, total), "precision": precision, "recall": recall,
            "f1": f1, "tp": tp, "fp": fp, "tn": tn, "fn": fn, "rows": total}


output = {"model_type": MODEL_TYPE, "model_path": MODEL_PATH, "training_rows": training.count(),
          "labels": list(label_indexer.labels), "num_trees": NUM_TREES if MODEL_TYPE == "RandomForest" else None}
if spark.catalog.tableExists(TESTING_TABLE):
    scored = model.transform(spark.table(TESTING_TABLE))
    rows = (scored.groupBy(F.col(LABEL).cast("double").alias("t"),
                           F.col("predicted_label").cast("double").alias("p")).count().collect())
    pairs = {(r["t"], r["p"]): r["count"] for r in rows}
    output["testing_table"] = TESTING_TABLE
    output["metrics"] = confusion_metrics(pairs)
    output["confusion_matrix"] = [[pairs.get((float(t), float(p)), 0) for p in range(5)]
                                  for t in range(5)]
    print(json.dumps(output["metrics"], indent=2))

dbutils.notebook.exit(json.dumps(output))
