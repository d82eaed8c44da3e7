#!/usr/bin/env bash
# Builds oauth2-proxy at the version lib/engine/images.ts pins (OAUTH2_PROXY_IMAGE) from the Go
# module proxy, unless already cached, and prints the binary's absolute path on the last line of
# stdout. Logs go to stderr.
#
# Cache: ${CDK8S_SIDECARS_TOOLS:-$HOME/.cache/cdk8s-sidecars/tools}/oauth2-proxy-<version>/.
#
# `go install github.com/oauth2-proxy/oauth2-proxy/v7@<version>`: the module's own go.mod and
# go.sum pin every dependency (checked against the Go checksum database), so no go.mod is kept
# here. The version is stamped into pkg/version.VERSION as the project's Makefile does for its
# release images (`make build`: -ldflags "-X .../pkg/version.VERSION=${VERSION}"), so
# `oauth2-proxy --version` prints it and test/real/oauth2-proxy.test.ts can check it.
set -euo pipefail

name=oauth2-proxy
version=v7.15.6 # = OAUTH2_PROXY_IMAGE.tag in lib/engine/images.ts; test/real/oauth2-proxy.test.ts checks they agree
module=github.com/oauth2-proxy/oauth2-proxy/v7
cache="${CDK8S_SIDECARS_TOOLS:-$HOME/.cache/cdk8s-sidecars/tools}"
out="$cache/$name-$version"
bin="$out/$name"

is_pinned() { [[ -x "$1" ]] && "$1" --version 2>/dev/null | grep -q "^oauth2-proxy $version "; }

if ! is_pinned "$bin"; then
  echo "building $name $version (Go, $(go version | cut -d' ' -f3)) into $out" >&2
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/.$name-XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  # Outside any module, so that the go command resolves $module@$version on its own.
  (cd "$tmp" && GOBIN="$tmp" GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0 \
    go install -trimpath -ldflags "-X $module/pkg/version.VERSION=$version" "$module@$version") >&2
  is_pinned "$tmp/$name" || { echo "$tmp/$name --version does not print $version" >&2; exit 1; }
  # Another build of the same version may have finished meanwhile: keep whichever landed first.
  mv -T "$tmp" "$out" 2>/dev/null || echo "$out already built by another run" >&2
fi
echo "$bin"
