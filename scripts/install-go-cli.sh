#!/usr/bin/env bash
# Installs the official Databricks CLI (Go) at a pinned version into .tools/go-cli/bin,
# from the Go module proxy. tests/go_cli runs it against the emulator (scripts/test.sh
# installs it for CI); bench/cli_bench.py compares dbk with it.
#   scripts/install-go-cli.sh            # → .tools/go-cli/bin/databricks
#   DATABRICKS_GO_CLI_SRC=/path/to/cli-source scripts/install-go-cli.sh
# The proxy serves exact versions of github.com/databricks/cli but refuses its version
# list, and `go install m@v` asks for that list (deprecation check) and fails; so the
# module is downloaded at its exact version and built in place, with the version stamped
# as the release build stamps it. v0.298.0 is the newest version the proxy served when
# this was pinned. Its go.mod asks for Go 1.25: Debian 12's golang package (1.19) is too old,
# so this uses the Go toolchain the build machine provides (/usr/local/go on CI's).
# The second form builds a source tree instead (its dependencies still come from the proxy).
set -euo pipefail
VERSION="${DATABRICKS_GO_CLI_VERSION:-v0.298.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/.tools/go-cli"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
[[ -x "$GO" ]] || { echo "install-go-cli: no Go toolchain (go on PATH or /usr/local/go/bin/go)" >&2; exit 1; }
if [[ -x "$DEST/bin/databricks" ]] && [[ "$(cat "$DEST/VERSION" 2>/dev/null)" == "$VERSION" ]]; then
  echo "$DEST/bin/databricks ($VERSION) is installed"
  exit 0
fi
mkdir -p "$DEST"
# A private module cache and build cache keep the user's Go setup untouched;
# -modcacherw lets `rm -rf .tools` remove the cache.
export GOPATH="$DEST/gopath" GOMODCACHE="$DEST/gopath/pkg/mod" GOCACHE="$DEST/gocache"
export GOBIN="$DEST/bin" GOFLAGS="-modcacherw" CGO_ENABLED=0
mkdir -p "$DEST/bin"
if [[ -n "${DATABRICKS_GO_CLI_SRC:-}" ]]; then
  (cd "$DATABRICKS_GO_CLI_SRC" && nice "$GO" build -trimpath -o "$DEST/bin/databricks" .)
else
  SRC="$("$GO" mod download -json "github.com/databricks/cli@$VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$SRC" ]] || { echo "cannot download github.com/databricks/cli@$VERSION" >&2; exit 1; }
  (cd "$SRC" && GOFLAGS="$GOFLAGS -mod=mod" nice "$GO" build -trimpath \
    -ldflags "-X github.com/databricks/cli/internal/build.buildVersion=${VERSION#v}" \
    -o "$DEST/bin/databricks" .)
fi
echo "$VERSION" >"$DEST/VERSION"
echo "installed $DEST/bin/databricks ($VERSION)"
