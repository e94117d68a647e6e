"""The five notebooks end to end on simulated data, checked against an independent pandas
computation of the reference semantics (not the notebook code).

Runs each notebook in its own runtime process, like the emulator does: ingestion →
features (training, testing) → model → scoring workflow (features + scoring through
dbutils.notebook.run), then a failing scoring run.
"""

import json
import os

import numpy as np
import pandas as pd
import pytest

from conftest import NOTEBOOKS, run_notebook, write_notebook

MACHINES = 5
TRAIN = ("2000-01-01", "2015-10-30")
SCORE = ("2015-12-30", "2016-04-30")
TEL = ["volt", "rotate", "pressure", "vibration"]
MEAN_COLS = ([f"{s}_rollingmean_12" for s in TEL] + [f"{s}_rollingmean_24" for s in TEL]
             + ["volt_rollingmean_36", "vibration_rollingmean_36", "rotate_rollingmean_36",
                "pressure_rollingmean_36"])
STD_COLS = [f"{s}_rollingstd_{lag}" for lag in (12, 24, 36) for s in TEL]
ERR_COLS = [f"error{k}sum_rollingmean_24" for k in range(1, 6)]
COMP_COLS = [f"comp{k}sum" for k in range(1, 5)]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    import importlib.util
    from conftest import SIMULATOR
    spec = importlib.util.spec_from_file_location("simulate_pdm", SIMULATOR)
    sim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sim)

    base = tmp_path_factory.mktemp("pipeline")
    dbfs = base / "dbfs"
    data = dbfs / "datasets" / "pdm"
    sim.write(sim.simulate(MACHINES, 11), str(data))
    runs = {}

    def nb(name, **params):
        res, proc = run_notebook(os.path.join(NOTEBOOKS, name + ".py"), dbfs, params,
                                 workspace_dir=NOTEBOOKS)
        assert res["result_state"] == "SUCCESS", (name, res.get("error"), proc.stderr[-4000:])
        return res

    runs["ingest"] = nb("1_data_ingestion", DATA_SOURCE="dbfs:/datasets/pdm/")
    runs["train_fe"] = nb("2_feature_engineering")
    runs["test_fe"] = nb("2_feature_engineering", FEATURES_TABLE="testing_data",
                         Start_Date="2015-11-15", zEnd_Date="2017-01-01")
    runs["model"] = nb("3_model_building", NUM_TREES="5")
    runs["workflow"] = nb("5_scoring_workflow", Start_Date=SCORE[0], zEnd_Date=SCORE[1])

    export = write_notebook(
        base / "ws" / "export.py",
        "import os\n"
        "out = os.environ['DBFS_ROOT'] + '/export'\n"
        "os.makedirs(out, exist_ok=True)\n"
        "for t in ['training_data', 'HPscoring_input', 'HPresults_output']:\n"
        "    spark.table(t).drop('model_encoded', 'features', 'rawPrediction', 'probability')"
        ".toPandas().to_csv(f'{out}/{t}.csv', index=False)\n"
        "from pyspark.ml import PipelineModel\n"
        "m = PipelineModel.load('dbfs:/storage/models/RandomForest.pqt')\n"
        "unlabeled = spark.table('HPscoring_input').drop('label_e', 'failure')\n"
        "dbutils.notebook.exit(json.dumps({'stages': [type(s).__name__ for s in m.stages],"
        " 'unlabeled': m.transform(unlabeled).count()}))\n".replace("json.dumps", "__import__('json').dumps"))
    res, proc = run_notebook(export, dbfs)
    assert res["result_state"] == "SUCCESS", proc.stderr[-4000:]
    runs["export"] = res
    runs["failing"], _ = run_notebook(os.path.join(NOTEBOOKS, "4_model_scoring.py"), dbfs,
                                      {"SCORING_DATA": "no_such_table"}, workspace_dir=NOTEBOOKS)
    return {"dbfs": dbfs, "data": data, "runs": runs, "export": dbfs / "export"}


# ------------------------------------------------------------------ reference (pandas)

def _bucket(dt_strings):
    secs = (pd.to_datetime(dt_strings) - pd.Timestamp("1970-01-01")).dt.total_seconds()
    return pd.to_datetime(np.floor(secs / 43200 + 0.5) * 43200, unit="s")  # HALF_UP, positive


def reference(data, start, end):
    """Per (machineID, dt_truncated): the 33 engineered features, age and failure codes."""
    def window(df):
        return df[(df["datetime"] <= end) & (df["datetime"] > start)]

    tel = window(pd.read_csv(data / "telemetry.csv", dtype={"datetime": str}))
    tel = tel.sort_values(["machineID", "datetime"]).reset_index(drop=True)
    tel["dt_truncated"] = _bucket(tel["datetime"])
    g = tel.groupby("machineID")
    for lag in (12, 24, 36):
        for s in TEL:
            tel[f"{s}_rollingmean_{lag}"] = g[s].transform(lambda x: x.rolling(lag, min_periods=1).mean())
            tel[f"{s}_rollingstd_{lag}"] = g[s].transform(
                lambda x: x.rolling(lag, min_periods=1).std(ddof=1)).fillna(0)
    gb = tel.groupby(["machineID", "dt_truncated"])
    feat = pd.concat([gb[MEAN_COLS].mean(), gb[STD_COLS].std(ddof=1).fillna(0)], axis=1)

    err = window(pd.read_csv(data / "errors.csv", dtype={"datetime": str}))
    counts = err.groupby(["machineID", "datetime", "errorID"]).size().unstack(fill_value=0)
    hourly = tel[["machineID", "datetime", "dt_truncated"]].merge(
        counts.reset_index(), on=["machineID", "datetime"], how="left").fillna(0)
    for k in range(1, 6):
        col = f"error{k}"
        if col not in hourly:
            hourly[col] = 0.0
        hourly[ERR_COLS[k - 1]] = hourly.groupby("machineID")[col].transform(
            lambda x: x.rolling(24, min_periods=1).mean())
    feat = feat.join(hourly.groupby(["machineID", "dt_truncated"])[ERR_COLS].mean())

    maint = window(pd.read_csv(data / "maint.csv", dtype={"datetime": str}))
    per = maint.groupby(["machineID", "datetime", "comp"]).size().unstack(fill_value=0)
    feat = feat.reset_index()
    chain = pd.Series(True, index=feat.index)
    for k in range(1, 5):
        c = f"comp{k}"
        firsts = (per[per[c] == 1].reset_index().groupby("machineID")["datetime"].min()
                  if c in per else pd.Series(dtype=str))
        first = pd.to_datetime(feat["machineID"].map(firsts))
        chain &= (feat["dt_truncated"] > first).fillna(False)
        days = (feat["dt_truncated"].dt.normalize() - first.dt.normalize()).dt.days
        feat[COMP_COLS[k - 1]] = np.where(chain, days, 0).astype(float)

    machines = pd.read_csv(data / "machines.csv")
    feat = feat.merge(machines[["machineID", "age"]], on="machineID", how="left")

    fail = window(pd.read_csv(data / "failures.csv", dtype={"datetime": str}))
    fail = fail.assign(dt_truncated=_bucket(fail["datetime"]),
                       code=fail["failure"].str[-1].astype(float))
    return feat, fail[["machineID", "dt_truncated", "code"]]


def _load_export(pipeline, name):
    df = pd.read_csv(pipeline["export"] / f"{name}.csv")
    df["dt_truncated"] = pd.to_datetime(df["dt_truncated"])
    return df


# ------------------------------------------------------------------ tests

def test_ingestion_counts(pipeline):
    counts = json.loads(pipeline["runs"]["ingest"]["notebook_output"]["result"])
    data = pipeline["data"]
    for table, file in [("machines_files", "machines"), ("errors_files", "errors"), ("maint_files", "maint"),
                        ("telemetry_files", "telemetry"), ("failure_files", "failures")]:
        assert counts[table] == len(pd.read_csv(data / f"{file}.csv")), table


def test_bucket_row_counts(pipeline):
    runs = pipeline["runs"]
    data = pipeline["data"]
    for key, window, buckets in [("train_fe", TRAIN, 604), ("test_fe", ("2015-11-15", "2017-01-01"), 96)]:
        out = json.loads(runs[key]["notebook_output"]["result"])
        _, fail = reference(data, *window) if key == "train_fe" else (None, _fail_only(data, *window))
        extra = int((fail.groupby(["machineID", "dt_truncated"]).size() - 1).sum())
        assert out["buckets"] == buckets * MACHINES, key
        assert out["rows"] == buckets * MACHINES + extra, key
    wf = json.loads(runs["workflow"]["notebook_output"]["result"])
    assert wf["feature_engineering"]["buckets"] == 6 * MACHINES
    assert wf["scoring"]["rows"] == wf["feature_engineering"]["rows"]


def _fail_only(data, start, end):
    f = pd.read_csv(data / "failures.csv", dtype={"datetime": str})
    f = f[(f["datetime"] <= end) & (f["datetime"] > start)]
    return f.assign(dt_truncated=_bucket(f["datetime"]))


def test_training_features_match_independent_computation(pipeline):
    got = _load_export(pipeline, "training_data")
    expected_cols = (["machineID", "dt_truncated"] + MEAN_COLS + STD_COLS + ERR_COLS + COMP_COLS
                     + ["model", "age", "failure", "label_e"])
    assert list(got.columns) == expected_cols
    feat, _ = reference(pipeline["data"], *TRAIN)
    got1 = got.drop_duplicates(["machineID", "dt_truncated"]).set_index(["machineID", "dt_truncated"]).sort_index()
    ref = feat.set_index(["machineID", "dt_truncated"]).sort_index()
    assert got1.index.equals(ref.index)
    for col in MEAN_COLS + STD_COLS + ERR_COLS + COMP_COLS + ["age"]:
        np.testing.assert_allclose(got1[col].to_numpy(float), ref[col].to_numpy(float),
                                   rtol=1e-9, atol=1e-9, err_msg=col)
    assert (got1[COMP_COLS].to_numpy() > 0).any(), "maintenance features should not all be 0"
    assert (got1[ERR_COLS].to_numpy() > 0).any()


def test_labels_match_independent_computation(pipeline):
    got = _load_export(pipeline, "training_data")
    _, fail = reference(pipeline["data"], *TRAIN)
    # failure column: one row per failed component in the bucket
    per_bucket = fail.groupby(["machineID", "dt_truncated"])["code"].apply(sorted)
    got_fail = got[got["failure"] > 0].groupby(["machineID", "dt_truncated"])["failure"].apply(sorted)
    assert per_bucket.to_dict() == got_fail.to_dict()
    # label: codes of this and the next 7 buckets, capped at 4 (skip rows near duplicates,
    # whose order among ties is arbitrary)
    codes = fail.groupby(["machineID", "dt_truncated"])["code"].sum()
    dups = set(fail.groupby(["machineID", "dt_truncated"]).size().loc[lambda s: s > 1].index)
    checked = 0
    for row in got.drop_duplicates(["machineID", "dt_truncated"]).itertuples():
        ahead = [(row.machineID, row.dt_truncated + pd.Timedelta(hours=12 * i)) for i in range(8)]
        if any(a in dups for a in ahead):
            continue
        expected = min(4.0, sum(codes.get(a, 0.0) for a in ahead))
        assert row.label_e == expected, (row.machineID, row.dt_truncated)
        checked += 1
    assert checked > 0.9 * 604 * MACHINES
    assert (got["label_e"] > 0).sum() > 0


def test_model_is_self_contained_and_evaluated(pipeline):
    out = json.loads(pipeline["runs"]["model"]["notebook_output"]["result"])
    assert out["model_path"] == "dbfs:/storage/models/RandomForest.pqt"
    assert out["labels"][0] == "0.0"
    m = out["metrics"]
    assert 0.5 < m["accuracy"] <= 1.0
    cm = np.array(out["confusion_matrix"])
    assert cm.sum() == m["rows"]
    tp = sum(cm[k, k] for k in range(1, 5))
    assert m["tp"] == tp and m["tn"] == cm[0, 0]
    assert m["fn"] == cm[1:, 0].sum() and m["fp"] == cm[:, 1:].sum() - tp
    assert m["accuracy"] == pytest.approx((cm[0, 0] + tp) / cm.sum())
    exported = json.loads(pipeline["runs"]["export"]["notebook_output"]["result"])
    assert exported["stages"] == ["VectorAssembler", "VectorIndexerModel",
                                  "RandomForestClassificationModel", "IndexToString"]
    assert exported["unlabeled"] >= 6 * MACHINES  # scored without label_e/failure columns


def test_scoring_results(pipeline):
    res = _load_export(pipeline, "HPresults_output")
    assert list(res.columns) == ["machineID", "dt_truncated", "label_e", "prediction", "predicted_label"]
    assert set(res["predicted_label"]) <= {0.0, 1.0, 2.0, 3.0, 4.0}
    assert res["dt_truncated"].min() == pd.Timestamp("2015-12-30 00:00")  # 00:00 rows are > "2015-12-30"
    assert res["dt_truncated"].max() == pd.Timestamp("2016-01-01 12:00")


def test_failing_notebook_reports_the_python_error(pipeline):
    res = pipeline["runs"]["failing"]
    assert res["result_state"] == "FAILED"
    assert res["error"].startswith("AnalysisException") and "no_such_table" in res["error"]
    assert "cell" in res["error_trace"]
