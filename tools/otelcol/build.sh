#!/usr/bin/env bash
# Builds otelcol (main.go + components.go: an OpenTelemetry Collector with exactly the components
# withTelemetry configures) unless already cached, and prints the binary's absolute path on the
# last line of stdout. Logs go to stderr. test/real/otelcol.test.ts runs
# `otelcol validate --config=<file>` on every configuration the library renders.
#
# Cache: ${CDK8S_SIDECARS_TOOLS:-$HOME/.cache/cdk8s-sidecars/tools}/otelcol-<version>/,
# <version> = the pinned go.opentelemetry.io/collector/otelcol version (go.mod), plus a hash of
# this folder's sources so an edit to components.go builds anew.
#
# Versions: the collector modules v0.162.0 (stable ones v1.68.0) and the contrib modules
# v0.162.0, the release of the otel/opentelemetry-collector-contrib:0.162.0 image that
# lib/engine/images.ts pins (OTEL_COLLECTOR_IMAGE). `go mod tidy` must not lift them: a
# provider resolved at @latest pulls confmap and featuregate of a later release (it did, to
# v1.71.0), hence the explicit requirements in go.mod.
#
# Cost on a cold cache (2 shared cores, 2026-12): ~1 GB of modules from the Go module proxy
# (the prometheus receiver brings Prometheus' service discovery and its cloud SDKs), ~1,800
# packages, 39 minutes of compile (measured with -p 1 and nice, beside another Go build); a
# 150 MB binary. test/real/otelcol.test.ts allows it an hour.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name=otelcol
pinned="$(awk '$1 == "go.opentelemetry.io/collector/otelcol" { print $2 }' "$here/go.mod")"
sources="$(cat "$here/main.go" "$here/components.go" "$here/go.mod" "$here/go.sum" "$here/build.sh" | sha256sum | cut -c1-12)"
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
