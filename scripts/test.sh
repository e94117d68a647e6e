#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine and runs the whole test suite:
#   1. installs the dependencies (scripts/install-deps.sh),
#   2. builds everything with AddressSanitizer + UndefinedBehaviorSanitizer and runs every test
#      (unit, emulator, integration, CLI transcripts, official-SDK and legacy-CLI parity,
#      notebook runtime and pipeline) through CTest,
#   3. builds the release configuration and checks its Debian package on this machine
#      (scripts/package-check.sh): the .deb installed with apt-get, the build tree moved aside,
#      then `dbk --version`, the examples built against the installed package (find_package(dbk)
#      from /usr, as an embedding project would) and a notebook run on an emulator started from
#      /usr/bin/dbk.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

jobs="$(nproc)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs"

cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
scripts/package-check.sh
