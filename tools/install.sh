#!/usr/bin/env bash
# The one set-up step for the tests: installs the Debian packages they need when missing, then
# builds every tool under tools/*/ (each tools/<name>/build.sh builds into the cache only when its
# pinned version is not there yet, and prints the binaries' paths).
#
# Idempotent, and quick when everything is installed and cached (no network, no apt-get). `npm test`
# runs it before jest; run it by hand to set up a machine: `bash tools/install.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "tools/install.sh: $*" >&2; }

# Real programs the tests drive: nginx (withProxy runs the generated configuration), git
# (withConfigSync checks git-sync's arguments against a local repository), openssl (throwaway TLS
# certificates: the proxy tests, the test API server's serving certificate).
# Go is not installed here: tools/*/ need Go >= 1.26 (Debian 12's golang-go is 1.19); each
# build.sh says so when the Go on the PATH is missing or too old.
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo -n)
packages=()
command -v nginx >/dev/null 2>&1 || packages+=(nginx)
command -v git >/dev/null 2>&1 || packages+=(git)
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
# withCache runs the real Redis-protocol server and memcached on the generated configuration.
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
command -v memcached >/dev/null 2>&1 || packages+=(memcached)
# withSecretsAgent's reload command is busybox wget in the Vault image; its real suite runs it.
command -v busybox >/dev/null 2>&1 || packages+=(busybox)
if [ ${#packages[@]} -gt 0 ]; then
  log "installing Debian packages: ${packages[*]}"
  "${sudo_cmd[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2
fi
# The nginx package may start a server on port 80 on install; the tests start their own.
# So may redis-server and memcached; the tests start their own on free ports.
if command -v service >/dev/null 2>&1; then
  for service in nginx redis-server memcached; do "${sudo_cmd[@]}" service "$service" stop >/dev/null 2>&1 || true; done
fi

# Every tool, including ones added later: tools/<name>/build.sh.
# A build.sh exits 3 when its program cannot be had on this machine (git-sync: the Go module proxy
# refuses k8s.io/git-sync; helm: no Go >= 1.26, or the proxy does not serve helm.sh/helm/v3@v3.22.0);
# its suite then says so and skips. Any other failure stops the set-up.
for build in tools/*/build.sh; do
  [ -e "$build" ] || continue
  log "$build"
  status=0
  bash "$build" >&2 || status=$?
  if [ "$status" -eq 3 ]; then
    log "$build: not available on this machine (exit 3); its suite skips and says why"
  elif [ "$status" -ne 0 ]; then
    exit "$status"
  fi
done
