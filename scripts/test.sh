#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine and runs the whole test suite:
#   1. installs the dependencies (scripts/install-deps.sh) and, in the background while the
#      C++ build runs, the official Databricks CLI (Go) that tests/go_cli runs against the
#      emulator (scripts/install-go-cli.sh; it needs the machine's Go toolchain),
#   2. builds everything with AddressSanitizer + UndefinedBehaviorSanitizer and runs every test
#      (unit, emulator, integration, CLI transcripts, official Python SDK and Go CLI sessions,
#      legacy-CLI parity, notebook runtime and pipeline) through CTest,
#   3. builds the release configuration and checks its Debian package on this machine
#      (scripts/package-check.sh): the .deb installed with apt-get, the build tree moved aside,
#      then `dbk --version`, the examples built against the installed package (find_package(dbk)
#      from /usr, as an embedding project would) and a notebook run on an emulator started from
#      /usr/bin/dbk.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

# The Go build is mostly downloads and a single link: it overlaps the C++ build. Its log is
# shown only when it fails; a failed install fails the run (the Go CLI test never skips).
mkdir -p .tools
scripts/install-go-cli.sh >.tools/install-go-cli.log 2>&1 &
go_cli_pid=$!
trap 'kill "$go_cli_pid" 2>/dev/null || true' EXIT

jobs="$(nproc)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
if ! wait "$go_cli_pid"; then
  cat .tools/install-go-cli.log >&2
  echo "test.sh: scripts/install-go-cli.sh failed" >&2
  exit 1
fi
trap - EXIT
tail -n 1 .tools/install-go-cli.log
ctest --preset asan -j "$jobs"

cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
scripts/package-check.sh
