/**
 * The entries the messages name (LINE_ENTRIES, lib/engine/kplus-lines.ts) are the entries
 * package.json serves (besides the validation plugin's, which serves every line), and every line
 * is an optional peer: installing cdk8s-sidecars pulls in no cdk8s-plus.
 */
import * as fs from 'fs';
import * as path from 'path';
import { checkLineInstalled, LINE_ENTRIES } from '../../lib/engine/kplus-lines';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));

test('every line the messages name has its entry in exports and typesVersions, and no other', () => {
  const served: Record<string, string> = {};
  for (const [subpath, target] of Object.entries<any>(manifest.exports)) {
    if (subpath === './package.json') continue;
    expect(target.types).toBe(target.default.replace(/\.js$/, '.d.ts'));
    // The validation plugin's entry loads no cdk8s-plus (test/architecture.test.ts): one for every line.
    if (subpath === './plugin') {
      expect(target.default).toBe('./build/check/plugin.js');
      continue;
    }
    const line = /build\/(?:plus-(\d+)\/)?index\.js$/.exec(target.default);
    served[`cdk8s-plus-${line?.[1] ?? '28'}`] = `cdk8s-sidecars${subpath.slice(1)}`;
  }
  expect(served).toEqual(LINE_ENTRIES);
  const typed = Object.keys(manifest.typesVersions['*']).filter((subpath) => subpath !== 'plugin').map((subpath) => `cdk8s-sidecars/${subpath}`);
  expect(typed.sort()).toEqual(Object.values(LINE_ENTRIES).filter((e) => e !== 'cdk8s-sidecars').sort());
});

test('every line is an optional peer dependency, and a development dependency for the tests', () => {
  for (const line of Object.keys(LINE_ENTRIES)) {
    expect(manifest.peerDependencies[line]).toMatch(/^\^2\./);
    expect(manifest.peerDependenciesMeta[line]).toEqual({ optional: true });
    expect(manifest.devDependencies[line]).toBe(manifest.peerDependencies[line].slice(1));
  }
  // The one dependency: the check command's YAML parser (lib/check/cli.ts).
  expect(Object.keys(manifest.dependencies ?? {})).toEqual(['js-yaml']);
});

describe('an entry whose line is not installed', () => {
  const resolverOf = (installed: string[]) => (id: string) => {
    if (!installed.includes(id)) throw new Error(`Cannot find module '${id}'`);
    return `/app/node_modules/${id}/lib/index.js`;
  };

  test('fails when the app has another line, naming the entry to import instead', () => {
    expect(() => checkLineInstalled('cdk8s-plus-28', resolverOf(['cdk8s-plus-33']))).toThrow(new Error(
      "cdk8s-sidecars: 'cdk8s-sidecars' is the entry for cdk8s-plus-28, which is not installed; the app has cdk8s-plus-33: "
      + "import from 'cdk8s-sidecars/plus-33' instead"));
  });

  test('fails when the app has no cdk8s-plus at all, listing the entries', () => {
    expect(() => checkLineInstalled('cdk8s-plus-32', resolverOf([]))).toThrow(new Error(
      "cdk8s-sidecars: 'cdk8s-sidecars/plus-32' is the entry for cdk8s-plus-32, which is not installed; install the cdk8s-plus line "
      + "the app uses (cdk8s init installs the newest) and import its entry: 'cdk8s-sidecars' (cdk8s-plus-28), "
      + "'cdk8s-sidecars/plus-31' (cdk8s-plus-31), 'cdk8s-sidecars/plus-32' (cdk8s-plus-32), 'cdk8s-sidecars/plus-33' (cdk8s-plus-33)"));
  });

  test('an installed line loads', () => {
    expect(() => checkLineInstalled('cdk8s-plus-31', resolverOf(['cdk8s-plus-31', 'cdk8s-plus-33']))).not.toThrow();
  });
});
