#!/usr/bin/env bash
# Builds kube-apiserver and etcd from the versions pinned in tools/kube/go.mod,
# unless they are already in the cache, and prints their absolute paths on the
# last two lines of stdout (kube-apiserver, then etcd). Logs go to stderr.
#
# Cache: ${CDK8S_SIDECARS_TOOLS:-$HOME/.cache/cdk8s-sidecars/tools}/kube-<k8s>-etcd-<etcd>/
# The directory name carries both pinned module versions, so bumping either one
# in go.mod builds afresh; a finished build is moved into place in one rename,
# so an interrupted build never leaves a half-filled cache.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "tools/kube: $*" >&2; }

# The pinned versions, read from go.mod without asking the network.
k8s_version="$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' "$here/go.mod")"
etcd_version="$(awk '$1 == "go.etcd.io/etcd/server/v3" { print $2; exit }' "$here/go.mod")"
if [[ -z "$k8s_version" || -z "$etcd_version" ]]; then
  log "cannot read the k8s.io/kubernetes and go.etcd.io/etcd/server/v3 versions from $here/go.mod"
  exit 1
fi

tools_dir="${CDK8S_SIDECARS_TOOLS:-$HOME/.cache/cdk8s-sidecars/tools}"
dest="$tools_dir/kube-$k8s_version-etcd-$etcd_version"

print_paths() {
  echo "$dest/kube-apiserver"
  echo "$dest/etcd"
}

if [[ -x "$dest/kube-apiserver" && -x "$dest/etcd" ]]; then
  print_paths
  exit 0
fi

mkdir -p "$tools_dir"
# One build at a time (two test runs started together must not both build).
exec 9>"$tools_dir/.kube.lock"
flock 9
if [[ -x "$dest/kube-apiserver" && -x "$dest/etcd" ]]; then
  print_paths
  exit 0
fi

# k8s.io/kubernetes v1.37 says `go 1.26.0` in its go.mod; an older Go cannot build it.
if ! command -v go >/dev/null || ! go_version="$(GOTOOLCHAIN=local go env GOVERSION)"; then
  log "go is not installed: kube-apiserver and etcd are built from source with Go >= 1.26 (https://go.dev/dl/)"
  exit 1
fi
case "$go_version" in
  go1.2[6-9]* | go1.[3-9][0-9]* | go[2-9]*) ;;
  *) log "$go_version is too old: kube-apiserver $k8s_version needs Go >= 1.26 (https://go.dev/dl/)"; exit 1 ;;
esac

log "building kube-apiserver $k8s_version and etcd $etcd_version into $dest (about 20 minutes on 2 cores, once)"
start=$SECONDS
work="$(mktemp -d "$tools_dir/.kube-build.XXXXXX")"
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

# GOTOOLCHAIN=local: never download a Go toolchain. -mod=readonly: modules come
# from the module proxy, checked against the committed go.sum, which the build
# never rewrites (after a version bump: `go mod tidy` here, and commit go.sum).
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0

# The version stamps hack/lib/version.sh would set, so /version reports the release.
minor="${k8s_version#v1.}"
minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done

(
  cd "$here"
  go build -trimpath -ldflags "$ldflags" -o "$work/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
  go build -trimpath -ldflags "-s -w" -o "$work/etcd" go.etcd.io/etcd/server/v3
) >&2

"$work/kube-apiserver" --version >&2
"$work/etcd" --version >&2

rm -rf "$dest"
mv "$work" "$dest"
trap - EXIT
log "built in $((SECONDS - start)) s"
print_paths
