#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine and runs the whole test suite:
#   1. installs the dependencies (scripts/install-deps.sh),
#   2. builds everything with AddressSanitizer + UndefinedBehaviorSanitizer and runs every test
#      (unit, emulator, integration, CLI transcripts, official-SDK and legacy-CLI parity,
#      notebook runtime and pipeline) through CTest,
#   3. builds the release configuration, installs it into build/install and builds the
#      examples against the installed package, as an embedding project would (find_package(dbk)).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

jobs="$(nproc)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -j "$jobs"

cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
cmake --install build/release --prefix build/install >/dev/null
cmake -S examples -B build/examples -G Ninja -DCMAKE_PREFIX_PATH="$PWD/build/install" >/dev/null
cmake --build build/examples -j "$jobs"
echo "examples: built against the installed dbk package"
