/**
 * Synthesizes every example under examples/ to plain Kubernetes YAML, one file per example:
 * `npm run synth` writes dist/<example>.k8s.yaml.
 *
 * Each example module exports one Chart class; its chart is named after the file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';

/** Every example file, with its Chart class, in name order. */
export function examples(): Array<{ name: string; chart: new (scope: App, id: string) => Chart }> {
  return fs.readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== 'synth.ts')
    .sort()
    .map((file) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exported = Object.values(require(path.join(__dirname, file))) as any[];
      const charts = exported.filter(isChartClass);
      if (charts.length !== 1) {
        throw new Error(`examples/${file} must export exactly one Chart class (exports ${charts.length})`);
      }
      return { name: path.basename(file, '.ts'), chart: charts[0] };
    });
}

/** Chart has a custom `instanceof`; walk the class chain instead. */
function isChartClass(value: unknown): boolean {
  for (let c = typeof value === 'function' ? Object.getPrototypeOf(value) : undefined; c; c = Object.getPrototypeOf(c)) {
    if (c === Chart) return true;
  }
  return false;
}

if (require.main === module) {
  const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
  const app = new App({ outdir });
  for (const example of examples()) {
    new example.chart(app, example.name);
  }
  app.synth();
  console.log(`synthesized ${examples().length} examples to ${outdir}/`);
}
