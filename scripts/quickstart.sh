#!/usr/bin/env bash
# The main job: sets up a fresh Debian 12 machine, builds and installs dbk (and the library
# examples), starts the workspace emulator with a state folder and runs the whole
# predictive-maintenance pipeline through dbk on real PySpark (scripts/pipeline.sh):
# configure, import the notebooks, create the jobs, upload data, ingest → features → train a
# RandomForest → score, each step a `dbk jobs run-now --wait`, ending in a report.
#   scripts/quickstart.sh                  # local emulator (state in .state/quickstart)
#   scripts/quickstart.sh --small          # 5 machines, 5 trees: a few minutes
#   scripts/quickstart.sh --machines N --trees N
#   scripts/quickstart.sh --profile NAME   # a real workspace from ~/.databrickscfg
set -euo pipefail
cd "$(dirname "$0")/.."

pipeline_args=()
profile=""
while (($#)); do
  case "$1" in
    --profile) profile="${2:?--profile needs a name}"; pipeline_args+=(--profile "$profile"); shift 2 ;;
    --small) pipeline_args+=(--small); shift ;;
    --machines|--trees|--cluster-id) pipeline_args+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "quickstart: unknown argument $1" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
jobs="$(nproc)"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
cmake --install build/release --prefix build/install >/dev/null
cmake -S examples -B build/examples -G Ninja -DCMAKE_PREFIX_PATH="$PWD/build/install" >/dev/null
cmake --build build/examples -j "$jobs" >/dev/null
dbk="$PWD/build/release/cli/dbk"

emulator_pid=""
cleanup() { [ -z "$emulator_pid" ] || kill "$emulator_pid" 2>/dev/null || true; }
trap cleanup EXIT

if [ -n "$profile" ]; then
  exec scripts/pipeline.sh --dbk "$dbk" --state .state/pipeline-"$profile" "${pipeline_args[@]}"
fi

mkdir -p .state/quickstart
url_file="$(mktemp)"
"$dbk" emulator --host 127.0.0.1 --port 0 --state .state/quickstart >"$url_file" 2>.state/quickstart.log &
emulator_pid=$!
for _ in $(seq 100); do [ -s "$url_file" ] && break; sleep 0.1; done
host="$(head -n1 "$url_file")"
rm -f "$url_file"
[ -n "$host" ] || { echo "quickstart: the emulator did not start (see .state/quickstart.log)" >&2; exit 1; }
echo "emulator: $host (state in .state/quickstart, log in .state/quickstart.log)"
# The emulator accepts any token when it has none of its own (loopback only).
DATABRICKS_HOST="$host" DATABRICKS_TOKEN="dbk-local" \
  scripts/pipeline.sh --dbk "$dbk" --state .state/pipeline "${pipeline_args[@]}"
