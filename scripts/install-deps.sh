#!/usr/bin/env bash
# Installs everything dbk needs to build, test and run the pipeline, idempotently.
# Debian packages via apt-get; Python packages into .venv from PyPI (pinned in requirements/).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian 12 packages, each for a reason:
#   build-essential cmake ninja-build  - the toolchain
#   libcpprest-dev                     - HTTP client transport (chosen dependency)
#   nlohmann-json3-dev                 - JSON (chosen dependency)
#   libboost-program-options-dev       - CLI parsing (chosen dependency)
#   libboost-dev libboost-system-dev   - Boost.Beast/Asio headers for the emulator's HTTP server
#   libssl-dev                         - TLS (chosen dependency)
#   catch2                             - unit tests (chosen dependency)
#   libsnappy-dev zlib1g-dev libzstd-dev - Parquet page codecs for the native scorer
#   libicu-dev                         - the scorer's text stages: Java-like regex and lowercasing
#   openjdk-17-jre-headless            - the JVM that PySpark runs on
#   python3-venv                       - isolated Python environment for PySpark and test peers
#   clang-format clang-tidy            - formatting and lint checks
#   clang-14 libclang-rt-14-dev        - libFuzzer (clang only) for the Parquet reader's fuzz test
#   openssl procps curl                - test certificates, process control, smoke checks
#   file groff-base                    - the Debian package: CPack finds the ELF files for
#                                        dpkg-shlibdeps with file; man page lint (package-check.sh)
#   git                                - the emulator's Repos API clones and checks out with it
#   chromium                           - the headless browser the emulator's web pages are
#                                        tested in (tests/browser, over the DevTools Protocol)
APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libcpprest-dev nlohmann-json3-dev libboost-program-options-dev libboost-dev libboost-system-dev
  libssl-dev catch2 libsnappy-dev zlib1g-dev libzstd-dev libicu-dev
  openjdk-17-jre-headless python3-venv clang-format clang-tidy clang-14 libclang-rt-14-dev
  openssl procps curl file groff-base chromium git
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "install-deps: apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python environment: PySpark for the notebook runtime, the official Databricks
# clients as test peers, and readers used to cross-check data in tests.
PYTHON="${DBK_PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(cat requirements/*.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "install-deps: pip install -r requirements/*.txt"
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  for req in requirements/*.txt; do
    .venv/bin/pip install -q --disable-pip-version-check -r "$req"
  done
  echo "$want" > "$stamp"
fi
