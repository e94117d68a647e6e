#!/usr/bin/env bash
# Installs the official Databricks CLI (Go) at a pinned version into .tools/go-cli/bin,
# from the Go module proxy. bench/cli_bench.py compares dbk with it; the parity tests
# may use it too. Not needed to build or test dbk.
#   scripts/install-go-cli.sh            # → .tools/go-cli/bin/databricks
#   DATABRICKS_GO_CLI_SRC=/path/to/cli-source scripts/install-go-cli.sh
# The second form builds a source tree of that same release (its dependencies still come
# from the module proxy) for when the proxy does not serve github.com/databricks/cli
# itself; such a build reports its version as "v<next>-dev".
set -euo pipefail
VERSION="${DATABRICKS_GO_CLI_VERSION:-v1.13.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/.tools/go-cli"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
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
  nice "$GO" install -trimpath "github.com/databricks/cli@$VERSION"
  mv -f "$DEST/bin/cli" "$DEST/bin/databricks"
fi
echo "$VERSION" >"$DEST/VERSION"
echo "installed $DEST/bin/databricks ($VERSION)"
