#!/usr/bin/env node
/**
 * `cdk8s-sidecars check <files or folders or ->`: the whole-pod rules over plain YAML, for Helm
 * and kustomize users (`helm template … | npx cdk8s-sidecars check -`). Reads multi-document
 * YAML (and `kind: List`, as `kubectl get -o yaml` writes), prints findings like a linter, exits
 * 1 when it finds any, 2 on bad input or usage; writes nothing. Loads no cdk8s-plus.
 */
import * as fs from 'fs';
import * as path from 'path';
import { load, YAMLException } from 'js-yaml';
import { checkManifests, describeResource, ManifestFinding } from '../engine/manifests';

const USAGE = `usage: cdk8s-sidecars check [--format text|json] [--restricted] <file or folder or ->...

Checks every pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod, …)
of multi-document YAML: port clashes (declared, and the ports well-known sidecar images bind
without declaring them), host ports, mount paths, missing volumes, subPaths into shared
emptyDirs, port names, probes, long-running containers on Jobs; with --restricted, the Pod
Security Standards "restricted" profile too. Folders are read for *.yaml, *.yml and *.json;
"-" reads standard input. Exits 0 when it finds nothing, 1 when it finds problems, 2 on bad input.`;

/** A finding with the file and line of its document. */
interface FileFinding extends ManifestFinding {
  readonly file: string;
  readonly line: number;
}

/** A document that is not valid YAML. */
interface ParseError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

interface Options {
  readonly format: 'text' | 'json';
  readonly restricted: boolean;
  readonly inputs: readonly string[];
}

function parseArgs(argv: readonly string[]): Options | string {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') return USAGE;
  if (command !== 'check') return `${command === undefined ? 'no command given' : `unknown command "${command}"`}\n\n${USAGE}`;
  let format: 'text' | 'json' = 'text';
  let restricted = false;
  const inputs: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg === '--format' ? rest[++i] : arg.slice('--format='.length);
      if (value !== 'text' && value !== 'json') return `--format takes text or json, got ${value === undefined ? 'nothing' : `"${value}"`}`;
      format = value;
    } else if (arg === '--restricted') {
      restricted = true;
    } else if (arg === '--help' || arg === '-h') {
      return USAGE;
    } else if (arg.startsWith('-') && arg !== '-') {
      return `unknown option "${arg}"\n\n${USAGE}`;
    } else {
      inputs.push(arg);
    }
  }
  if (inputs.length === 0) return `no input given: name files, folders, or - for standard input\n\n${USAGE}`;
  return { format, restricted, inputs };
}

/** The files to read, in the order given; a folder's YAML and JSON files in name order, recursively. */
function expand(input: string): string[] {
  if (input === '-') return ['-'];
  const stat = fs.statSync(input); // throws ENOENT, reported by main
  if (!stat.isDirectory()) return [input];
  return fs.readdirSync(input, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const full = path.join(input, entry.name);
      if (entry.isDirectory()) return expand(full);
      return /\.(ya?ml|json)$/i.test(entry.name) ? [full] : [];
    });
}

/** One document of a YAML stream: its text and the line it starts on (from 1). */
interface YamlDocument {
  readonly text: string;
  readonly line: number;
}

/**
 * The documents of a YAML stream: split at the document markers (`---`, `...`) at the start of a
 * line, which YAML forbids inside any content (YAML 1.2 c-forbidden), so each document is parsed
 * on its own and an error in one leaves the others read.
 * @see https://yaml.org/spec/1.2.2/#912-document-markers
 */
function splitDocuments(text: string): YamlDocument[] {
  const docs: YamlDocument[] = [];
  const marker = /^(---|\.\.\.)(?=[ \t\r\n]|$)/gm;
  let start = 0;
  let startLine = 1;
  let counted = 0; // text before this index has been counted into `line`
  let line = 1;
  const lineAt = (index: number) => {
    for (let nl = text.indexOf('\n', counted); nl >= 0 && nl < index; nl = text.indexOf('\n', nl + 1)) line++;
    counted = index;
    return line;
  };
  for (let m = marker.exec(text); m !== null; m = marker.exec(text)) {
    if (m.index > start) docs.push({ text: text.slice(start, m.index), line: startLine });
    if (m[1] === '---') {
      start = m.index;
      startLine = lineAt(m.index);
    } else {
      const end = text.indexOf('\n', m.index);
      start = end < 0 ? text.length : end + 1;
      startLine = lineAt(start);
    }
  }
  if (start < text.length) docs.push({ text: text.slice(start), line: startLine });
  return docs;
}

/** The line of a document's first content (past its `---`, comments and blank lines). */
function contentLine(doc: YamlDocument): number {
  const lines = doc.text.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '' && !l.trimStart().startsWith('#') && !/^(---|%)(\s|$)/.test(l) && !l.startsWith('%'));
  return doc.line + Math.max(first, 0);
}

function main(argv: readonly string[]): number {
  const options = parseArgs(argv);
  if (typeof options === 'string') {
    const help = options === USAGE;
    (help ? process.stdout : process.stderr).write(`${options}\n`);
    return help ? 0 : 2;
  }
  let files: string[];
  try {
    files = options.inputs.flatMap(expand);
  } catch (e) {
    process.stderr.write(`cdk8s-sidecars check: ${(e as Error).message}\n`);
    return 2;
  }

  const findings: FileFinding[] = [];
  const parseErrors: ParseError[] = [];
  const skipped: Record<string, number> = {};
  let pods = 0;
  let documents = 0;
  for (const file of files) {
    const name = file === '-' ? '<stdin>' : file;
    const text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
    const docs: unknown[] = [];
    /** Per document checked: its number in the file (from 0) and where it is. */
    const numbers: number[] = [];
    const where: YamlDocument[] = [];
    let number = 0;
    for (const doc of splitDocuments(text)) {
      let value: unknown;
      try {
        value = load(doc.text, { filename: name });
      } catch (e) {
        const mark = e instanceof YAMLException ? e.mark : undefined;
        parseErrors.push({
          file: name,
          line: doc.line + (mark?.line ?? 0),
          column: (mark?.column ?? 0) + 1,
          message: e instanceof YAMLException ? e.reason : (e as Error).message,
        });
        number++;
        continue;
      }
      if (value === null || value === undefined) continue; // an empty document (a trailing `---`, comments only)
      docs.push(value);
      numbers.push(number++);
      where.push(doc);
    }
    documents += number;
    const report = checkManifests(docs, { restricted: options.restricted });
    pods += report.pods;
    for (const [kind, count] of Object.entries(report.skipped)) skipped[kind] = (skipped[kind] ?? 0) + count;
    for (const finding of report.findings) {
      findings.push({ ...finding, documentIndex: numbers[finding.documentIndex], file: name, line: contentLine(where[finding.documentIndex]) });
    }
  }

  if (options.format === 'json') {
    process.stdout.write(`${JSON.stringify({ findings, parseErrors, files: files.length, documents, pods, skipped }, null, 2)}\n`);
  } else {
    const out: string[] = [];
    for (const e of parseErrors) out.push(`${e.file}:${e.line}:${e.column}: error yaml: ${e.message}`);
    for (const f of findings) {
      const where = `${f.file}:${f.line}`;
      const document = `document ${f.documentIndex + 1}${f.itemIndex === undefined ? '' : `, item ${f.itemIndex + 1}`}`;
      out.push(`${where}: ${f.severity} ${f.rule}: ${describeResource(f.resource)} (${document}): ${f.message}`);
      if (f.fix) out.push(`  fix: ${f.fix}`);
    }
    const skippedText = Object.entries(skipped).map(([kind, count]) => `${kind} ${count}`).join(', ');
    const problems = findings.length + parseErrors.length;
    out.push(`${problems === 0 ? 'no problems' : `${problems} problem${problems === 1 ? '' : 's'}`} in ${pods} pod template${pods === 1 ? '' : 's'} `
      + `(${documents} document${documents === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}`
      + `${skippedText ? `; skipped, holding no pod template: ${skippedText}` : ''})`);
    process.stdout.write(`${out.join('\n')}\n`);
  }
  if (parseErrors.length > 0) return 2;
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
