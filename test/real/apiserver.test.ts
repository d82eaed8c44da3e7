/**
 * The real kube-apiserver judges our output: every object of every example, every complete
 * manifest in the README and docs/*.md, and hundreds of random compositions are created with
 * `dryRun=All&fieldValidation=Strict` in a namespace that enforces, warns on and audits the Pod
 * Security "restricted" profile. A rejection or a warning fails the test.
 *
 * Pod Security only warns on controllers (Deployment, Job, …) and enforces on Pods, so each
 * workload's pod template is also sent as a bare Pod, as its controller would create it.
 *
 * The server (tools/kube, started by test/util/global-setup.ts) stores nothing of this: dry runs
 * pass through defaulting, validation and admission, and stop before etcd.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import * as fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';
import { examples } from '../../examples/synth';
import { LogShipperEngine } from '../../lib';
import { buildComposition, composition, logShipperApp, nasty } from '../util/compositions';
import { KubeApi, KubeResponse, mapLimit, runningKubeApi } from '../util/kube-apiserver';
import { newApp } from '../util/synth';

/** Requests in flight at once. */
const CONCURRENCY = 8;
/** Random sidecar compositions per run (test/properties.test.ts's generator). */
const COMPOSITIONS = 500;
/** Random log-shipper values per engine per run (test/log-shipper/properties.test.ts's generator). */
const LOG_SHIPPER_VALUES = 50;
/** Seed of the random parts; set CDK8S_SIDECARS_SEED to replay a failing run. */
const SEED = Number(process.env.CDK8S_SIDECARS_SEED ?? Date.now() % 2 ** 31);

const ROOT = path.join(__dirname, '..', '..');
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];

let api: KubeApi;
/** Objects sent to the server in this file, for the summary. */
let sentCount = 0;

beforeAll(() => {
  api = new KubeApi(runningKubeApi(), CONCURRENCY);
});
afterAll(() => {
  api?.close();
  if (api) console.log(`sent ${sentCount} objects to kube-apiserver ${api.info.kubernetesVersion} (seed ${SEED})`);
});

/** One object to send, and what to call it in a failure. */
interface Item {
  readonly label: string;
  readonly object: any;
}

/**
 * The manifests of a synthesized app, as `kubectl apply` would read the YAML: YAML 1.1, as
 * Kubernetes' own YAML reader (sigs.k8s.io/yaml, go-yaml v2) reads it.
 */
function manifestsOf(app: App): any[] {
  return parseAllDocuments(app.synthYaml(), { version: '1.1' }).map((d) => {
    if (d.errors.length > 0) throw new Error(d.errors[0].message);
    return d.toJSON();
  }).filter((m) => m !== null);
}

/** Each manifest, and after each workload the bare Pod its controller would create. */
function itemsOf(source: string, manifests: any[]): Item[] {
  return manifests.flatMap((m) => {
    const label = `${source}: ${m.kind} ${m.metadata?.name}`;
    const items: Item[] = [{ label, object: m }];
    if (WORKLOAD_KINDS.includes(m.kind)) items.push({ label: `${label}, its pod template as a bare Pod`, object: podOf(m) });
    return items;
  });
}

/** A Pod made from a workload's pod template: the template's metadata and a name, its spec. */
function podOf(workload: any): any {
  const template = workload.kind === 'CronJob' ? workload.spec.jobTemplate.spec.template : workload.spec.template;
  const spec = { ...template.spec };
  // A StatefulSet's controller adds a volume for each claim template.
  const claims = workload.kind === 'StatefulSet' ? workload.spec.volumeClaimTemplates ?? [] : [];
  if (claims.length > 0) {
    spec.volumes = [...(spec.volumes ?? []), ...claims
      .filter((c: any) => !(spec.volumes ?? []).some((v: any) => v.name === c.metadata.name))
      .map((c: any) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: `${c.metadata.name}-${workload.metadata.name}-0` } }))];
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, name: `${workload.metadata.name}-pod` }, spec };
}

/** What the server said of one item, when it refused or warned: status and message, then each warning. */
function verdict(item: Item, res: KubeResponse): string | undefined {
  if (res.status === 201 && res.warnings.length === 0) return undefined;
  let message = res.body;
  try {
    message = JSON.parse(res.body).message ?? res.body;
  } catch {
    // not a Status: keep the body
  }
  const lines = [`✗ ${item.label}`];
  if (res.status !== 201) lines.push(`  rejected: HTTP ${res.status}: ${message}`);
  for (const w of res.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

/**
 * Sends the items and returns each with the server's answer. ServiceAccounts are created for real
 * first (a Pod that names one is refused unless it exists, and a dry run stores nothing), and
 * deleted again at the end.
 */
async function judge(items: Item[]): Promise<Array<{ item: Item; res: KubeResponse }>> {
  const isAccount = (i: Item) => i.object.kind === 'ServiceAccount';
  const results: Array<{ item: Item; res: KubeResponse }> = [];
  try {
    for (const item of items.filter(isAccount)) results.push({ item, res: await api.create(item.object, { persist: true }) });
    results.push(...await mapLimit(items.filter((i) => !isAccount(i)), CONCURRENCY, async (item) => ({ item, res: await api.create(item.object) })));
  } finally {
    for (const { item, res } of results) {
      if (isAccount(item) && res.status === 201) await api.remove(item.object);
    }
  }
  sentCount += items.length;
  return results;
}

/** Sends the items; fails with every rejection and warning, each with its object. */
async function sendAll(items: Item[]): Promise<void> {
  const problems = (await judge(items))
    .map(({ item, res }) => {
      const v = verdict(item, res);
      return v && `${v}\n  object:\n${stringify(item.object).replace(/^/gm, '    ')}`;
    })
    .filter((p): p is string => p !== undefined);
  if (problems.length > 0) {
    throw new Error(`kube-apiserver ${api.info.kubernetesVersion} refused or warned on ${problems.length} of ${items.length} objects (namespace "${api.info.namespace}", Pod Security restricted):\n\n${problems.join('\n\n')}`);
  }
}

describe('examples', () => {
  const all = examples().map((e) => [e.name, e] as const);

  // Every example writes its own app containers to the restricted profile too (found by this suite:
  // they did not, and their pods were refused); each is sent as written.
  test.each(all)('%s as written: every object, and each workload\'s pod, is accepted with no warning', async (name, example) => {
    const { app } = newApp();
    new example.chart(app, name);
    await sendAll(itemsOf(`examples/${name}.ts`, manifestsOf(app)));
  });
});

describe('README.md and docs/*.md', () => {
  const docs = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
  const blocks = docs.flatMap((doc) => {
    const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
    return [...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => ({ doc, line: text.slice(0, m.index).split('\n').length, body: m[1] }));
  });

  /** A complete manifest: every document an object with apiVersion, kind and metadata.name, nothing trimmed. */
  function completeManifests(body: string): any[] | undefined {
    if (body.includes('…')) return undefined; // trimmed for the reader
    const parsed = parseAllDocuments(body, { version: '1.1' });
    if (parsed.some((d) => d.errors.length > 0)) return undefined;
    const values = parsed.map((d) => d.toJSON()).filter((v) => v !== null);
    const complete = values.length > 0 && values.every((v) => typeof v === 'object' && typeof v.apiVersion === 'string' && typeof v.kind === 'string' && typeof v.metadata?.name === 'string');
    return complete ? values : undefined;
  }

  test('every YAML block that is a complete manifest is accepted with no warning', async () => {
    expect(blocks.length).toBeGreaterThan(0);
    const complete = blocks.map((b) => ({ ...b, manifests: completeManifests(b.body) })).filter((b) => b.manifests);
    // The rest are fragments (a container, a spec) or trimmed with "…": the README's marked blocks
    // are checked against the examples' output by test/readme.test.ts, and the examples are sent whole above.
    console.log(`docs: ${blocks.length} YAML blocks, ${complete.length} of them complete manifests`);
    await sendAll(complete.flatMap((b) => itemsOf(`${b.doc}:${b.line}`, b.manifests!)));
  });
});

describe('random compositions', () => {
  test(`${COMPOSITIONS} random compositions of sidecars on random workloads are accepted with no warning`, async () => {
    const samples = fc.sample(composition, { numRuns: COMPOSITIONS, seed: SEED });
    const items = samples.flatMap((c, i) => {
      const { app } = buildComposition(c, { restrictedApps: true });
      return itemsOf(`composition #${i} (seed ${SEED}) ${JSON.stringify(c)}`, manifestsOf(app));
    });
    await sendAll(items);
  }, 300_000); // about 20 s on an idle 2-core machine: most of it synthesis

  test.each([['Fluent Bit', LogShipperEngine.FLUENT_BIT], ['Vector', LogShipperEngine.VECTOR]] as const)(
    `${LOG_SHIPPER_VALUES} log shippers (%s) with random field and label values are accepted with no warning`,
    async (_name, engine) => {
      const values = fc.sample(nasty, { numRuns: LOG_SHIPPER_VALUES, seed: SEED });
      const items = values.flatMap((value) => {
        const built = logShipperApp(engine, value, { restrictedApps: true });
        // Refused at the call: test/log-shipper/properties.test.ts checks the message.
        return built instanceof Error ? [] : itemsOf(`log shipper (seed ${SEED}) value ${JSON.stringify(value)}`, manifestsOf(built.app));
      });
      expect(items.length).toBeGreaterThan(0);
      await sendAll(items);
    },
  );
});

describe('the harness can fail', () => {
  /** A workload every part of which the server accepts: the first random composition's Deployment. */
  function acceptedDeployment(): any {
    const c = fc.sample(composition, { numRuns: 1, seed: 1 })[0];
    const { app } = buildComposition({ ...c, kind: 0 }, { restrictedApps: true });
    return manifestsOf(app).find((m) => m.kind === 'Deployment');
  }

  test('the unchanged objects are accepted', async () => {
    const deployment = acceptedDeployment();
    for (const object of [deployment, podOf(deployment)]) {
      const res = await api.create(object);
      expect({ status: res.status, warnings: res.warnings }).toEqual({ status: 201, warnings: [] });
    }
  });

  test('an unknown field is rejected (fieldValidation=Strict)', async () => {
    const deployment = acceptedDeployment();
    deployment.spec.template.spec.containers[0].notAField = true;
    const res = await api.create(deployment);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).message).toMatch(/unknown field "spec\.template\.spec\.containers\[0\]\.notAField"/);
  });

  /** The first app container made privileged (allowPrivilegeEscalation: false contradicts that: dropped). */
  function privileged(spec: any): void {
    const { allowPrivilegeEscalation: _, ...rest } = spec.containers[0].securityContext;
    spec.containers[0].securityContext = { ...rest, privileged: true };
  }
  const PRIVILEGED = /PodSecurity "restricted:latest": .*privileged \(container "app-0" must not set securityContext\.privileged=true\)/;

  test('a privileged pod is rejected by Pod Security "restricted"', async () => {
    const pod = podOf(acceptedDeployment());
    privileged(pod.spec);
    const res = await api.create(pod);
    expect({ status: res.status, message: JSON.parse(res.body).message }).toEqual({ status: 403, message: expect.stringMatching(PRIVILEGED) });
  });

  test('a controller with a privileged pod template is accepted with a warning, which the suite counts as a failure', async () => {
    const deployment = acceptedDeployment();
    privileged(deployment.spec.template.spec);
    const res = await api.create(deployment);
    expect({ status: res.status, body: res.status === 201 ? '' : res.body }).toEqual({ status: 201, body: '' });
    expect(res.warnings.join('\n')).toMatch(PRIVILEGED);
    expect(verdict({ label: 'privileged', object: deployment }, res)).toMatch(/warning: would violate PodSecurity/);
  });
});
