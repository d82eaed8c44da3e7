#!/usr/bin/env node
/**
 * `cdk8s-sidecars check <files or folders or ->`: the whole-pod rules over plain YAML, for Helm
 * and kustomize users (`helm template … | npx cdk8s-sidecars check -`). Reads multi-document
 * YAML (and `kind: List`, as `kubectl get -o yaml` writes), prints findings like a linter, exits
 * 1 when it finds any, 2 on bad input or usage; writes nothing. Loads no cdk8s-plus.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LineCounter, parseAllDocuments } from 'yaml';
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
    const lineCounter = new LineCounter();
    const docs: unknown[] = [];
    /** Per document checked: its number in the file (from 0) and its first line. */
    const numbers: number[] = [];
    const lines: number[] = [];
    let number = 0;
    for (const doc of parseAllDocuments(text, { lineCounter })) {
      const start = doc.contents?.range?.[0] ?? doc.range[0];
      const line = lineCounter.linePos(start).line;
      if (doc.errors.length > 0) {
        const error = doc.errors[0];
        const at = error.linePos?.[0] ?? { line, col: 1 };
        parseErrors.push({ file: name, line: at.line, column: at.col, message: error.message.split('\n')[0] });
        number++;
        continue;
      }
      const value = doc.toJS({ maxAliasCount: 1000 });
      if (value === null || value === undefined) continue; // an empty document (a trailing `---`)
      docs.push(value);
      numbers.push(number++);
      lines.push(line);
    }
    documents += number;
    const report = checkManifests(docs, { restricted: options.restricted });
    pods += report.pods;
    for (const [kind, count] of Object.entries(report.skipped)) skipped[kind] = (skipped[kind] ?? 0) + count;
    for (const finding of report.findings) {
      findings.push({ ...finding, documentIndex: numbers[finding.documentIndex], file: name, line: lines[finding.documentIndex] });
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
