#!/usr/bin/env python3
"""Golden transcript tests of the dbk binary against a fresh emulator.

Each case is a folder holding `script` (bash) and `output.txt` (expected
transcript). The runner starts `dbk emulator --port 0` for every case, writes a
config file pointing at it, runs the script with `run` and `admin` helpers on
PATH, normalises volatile values and compares. `--update` rewrites output.txt
(review the diff before committing it).

    run_golden.py --bin-dir build/cli/cli [--update] [CASE...]
"""
import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN = "dapi-golden-test-token"

PRELUDE = r'''
set -u
# show FILE: prints it, marking a missing final newline.
show() {
  cat "$1"
  if [ -s "$1" ] && [ -n "$(tail -c1 "$1")" ]; then printf '\n[no newline at end]\n'; fi
}
report() {
  show "$DBK_SCRATCH/out"
  if [ -s "$DBK_SCRATCH/err" ]; then echo "[stderr]"; show "$DBK_SCRATCH/err"; fi
  echo "Exit code: $1"
  echo
}
# run CMD...: prints the command, its stdout, its stderr (after [stderr]) and its exit code.
run() {
  printf '$ %s\n' "$*"
  local rc=0
  "$@" >"$DBK_SCRATCH/out" 2>"$DBK_SCRATCH/err" </dev/null || rc=$?
  report "$rc"
}
# run_stdin TEXT CMD...: like run, with TEXT on stdin.
run_stdin() {
  local input="$1"; shift
  printf '$ %s <<< %s\n' "$*" "$input"
  local rc=0
  "$@" >"$DBK_SCRATCH/out" 2>"$DBK_SCRATCH/err" <<<"$input" || rc=$?
  report "$rc"
}
# admin METHOD PATH [JSON]: calls the emulator's /__dbk/ test surface quietly.
admin() {
  curl -sf -X "$1" -H "Authorization: Bearer $DBK_TOKEN" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} "$DBK_HOST$2" >/dev/null
}
'''


def start_emulator(bin_dir, state_dir):
    proc = subprocess.Popen(
        [os.path.join(bin_dir, "dbk"), "emulator", "--port", "0", "--state", state_dir,
         "--token", TOKEN],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("http"):
        proc.kill()
        err = proc.stderr.read()
        raise RuntimeError("emulator did not start: %r %s" % (line, err))
    return proc, line


def normalise(text, host, work):
    text = text.replace(host, "$HOST")
    text = text.replace(work, "$WORK")
    # Epoch milliseconds (created_time, start_time, modification_time, ...).
    text = re.sub(r"\b1[5-9]\d{11}\b", "<TIME>", text)
    # Durations measured by the emulator, and ids assigned by parallel imports.
    text = re.sub(r'("[a-z_]*duration": )\d+', r'\1<MS>', text)
    text = re.sub(r'("(?:scoring_)?seconds"|"rows_per_second"): [0-9.e+-]+', r'\1: <N>', text)
    # The comparison's memory high-water mark depends on how batches interleave across threads.
    text = re.sub(r'("peak_buffered_bytes": )\d+', r'\1<BYTES>', text)
    text = re.sub(r'("object_id": )\d+', r'\1<ID>', text)
    text = re.sub(r'("resource_id": )"\d+"', r'\1"<ID>"', text)
    # Elapsed times in wait progress lines.
    text = re.sub(r"\((?:\d+h)?(?:\d+m)?\d+s\)", "(<ELAPSED>)", text)
    # Temporary upload names and random tokens.
    text = re.sub(r"dbk-tmp-[0-9a-f]+", "dbk-tmp-<HEX>", text)
    text = re.sub(r"\b[0-9a-f]{32}\b", "<HEX32>", text)
    return text


def run_case(name, bin_dir):
    case_dir = os.path.join(HERE, name)
    work = tempfile.mkdtemp(prefix="dbk-golden-")
    state = os.path.join(work, ".state")
    scratch = os.path.join(work, ".scratch")
    home = os.path.join(work, ".home")
    for d in (state, scratch, home):
        os.makedirs(d)
    # Fixtures next to the script are copied so that scripts may write freely.
    for entry in os.listdir(case_dir):
        if entry in ("script", "output.txt"):
            continue
        src = os.path.join(case_dir, entry)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(work, entry))
        else:
            shutil.copy(src, os.path.join(work, entry))
    proc, host = start_emulator(bin_dir, state)
    try:
        config = os.path.join(home, ".databrickscfg")
        with open(config, "w") as f:
            f.write("[DEFAULT]\nhost = %s\ntoken = %s\n" % (host, TOKEN))
        os.chmod(config, 0o600)
        env = {
            "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "DATABRICKS_CONFIG_FILE": config,
            "DBK_HOST": host,
            "DBK_TOKEN": TOKEN,
            "DBK_SCRATCH": scratch,
            "LC_ALL": "C.UTF-8",
            "TERM": "dumb",
        }
        # A sanitizer build of dbk needs its runtime options (suppression files).
        env.update({k: v for k, v in os.environ.items() if k.endswith("SAN_OPTIONS")})
        with open(os.path.join(case_dir, "script")) as f:
            body = f.read()
        result = subprocess.run(["bash", "-c", PRELUDE + body], cwd=work, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                timeout=300)
        text = result.stdout
        if result.returncode != 0:
            text += "Script exit code: %d\n" % result.returncode
        return normalise(text, host, work)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", required=True, help="folder with dbk (and its symlinks)")
    parser.add_argument("--update", action="store_true", help="rewrite output.txt files")
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    bin_dir = os.path.abspath(args.bin_dir)
    cases = args.cases or sorted(
        d for d in os.listdir(HERE) if os.path.isfile(os.path.join(HERE, d, "script")))
    passed = failed = 0
    for name in cases:
        try:
            actual = run_case(name, bin_dir)
        except Exception as e:  # one broken case must not hide the others
            actual = "RUNNER ERROR: %s\n" % e
        expected_path = os.path.join(HERE, name, "output.txt")
        if args.update:
            with open(expected_path, "w") as f:
                f.write(actual)
            print("updated %s" % name)
            passed += 1
            continue
        expected = open(expected_path).read() if os.path.exists(expected_path) else ""
        if actual == expected:
            print("ok      %s" % name)
            passed += 1
        else:
            print("FAILED  %s" % name)
            sys.stdout.writelines(difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True),
                "%s/output.txt" % name, "actual"))
            failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
