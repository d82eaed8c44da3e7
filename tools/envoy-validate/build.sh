#!/usr/bin/env bash
# Builds envoy-validate (main.go: Envoy's v3 API, from go-control-plane, judging bootstrap files)
# unless already cached, and prints the binary's absolute path on the last line of stdout.
# Logs go to stderr.
#
# Cache: ${CDK8S_SIDECARS_TOOLS:-$HOME/.cache/cdk8s-sidecars/tools}/envoy-validate-<version>/,
# <version> = the pinned go-control-plane/envoy version (go.mod), plus a hash of this folder's
# sources so an edit to main.go builds anew.
#
# go-control-plane/envoy v1.40.0: the envoy module of go-control-plane is released with Envoy's
# version (multimod releases since envoy/v1.32.2, envoyproxy/go-control-plane#1073); v1.40.0
# carries the API of Envoy v1.40.x, which lib/images.ts pins (v1.40.2; patch releases do not
# change the API).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name=envoy-validate
pinned="$(awk '$1 == "github.com/envoyproxy/go-control-plane/envoy" { print $2 }' "$here/go.mod")"
sources="$(cat "$here/main.go" "$here/go.mod" "$here/go.sum" "$here/build.sh" | sha256sum | cut -c1-12)"
version="$pinned-$sources"
cache="${CDK8S_SIDECARS_TOOLS:-$HOME/.cache/cdk8s-sidecars/tools}"
out="$cache/$name-$version"
bin="$out/$name"

if [[ ! -x "$bin" ]]; then
  echo "building $name $version (Go, $(go version | cut -d' ' -f3)) into $out" >&2
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/.$name-XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$here" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0 \
    go build -trimpath -o "$tmp/$name" .) >&2
  # Another build of the same version may have finished meanwhile: keep whichever landed first.
  mv -T "$tmp" "$out" 2>/dev/null || echo "$out already built by another run" >&2
fi
echo "$bin"
