#!/usr/bin/env bash
# The npm tarball works in a fresh cdk8s app, on every cdk8s-plus line it has an entry for.
#
# 1. `npm pack`: the tarball holds every build (build/, build/plus-XX/), no sources or tests, and
#    every relative link of its Markdown names a file it holds.
# 2. For each line: a fresh app as `cdk8s init typescript-app` lays it out (cdk8s-cli's own
#    template: package.json, tsconfig.json, cdk8s.yaml), with cdk8s, constructs, cdk8s-plus-XX and
#    the tarball installed, and no other cdk8s-plus (every line is an optional peer);
#    - a strict TypeScript app using all four helpers compiles against the package's .d.ts
#      (skipLibCheck off) and synthesizes;
#    - the README's quick start (test/package/quickstart/main.ts.txt, with the line put in) runs
#      through the real `cdk8s synth` (cdk8s-cli, a devDependency) and writes dist/hello.k8s.yaml;
#    - a failing synth-time check makes `cdk8s synth` fail with the library's message at the top
#      of the error, and no stack frame in a file the package does not ship;
#    - importing the entry of another line fails saying which entry to import.
#
# Offline: the peers are packed from this project's node_modules (installed by `npm ci`; their
# own dependencies are bundled), and the template's tools (typescript, ts-node, @types/node) are
# linked from there. Needs `npm run compile` first (npm test does it). LINES="33" limits the lines.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/cdk8s-sidecars-package-XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$root"
lines="${LINES:-28 31 32 33}"
template="$root/node_modules/cdk8s-cli/templates/typescript-app"
cdk8s_cli="$root/node_modules/cdk8s-cli/bin/cdk8s"

fail() { echo "package smoke test FAILED: $*" >&2; exit 1; }
entry_of() { if [ "$1" = 28 ]; then echo "cdk8s-sidecars"; else echo "cdk8s-sidecars/plus-$1"; fi; }

[ -f build/index.js ] && [ -f build/index.d.ts ] || fail "build/ is missing: run npx projen compile first"
[ -f "$template/package.json" ] || fail "cdk8s-cli's typescript-app template is missing: run npm ci"

# 1. The tarball, and what it holds.
mkdir -p "$work/tarballs"
tarball="$work/tarballs/$(npm pack --silent --pack-destination "$work/tarballs" 2>/dev/null | tail -n 1)"
[ -f "$tarball" ] || fail "npm pack wrote no tarball"
contents="$(tar -tzf "$tarball")"
required="package/package.json package/README.md package/LICENSE package/API.md"
for line in $lines; do
  dir="build"; [ "$line" = 28 ] || dir="build/plus-$line"
  required="$required package/$dir/index.js package/$dir/index.d.ts package/$dir/sidecar/index.js package/$dir/engine/kplus.js"
done
for file in $required; do
  grep -qx "$file" <<<"$contents" || fail "$file is missing from the tarball"
done
if grep -E '^package/(lib|test|bench/[^.]+\.ts|\.ci)/|\.ts$|\.map$' <<<"$contents" | grep -vE '\.d\.ts$|^package/examples/[a-z-]+\.ts$' | grep -q .; then
  fail "the tarball holds sources, tests or source maps: $(grep -E '^package/(lib|test|\.ci)/|\.ts$|\.map$' <<<"$contents" | grep -vE '\.d\.ts$|^package/examples/' | head -5 | tr '\n' ' ')"
fi
# The adapter of each build loads its own line, and nothing else in the build loads any.
for line in $lines; do
  dir="build"; [ "$line" = 28 ] || dir="build/plus-$line"
  grep -q "require(\"cdk8s-plus-$line\")" "$dir/engine/kplus.js" || fail "$dir/engine/kplus.js does not load cdk8s-plus-$line"
done
# Every relative link of the shipped Markdown names a shipped file.
mkdir -p "$work/unpacked" && tar -xzf "$tarball" -C "$work/unpacked"
while IFS= read -r md; do
  while IFS= read -r target; do
    target="${target%%#*}"
    [ -n "$target" ] || continue
    [ -e "$(dirname "$md")/$target" ] || fail "${md#"$work/unpacked/package/"} links to $target, which the package does not ship"
  done < <(grep -oE '\]\([^)#:]+(#[^)]*)?\)' "$md" | sed -E 's/^\]\(//; s/\)$//')
done < <(find "$work/unpacked/package" -name '*.md')
echo "tarball: $(basename "$tarball"), $(wc -l <<<"$contents") files, $(du -k "$tarball" | cut -f1) KiB"

# 2. The peers and the package's one dependency (js-yaml and its argparse, for the check command), packed from what
# npm ci installed (their own dependencies are bundled).
for dep in cdk8s constructs js-yaml argparse $(for line in $lines; do echo "cdk8s-plus-$line"; done); do
  # --ignore-scripts: a package's own prepack script (js-yaml runs its tests and build) is not ours to run.
  npm pack --silent --ignore-scripts --pack-destination "$work/tarballs" "./node_modules/$dep" >/dev/null 2>&1 || fail "cannot pack $dep"
done
peer() { ls "$work/tarballs/$1"-[0-9]*.tgz; }

for line in $lines; do
  entry="$(entry_of "$line")"
  app="$work/app-$line"
  mkdir -p "$app"
  cd "$app"
  # The layout of `cdk8s init typescript-app`, from the CLI's own template.
  sed 's/{{ $base }}/hello/' "$template/package.json" | node -e '
    const p = JSON.parse(require("fs").readFileSync(0, "utf8"));
    p.dependencies = {}; p.devDependencies = {};
    require("fs").writeFileSync("package.json", JSON.stringify(p, null, 2));'
  cp "$template/tsconfig.json" "$template/cdk8s.yaml" .
  npm install --offline --no-audit --no-fund --loglevel=error \
    "$(peer cdk8s)" "$(peer constructs)" "$(peer js-yaml)" "$(peer argparse)" "$(peer "cdk8s-plus-$line")" "$tarball" >/dev/null \
    || fail "cdk8s-plus-$line: npm install of the tarballs failed"
  # The template's tools, linked from this project (the template installs them from the registry).
  mkdir -p node_modules/.bin node_modules/@types
  ln -s "$root/node_modules/typescript" node_modules/typescript
  ln -s "$root/node_modules/ts-node" node_modules/ts-node
  ln -s "$root/node_modules/@types/node" node_modules/@types/node
  ln -s ../ts-node/dist/bin.js node_modules/.bin/ts-node
  ln -s ../typescript/bin/tsc node_modules/.bin/tsc

  others="$(ls -d node_modules/cdk8s-plus-* | grep -v "cdk8s-plus-$line\$" || true)"
  [ -z "$others" ] || fail "cdk8s-plus-$line: installing cdk8s-sidecars pulled in $others (every line must be an optional peer)"
  [ ! -e node_modules/cdk8s-sidecars/node_modules ] || fail "cdk8s-plus-$line: the package brought its own dependencies: $(ls node_modules/cdk8s-sidecars/node_modules)"
  [ ! -e node_modules/cdk8s-sidecars/lib ] || fail "the installed package holds lib/ sources"

  # 2a. Strict TypeScript, every helper, against the package's .d.ts.
  mkdir strict
  cat > strict/tsconfig.json <<'JSON'
{ "compilerOptions": { "strict": true, "target": "ES2022", "module": "commonjs", "esModuleInterop": true, "skipLibCheck": false, "types": [], "outDir": "out" }, "files": ["main.ts"] }
JSON
  sed -e "s|'cdk8s-plus-LINE'|'cdk8s-plus-$line'|" -e "s|'cdk8s-sidecars/ENTRY'|'$entry'|" > strict/main.ts <<'TS'
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-LINE';
import { ConfigSource, LogOutput, ProxyEngine, Sidecar, SidecarMode, withConfigSync, withLogShipper, withProxy, withSidecar } from 'cdk8s-sidecars/ENTRY';

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
const db = new kplus.StatefulSet(chart, 'db', { containers: [{ name: 'db', image: 'postgres:17', ports: [{ number: 5432 }], securityContext: { user: 999, group: 999 } }] });
withLogShipper(db, { logPath: '/var/log/db', outputs: [LogOutput.stdout()] });
console.log(`attached ${sidecar.container.name} as ${mode}`);
app.synth();
TS
  (cd strict && node ../node_modules/typescript/bin/tsc -p tsconfig.json) || fail "cdk8s-plus-$line: the app does not compile against the .d.ts of '$entry'"
  (cd strict && node out/main.js >/dev/null) || fail "cdk8s-plus-$line: the app does not run"
  yaml="strict/dist/fresh.k8s.yaml"
  [ -f "$yaml" ] || fail "cdk8s-plus-$line: the app wrote no dist/fresh.k8s.yaml"
  grep -q 'restartPolicy: Always' "$yaml" || fail "cdk8s-plus-$line: no native sidecar in the synthesized YAML"
  for name in exporter log-shipper proxy git-sync; do
    grep -q "name: $name\$" "$yaml" || fail "cdk8s-plus-$line: container $name is missing from the synthesized YAML"
  done
  # The StatefulSet keeps its pod volumes (cdk8s-plus-31 and later drop them on their own).
  node -e '
    const docs = require(process.argv[1] + "/node_modules/cdk8s").Yaml.load(process.argv[2]);
    const sts = docs.find((d) => d.kind === "StatefulSet");
    const names = (sts.spec.template.spec.volumes || []).map((v) => v.name);
    if (!names.includes("log-shipper-logs")) { console.error("StatefulSet pod volumes: " + JSON.stringify(names)); process.exit(1); }
  ' "$app" "$yaml" || fail "cdk8s-plus-$line: the StatefulSet lost its pod volumes"

  # 2b. The README's quick start, through the real cdk8s CLI.
  sed -e "s|'cdk8s-plus-33'|'cdk8s-plus-$line'|" -e "s|'cdk8s-sidecars/plus-33'|'$entry'|" "$root/test/package/quickstart/main.ts.txt" > main.ts
  node "$cdk8s_cli" synth --no-check-upgrade > "$work/synth.out" 2>&1 || { cat "$work/synth.out" >&2; fail "cdk8s-plus-$line: cdk8s synth of the quick start failed"; }
  [ -f dist/hello.k8s.yaml ] || fail "cdk8s-plus-$line: cdk8s synth wrote no dist/hello.k8s.yaml"
  for name in app log-shipper statsd-exporter; do
    grep -q "name: $name\$" dist/hello.k8s.yaml || fail "cdk8s-plus-$line: container $name is missing from dist/hello.k8s.yaml"
  done

  # 2b'. The check command on what cdk8s synth wrote, through the installed bin.
  npx --offline cdk8s-sidecars check dist > "$work/check.out" 2>&1 || { cat "$work/check.out" >&2; fail "cdk8s-plus-$line: cdk8s-sidecars check dist failed"; }
  grep -q '^no problems in ' "$work/check.out" || { cat "$work/check.out" >&2; fail "cdk8s-plus-$line: cdk8s-sidecars check printed no summary"; }

  # 2b''. The validation plugin through the real cdk8s synth: a pod no helper touched, with a port clash.
  mkdir plugin-app && cp cdk8s.yaml plugin-app/ && ln -s ../node_modules plugin-app/node_modules
  printf 'validations:\n  - package: ./node_modules/cdk8s-sidecars/build/check/plugin.js\n    version: 0.1.0\n    class: PodChecks\n' >> plugin-app/cdk8s.yaml
  cat > plugin-app/main.ts <<'TS'
import { ApiObject, App, Chart } from 'cdk8s';
const app = new App();
const chart = new Chart(app, 'plain');
new ApiObject(chart, 'web', {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [
    { name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ containerPort: 8080 }] },
    { name: 'exporter', image: 'ghcr.io/acme/exporter:2.0.0', ports: [{ containerPort: 8080 }] },
  ] } } },
});
app.synth();
TS
  if (cd plugin-app && node "$cdk8s_cli" synth --no-check-upgrade > "$work/plugin.out" 2>&1); then
    cat "$work/plugin.out" >&2; fail "cdk8s-plus-$line: cdk8s synth with the validation plugin passed a port clash"
  fi
  grep -q 'ports: Deployment web' "$work/plugin.out" && grep -q 'Construct Path: plain/web' "$work/plugin.out" \
    || { cat "$work/plugin.out" >&2; fail "cdk8s-plus-$line: the validation plugin did not report the port clash"; }

  # 2c. A failing check, at synth time and at the call: the library's message at the top of the
  # error, and no stack frame in a file the package does not ship.
  for case in fails fails-call; do
    sed -e "s|'cdk8s-plus-33'|'cdk8s-plus-$line'|" -e "s|'cdk8s-sidecars/plus-33'|'$entry'|" "$root/test/package/quickstart/$case.ts.txt" > "$case.ts"
    if node "$cdk8s_cli" synth --no-check-upgrade --app "npx ts-node $case.ts" > "$work/$case.out" 2>&1; then
      fail "cdk8s-plus-$line: cdk8s synth succeeded on $case.ts"
    fi
    if grep -E 'cdk8s-sidecars/(lib|src)/|cdk8s-sidecars/.*\.ts:[0-9]' "$work/$case.out" | grep -q .; then
      cat "$work/$case.out" >&2; fail "cdk8s-plus-$line: the error of $case.ts points at TypeScript sources the package does not ship"
    fi
  done
  first="$(grep -m1 -A1 -E '^[A-Za-z]*Error:' "$work/fails.out" || true)"
  grep -qxF 'Error: Validation failed with the following errors:' <<<"$(head -n 1 <<<"$first")" \
    && grep -qE '^  \[hello/web\] port 8080/TCP: container "exporter" .* and container "app" .* both listen on it' <<<"$(tail -n 1 <<<"$first")" \
    || { cat "$work/fails.out" >&2; fail "cdk8s-plus-$line: the synth-time check did not print its message first"; }
  first="$(grep -m1 -E '^[A-Za-z]*Error:' "$work/fails-call.out" || true)"
  grep -qE '^Error: .*"hello/web".*"app"' <<<"$first" \
    || { cat "$work/fails-call.out" >&2; fail "cdk8s-plus-$line: the refusal at the call did not print its message first"; }

  # 2d. The entry of another line: the message says which entry to import.
  other=33; [ "$line" != 33 ] || other=28
  printf "import { withSidecar } from '%s';\nconsole.log(typeof withSidecar);\n" "$(entry_of "$other")" > wrong.ts
  if npx --offline ts-node --transpile-only wrong.ts > "$work/wrong.out" 2>&1; then fail "cdk8s-plus-$line: the entry for cdk8s-plus-$other loaded without it"; fi
  grep -q "^Error: cdk8s-sidecars: '$(entry_of "$other")' is the entry for cdk8s-plus-$other, which is not installed; the app has cdk8s-plus-$line: import from '$entry' instead$" "$work/wrong.out" \
    || { cat "$work/wrong.out" >&2; fail "cdk8s-plus-$line: importing the entry of cdk8s-plus-$other did not name '$entry'"; }

  echo "cdk8s-plus-$line ($(node -p "require('./node_modules/cdk8s-plus-$line/package.json').version")): '$entry' compiled strict, ran, and went through cdk8s synth; a failing check printed its message first"
  cd "$root"
done
echo "package smoke test passed: the tarball installed offline into a fresh cdk8s app on each of cdk8s-plus-{${lines// /,}}"
