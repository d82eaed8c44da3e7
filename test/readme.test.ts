/**
 * The README shows real code and real output: every TypeScript block marked
 * `<!-- ts: examples/x.ts -->` is an excerpt of that example (its lines, in order), and every YAML
 * block marked `<!-- yaml: <example> <Kind> <path> -->` is exactly what the example synthesizes there.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { examples } from '../examples/synth';
import { newApp, synth } from './util/synth';

const ROOT = path.join(__dirname, '..');
const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

interface Block { readonly doc: string; readonly marker: string; readonly body: string }

function markedBlocks(doc: string, kind: 'ts' | 'yaml'): Block[] {
  const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
  const pattern = new RegExp(`<!-- ${kind}: ([^>]+?) -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``, 'g');
  return [...text.matchAll(pattern)].map((m) => ({ doc, marker: m[1].trim(), body: m[2] }));
}

const synthesized = new Map<string, any[]>();
function manifestsOf(example: string): any[] {
  if (!synthesized.has(example)) {
    const found = examples().find((e) => e.name === example);
    if (!found) throw new Error(`no example named ${example}`);
    const { app } = newApp();
    new found.chart(app, example);
    synthesized.set(example, synth(app).manifests);
  }
  return synthesized.get(example)!;
}

const tsBlocks = DOCS.flatMap((d) => markedBlocks(d, 'ts'));
const yamlBlocks = DOCS.flatMap((d) => markedBlocks(d, 'yaml'));

test('the README has verified blocks', () => {
  expect(tsBlocks.length).toBeGreaterThan(0);
  expect(yamlBlocks.length).toBeGreaterThan(0);
});

test.each(tsBlocks.map((b) => [`${b.doc} ← ${b.marker}`, b]))('TypeScript in %s is an excerpt of the example', (_label, block) => {
  const source = fs.readFileSync(path.join(ROOT, block.marker), 'utf8').split('\n').map((l) => l.trim());
  const wanted = block.body.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('// …'))
    .map((l) => l.replace(/from 'cdk8s-sidecars'/, "from '../lib'"));
  let at = 0;
  for (const line of wanted) {
    const found = source.indexOf(line, at);
    if (found < 0) throw new Error(`${block.doc}: "${line}" is not in ${block.marker} (after line ${at + 1})`);
    at = found + 1;
  }
});

test.each(yamlBlocks.map((b) => [`${b.doc} ← ${b.marker}`, b]))('YAML in %s is what the example synthesizes', (_label, block) => {
  const [example, kind, where = ''] = block.marker.split(/\s+/);
  const manifest = manifestsOf(example).find((m) => m.kind === kind);
  if (!manifest) throw new Error(`${example} synthesizes no ${kind}`);
  const subtree = where.split('.').filter(Boolean).reduce((node, key) => node?.[key], manifest);
  expect(parse(block.body)).toEqual(subtree);
});
