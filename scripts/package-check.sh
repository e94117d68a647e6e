#!/usr/bin/env bash
# Proves that the Debian package stands on its own (docs/packaging.md):
#   1. `cpack -G DEB` in the release build (build/release) writes dbk_<version>_<arch>.deb,
#   2. apt-get installs it (with its dependencies),
#   3. the release build tree and the source tree's notebook runtime and web pages are moved
#      aside, so the installed files are all there is, and then:
#      - /usr/bin/dbk, the `databricks` and `dbfs` links, the man page and bash completion work,
#      - libdbk holds no test code (the doubles are in libdbk_testing.a, dbk::testing),
#      - the examples build against the installed CMake package (find_package(dbk) from /usr),
#      - an emulator started from /usr/bin/dbk runs the workspace_tour example's notebook on
#        PySpark (--python: the project venv's interpreter, which has PySpark), and serves
#        its web pages from the installed share/dbk/web.
# Everything moved aside is put back on exit. The package is removed again unless it was
# installed before the check (CI machines are fresh; a developer's machine keeps its state).
# Needs root or sudo for apt-get. scripts/test.sh runs it after the release build.
set -euo pipefail  # (so no `grep -q` at the end of a pipe: its early exit would fail the pipe)
cd "$(dirname "$0")/.."
repo="$PWD"
build=build/release
python="${DBK_PACKAGE_CHECK_PYTHON:-$repo/.venv/bin/python}"
started=$(date +%s)

say() { echo "package-check: $*"; }
die() {
  echo "package-check: FAILED: $*" >&2
  exit 1
}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
[ -f "$build/CMakeCache.txt" ] || die "no release build in $build (cmake --preset release && cmake --build --preset release)"
[ -x "$python" ] || die "$python (with PySpark) is missing; run scripts/install-deps.sh"

# 1. The package.
rm -f "$build"/dbk_*.deb
(cd "$build" && cpack -G DEB >cpack.log 2>&1) || { cat "$build/cpack.log" >&2; die "cpack -G DEB"; }
debs=("$build"/dbk_*.deb)
[ "${#debs[@]}" -eq 1 ] && [ -f "${debs[0]}" ] || die "expected one dbk_*.deb in $build"
deb="$repo/${debs[0]}"
say "built ${debs[0]} ($(du -k "$deb" | cut -f1) KiB)"

# 2. Install it. --reinstall: a rebuilt package of the same version must replace the old files.
was_installed=0
[ "$(dpkg-query -W -f='${Status}' dbk 2>/dev/null)" = "install ok installed" ] && was_installed=1
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --reinstall "$deb" >"$build/apt.log" 2>&1 ||
  { cat "$build/apt.log" >&2; die "apt-get install $deb"; }

# 3. Nothing but the installed files: move the build tree, the source runtime and pages aside.
work="$(mktemp -d "${TMPDIR:-/tmp}/dbk-package-check.XXXXXX")"
moved=()
emulator_pid=""
cleanup() {
  local status=$?
  if [ -n "$emulator_pid" ]; then
    kill -TERM "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null || true
  fi
  for entry in "${moved[@]}"; do mv "${entry#*|}" "${entry%%|*}"; done
  if [ "$status" -ne 0 ] && [ -f "$work/emulator.log" ]; then
    echo "--- emulator log" >&2
    tail -n 40 "$work/emulator.log" >&2
  fi
  rm -rf "$work"
  if [ "$was_installed" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get purge -y -qq dbk >/dev/null 2>&1 || true
  fi
  exit "$status"
}
trap cleanup EXIT
for path in "$build" emulator/runtime emulator/web; do
  aside="$path.package-check-aside.$$"
  mv "$path" "$aside"
  moved+=("$path|$aside")
done

# The program, its links and its documentation.
[ "$(command -v dbk)" = /usr/bin/dbk ] || die "dbk on PATH is $(command -v dbk), not /usr/bin/dbk"
version="$(dbk --version)"
[[ "$version" =~ ^dbk\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || die "dbk --version printed '$version'"
[ "$(databricks --version)" = "databricks ${version#dbk }" ] || die "databricks --version"
dbfs --help | grep >/dev/null "Usage: dbfs" || die "dbfs --help"
if ldd /usr/bin/dbk | grep -e "not found" -e "$repo"; then die "/usr/bin/dbk resolves libraries outside the package"; fi
zcat /usr/share/man/man1/dbk.1.gz | grep >/dev/null '^\.TH DBK 1' || die "man page dbk(1)"
warnings="$(zcat /usr/share/man/man1/dbk.1.gz | groff -man -Tutf8 -ww -z 2>&1)"
[ -z "$warnings" ] || die "groff warns about dbk(1): $warnings"
zcat /usr/share/man/man1/databricks.1.gz | cmp -s - <(zcat /usr/share/man/man1/dbk.1.gz) ||
  die "man page databricks(1)"
completed="$(bash -c 'source /usr/share/bash-completion/completions/databricks
  COMP_WORDS=(databricks jo); COMP_CWORD=1; _dbk_complete; echo "${COMPREPLY[*]}"')"
[ "$completed" = jobs ] || die "bash completion of 'databricks jo' gave '$completed'"
head -n1 /usr/share/zsh/vendor-completions/_dbk | grep >/dev/null '^#compdef dbk' || die "zsh completion"
say "$version, its links, man page and completion are installed"

# No test code in the library; the doubles ship as dbk::testing.
libdir="$(dirname "$(dpkg -L dbk | grep -m1 '/libdbk\.so\.')")"
if nm -DC --defined-only "$libdir"/libdbk.so.* | grep 'dbk::testing::'; then
  die "libdbk exports test doubles"
fi
nm -C --defined-only "$libdir/libdbk_testing.a" | grep >/dev/null 'dbk::testing::FakeTransport::' ||
  die "libdbk_testing.a lacks the fake transport"

# The examples, built as an embedding project builds them: find_package(dbk) from /usr.
cmake -S examples -B "$work/examples" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$work/examples.log" 2>&1 ||
  { cat "$work/examples.log" >&2; die "configuring the examples"; }
grep -q "^dbk_DIR:PATH=$libdir/cmake/dbk$" "$work/examples/CMakeCache.txt" ||
  die "the examples did not find dbk in $libdir/cmake/dbk"
cmake --build "$work/examples" >>"$work/examples.log" 2>&1 ||
  { cat "$work/examples.log" >&2; die "building the examples"; }
fixture=tests/fixtures/scorer/spark-3.5
"$work/examples/score_model/score_model" "$fixture/binary_logistic/model" "$fixture/scoring_input" \
  "$work/scored.jsonl" >"$work/score.out" || { cat "$work/score.out" >&2; die "score_model"; }
grep -q "^scored [1-9][0-9]* of " "$work/score.out" || die "score_model scored nothing"
say "examples built against $libdir/cmake/dbk; score_model: $(grep '^scored' "$work/score.out")"

# A notebook on an emulator served by the installed dbk. HOME and the configuration file are
# the check's own, so a developer's ~/.databrickscfg plays no part.
mkdir -p "$work/home"
export HOME="$work/home" DATABRICKS_CONFIG_FILE="$work/home/.databrickscfg" DBK_CACHE_DIR="$work/cache"
setsid dbk emulator --host 127.0.0.1 --port 0 --state "$work/state" --python "$python" \
  >"$work/emulator.out" 2>"$work/emulator.log" </dev/null &
emulator_pid=$!
for _ in $(seq 300); do
  [ -s "$work/emulator.out" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || die "the emulator exited"
  sleep 0.1
done
url="$(head -n1 "$work/emulator.out")"
[[ "$url" == http://127.0.0.1:* ]] || die "the emulator did not print its URL"
# The emulator was started without --token, so any token is accepted; this one is no secret.
export DATABRICKS_HOST="$url" DATABRICKS_TOKEN=package-check
dbk workspace ls / >/dev/null || die "dbk workspace ls against the emulator"
"$work/examples/workspace_tour/workspace_tour" >"$work/tour.out" 2>&1 ||
  { cat "$work/tour.out" >&2; die "workspace_tour against the emulator"; }
grep -q "succeeded; the notebook returned 10" "$work/tour.out" ||
  { cat "$work/tour.out" >&2; die "the notebook did not return 10"; }
say "workspace_tour ran its notebook on an emulator served by /usr/bin/dbk"
# The web pages, each file of the installed set, with its type.
for page in /:text/html /web/dbk.css:text/css /web/dbk.js:text/javascript /web/jobs.js:text/javascript \
  /web/browse.js:text/javascript /web/main.js:text/javascript /web/favicon.svg:image/svg+xml; do
  type="$(curl -fsS -o /dev/null -w '%{content_type}' "$url${page%%:*}")" ||
    die "the installed emulator does not serve ${page%%:*}"
  [[ "$type" == "${page#*:}"* ]] || die "${page%%:*} is served as '$type'"
done
curl -fsS "$url/" | grep >/dev/null '<script src="/web/dbk.js"' || die "the page at / is not index.html"
dpkg -L dbk | grep >/dev/null '^/usr/share/dbk/web/index.html$' || die "the package lacks share/dbk/web"
say "the emulator serves its web pages from /usr/share/dbk/web"
say "passed in $(($(date +%s) - started)) s"
