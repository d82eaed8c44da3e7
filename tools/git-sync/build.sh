#!/usr/bin/env bash
# Provides the real git-sync, at the version the image in lib/images.ts pins, and prints the
# binary's absolute path on the last line of stdout (logs on stderr). Exit 3: git-sync cannot be
# had on this machine (the reason is on stderr); test/real/git-sync.test.ts then skips, loudly,
# unless CDK8S_SIDECARS_REQUIRE_GIT_SYNC=1.
#
# Cache: ${CDK8S_SIDECARS_TOOLS:-$HOME/.cache/cdk8s-sidecars/tools}/git-sync-<version>/git-sync.
#
# Where git-sync comes from, in this order:
#   1. the cache;
#   2. CDK8S_SIDECARS_GIT_SYNC_BIN: a git-sync binary, for example copied out of the image
#      (docker create registry.k8s.io/git-sync/git-sync:v4.7.1; docker cp <id>:/git-sync .);
#   3. CDK8S_SIDECARS_GIT_SYNC_SRC: a checkout of github.com/kubernetes/git-sync at tag v4.7.1,
#      built with its own go.mod/go.sum (dependencies from the Go module proxy) as its Makefile
#      does, with the version stamped into k8s.io/git-sync/pkg/version.VERSION.
# Either way `git-sync --version` must print the pinned version.
#
# Why not `go install k8s.io/git-sync@v4.7.1`: git-sync's go.mod says `module k8s.io/git-sync`
# (no /v4 suffix), so the go command refuses its v4 tags ("module path must match major
# version"); only a pseudo-version of the tag's commit would resolve. And the Go module proxy
# these machines reach refuses the module outright (403 "This module version is not available"
# for k8s.io/git-sync/@v/list and every version asked, 2026-12). So no go.mod/go.sum here: the
# source is git-sync's own, pinned by its tag.
set -euo pipefail

name=git-sync
version=v4.7.1 # = GIT_SYNC_IMAGE.tag in lib/images.ts; test/real/git-sync.test.ts checks they agree
cache="${CDK8S_SIDECARS_TOOLS:-$HOME/.cache/cdk8s-sidecars/tools}"
out="$cache/$name-$version"
bin="$out/$name"

is_pinned() { [[ -x "$1" ]] && [[ "$("$1" --version 2>/dev/null)" == "$version" ]]; }

install_from() { # <directory holding a built git-sync>
  mv -T "$1" "$out" 2>/dev/null || echo "$out already provided by another run" >&2
}

if is_pinned "$bin"; then
  echo "$bin"
  exit 0
fi
mkdir -p "$cache"
tmp="$(mktemp -d "$cache/.$name-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

if [[ -n "${CDK8S_SIDECARS_GIT_SYNC_BIN:-}" ]]; then
  cp "$CDK8S_SIDECARS_GIT_SYNC_BIN" "$tmp/$name"
  chmod +x "$tmp/$name"
  if ! is_pinned "$tmp/$name"; then
    echo "CDK8S_SIDECARS_GIT_SYNC_BIN=$CDK8S_SIDECARS_GIT_SYNC_BIN: --version prints \"$("$tmp/$name" --version 2>&1 | head -1)\", not $version" >&2
    exit 1
  fi
  install_from "$tmp"
elif [[ -n "${CDK8S_SIDECARS_GIT_SYNC_SRC:-}" ]]; then
  src="$CDK8S_SIDECARS_GIT_SYNC_SRC"
  if [[ "$(awk '$1 == "module" { print $2 }' "$src/go.mod" 2>/dev/null)" != "k8s.io/git-sync" ]]; then
    echo "CDK8S_SIDECARS_GIT_SYNC_SRC=$src is not a checkout of k8s.io/git-sync (its go.mod)" >&2
    exit 1
  fi
  if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
    tag="$(git -C "$src" describe --tags --exact-match HEAD 2>/dev/null || true)"
    if [[ "$tag" != "$version" ]] || [[ -n "$(git -C "$src" status --porcelain)" ]]; then
      echo "CDK8S_SIDECARS_GIT_SYNC_SRC=$src is at \"${tag:-an untagged commit}\"$([[ -n "$(git -C "$src" status --porcelain)" ]] && echo ' with local changes'), not a clean $version" >&2
      exit 1
    fi
  else
    echo "CDK8S_SIDECARS_GIT_SYNC_SRC=$src is not a git checkout: its tag cannot be checked; trusting it is $version" >&2
  fi
  echo "building $name $version from $src (Go, $(go version | cut -d' ' -f3))" >&2
  (cd "$src" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0 \
    go build -trimpath -ldflags "-X k8s.io/git-sync/pkg/version.VERSION=$version" -o "$tmp/$name" .) >&2
  install_from "$tmp"
else
  cat >&2 <<MSG
git-sync $version is not available on this machine: not cached in $out, and neither
CDK8S_SIDECARS_GIT_SYNC_BIN (a git-sync binary) nor CDK8S_SIDECARS_GIT_SYNC_SRC (a checkout of
kubernetes/git-sync at $version) is set. The Go module proxy refuses k8s.io/git-sync here (403),
and the go command cannot fetch its v4 tags by name anyway (module path without /v4).
MSG
  exit 3
fi
is_pinned "$bin" || { echo "$bin does not print $version for --version" >&2; exit 1; }
echo "$bin"
