/**
 * The peer the check command is measured against (bench/check.ts): kubernetes-models' validation
 * (`@kubernetes-models/validate`, the OpenAPI schema of every built-in kind, offline), the npm
 * package that validates Kubernetes YAML in JavaScript. Reads the same file with the YAML parser
 * the check command uses (js-yaml), validates every object and prints how many failed: what a schema linter such as
 * kubeconform does (neither kubeconform, kube-linter nor kube-score is on npm or Debian).
 *
 * usage: node check-peer.js <file.yaml>
 */
import * as fs from 'fs';
import { loadAll } from 'js-yaml';

const models: Record<string, new (data: unknown) => { validate(): void }> = {
  /* eslint-disable @typescript-eslint/no-require-imports */
  'apps/v1/Deployment': require('kubernetes-models/apps/v1/Deployment').Deployment,
  'apps/v1/StatefulSet': require('kubernetes-models/apps/v1/StatefulSet').StatefulSet,
  'batch/v1/Job': require('kubernetes-models/batch/v1/Job').Job,
  'v1/Service': require('kubernetes-models/v1/Service').Service,
  /* eslint-enable @typescript-eslint/no-require-imports */
};

let invalid = 0;
let documents = 0;
for (const doc of loadAll(fs.readFileSync(process.argv[2], 'utf8'))) {
  const value = doc as { apiVersion: string; kind: string } | null;
  if (!value) continue;
  documents++;
  const Model = models[`${value.apiVersion}/${value.kind}`];
  try {
    new Model(value).validate();
  } catch {
    invalid++;
  }
}
console.log(`${documents} documents, ${invalid} invalid`);
