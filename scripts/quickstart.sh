#!/usr/bin/env bash
# The main job: sets up a fresh Debian 12 machine, builds dbk, starts the workspace
# emulator with a state folder and runs an end-to-end flow through the client library
# (workspace import/export, a DBFS round trip, a job run waited for).
#   scripts/quickstart.sh                 # against a local emulator (state in .state/quickstart)
#   scripts/quickstart.sh --profile NAME  # against a real workspace from ~/.databrickscfg
set -euo pipefail
cd "$(dirname "$0")/.."

profile=""
while (($#)); do
  case "$1" in
    --profile) profile="${2:?--profile needs a name}"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
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

if [ -z "$profile" ]; then
  mkdir -p .state/quickstart
  url_file="$(mktemp)"
  "$dbk" emulator --host 127.0.0.1 --port 0 --state .state/quickstart >"$url_file" 2>.state/quickstart.log &
  emulator_pid=$!
  for _ in $(seq 100); do [ -s "$url_file" ] && break; sleep 0.1; done
  host="$(head -n1 "$url_file")"
  rm -f "$url_file"
  [ -n "$host" ] || { echo "quickstart: the emulator did not start (see .state/quickstart.log)" >&2; exit 1; }
  echo "emulator: $host (state in .state/quickstart)"
  export DATABRICKS_HOST="$host" DATABRICKS_TOKEN="dbk-local"
  build/examples/workspace_tour/workspace_tour
else
  build/examples/workspace_tour/workspace_tour --profile "$profile"
fi
