#!/usr/bin/env bash
# Builds the real Vault (for `vault agent` and `vault server -dev` in test/real/vault-agent.test.ts)
# unless cached, and prints the binary's absolute path on the last line of stdout (logs on stderr).
# Exit 3: Vault cannot be had on this machine (the reason is on stderr); the suite then skips,
# loudly, unless CDK8S_SIDECARS_REQUIRE_VAULT=1.
#
# Cache: ${CDK8S_SIDECARS_TOOLS:-$HOME/.cache/cdk8s-sidecars/tools}/vault-<version>/vault.
#
# Version: v1.21.4, the newest community release of github.com/hashicorp/vault on the Go module
# proxy (`go list -m -versions github.com/hashicorp/vault`, 2026-12; Vault 2.x tags are not a Go
# module: the module path has no /v2, and the proxy refuses v2.1.2 and v2.1.2+incompatible). The
# image withSecretsAgent pins is 2.1.2 (lib/engine/images.ts); the agent's configuration stanzas
# it generates are the same in both (command/agent/config/config.go).
#
# How: Vault's go.mod replaces its api and sdk modules with the folders ./api and ./sdk of its
# repository, which the module zip does not hold (they are modules of their own). The build takes
# the module source from the proxy (go mod download, checked against sum.golang.org), points
# those two modules at published versions, and builds the root package (main.go) with CGO off;
# the version comes from the module's version/VERSION. No source is vendored or committed.
# - api: v1.22.0, the version its go.mod requires.
# - sdk: its go.mod requires v0.21.0, but the release/1.21.x tree uses the sdk of before
#   `framework.Backend.ActivationFunc` took a third argument (vault/identity_store.go:
#   "cannot use iStore.activateDeduplication … as func(context.Context, *logical.Request, string)"
#   with v0.21.0, seen here 2026-12); v0.20.0 is the newest sdk on the proxy with the two-argument
#   form. Whether every other package of v1.21.4 compiles against it is what the build shows.
# A cold build downloads ~1 GB of modules and compiles for well over 30 minutes on 2 shared cores,
# so it runs only when asked: CDK8S_SIDECARS_BUILD_VAULT=1 tools/vault/build.sh (once; cached
# after). Otherwise, uncached, it exits 3 and the suite skips, saying so.
set -euo pipefail

name=vault
version=v1.21.4
cache="${CDK8S_SIDECARS_TOOLS:-$HOME/.cache/cdk8s-sidecars/tools}"
out="$cache/$name-$version"
bin="$out/$name"

is_pinned() { [[ -x "$1" ]] && "$1" version 2>/dev/null | grep -q "^Vault ${version}"; }

if is_pinned "$bin"; then
  echo "$bin"
  exit 0
fi
if [[ "${CDK8S_SIDECARS_BUILD_VAULT:-}" != 1 ]]; then
  echo "Vault $version is not cached in $out; building it takes well over 30 minutes, so it is built only on request:" \
    "CDK8S_SIDECARS_BUILD_VAULT=1 tools/vault/build.sh" >&2
  exit 3
fi
if ! command -v go >/dev/null 2>&1; then
  echo "Vault $version is not cached in $out and there is no Go toolchain to build it" >&2
  exit 3
fi
mkdir -p "$cache"
tmp="$(mktemp -d "$cache/.$name-XXXXXX")"
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

echo "downloading github.com/hashicorp/vault@$version from the Go module proxy" >&2
if ! dir="$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "github.com/hashicorp/$name@$version" | awk -F'"' '$2 == "Dir" { print $4 }')" || [[ -z "$dir" ]]; then
  echo "the Go module proxy does not give github.com/hashicorp/vault@$version here" >&2
  exit 3
fi
cp -r "$dir" "$tmp/src"
chmod -R u+w "$tmp/src"
sed -i '/^replace github.com\/hashicorp\/vault\/\(api\|sdk\) => /d' "$tmp/src/go.mod"
(cd "$tmp/src" && go mod edit -replace github.com/hashicorp/vault/sdk=github.com/hashicorp/vault/sdk@v0.20.0)
echo "building $name $version (Go, $(go version | cut -d' ' -f3)); a cold build takes a long while" >&2
mkdir -p "$tmp/out"
(cd "$tmp/src" && GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0 \
  go build -trimpath -o "$tmp/out/$name" .) >&2
is_pinned "$tmp/out/$name" || { echo "the built binary does not print Vault $version for \`vault version\`" >&2; exit 1; }
mv -T "$tmp/out" "$out" 2>/dev/null || echo "$out already built by another run" >&2
echo "$bin"
