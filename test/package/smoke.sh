#!/usr/bin/env bash
# The npm tarball works in a fresh cdk8s app: `npm pack`, install it with cdk8s, cdk8s-plus-28
# and constructs into an empty folder, compile a TypeScript app against its .d.ts files, run it,
# and check the YAML it writes.
#
# Offline: the peer packages are packed from this project's node_modules (installed by
# `npm ci`), so the test reaches no registry. Needs `npm run compile` first (npm test does it).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/cdk8s-sidecars-package-XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$root"

fail() { echo "package smoke test FAILED: $*" >&2; exit 1; }

[ -f build/index.js ] && [ -f build/index.d.ts ] || fail "build/ is missing: run npx projen compile first"

# 1. The tarball, and what it holds.
mkdir -p "$work/tarballs"
tarball="$work/tarballs/$(npm pack --silent --pack-destination "$work/tarballs" 2>/dev/null | tail -n 1)"
[ -f "$tarball" ] || fail "npm pack wrote no tarball"
contents="$(tar -tzf "$tarball")"
for required in package/package.json package/README.md package/LICENSE package/build/index.js package/build/index.d.ts \
                package/build/sidecar.js package/build/sidecar.d.ts; do
  grep -qx "$required" <<<"$contents" || fail "$required is missing from the tarball"
done
if grep -E '^package/(lib|test|examples|bench|\.ci)/|\.ts$' <<<"$contents" | grep -v '\.d\.ts$' | grep -q .; then
  fail "the tarball holds sources or tests: $(grep -E '^package/(lib|test|examples|bench|\.ci)/|\.ts$' <<<"$contents" | grep -v '\.d\.ts$' | head -5 | tr '\n' ' ')"
fi
echo "tarball: $(basename "$tarball"), $(wc -l <<<"$contents") files, $(du -k "$tarball" | cut -f1) KiB"

# 2. The peers, packed from what npm ci installed (their dependencies are bundled).
for dep in cdk8s cdk8s-plus-28 constructs; do
  npm pack --silent --pack-destination "$work/tarballs" "./node_modules/$dep" >/dev/null 2>&1 || fail "cannot pack $dep"
done

# 3. A fresh cdk8s app that depends on the tarballs only.
app="$work/app"
mkdir -p "$app"
cd "$app"
cat > package.json <<'JSON'
{ "name": "fresh-cdk8s-app", "version": "1.0.0", "private": true }
JSON
npm install --offline --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz >/dev/null \
  || fail "npm install of the tarballs failed"
[ ! -e node_modules/cdk8s-sidecars/lib ] || fail "the installed package holds lib/ sources"

cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "strict": true, "target": "ES2022", "module": "commonjs", "esModuleInterop": true, "skipLibCheck": false, "types": [], "outDir": "out" }, "files": ["main.ts"] }
JSON
cat > main.ts <<'TS'
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ConfigSource, LogOutput, ProxyEngine, Sidecar, SidecarMode, withConfigSync, withLogShipper, withProxy, withSidecar } from 'cdk8s-sidecars';

const app = new App({ outdir: 'dist' });
const chart = new Chart(app, 'fresh');
const web = new kplus.Deployment(chart, 'web', {
  containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ number: 8080, name: 'http' }], securityContext: { user: 1000, group: 1000 } }],
});
const sidecar: Sidecar = withSidecar(web, {
  name: 'exporter',
  image: 'quay.io/prometheus/statsd-exporter:v0.29.0',
  ports: [{ number: 9102, name: 'metrics' }],
});
const mode: SidecarMode = sidecar.mode;
withLogShipper(web, { logPath: '/var/log/app', outputs: [LogOutput.stdout()] });
withProxy(web, { engine: ProxyEngine.NGINX, port: 8081 }).exposeViaService({ name: 'web' });
withConfigSync(web, {
  source: ConfigSource.git({ repo: 'https://github.com/acme/app-config.git', ref: 'main', period: Duration.seconds(30) }),
  mountPath: '/etc/app/config',
});
console.log(`attached ${sidecar.container.name} as ${mode}`);
app.synth();
TS
node "$root/node_modules/typescript/bin/tsc" -p tsconfig.json || fail "the app does not compile against the package's .d.ts"
CDK8S_OUTDIR=dist node out/main.js || fail "the app does not run"
[ -f dist/fresh.k8s.yaml ] || fail "the app wrote no dist/fresh.k8s.yaml"
grep -q 'restartPolicy: Always' dist/fresh.k8s.yaml || fail "no native sidecar in the synthesized YAML"
for name in exporter log-shipper proxy git-sync; do
  grep -q "name: $name\$" dist/fresh.k8s.yaml || fail "container $name is missing from the synthesized YAML"
done

# 4. One copy of each peer class: the package uses the app's cdk8s-plus, not its own.
[ ! -e node_modules/cdk8s-sidecars/node_modules/cdk8s-plus-28 ] || fail "the package brought its own cdk8s-plus-28"
echo "package smoke test passed: a fresh cdk8s app installed the tarball offline, compiled against its types and synthesized withSidecar, withLogShipper, withProxy and withConfigSync"
