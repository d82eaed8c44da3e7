#!/usr/bin/env bash
# Provides the real Vault, at the version the image in lib/engine/images.ts pins (VAULT_IMAGE), for
# `vault agent` and `vault server -dev` in test/real/vault-agent.test.ts, and prints the binary's
# absolute path on the last line of stdout (logs on stderr). Exit 3: Vault cannot be had on this
# machine (the reason is on stderr); the suite then skips, loudly, unless CDK8S_SIDECARS_REQUIRE_VAULT=1.
#
# Cache: ${CDK8S_SIDECARS_TOOLS:-$HOME/.cache/cdk8s-sidecars/tools}/vault-<version>/vault.
#
# Where Vault comes from, in this order:
#   1. the cache;
#   2. CDK8S_SIDECARS_VAULT_BIN: a vault binary of the pinned version, for example copied out of
#      the image (docker create docker.io/hashicorp/vault:2.1.2; docker cp <id>:/bin/vault .), or
#      unzipped from https://releases.hashicorp.com/vault/2.1.2/ (checked against its SHA256SUMS).
#   `vault version` must print the pinned version.
#
# Why not a build from the Go module proxy (tried 2026-12, on these machines):
# - Vault 2.x is not a Go module version: the module path has no /v2, and the proxy refuses
#   github.com/hashicorp/vault@v2.1.2 and @v2.1.2+incompatible (403). Its newest community module
#   there is v1.21.4.
# - v1.21.4 does not build from its module zip: its go.mod replaces github.com/hashicorp/vault/sdk
#   and /api with the folders ./sdk and ./api, which the zip leaves out (they are modules of their
#   own), and no published sdk matches that tree: with v0.21.0 (what its go.mod requires)
#   vault/identity_store.go fails (`ActivationFunc` takes a third argument there), with v0.20.0
#   builtin/logical/ssh fails (`TryRecordObservationWithRequest` is missing). Each attempt took over
#   20 minutes on two shared cores before it failed.
set -euo pipefail

name=vault
version=2.1.2 # = VAULT_IMAGE.tag in lib/engine/images.ts; test/real/vault-agent.test.ts checks they agree
cache="${CDK8S_SIDECARS_TOOLS:-$HOME/.cache/cdk8s-sidecars/tools}"
out="$cache/$name-$version"
bin="$out/$name"

is_pinned() { [[ -x "$1" ]] && "$1" version 2>/dev/null | grep -q "^Vault v${version}\b"; }

if is_pinned "$bin"; then
  echo "$bin"
  exit 0
fi
if [[ -z "${CDK8S_SIDECARS_VAULT_BIN:-}" ]]; then
  cat >&2 <<MSG
Vault $version is not available on this machine: not cached in $out, and CDK8S_SIDECARS_VAULT_BIN
(a vault $version binary, from the image or releases.hashicorp.com) is not set. The Go module proxy
has no Vault 2.x module, and its v1.21.4 does not build from the module zip (see tools/vault/build.sh).
MSG
  exit 3
fi
mkdir -p "$cache"
tmp="$(mktemp -d "$cache/.$name-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cp "$CDK8S_SIDECARS_VAULT_BIN" "$tmp/$name"
chmod +x "$tmp/$name"
if ! is_pinned "$tmp/$name"; then
  echo "CDK8S_SIDECARS_VAULT_BIN=$CDK8S_SIDECARS_VAULT_BIN: \`vault version\` prints \"$("$tmp/$name" version 2>&1 | head -1)\", not Vault v$version" >&2
  exit 1
fi
mv -T "$tmp" "$out" 2>/dev/null || echo "$out already provided by another run" >&2
echo "$bin"
