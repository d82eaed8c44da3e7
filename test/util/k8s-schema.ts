/**
 * Validates manifests against the Kubernetes API, with unknown fields rejected.
 *
 * Two checks: a strict JSON schema generated at test time from the `kubernetes-types`
 * package (the Kubernetes 1.29 API types, the nearest published to the 1.28 API of
 * cdk8s-plus-28; every object `additionalProperties: false`), and the validators of
 * `kubernetes-models`, which know the enums and formats the types do not.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { createGenerator } from 'ts-json-schema-generator';

/** Every kind a test may synthesize, by apiVersion/kind, with the kubernetes-types module that holds it. */
const KINDS: Record<string, { module: string; type: string; models: string }> = {
  'apps/v1/Deployment': { module: 'apps/v1', type: 'Deployment', models: 'apps/v1/Deployment' },
  'apps/v1/StatefulSet': { module: 'apps/v1', type: 'StatefulSet', models: 'apps/v1/StatefulSet' },
  'apps/v1/DaemonSet': { module: 'apps/v1', type: 'DaemonSet', models: 'apps/v1/DaemonSet' },
  'apps/v1/ReplicaSet': { module: 'apps/v1', type: 'ReplicaSet', models: 'apps/v1/ReplicaSet' },
  'batch/v1/Job': { module: 'batch/v1', type: 'Job', models: 'batch/v1/Job' },
  'batch/v1/CronJob': { module: 'batch/v1', type: 'CronJob', models: 'batch/v1/CronJob' },
  'v1/Pod': { module: 'core/v1', type: 'Pod', models: 'v1/Pod' },
  'v1/Service': { module: 'core/v1', type: 'Service', models: 'v1/Service' },
  'v1/ConfigMap': { module: 'core/v1', type: 'ConfigMap', models: 'v1/ConfigMap' },
  'v1/Secret': { module: 'core/v1', type: 'Secret', models: 'v1/Secret' },
  'v1/ServiceAccount': { module: 'core/v1', type: 'ServiceAccount', models: 'v1/ServiceAccount' },
  'rbac.authorization.k8s.io/v1/Role': { module: 'rbac/v1', type: 'Role', models: 'rbac.authorization.k8s.io/v1/Role' },
  'rbac.authorization.k8s.io/v1/RoleBinding': { module: 'rbac/v1', type: 'RoleBinding', models: 'rbac.authorization.k8s.io/v1/RoleBinding' },
  'networking.k8s.io/v1/NetworkPolicy': { module: 'networking/v1', type: 'NetworkPolicy', models: 'networking.k8s.io/v1/NetworkPolicy' },
};

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'cdk8s-sidecars');

function typesVersion(): string {
  return JSON.parse(fs.readFileSync(require.resolve('kubernetes-types/package.json'), 'utf8')).version;
}

/** Generates (once per kubernetes-types version, cached on disk) the strict schema of every kind. */
function strictSchema(): any {
  const file = path.join(CACHE_DIR, `k8s-strict-${typesVersion()}-${Object.keys(KINDS).length}.json`);
  if (fs.existsSync(file)) {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  }
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const entry = path.join(CACHE_DIR, `k8s-kinds-${process.pid}.ts`);
  const imports = Object.values(KINDS).map((k, i) => `import type { ${k.type} as T${i} } from 'kubernetes-types/${k.module}';`);
  const exports = Object.values(KINDS).map((k, i) => `export type K_${k.type} = T${i};`);
  fs.writeFileSync(entry, [...imports, ...exports].join('\n'));
  try {
    const generator = createGenerator({
      path: entry,
      type: '*',
      additionalProperties: false,
      skipTypeCheck: true,
      expose: 'all',
      topRef: true,
      jsDoc: 'none',
    });
    const schema = generator.createSchema('*');
    const tmp = `${file}.${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(schema));
    fs.renameSync(tmp, file); // atomic: parallel jest workers never read half a file
    return schema;
  } finally {
    fs.rmSync(entry, { force: true });
  }
}

let validators: Map<string, ValidateFunction> | undefined;

function strictValidator(key: string): ValidateFunction {
  if (!validators) {
    const schema = strictSchema();
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addSchema(schema, 'k8s');
    validators = new Map();
    for (const [k, v] of Object.entries(KINDS)) {
      validators.set(k, ajv.getSchema(`k8s#/definitions/K_${v.type}`)!);
    }
  }
  return validators.get(key)!;
}

/**
 * Throws, naming the object and every problem, unless `manifest` is a valid Kubernetes object
 * of a known kind with no unknown field.
 */
export function validateManifest(manifest: any): void {
  const key = `${manifest?.apiVersion}/${manifest?.kind}`;
  const kind = KINDS[key];
  const label = `${key} "${manifest?.metadata?.name}"`;
  if (!kind) {
    throw new Error(`${label}: no schema for this kind in test/util/k8s-schema.ts; add it to KINDS`);
  }
  const validate = strictValidator(key);
  if (!validate(manifest)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: "${e.params.additionalProperty}"` : ''}`);
    throw new Error(`${label} does not match the Kubernetes schema:\n  ${problems.join('\n  ')}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Model = Object.values(require(`kubernetes-models/${kind.models}`))[0] as any;
  new Model(manifest).validate();
}

/** Validates every manifest; returns them for chaining. */
export function validateManifests<T extends any[]>(manifests: T): T {
  for (const m of manifests) validateManifest(m);
  return manifests;
}
