/**
 * The README and docs/ show real code and real output. Every fenced block of TypeScript, YAML or a
 * program's configuration carries a marker, and is checked against the examples:
 * - `<!-- ts: examples/x.ts -->`: an excerpt of that example (its lines, in order; `// …` skips);
 * - `<!-- yaml: <example> <Kind> <path> -->`: exactly what the example synthesizes there;
 * - `<!-- yaml-excerpt: <example> <Kind> [path] -->`: what the example synthesizes there, trimmed:
 *   every key shown is there with the value shown, list items in order, `# …` where lines are left out;
 * - `<!-- text-excerpt: <example> <Kind> <path> -->`: lines of the text at that path (a configuration
 *   file in a ConfigMap), in order; a line starting `# …` says what is left out;
 * - `<!-- sketch -->`: a sketch that is not an example's (a shell command, a one-line call): exempt,
 *   and kept to a few lines.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { examples } from '../examples/synth';
import { newApp, synth } from './util/synth';

const ROOT = path.join(__dirname, '..');
const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

interface Block { readonly doc: string; readonly marker: string; readonly body: string }

function markedBlocks(doc: string, kind: 'ts' | 'yaml' | 'yaml-excerpt' | 'text-excerpt'): Block[] {
  const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
  const pattern = new RegExp(`<!-- ${kind}: ([^>]+?) -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``, 'g');
  return [...text.matchAll(pattern)].map((m) => ({ doc, marker: m[1].trim(), body: m[2] }));
}

/** Every fenced block, with the marker comment right before it (if any). */
function allBlocks(doc: string): Array<{ line: number; lang: string; marker?: string; lines: number }> {
  const lines = fs.readFileSync(path.join(ROOT, doc), 'utf8').split('\n');
  const blocks: Array<{ line: number; lang: string; marker?: string; lines: number }> = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const marker = before >= 0 ? /^<!-- ([\w-]+)[:\s]/.exec(`${lines[before]} `)?.[1] : undefined;
    blocks.push({ line: i + 1, lang: open[1], marker, lines: end - i - 1 });
    i = end;
  }
  return blocks;
}

/** The subtree of a manifest at a dotted path (`spec.template.spec.initContainers.0`). */
function subtreeOf(block: Block): any {
  const [example, kind, where = ''] = block.marker.split(/\s+/);
  const manifest = manifestsOf(example).find((m) => m.kind === kind);
  if (!manifest) throw new Error(`${example} synthesizes no ${kind}`);
  // Keys with a dot in them (a file name in a ConfigMap) are written with `\.`.
  return where.split(/(?<!\\)\./).filter(Boolean).map((key) => key.replace(/\\\./g, '.')).reduce((node, key) => node?.[key], manifest);
}

/** Where `shown` is not a trimmed copy of `actual`, or undefined when it is. */
function excerptProblem(shown: any, actual: any, at = ''): string | undefined {
  if (Array.isArray(shown)) {
    if (!Array.isArray(actual)) return `${at || '.'}: a list is shown, the example has ${JSON.stringify(actual)}`;
    let from = 0;
    for (const [i, item] of shown.entries()) {
      const found = actual.findIndex((candidate, j) => j >= from && excerptProblem(item, candidate) === undefined);
      if (found < 0) {
        const near = actual[Math.min(from + i, actual.length - 1)];
        return `${at}[${i}]: no item at or after ${from} matches; ${excerptProblem(item, near, `${at}[~${i}]`) ?? ''}`;
      }
      from = found + 1;
    }
    return undefined;
  }
  if (shown !== null && typeof shown === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return `${at || '.'}: a map is shown, the example has ${JSON.stringify(actual)}`;
    for (const key of Object.keys(shown)) {
      if (!(key in actual)) return `${at}.${key}: not in the example`;
      const problem = excerptProblem(shown[key], actual[key], `${at}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  }
  return shown === actual ? undefined : `${at || '.'}: shown ${JSON.stringify(shown)}, the example has ${JSON.stringify(actual)}`;
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
const yamlExcerpts = DOCS.flatMap((d) => markedBlocks(d, 'yaml-excerpt'));
const textExcerpts = DOCS.flatMap((d) => markedBlocks(d, 'text-excerpt'));
const MARKERS = ['ts', 'yaml', 'yaml-excerpt', 'text-excerpt', 'sketch'];

test.each(DOCS)('every code block in %s is marked and checked', (doc) => {
  const unmarked = allBlocks(doc)
    .filter((b) => !MARKERS.includes(b.marker ?? '') || (b.marker === 'sketch' && b.lines > 12))
    .map((b) => `${doc}:${b.line} (\`\`\`${b.lang}${b.marker === 'sketch' ? `, a sketch of ${b.lines} lines` : ''})`);
  expect(unmarked).toEqual([]);
});

test.each(yamlExcerpts.map((b) => [`${b.doc} ← ${b.marker}`, b]))('YAML in %s is a trimmed copy of what the example synthesizes', (_label, block) => {
  const documents = parseAllDocuments(block.body).map((d) => d.toJSON()).filter((d) => d !== null);
  const [example, kind] = block.marker.split(/\s+/);
  if (kind !== undefined) {
    expect(documents).toHaveLength(1);
    const actual = subtreeOf(block);
    // A configuration file held as text in a ConfigMap is compared as the YAML it is.
    expect(excerptProblem(documents[0], typeof actual === 'string' ? parse(actual) : actual)).toBeUndefined();
    return;
  }
  // Without a kind: each document shown is a trimmed copy of one manifest of the example.
  for (const shown of documents) {
    const candidates = manifestsOf(example).filter((m) => m.kind === shown.kind);
    const problems = candidates.map((m) => excerptProblem(shown, m));
    if (!problems.includes(undefined)) throw new Error(`${block.doc}: a ${shown.kind} shown is not one ${example} synthesizes: ${problems.join('; ') || 'none of that kind'}`);
  }
});

(textExcerpts.length > 0 ? test.each(textExcerpts.map((b) => [`${b.doc} ← ${b.marker}`, b])) : test.skip.each([['none', textExcerpts[0]]]))('text in %s is an excerpt of the example\'s file', (_label, block) => {
  const text = subtreeOf(block);
  expect(typeof text).toBe('string');
  const source = (text as string).split('\n').map((l) => l.trim());
  let at = 0;
  for (const line of block.body.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('# …') && l !== '…')) {
    const found = source.indexOf(line, at);
    if (found < 0) throw new Error(`${block.doc}: "${line}" is not in ${block.marker} (after line ${at + 1})`);
    at = found + 1;
  }
});

test('the README has verified blocks', () => {
  expect(tsBlocks.length).toBeGreaterThan(0);
  expect(yamlBlocks.length).toBeGreaterThan(0);
});

/** What an example imports from each module: `{ 'cdk8s': ['App', 'Duration'], … }`. */
function importsOf(lines: string[]): Map<string, Set<string>> {
  const imports = new Map<string, Set<string>>();
  for (const m of lines.join('\n').matchAll(/^import (?:\{([^}]*)\}|\* as (\w+)) from '([^']+)';$/gm)) {
    const names = m[1] ? m[1].split(',').map((n) => n.trim()).filter(Boolean) : [`* as ${m[2]}`];
    const set = imports.get(m[3]) ?? new Set<string>();
    names.forEach((n) => set.add(n));
    imports.set(m[3], set);
  }
  return imports;
}

test.each(tsBlocks.map((b) => [`${b.doc} ← ${b.marker}`, b]))('TypeScript in %s is an excerpt of the example', (_label, block) => {
  const source = fs.readFileSync(path.join(ROOT, block.marker), 'utf8').split('\n').map((l) => l.trim());
  const imported = importsOf(source);
  const wanted = block.body.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('// …'))
    .map((l) => l.replace(/from 'cdk8s-sidecars'/, "from '../lib'"));
  let at = 0;
  for (const line of wanted) {
    // An import shown is one the example makes (the example may import more from that module).
    const shownImport = importsOf([line]);
    if (shownImport.size > 0) {
      for (const [module, names] of shownImport) {
        const missing = [...names].filter((n) => !imported.get(module)?.has(n));
        if (missing.length > 0) throw new Error(`${block.doc}: ${block.marker} does not import ${missing.join(', ')} from '${module}'`);
      }
      continue;
    }
    const found = source.indexOf(line, at);
    if (found < 0) throw new Error(`${block.doc}: "${line}" is not in ${block.marker} (after line ${at + 1})`);
    at = found + 1;
  }
});

test.each(yamlBlocks.map((b) => [`${b.doc} ← ${b.marker}`, b]))('YAML in %s is what the example synthesizes', (_label, block) => {
  expect(parse(block.body)).toEqual(subtreeOf(block));
});
