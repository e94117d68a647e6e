"""The pipeline end to end through dbk and the emulator, at small size, checked against an
independent pandas computation of the reference semantics (not the notebook code).

The fixture starts `dbk emulator` with a state folder and runs scripts/pipeline.sh --small
against it: configure, import_dir, clusters list, jobs create --upsert --var, data upload,
then ingestion → features (training, testing, scoring) → model → scoring, each with
`dbk jobs run-now --wait`. The tables are then exported to CSV by a `runs submit` of an
export notebook and read from the emulator's DBFS folder. Further tests drive failing,
cancelled and timed-out runs through dbk. Last, headless Chromium opens the emulator's web
pages on those runs (job list, the run URL run-now printed, a failed run); screenshots go to
$DBK_BROWSER_ARTIFACTS (CTest: <build>/browser-artifacts/pipeline).
"""

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from conftest import REPO, running_emulator, write_notebook

sys.path.insert(0, os.path.join(REPO, "tests", "browser"))
from cdp import Browser  # noqa: E402  (the one Chromium driver, shared with tests/browser)

DBK = os.environ.get("DBK_BIN", "")
ARTIFACTS = os.environ.get("DBK_BROWSER_ARTIFACTS",
                           os.path.join(REPO, "build", "browser-artifacts", "pipeline"))
DRIVER = os.path.join(REPO, "scripts", "pipeline.sh")
MACHINES = 5  # what --small simulates
TRAIN = ("2000-01-01", "2015-10-30")
TEST = ("2015-11-15", "2017-01-01")
SCORE = ("2015-12-30", "2016-04-30")
TEST_DIR = "/Shared/dbk-tests"
TEL = ["volt", "rotate", "pressure", "vibration"]
MEAN_COLS = ([f"{s}_rollingmean_12" for s in TEL] + [f"{s}_rollingmean_24" for s in TEL]
             + ["volt_rollingmean_36", "vibration_rollingmean_36", "rotate_rollingmean_36",
                "pressure_rollingmean_36"])
STD_COLS = [f"{s}_rollingstd_{lag}" for lag in (12, 24, 36) for s in TEL]
ERR_COLS = [f"error{k}sum_rollingmean_24" for k in range(1, 6)]
COMP_COLS = [f"comp{k}sum" for k in range(1, 5)]

EXPORT = (
    "import json, os\n"
    "out = os.environ['DBFS_ROOT'] + '/export'\n"
    "os.makedirs(out, exist_ok=True)\n"
    "for t in ['training_data', 'scoring_input', 'results_output']:\n"
    "    spark.table(t).drop('model_encoded', 'features', 'rawPrediction', 'probability')"
    ".toPandas().to_csv(f'{out}/{t}.csv', index=False)\n"
    "from pyspark.ml import PipelineModel\n"
    "m = PipelineModel.load('dbfs:/storage/models/RandomForest.pqt')\n"
    "unlabeled = spark.table('scoring_input').drop('label_e', 'failure')\n"
    "dbutils.notebook.exit(json.dumps({'stages': [type(s).__name__ for s in m.stages],"
    " 'unlabeled': m.transform(unlabeled).count()}))\n")
# A pure-Python notebook (no JVM, starts fast) that records its pid, then sleeps.
SLEEPER = (
    "import os, time\n"
    "dbutils.widgets.text('NAME', 'sleeper')\n"
    "os.makedirs(os.environ['DBFS_ROOT'] + '/pids', exist_ok=True)\n"
    "with open(os.environ['DBFS_ROOT'] + '/pids/' + dbutils.widgets.get('NAME'), 'w') as f:\n"
    "    f.write(str(os.getpid()))\n"
    "time.sleep(600)\n")


class Workspace:
    """The emulator, and dbk configured for it (the config file the driver wrote)."""

    def __init__(self, url, state, proc):
        self.url, self.state, self.proc = url, state, proc
        self.dbfs = state / "dbfs"
        self.config_file = None

    def dbk(self, *args, timeout=900):
        env = {**os.environ, "DATABRICKS_CONFIG_FILE": str(self.config_file)}
        env.pop("DATABRICKS_HOST", None)
        env.pop("DATABRICKS_TOKEN", None)
        return subprocess.run([DBK, *args], capture_output=True, text=True, timeout=timeout,
                              env=env)

    def dbk_json(self, *args):
        proc = self.dbk(*args)
        assert proc.returncode == 0, (args, proc.stderr)
        return json.loads(proc.stdout)


def _submit_body(cluster_id, notebook, params=None, timeout_seconds=0):
    task = {"task_key": "t", "existing_cluster_id": cluster_id,
            "notebook_task": {"notebook_path": notebook, "base_parameters": params or {}}}
    if timeout_seconds:
        task["timeout_seconds"] = timeout_seconds
    return json.dumps({"run_name": os.path.basename(notebook), "tasks": [task]})


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    state = tmp_path_factory.mktemp("emulator")
    with running_emulator(state, state.parent / "emulator.log") as (url, proc):
        yield Workspace(url, state, proc)


@pytest.fixture(scope="module")
def pipeline(emulator, tmp_path_factory):
    driver_state = tmp_path_factory.mktemp("driver")
    env = {**os.environ, "DATABRICKS_HOST": emulator.url, "DATABRICKS_TOKEN": "dbk-local"}
    env.pop("DATABRICKS_CONFIG_FILE", None)
    proc = subprocess.run(["bash", DRIVER, "--small", "--state", str(driver_state), "--dbk", DBK],
                          capture_output=True, text=True, timeout=1800, env=env, cwd=REPO)
    assert proc.returncode == 0, (proc.stdout[-3000:], proc.stderr[-6000:])
    emulator.config_file = driver_state / "databrickscfg"
    report = json.loads((driver_state / "report.json").read_text())

    nb_dir = tmp_path_factory.mktemp("test_notebooks")
    write_notebook(nb_dir / "export.py", EXPORT)
    write_notebook(nb_dir / "sleeper.py", SLEEPER)
    out = emulator.dbk("workspace", "import_dir", str(nb_dir), TEST_DIR, "--overwrite")
    assert out.returncode == 0, out.stderr
    export = emulator.dbk("runs", "submit", "--wait", "--json",
                          _submit_body(report["cluster_id"], TEST_DIR + "/export"))
    assert export.returncode == 0, export.stderr[-4000:]
    run_id = json.loads(export.stdout)["run_id"]
    exported = emulator.dbk_json("runs", "get-output", "--run-id", str(run_id))
    return {"report": report, "stdout": proc.stdout, "stderr": proc.stderr, "data": emulator.dbfs / "datasets" / "pdm",
            "export": emulator.dbfs / "export", "exported": exported,
            "cluster_id": report["cluster_id"], "notebook_dir": report["notebook_dir"]}


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

def test_driver_prints_the_report(pipeline):
    report, stdout = pipeline["report"], pipeline["stdout"]
    assert report["machines"] == MACHINES
    assert "Pipeline report" in stdout and "Rows per table:" in stdout
    m = report["metrics"]
    for key in ("accuracy", "precision", "recall", "f1"):
        assert f"{key:<10} " in stdout, key
    assert f"accuracy   {m['accuracy']:.4f}" in stdout
    steps = report["steps"]
    for step in ("simulate + upload data", "import notebooks", "ingestion", "features: training",
                 "features: testing", "features: scoring", "model building", "scoring", "total"):
        assert steps[step] > 0, step
    assert steps["total"] >= steps["model building"] + steps["ingestion"]


def test_jobs_were_created_from_the_templates(pipeline, emulator):
    jobs = emulator.dbk_json("jobs", "list", "--output", "JSON")["jobs"]
    names = sorted(j["settings"]["name"] for j in jobs)
    assert names == ["Data ingestion", "Feature Engineering", "Model Building", "Model Scoring",
                     "Scoring Workflow"]
    job = emulator.dbk_json("jobs", "get", "--job-id", str(jobs[0]["job_id"]))
    task = job["settings"]["tasks"][0]
    assert task["existing_cluster_id"] == pipeline["cluster_id"]
    assert task["notebook_task"]["notebook_path"].startswith(pipeline["notebook_dir"] + "/")
    assert pipeline["notebook_dir"] == "/Users/emulator@dbk.local/notebooks"  # the SCIM default
    assert task["timeout_seconds"] == 3600 and task["max_retries"] == 1


def test_ingestion_counts(pipeline):
    counts = pipeline["report"]["outputs"]["ingestion"]
    data = pipeline["data"]
    for table, file in [("machines_files", "machines"), ("errors_files", "errors"), ("maint_files", "maint"),
                        ("telemetry_files", "telemetry"), ("failure_files", "failures")]:
        assert counts[table] == len(pd.read_csv(data / f"{file}.csv")), table
        assert pipeline["report"]["tables"][table] == counts[table]


def test_bucket_row_counts(pipeline):
    outputs, tables = pipeline["report"]["outputs"], pipeline["report"]["tables"]
    data = pipeline["data"]
    for step, table, window, buckets in [("features: training", "training_data", TRAIN, 604),
                                         ("features: testing", "testing_data", TEST, 96),
                                         ("features: scoring", "scoring_input", SCORE, 6)]:
        out = outputs[step]
        fail = _fail_only(data, *window)
        extra = int((fail.groupby(["machineID", "dt_truncated"]).size() - 1).sum())
        assert out["buckets"] == buckets * MACHINES, step
        assert out["rows"] == buckets * MACHINES + extra, step
        assert tables[table] == out["rows"], table
    assert tables["results_output"] == tables["scoring_input"]


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
    out = pipeline["report"]["outputs"]["model building"]
    assert out["model_path"] == "dbfs:/storage/models/RandomForest.pqt"
    assert out["num_trees"] == 5 and out["testing_table"] == "testing_data"
    assert out["labels"][0] == "0.0"
    m = out["metrics"]
    assert pipeline["report"]["metrics"] == m
    assert 0.5 < m["accuracy"] <= 1.0
    cm = np.array(out["confusion_matrix"])
    assert cm.sum() == m["rows"] == pipeline["report"]["tables"]["testing_data"]
    tp = sum(cm[k, k] for k in range(1, 5))
    assert m["tp"] == tp and m["tn"] == cm[0, 0]
    assert m["fn"] == cm[1:, 0].sum() and m["fp"] == cm[:, 1:].sum() - tp
    assert m["accuracy"] == pytest.approx((cm[0, 0] + tp) / cm.sum())
    if m["precision"] is not None and m["recall"] is not None and m["precision"] + m["recall"] > 0:
        assert m["f1"] == pytest.approx(2 * m["precision"] * m["recall"] / (m["precision"] + m["recall"]))
    exported = json.loads(pipeline["exported"]["notebook_output"]["result"])
    assert exported["stages"] == ["VectorAssembler", "VectorIndexerModel",
                                  "RandomForestClassificationModel", "IndexToString"]
    assert exported["unlabeled"] >= 6 * MACHINES  # scored without label_e/failure columns


def test_scoring_results(pipeline):
    res = _load_export(pipeline, "results_output")
    assert list(res.columns) == ["machineID", "dt_truncated", "label_e", "prediction", "predicted_label"]
    assert set(res["predicted_label"]) <= {0.0, 1.0, 2.0, 3.0, 4.0}
    assert res["dt_truncated"].min() == pd.Timestamp("2015-12-30 00:00")  # 00:00 rows are > "2015-12-30"
    assert res["dt_truncated"].max() == pd.Timestamp("2016-01-01 12:00")
    scoring_input = _load_export(pipeline, "scoring_input")
    keys = ["machineID", "dt_truncated", "label_e"]
    assert (res[keys].sort_values(keys).to_numpy() == scoring_input[keys].sort_values(keys).to_numpy()).all()
    predicted = pipeline["report"]["predicted"]
    assert {float(k): v for k, v in predicted.items()} == res["predicted_label"].value_counts().to_dict()


def test_scoring_workflow_job_chains_features_and_scoring(pipeline, emulator):
    """Job 5: 2_feature_engineering then 4_model_scoring through dbutils.notebook.run, on the
    scoring window; the same model on the same features predicts what the scoring job did."""
    params = json.dumps({"Start_Date": SCORE[0], "zEnd_Date": SCORE[1]})
    proc = emulator.dbk("jobs", "run-now", "--wait", "--job-name", "Scoring Workflow",
                        "--notebook-params", params)
    assert proc.returncode == 0, proc.stderr[-4000:]
    run = json.loads(proc.stdout)
    assert run["state"]["result_state"] == "SUCCESS"
    out = emulator.dbk_json("runs", "get-output", "--run-id", str(run["run_id"]))
    result = json.loads(out["notebook_output"]["result"])
    tables = pipeline["report"]["tables"]
    assert result["feature_engineering"]["rows"] == tables["scoring_input"]
    assert result["scoring"]["table"] == "HPresults_output"
    assert result["scoring"]["rows"] == tables["scoring_input"]
    assert result["scoring"]["predicted"] == pipeline["report"]["predicted"]


@pytest.fixture(scope="module")
def failed_run(pipeline, emulator):
    """`runs submit --wait` of the scoring notebook on a table that does not exist."""
    body = _submit_body(pipeline["cluster_id"], pipeline["notebook_dir"] + "/4_model_scoring",
                        {"SCORING_DATA": "no_such_table"})
    proc = emulator.dbk("runs", "submit", "--wait", "--json", body)
    assert proc.returncode == 3, proc.stderr
    return json.loads(proc.stdout)


def test_failing_notebook_ends_failed_with_its_python_error(failed_run, emulator):
    run = failed_run
    assert run["state"]["result_state"] == "FAILED"
    out = emulator.dbk("runs", "get-output", "--run-id", str(run["run_id"]))
    assert out.returncode == 0, out.stderr
    output = json.loads(out.stdout)
    assert output["error"].startswith("AnalysisException") and "no_such_table" in output["error"]
    assert "cell" in output["error_trace"]


def _wait_for(predicate, timeout=120, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped) counts as stopped
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_cancel_stops_the_notebook_process(pipeline, emulator):
    body = _submit_body(pipeline["cluster_id"], TEST_DIR + "/sleeper", {"NAME": "cancel"})
    run_id = emulator.dbk_json("runs", "submit", "--json", body)["run_id"]
    pid_file = emulator.dbfs / "pids" / "cancel"
    pid = _wait_for(lambda: pid_file.exists() and pid_file.read_text().strip(), what="the notebook to start")
    pid = int(pid)
    assert _alive(pid)
    assert emulator.dbk("runs", "cancel", "--run-id", str(run_id)).returncode == 0

    def finished():
        run = emulator.dbk_json("runs", "get", "--run-id", str(run_id))
        return run if run["state"]["life_cycle_state"] == "TERMINATED" else None
    run = _wait_for(finished, what="the cancelled run to terminate")
    assert run["state"]["result_state"] == "CANCELED"
    _wait_for(lambda: not _alive(pid), timeout=30, what="the notebook process to exit")


def test_task_timeout_ends_timedout(pipeline, emulator):
    body = _submit_body(pipeline["cluster_id"], TEST_DIR + "/sleeper", {"NAME": "timeout"},
                        timeout_seconds=3)
    started = time.monotonic()
    proc = emulator.dbk("runs", "submit", "--wait", "--json", body, timeout=300)
    assert proc.returncode == 3, proc.stderr
    run = json.loads(proc.stdout)
    assert run["state"]["result_state"] == "TIMEDOUT"
    assert time.monotonic() - started < 120
    pid = int((emulator.dbfs / "pids" / "timeout").read_text())
    _wait_for(lambda: not _alive(pid), timeout=30, what="the timed-out process to exit")


def test_wait_timeout_exits_4_and_leaves_the_run_going(pipeline, emulator):
    body = _submit_body(pipeline["cluster_id"], TEST_DIR + "/sleeper", {"NAME": "wait"})
    started = time.monotonic()
    proc = emulator.dbk("runs", "submit", "--wait", "--timeout", "2s", "--json", body, timeout=120)
    assert proc.returncode == 4, (proc.stdout, proc.stderr)
    assert time.monotonic() - started < 60
    active = emulator.dbk_json("runs", "list", "--active-only", "--output", "JSON").get("runs", [])
    sleepers = [r for r in active if r.get("run_name") == "sleeper"]
    assert len(sleepers) == 1, active
    assert emulator.dbk("runs", "cancel", "--run-id", str(sleepers[0]["run_id"])).returncode == 0


def _start_waiting_on_sleeper(pipeline, emulator, name, *flags, terminal=False, **popen):
    """`dbk runs submit --wait` on a sleeper; returns (dbk process, run_id) once it runs."""
    body = json.loads(_submit_body(pipeline["cluster_id"], TEST_DIR + "/sleeper", {"NAME": name}))
    body["run_name"] = f"sleeper-{name}"  # tells this run apart from earlier sleepers
    body = json.dumps(body)
    env = {**os.environ, "DATABRICKS_CONFIG_FILE": str(emulator.config_file)}
    for key in ("DATABRICKS_HOST", "DATABRICKS_TOKEN") + (("NO_COLOR",) if terminal else ()):
        env.pop(key, None)
    if terminal:
        env["TERM"] = "xterm"
    proc = subprocess.Popen([DBK, "runs", "submit", "--wait", *flags, "--json", body], env=env,
                            **popen)
    pid_file = emulator.dbfs / "pids" / name
    _wait_for(lambda: pid_file.exists() and pid_file.read_text().strip(), what="the notebook to start")
    active = emulator.dbk_json("runs", "list", "--active-only", "--output", "JSON").get("runs", [])
    (run_id,) = [r["run_id"] for r in active if r.get("run_name") == f"sleeper-{name}"]
    return proc, run_id


def _final_state(emulator, run_id):
    def finished():
        run = emulator.dbk_json("runs", "get", "--run-id", str(run_id))
        return run if run["state"]["life_cycle_state"] == "TERMINATED" else None
    return _wait_for(finished, what="the run to terminate")["state"]["result_state"]


def test_ctrl_c_with_cancel_on_interrupt_cancels_the_run(pipeline, emulator):
    proc, run_id = _start_waiting_on_sleeper(pipeline, emulator, "interrupt", "--cancel-on-interrupt",
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"Cancelled run {run_id}." in err
    assert _final_state(emulator, run_id) == "CANCELED"


def test_ctrl_c_without_a_terminal_stops_waiting_and_leaves_the_run(pipeline, emulator):
    proc, run_id = _start_waiting_on_sleeper(pipeline, emulator, "detach", stdin=subprocess.DEVNULL,
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"run {run_id} keeps running" in err
    run = emulator.dbk_json("runs", "get", "--run-id", str(run_id))
    assert run["state"]["life_cycle_state"] in ("PENDING", "RUNNING")
    assert emulator.dbk("runs", "cancel", "--run-id", str(run_id)).returncode == 0
    assert _final_state(emulator, run_id) == "CANCELED"


def test_ctrl_c_on_a_terminal_asks_before_cancelling(pipeline, emulator):
    """On a terminal dbk draws a live status line and, on Ctrl-C, asks whether to cancel."""
    leader, follower = pty.openpty()
    try:
        proc, run_id = _start_waiting_on_sleeper(pipeline, emulator, "prompt", terminal=True,
                                                 stdin=follower, stdout=subprocess.PIPE,
                                                 stderr=follower)
        seen = b""

        def read_until(text):
            nonlocal seen
            deadline = time.monotonic() + 60
            while text not in seen and time.monotonic() < deadline:
                ready, _, _ = select.select([leader], [], [], 0.5)
                if ready:
                    seen += os.read(leader, 4096)
            return text in seen

        assert read_until(f"\r\x1b[KWaiting for run {run_id}: ".encode()), seen  # the live line
        proc.send_signal(signal.SIGINT)
        assert read_until(f"Cancel run {run_id}? [y/N]".encode()), seen
        os.write(leader, b"y\n")
        proc.communicate(timeout=60)
        assert proc.returncode == 130
        assert read_until(f"Cancelled run {run_id}.".encode()), seen
    finally:
        os.close(leader)
        os.close(follower)
    assert _final_state(emulator, run_id) == "CANCELED"


# ------------------------------------------------------------------ web pages (headless Chromium)

@pytest.fixture(scope="module")
def browser():
    """Without Chromium this fails (find_chromium raises); it is never skipped."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    b = Browser()
    yield b
    b.close()


def _shot(browser, name):
    browser.screenshot(os.path.join(ARTIFACTS, name + ".png"))


def test_web_job_list_shows_the_pipeline_jobs(pipeline, emulator, browser):
    names = set()
    for spec in os.listdir(os.path.join(REPO, "jobs")):
        if re.fullmatch(r"0\d_\w+\.json", spec):
            with open(os.path.join(REPO, "jobs", spec), encoding="utf-8") as f:
                names.add(json.load(f)["name"])
    assert len(names) == 5, names
    ids = {j["settings"]["name"]: str(j["job_id"])
           for j in emulator.dbk_json("jobs", "list", "--output", "JSON")["jobs"]}
    browser.open(emulator.url + "/")
    browser.wait_for(f"document.querySelectorAll('main tbody tr').length === {len(names)}",
                     what="the pipeline's jobs")
    rows = browser.evaluate("Array.from(document.querySelectorAll('main tbody tr'))"
                            ".map(r => Array.from(r.cells).map(c => c.textContent))")
    by_name = {row[0]: row for row in rows}
    assert set(by_name) == names
    for name in names:
        assert by_name[name][1] == ids[name], name
    # Every job the driver ran ended well; its last run says so.
    for name in ("Data ingestion", "Feature Engineering", "Model Building", "Model Scoring"):
        assert by_name[name][3].startswith("SUCCESS"), by_name[name]
    _shot(browser, "pipeline-jobs")


def test_web_run_page_at_the_url_run_now_printed_shows_success_tasks_and_exit_value(
        pipeline, emulator, browser):
    # `dbk jobs run-now --wait` prints "Run N: STATE (time) URL" on stderr; the driver's first
    # run is the ingestion job's.
    printed = re.findall(r"^Run (\d+): .* (http://\S+#job/(\d+)/run/(\d+))$", pipeline["stderr"], re.M)
    assert printed, pipeline["stderr"][-3000:]
    run_id, url, job_in_url, run_in_url = printed[0]
    assert run_in_url == run_id and url.startswith(emulator.url + "/?o=0#job/")
    run = emulator.dbk_json("runs", "get", "--run-id", run_id)
    assert str(run["job_id"]) == job_in_url and run["state"]["result_state"] == "SUCCESS"
    job = emulator.dbk_json("jobs", "get", "--job-id", job_in_url)
    assert job["settings"]["name"] == "Data ingestion"

    browser.open(url)
    tasks = run["tasks"]
    browser.wait_for(f"document.querySelectorAll('section.task pre.result').length === {len(tasks)}",
                     timeout=60, what="each task's exit value")
    assert browser.texts("h1 .badge") == ["SUCCESS"]
    keys = browser.evaluate("Array.from(document.querySelectorAll('section.task')).map(s => s.dataset.task)")
    assert keys == [t["task_key"] for t in tasks] == ["data_ingestion"]
    assert browser.texts("section.task h3 .badge") == ["SUCCESS"] * len(tasks)
    for task, shown in zip(tasks, browser.texts("section.task pre.result")):
        output = emulator.dbk_json("runs", "get-output", "--run-id", str(task["run_id"]))
        assert shown == output["notebook_output"]["result"]
        assert json.loads(shown) == pipeline["report"]["outputs"]["ingestion"]
    _shot(browser, "pipeline-run-succeeded")


def test_web_run_page_of_a_failed_pipeline_run_shows_the_error(failed_run, emulator, browser):
    assert failed_run["state"]["result_state"] == "FAILED"
    url = failed_run["run_page_url"]
    assert url.startswith(emulator.url + "/?o=0#")
    browser.open(url)
    browser.wait_for("document.querySelector('section.task pre.error')", timeout=60, what="the task's error")
    assert browser.texts("h1 .badge") == ["FAILED"]
    error = browser.texts("section.task pre.error")[0]
    assert error.startswith("AnalysisException") and "no_such_table" in error
    assert "cell" in browser.texts("section.task pre.trace")[0]
    _shot(browser, "pipeline-run-failed")


def test_web_pages_raised_no_script_error(browser):
    assert browser.console_errors() == []
