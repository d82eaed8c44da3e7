#!/usr/bin/env bash
# API.md must be what typedoc generates from the TSDoc of lib/ now: npm test fails when it is stale.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(mktemp -d "${TMPDIR:-/tmp}/cdk8s-sidecars-api-XXXXXX")"
trap 'rm -rf "$out"' EXIT
npx --no-install typedoc --out "$out" --logLevel Warn --treatWarningsAsErrors
if ! diff -u API.md "$out/API.md" > "$out/diff"; then
  head -60 "$out/diff"
  echo "API.md is stale: run 'npx projen docgen' and commit API.md" >&2
  exit 1
fi
echo "API.md is current"
