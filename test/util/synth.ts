/**
 * Synthesizes a cdk8s app as `cdk8s synth` does (validation first, then files), reads back
 * every YAML file it wrote, and checks each manifest against the Kubernetes API schema.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { validateManifests } from './k8s-schema';

export interface Synthesized {
  /** Every manifest of every file, in file and document order. */
  readonly manifests: any[];
  /** The files written, relative to the output folder, with their text. */
  readonly files: Record<string, string>;
}

/** A fresh app writing to its own temporary folder, and a chart in it. */
export function newApp(): { app: App; chart: Chart; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-sidecars-test-'));
  const app = new App({ outdir });
  const chart = new Chart(app, 'test');
  return { app, chart, outdir };
}

/** Runs `app.synth()`, then reads and schema-validates what it wrote. */
export function synth(app: App): Synthesized {
  app.synth();
  return readOutput(app.outdir);
}

export function readOutput(outdir: string): Synthesized {
  const files: Record<string, string> = {};
  const manifests: any[] = [];
  for (const file of listFiles(outdir)) {
    const text = fs.readFileSync(path.join(outdir, file), 'utf8');
    files[file] = text;
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      const value = doc.toJSON();
      if (value !== null) manifests.push(value);
    }
  }
  validateManifests(manifests);
  return { files, manifests };
}

/**
 * Runs `app.synth()` expecting it to fail; returns the error message after checking that no
 * file was written.
 */
export function synthFails(app: App): string {
  let message: string | undefined;
  try {
    app.synth();
  } catch (e) {
    message = (e as Error).message;
  }
  if (message === undefined) throw new Error('expected synthesis to fail, but it succeeded');
  const written = listFiles(app.outdir);
  if (written.length > 0) throw new Error(`synthesis failed but wrote ${written.join(', ')}`);
  return message;
}

export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? (e as any).path, e.name)))
    .sort();
}

/** The manifest of `kind` whose name contains `nameFragment` (the first of that kind when omitted). */
export function find(manifests: any[], kind: string, nameFragment?: string): any {
  const found = manifests.find((m) => m.kind === kind && (nameFragment === undefined || m.metadata.name.includes(nameFragment)));
  if (!found) throw new Error(`no ${kind}${nameFragment ? ` named like "${nameFragment}"` : ''} among ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  return found;
}
