#!/usr/bin/env bash
# The predictive-maintenance pipeline through dbk, as in the seed README: configure, import
# the notebooks, find the cluster, create the five jobs from jobs/*.json (templates filled by
# `dbk jobs create --var`), upload simulated data, then run ingestion → features (training,
# testing, scoring) → model building → scoring with `run-now --wait`, and print a report.
#
#   DATABRICKS_HOST=URL DATABRICKS_TOKEN=T scripts/pipeline.sh [options]   # any workspace
#   scripts/pipeline.sh --profile NAME [options]                          # ~/.databrickscfg
#
# Options:
#   --machines N      simulated machines (default 100)
#   --trees N         RandomForest trees (default 200)
#   --small           5 machines, 5 trees (tests, a quick look)
#   --profile NAME    use this profile of ~/.databrickscfg instead of DATABRICKS_HOST/TOKEN
#   --state DIR       config file, data and report go here (default .state/pipeline)
#   --cluster-id ID   run on this cluster (default: the first RUNNING one of `clusters list`)
#   --dbk PATH        the dbk binary (default $DBK, build/release/cli/dbk, or dbk on PATH)
#
# Without --profile the host and token are written by `dbk configure` into DIR/databrickscfg
# (DATABRICKS_CONFIG_FILE), so ~/.databrickscfg is never touched. The report is printed and
# kept as DIR/report.json. Exit status: 0 when every run succeeded.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

machines=100
trees=200
profile=""
state=".state/pipeline"
cluster_id=""
dbk_bin="${DBK:-}"
while (($#)); do
  case "$1" in
    --machines) machines="${2:?--machines needs a number}"; shift 2 ;;
    --trees) trees="${2:?--trees needs a number}"; shift 2 ;;
    --small) machines=5; trees=5; shift ;;
    --profile) profile="${2:?--profile needs a name}"; shift 2 ;;
    --state) state="${2:?--state needs a folder}"; shift 2 ;;
    --cluster-id) cluster_id="${2:?--cluster-id needs an id}"; shift 2 ;;
    --dbk) dbk_bin="${2:?--dbk needs a path}"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "pipeline: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ -z "$dbk_bin" ]; then
  if [ -x build/release/cli/dbk ]; then dbk_bin="$PWD/build/release/cli/dbk"; else dbk_bin="$(command -v dbk || true)"; fi
fi
[ -n "$dbk_bin" ] && [ -x "$dbk_bin" ] || { echo "pipeline: no dbk binary (build it, or pass --dbk PATH)" >&2; exit 2; }
py="$repo/.venv/bin/python"
[ -x "$py" ] || { echo "pipeline: $py is missing; run scripts/install-deps.sh" >&2; exit 2; }
mkdir -p "$state"
state="$(cd "$state" && pwd)"
logs="$state/logs"
mkdir -p "$logs"

# Every dbk call goes through here, so --profile reaches all of them.
profile_args=()
[ -z "$profile" ] || profile_args=(--profile "$profile")
dbk() { "$dbk_bin" "$@" "${profile_args[@]}"; }
# json FILE EXPR: evaluates a Python expression on the JSON document in FILE (as `d`).
json() { "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
now() { date +%s.%N; }
say() { printf '\n== %s\n' "$*" >&2; }

steps=()     # "name<TAB>seconds" for the report
outputs=()   # "name<TAB>file with the notebook's exit value"
timed() {    # timed NAME CMD...: runs CMD, records its wall time
  local name="$1" start rc=0
  shift
  start="$(now)"
  "$@" || rc=$?
  steps+=("$name"$'\t'"$(awk -v a="$start" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}')")
  return "$rc"
}

# --- configure ------------------------------------------------------------------------
if [ -z "$profile" ]; then
  : "${DATABRICKS_HOST:?set DATABRICKS_HOST and DATABRICKS_TOKEN, or pass --profile NAME}"
  : "${DATABRICKS_TOKEN:?set DATABRICKS_TOKEN, or pass --profile NAME}"
  export DATABRICKS_CONFIG_FILE="$state/databrickscfg"
  say "dbk configure --host $DATABRICKS_HOST (config in $DATABRICKS_CONFIG_FILE)"
  dbk configure --host "$DATABRICKS_HOST" <<<"$DATABRICKS_TOKEN"
  # From here on every command runs off the configured file, as a user's shell would.
  unset DATABRICKS_HOST DATABRICKS_TOKEN
fi

total_start="$(now)"

# --- data -------------------------------------------------------------------------------
say "simulating $machines machines (data/simulate_pdm.py --seed 42) and uploading to dbfs:/datasets/pdm/"
upload() {
  rm -rf "$state/pdm"
  "$py" data/simulate_pdm.py --machines "$machines" --seed 42 --out "$state/pdm" >&2
  dbk fs rm -r dbfs:/datasets/pdm >/dev/null
  dbk fs cp -r "$state/pdm" dbfs:/datasets/pdm >"$logs/upload.txt"
  sed 's/^/  /' "$logs/upload.txt" >&2
}
timed "simulate + upload data" upload

# --- notebooks, cluster, jobs -----------------------------------------------------------
notebook_dir="$(dbk jobs render --json '{"d": "{{notebook_dir}}"}' | "$py" -c 'import json,sys; print(json.load(sys.stdin)["d"])')"
say "dbk workspace import_dir notebooks $notebook_dir"
timed "import notebooks" dbk workspace import_dir notebooks "$notebook_dir" --overwrite >&2

say "dbk clusters list"
dbk clusters list >&2
if [ -z "$cluster_id" ]; then
  dbk clusters list --output JSON >"$logs/clusters.json"
  cluster_id="$(json "$logs/clusters.json" 'next((c["cluster_id"] for c in d.get("clusters", []) if c.get("state") == "RUNNING"), next((c["cluster_id"] for c in d.get("clusters", [])), ""))')"
  [ -n "$cluster_id" ] || { echo "pipeline: no cluster; pass --cluster-id ID" >&2; exit 1; }
fi
echo "cluster: $cluster_id" >&2

say "dbk jobs create --upsert --json-file jobs/0N_*.json --var cluster_id=$cluster_id --var notebook_dir=$notebook_dir"
for spec in jobs/0*_*.json; do
  dbk jobs create --upsert --json-file "$spec" --var "cluster_id=$cluster_id" \
    --var "notebook_dir=$notebook_dir" >"$logs/job.json"
  printf '  %-40s job_id %s\n' "$spec" "$(json "$logs/job.json" 'd["job_id"]')" >&2
done

# --- runs -------------------------------------------------------------------------------
# run STEP JOB_NAME [PARAM=VALUE...]: run-now --wait (progress on stderr), then keep the
# notebook's exit value; on failure show the run's error from get-output and stop.
run() {
  local step="$1" job="$2" rc=0
  shift 2
  local params=()
  for p in "$@"; do params+=(--notebook-params "$p"); done
  say "$step: dbk jobs run-now --wait --job-name '$job' ${params[*]}"
  timed "$step" dbk jobs run-now --wait --job-name "$job" "${params[@]}" >"$logs/$step.run.json" || rc=$?
  if [ ! -s "$logs/$step.run.json" ]; then
    echo "pipeline: $step: run-now failed (exit $rc)" >&2
    exit 1
  fi
  local run_id
  run_id="$(json "$logs/$step.run.json" 'd["run_id"]')"
  dbk runs get-output --run-id "$run_id" >"$logs/$step.output.json" || true
  if [ "$rc" -ne 0 ]; then
    echo "pipeline: $step (run $run_id) ended $(json "$logs/$step.run.json" 'd["state"].get("result_state", d["state"]["life_cycle_state"])'):" >&2
    json "$logs/$step.output.json" 'd.get("error", "") + "\n" + d.get("error_trace", "")[-3000:]' >&2 || true
    exit 1
  fi
  outputs+=("$step"$'\t'"$logs/$step.output.json")
}

run ingestion "Data ingestion" DATA_SOURCE=dbfs:/datasets/pdm/
run "features: training" "Feature Engineering" FEATURES_TABLE=training_data Start_Date=2000-01-01 zEnd_Date=2015-10-30
run "features: testing" "Feature Engineering" FEATURES_TABLE=testing_data Start_Date=2015-11-15 zEnd_Date=2017-01-01
run "features: scoring" "Feature Engineering" FEATURES_TABLE=scoring_input Start_Date=2015-12-30 zEnd_Date=2016-04-30
run "model building" "Model Building" model=RandomForest NUM_TREES="$trees"
run scoring "Model Scoring" SCORING_DATA=scoring_input RESULTS_DATA=results_output MODEL_TYPE=RandomForest

# --- optional cross-check with the native scorer ----------------------------------------
score_file=""
if "$dbk_bin" score --help >/dev/null 2>&1; then
  say "dbk score: native scoring of scoring_input, compared with results_output"
  score_file="$logs/score.txt"
  score_rc=0
  timed "native scorer cross-check" dbk score --model dbfs:/storage/models/RandomForest.pqt \
    --input dbfs:/user/hive/warehouse/scoring_input \
    --compare-with dbfs:/user/hive/warehouse/results_output \
    --key machineID,dt_truncated >"$score_file" 2>&1 || score_rc=$?
  echo "exit code: $score_rc" >>"$score_file"
fi

# --- report -----------------------------------------------------------------------------
steps+=("total"$'\t'"$(awk -v a="$total_start" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')")
printf '%s\n' "${steps[@]}" >"$logs/steps.tsv"
printf '%s\n' "${outputs[@]}" >"$logs/outputs.tsv"
"$py" - "$logs/steps.tsv" "$logs/outputs.tsv" "$state/report.json" "$machines" "$trees" "$cluster_id" "$score_file" "$notebook_dir" <<'EOF'
import json, sys
steps_file, outputs_file, report_file, machines, trees, cluster, score_file, notebook_dir = sys.argv[1:]
steps = [line.rstrip("\n").split("\t") for line in open(steps_file) if line.strip()]
outs = {}
for line in open(outputs_file):
    if line.strip():
        name, path = line.rstrip("\n").split("\t")
        result = json.load(open(path)).get("notebook_output", {}).get("result")
        outs[name] = json.loads(result) if result else {}
ingest, model, scoring = outs["ingestion"], outs["model building"], outs["scoring"]
tables = dict(ingest)
for step, table in [("features: training", "training_data"), ("features: testing", "testing_data"),
                    ("features: scoring", "scoring_input")]:
    tables[table] = outs[step]["rows"]
tables[scoring["table"]] = scoring["rows"]
metrics = model.get("metrics") or {}
report = {"machines": int(machines), "trees": int(trees), "cluster_id": cluster,
          "notebook_dir": notebook_dir, "tables": tables,
          "model": {k: model.get(k) for k in ("model_type", "model_path", "training_rows", "num_trees")},
          "testing_table": model.get("testing_table"), "metrics": metrics,
          "confusion_matrix": model.get("confusion_matrix"), "predicted": scoring.get("predicted"),
          "steps": {name: float(secs) for name, secs in steps}, "outputs": outs}
if score_file:
    report["native_scorer"] = open(score_file).read()
json.dump(report, open(report_file, "w"), indent=2)

print(f"\nPipeline report ({machines} machines, RandomForest {trees} trees, cluster {cluster})")
print("\nRows per table:")
for table, rows in tables.items():
    print(f"  {table:<20} {rows:>10,}")
print(f"\nModel on {model.get('testing_table')} ({metrics.get('rows', 0):,} rows; "
      "classes 1-4 are failures):")
fmt = lambda v: "n/a" if v is None else f"{v:.4f}"
for key in ("accuracy", "precision", "recall", "f1"):
    print(f"  {key:<10} {fmt(metrics.get(key))}")
print(f"  TP {metrics.get('tp')}  FP {metrics.get('fp')}  TN {metrics.get('tn')}  FN {metrics.get('fn')}")
if scoring.get("predicted"):
    print("  scoring predictions: " + ", ".join(f"{k}: {v}" for k, v in sorted(scoring["predicted"].items())))
if score_file:
    print("\nNative scorer cross-check (dbk score):")
    print("".join("  " + line for line in open(score_file).readlines()[-15:]), end="")
print("\nWall time per step:")
for name, secs in steps:
    print(f"  {name:<28} {float(secs):>8.1f} s")
print(f"\n(report saved as {report_file})")
EOF
if [ -n "$score_file" ] && ! grep -q '^exit code: 0$' "$score_file"; then
  echo "pipeline: the native scorer cross-check did not pass (see above)" >&2
  exit 1
fi
