#!/usr/bin/env node
/**
 * One source, one build per cdk8s-plus line (part of `npx projen compile`; see LINES in .projenrc.ts).
 *
 * `tsc` compiles lib/ once, against cdk8s-plus-28, into build/. For every other line XX this
 * copies build/ to build/plus-XX/ and rewrites the import of the adapter (engine/kplus.js and
 * engine/kplus.d.ts) from cdk8s-plus-28 to cdk8s-plus-XX: the adapter is the only module that
 * imports cdk8s-plus (lint rule, test/architecture.test.ts), so nothing else differs. It fails if
 * any other emitted file loads cdk8s-plus, or if the adapter does not hold exactly one import to
 * rewrite. test/lines/typecheck.test.ts compiles lib/ against each line, so the sources are known
 * to type-check against every line this emits.
 *
 * Usage: node tools/lines/emit.js 31 32 33
 */
'use strict';
const fs = require('fs');
const path = require('path');

const BUILD = path.join(__dirname, '..', '..', 'build');
const FROM = 'cdk8s-plus-28';
const ADAPTER = ['engine/kplus.js', 'engine/kplus.d.ts'];
// A module load of cdk8s-plus, in JavaScript or in a declaration file.
const LOADS = /(?:require\(|import\(|from\s+)["']cdk8s-plus-\d+["']/;

function fail(message) {
  console.error(`tools/lines/emit.js: ${message}`);
  process.exit(1);
}

/** Every .js and .d.ts file under build/, relative, leaving out the emitted lines. */
function files(dir = BUILD, rel = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const name = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return rel === '' && /^plus-\d+$/.test(entry.name) ? [] : files(path.join(dir, entry.name), name);
    return /\.(js|d\.ts)$/.test(entry.name) ? [name] : [];
  });
}

const lines = process.argv.slice(2);
if (lines.length === 0 || lines.some((l) => !/^\d+$/.test(l) || l === '28')) fail(`usage: emit.js <line>... (not 28, the default build); got ${lines.join(' ')}`);
if (!fs.existsSync(path.join(BUILD, 'index.js'))) fail('build/index.js is missing: compile first');

const all = files();
for (const file of all) {
  if (!ADAPTER.includes(file) && LOADS.test(fs.readFileSync(path.join(BUILD, file), 'utf8'))) {
    fail(`${file} loads cdk8s-plus; only the adapter (lib/engine/kplus.ts) may`);
  }
}
for (const file of ADAPTER) {
  const text = fs.readFileSync(path.join(BUILD, file), 'utf8');
  const loads = text.split('\n').filter((l) => LOADS.test(l));
  if (loads.length !== 1 || !loads[0].includes(FROM)) fail(`${file} must load ${FROM} exactly once; found: ${loads.join(' | ') || 'none'}`);
}

for (const line of lines) {
  const out = path.join(BUILD, `plus-${line}`);
  fs.rmSync(out, { recursive: true, force: true });
  for (const file of all) {
    let text = fs.readFileSync(path.join(BUILD, file), 'utf8');
    if (ADAPTER.includes(file)) text = text.split(FROM).join(`cdk8s-plus-${line}`);
    fs.mkdirSync(path.dirname(path.join(out, file)), { recursive: true });
    fs.writeFileSync(path.join(out, file), text);
  }
}
console.log(`build/plus-{${lines.join(',')}}: ${all.length} files each, the adapter importing its own line`);
