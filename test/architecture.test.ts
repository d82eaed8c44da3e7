/**
 * The layers of lib/ (CONTRIBUTING.md), read from the import statements, type-only imports
 * included: ESLint's import/no-cycle skips those, yet a type cycle shows a declaration in the
 * wrong place just as well.
 */
import * as fs from 'fs';
import * as path from 'path';

const LIB = path.join(__dirname, '..', 'lib');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every module of lib/ (relative, without `.ts`) with the modules of lib/ and the packages it imports. */
function importGraph(): Map<string, { local: string[]; packages: string[] }> {
  const graph = new Map<string, { local: string[]; packages: string[] }>();
  for (const file of sources(LIB)) {
    const text = fs.readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
    const local: string[] = [];
    const packages: string[] = [];
    for (const specifier of specifiers) {
      if (!specifier.startsWith('.')) {
        packages.push(specifier);
        continue;
      }
      const target = path.resolve(path.dirname(file), specifier);
      const module = fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts');
      local.push(path.relative(LIB, module).replace(/\.ts$/, ''));
    }
    graph.set(path.relative(LIB, file).replace(/\.ts$/, ''), { local, packages });
  }
  return graph;
}

const graph = importGraph();

test('reads the whole library', () => {
  expect(graph.size).toBeGreaterThan(30);
  expect(graph.get('engine/attach')?.local).toContain('engine/registry');
});

test('cdk8s-plus is imported by the adapter only', () => {
  const importers = [...graph].filter(([, { packages }]) => packages.some((p) => p.startsWith('cdk8s-plus-'))).map(([m]) => m);
  expect(importers).toEqual(['engine/kplus']);
});

test('the engine imports no helper', () => {
  const wrong = [...graph].filter(([m]) => m.startsWith('engine/'))
    .flatMap(([m, { local }]) => local.filter((target) => !target.startsWith('engine/')).map((target) => `${m} -> ${target}`));
  expect(wrong).toEqual([]);
});

test('a helper imports the engine and its own modules only', () => {
  const helperOf = (m: string) => (m.includes('/') ? m.split('/')[0] : undefined);
  const wrong = [...graph]
    .filter(([m]) => helperOf(m) !== undefined && helperOf(m) !== 'engine')
    .flatMap(([m, { local }]) => local.filter((target) => helperOf(target) !== 'engine' && helperOf(target) !== helperOf(m)).map((target) => `${m} -> ${target}`));
  expect(wrong).toEqual([]);
});

test('no import cycle, type-only imports included', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (module: string, trail: string[]) => {
    if (state.get(module) === 'done') return;
    if (state.get(module) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(module)), module].join(' -> '));
      return;
    }
    state.set(module, 'open');
    for (const next of graph.get(module)?.local ?? []) visit(next, [...trail, module]);
    state.set(module, 'done');
  };
  for (const module of graph.keys()) visit(module, []);
  expect(cycles).toEqual([]);
});

test('the validation plugin and the check command load no cdk8s-plus (they run on plain manifests, for any line)', () => {
  // Runtime imports only: `import type` is erased.
  const runtime = new Map<string, string[]>();
  for (const file of sources(LIB)) {
    const text = fs.readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/^(?:import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
    const module = path.relative(LIB, file).replace(/\.ts$/, '');
    runtime.set(module, specifiers.map((s) => {
      if (!s.startsWith('.')) return s;
      const target = path.resolve(path.dirname(file), s);
      return path.relative(LIB, fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts')).replace(/\.ts$/, '');
    }));
  }
  const reached = new Set<string>();
  const visit = (module: string) => {
    if (reached.has(module)) return;
    reached.add(module);
    for (const next of runtime.get(module) ?? []) visit(next);
  };
  visit('check/plugin');
  visit('check/cli');
  expect(reached).toContain('engine/manifests');
  expect([...reached].filter((m) => m === 'engine/kplus' || m.startsWith('cdk8s-plus-') || m === 'cdk8s')).toEqual([]);
});
