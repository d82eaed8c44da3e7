#!/usr/bin/env bash
# `npm run test:compat`: the library against the newest release of each cdk8s-plus line within
# its peer range (package.json peerDependencies), fetched from the npm registry now — the
# releases `npm test` uses are pinned in devDependencies; this tells whether a user who installs
# today gets something that works. Needs the network; never part of `npm test`.
#
# For each line: install the newest release into node_modules/.cache/cdk8s-sidecars/compat/<line>/
# (inside this project's node_modules, so that it loads this project's cdk8s and constructs:
# one copy of each), type-check lib/ against it, and run the line's suites (test/jest-plus-XX.json,
# settings) on the suites that depend on the line, with cdk8s-plus-28 mapped to it. LINES="33" limits the lines.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
cache="$root/node_modules/.cache/cdk8s-sidecars/compat"
lines="${LINES:-$(node -p 'Object.keys(require("./package.json").peerDependencies).filter((p) => p.startsWith("cdk8s-plus-")).map((p) => p.slice(11)).join(" ")')}"
failed=()

for line in $lines; do
  pkg="cdk8s-plus-$line"
  range="$(node -p "require('./package.json').peerDependencies['$pkg']")"
  newest="$(npm view "$pkg@$range" version --json | node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(Array.isArray(v) ? v[v.length - 1] : v)')"
  pinned="$(node -p "require('./package.json').devDependencies['$pkg']")"
  dir="$cache/$line"
  echo "== $pkg: newest within $range is $newest (npm test pins $pinned)"
  if [ "$(node -p "try { require('$dir/node_modules/$pkg/package.json').version } catch { '' }")" != "$newest" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    echo '{ "name": "compat", "version": "0.0.0", "private": true }' > "$dir/package.json"
    # --legacy-peer-deps: not cdk8s and constructs again; the line loads this project's.
    (cd "$dir" && npm install --no-audit --no-fund --no-save --legacy-peer-deps --loglevel=error "$pkg@$newest" >/dev/null)
  fi

  cat > "$dir/tsconfig.json" <<JSON
{ "extends": "$root/tsconfig.json", "compilerOptions": { "noEmit": true, "rootDir": "$root/lib", "paths": { "cdk8s-plus-28": ["$dir/node_modules/$pkg"] } }, "include": ["$root/lib/**/*.ts"] }
JSON
  if ! npx tsc -p "$dir/tsconfig.json"; then
    failed+=("$pkg@$newest: lib/ does not type-check"); continue
  fi

  base="test/jest-plus-$line.json"; [ "$line" != 28 ] || base="test/jest-fast.json"
  node -e '
    const [base, out, target, root, line] = process.argv.slice(1);
    const config = JSON.parse(require("fs").readFileSync(base, "utf8"));
    config.rootDir = root;
    config.moduleNameMapper = { "^cdk8s-plus-28$": target };
    // The suites that depend on the line (the whole suite runs on the pinned newest line in npm test).
    config.testMatch = ["<rootDir>/test/examples.test.ts", "<rootDir>/test/lines/**/*.test.ts", "<rootDir>/test/constructs.test.ts", "<rootDir>/test/real/api-server/**/*.test.ts"];
    require("fs").writeFileSync(out, JSON.stringify(config));
  ' "$base" "$dir/jest.json" "$dir/node_modules/$pkg" "$root" "$line"
  if ! npx jest --ci --config "$dir/jest.json"; then
    failed+=("$pkg@$newest: tests failed")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  printf 'test:compat FAILED:\n' >&2; printf '  %s\n' "${failed[@]}" >&2; exit 1
fi
echo "test:compat passed: $lines, each at its newest release within the peer range"
