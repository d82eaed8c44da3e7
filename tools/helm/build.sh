#!/usr/bin/env bash
# Builds the real helm (v3) from the Go module proxy, unless already cached, and prints the
# binary's absolute path on the last line of stdout (logs on stderr). test/real/helm.test.ts renders
# a local chart with it through cdk8s's `Helm` construct (which runs `helm template`). Exit 3: helm
# cannot be had on this machine (no Go >= 1.26, or the module proxy does not serve the pinned
# version; the reason is on stderr); the suite then skips, loudly, unless CDK8S_SIDECARS_REQUIRE_HELM=1.
#
# Cache: ${CDK8S_SIDECARS_TOOLS:-$HOME/.cache/cdk8s-sidecars/tools}/helm-<version>/helm.
#
# `go install helm.sh/helm/v3/cmd/helm@<version>`: the module's own go.mod and go.sum pin every
# dependency (checked against the Go checksum database), so no go.mod is kept here. v3.22.0 is the
# newest helm v3 the module proxy serves that builds with Go 1.26 (helm v4 is a different module,
# helm.sh/helm/v4, with a different CLI; cdk8s's Helm construct is documented against v3).
# Stamped as helm's Makefile stamps a release build (https://github.com/helm/helm/blob/v3.22.0/Makefile):
# internal/version.version = the tag and metadata empty, so `helm version --short` prints the version;
# and the Kubernetes version `helm template` assumes (.Capabilities.KubeVersion; pkg/chartutil and
# pkg/lint/rules k8sVersionMajor/Minor) from the module's k8s.io/client-go: v0.<minor> -> 1.<minor>.
set -euo pipefail

name=helm
version=v3.22.0 # test/real/helm.test.ts checks `helm version --short` prints it
module=helm.sh/helm/v3
cache="${CDK8S_SIDECARS_TOOLS:-$HOME/.cache/cdk8s-sidecars/tools}"
out="$cache/$name-$version"
bin="$out/$name"

is_pinned() { [[ -x "$1" ]] && [[ "$("$1" version --short 2>/dev/null)" == "$version"* ]]; }

if is_pinned "$bin"; then
  echo "$bin"
  exit 0
fi

# helm v3.22.0's go.mod says `go 1.26.0`; the build never downloads a toolchain (GOTOOLCHAIN=local).
if ! command -v go >/dev/null || ! go_version="$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null)"; then
  echo "go is not installed: helm $version is built from the Go module proxy with Go >= 1.26 (https://go.dev/dl/)" >&2
  exit 3
fi
case "$go_version" in
  go1.2[6-9]* | go1.[3-9][0-9]* | go[2-9]*) ;;
  *) echo "$go_version is too old: helm $version is built here with Go >= 1.26 (https://go.dev/dl/)" >&2; exit 3 ;;
esac

mkdir -p "$cache"
tmp="$(mktemp -d "$cache/.$name-XXXXXX")"
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

# The module first, on its own, so that a proxy that refuses it reads as "unavailable" (exit 3),
# not as a failed build.
if ! (cd "$tmp" && go mod download "$module@$version") >&2; then
  echo "the Go module proxy ($(go env GOPROXY)) does not serve $module@$version here: helm is unavailable" >&2
  exit 3
fi

# k8s.io/client-go's version in helm's go.mod (v0.37.0 for helm v3.22.0), read from the module cache.
client_go="$(cd "$tmp" && go mod download -json "$module@$version" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p' \
  | xargs awk '$1 == "k8s.io/client-go" { print $2; exit }')"
kube_minor="$(echo "$client_go" | cut -d. -f2)"
[[ "$kube_minor" =~ ^[0-9]+$ ]] || { echo "cannot read k8s.io/client-go's version from $module@$version's go.mod (got \"$client_go\")" >&2; exit 1; }
ldflags="-s -w -X $module/internal/version.version=$version -X $module/internal/version.metadata="
for pkg in pkg/chartutil pkg/lint/rules; do
  ldflags+=" -X $module/$pkg.k8sVersionMajor=1 -X $module/$pkg.k8sVersionMinor=$kube_minor"
done

echo "building $name $version (Go, $go_version; Kubernetes 1.$kube_minor assumed) into $out (a few minutes on 2 cores, once)" >&2
start=$SECONDS
# Outside any module, so that the go command resolves $module@$version with its own go.mod.
(cd "$tmp" && GOBIN="$tmp" go install -trimpath \
  -ldflags "$ldflags" \
  "$module/cmd/helm@$version") >&2
is_pinned "$tmp/$name" || { echo "$tmp/$name version --short prints \"$("$tmp/$name" version --short 2>&1 | head -1)\", not $version" >&2; exit 1; }
echo "built in $((SECONDS - start)) s" >&2
# Another build of the same version may have finished meanwhile: keep whichever landed first.
mv -T "$tmp" "$out" 2>/dev/null || echo "$out already built by another run" >&2
trap - EXIT
rm -rf "$tmp" 2>/dev/null || true
echo "$bin"
