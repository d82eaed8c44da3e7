/**
 * The real helm renders a chart through cdk8s's `Helm` construct, and the helpers attach to what it
 * rendered as to any other ApiObject.
 *
 * The chart is test/fixtures/charts/web (a Deployment and a Service in the shape `helm create`
 * makes); helm is tools/helm (helm v3.22.0, built from the Go module proxy). Every synthesized
 * manifest is checked against the Kubernetes schema (unknown fields rejected, test/util/synth.ts)
 * and sent to the real kube-apiserver the jest global setup starts (`dryRun=All`,
 * `fieldValidation=Strict`, in a namespace enforcing the Pod Security "restricted" profile; the
 * Deployment's pod template also as a bare Pod, where Pod Security enforces rather than warns).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, Helm, Include } from 'cdk8s';
import { ROOT, tryBuildTool } from './tools';
import { withLogShipper, withProxy } from '../../lib';
import { KubeApi, runningKubeApi } from '../util/kube-apiserver';
import { find, newApp, synth, synthFails } from '../util/synth';

const HELM = tryBuildTool('helm');
const CHART = path.join(ROOT, 'test', 'fixtures', 'charts', 'web');
const RELEASE = 'shop';
/** Values given to the chart: each shows in the output, so the test sees helm applied them. */
const VALUES = { replicaCount: 2, image: { tag: '1.4.3' } };

/** The chart rendered by the real helm through cdk8s's Helm construct, as a user writes it. */
function helmChart(chart: Chart, bin: string): Helm {
  return new Helm(chart, RELEASE, { chart: CHART, releaseName: RELEASE, helmExecutable: bin, values: VALUES });
}

function deploymentOf(source: Include): ApiObject {
  const found = source.apiObjects.find((o) => o.kind === 'Deployment');
  if (!found) throw new Error(`the chart rendered no Deployment: ${source.apiObjects.map((o) => o.kind).join(', ')}`);
  return found;
}

/** Each manifest, and the Deployment's pod template as the bare Pod its ReplicaSet would create. */
function withBarePods(manifests: any[]): any[] {
  return manifests.flatMap((m) => m.kind !== 'Deployment' ? [m] : [m, {
    apiVersion: 'v1', kind: 'Pod', metadata: { ...m.spec.template.metadata, name: `${m.metadata.name}-pod` }, spec: m.spec.template.spec,
  }]);
}

let api: KubeApi | undefined;
afterAll(() => api?.close());

/** What the real API server refuses or warns on, one line each (none: []). */
async function apiServerProblems(manifests: any[]): Promise<string[]> {
  api ??= new KubeApi(runningKubeApi());
  const problems: string[] = [];
  for (const object of withBarePods(manifests)) {
    const res = await api.create(object);
    if (res.status !== 201) problems.push(`${object.kind} ${object.metadata.name}: HTTP ${res.status}: ${res.body}`);
    for (const warning of res.warnings) problems.push(`${object.kind} ${object.metadata.name}: warning: ${warning}`);
  }
  return problems;
}

const describeReal = 'bin' in HELM ? describe : describe.skip;
if ('unavailable' in HELM) {
  if (process.env.CDK8S_SIDECARS_REQUIRE_HELM === '1') {
    test('helm is required (CDK8S_SIDECARS_REQUIRE_HELM=1) and available', () => {
      throw new Error(HELM.unavailable);
    });
  } else {
    // Skipped, and said so: the reason is in the skipped test's name and on the console.
    console.warn(`test/real/helm.test.ts: the real helm is unavailable, its tests are skipped:\n${HELM.unavailable}`);
    test.skip(`SKIPPED, the real helm is unavailable here: ${HELM.unavailable.split('\n')[0]}`, () => undefined);
  }
}

describeReal('a chart rendered by the real helm v3.22.0 through cdk8s\'s Helm construct', () => {
  const bin = 'bin' in HELM ? HELM.bin : '';

  test('tools/helm provides the version its build.sh pins', () => {
    const pinned = /^version=(\S+)/m.exec(fs.readFileSync(path.join(ROOT, 'tools', 'helm', 'build.sh'), 'utf8'))?.[1];
    expect(pinned).toBe('v3.22.0');
    const run = spawnSync(bin, ['version', '--short'], { encoding: 'utf8' });
    // No git commit is stamped (a module build has none), so --short prints the version alone.
    expect(run.stdout.trim()).toBe(pinned);
  });

  test('helm assumes the Kubernetes minor version the test API server runs (.Capabilities.KubeVersion, stamped by tools/helm)', () => {
    // Unstamped, helm v3 assumes Kubernetes v1.20 (pkg/chartutil/capabilities.go); its release builds
    // stamp the minor of the k8s.io/client-go they are built with.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-sidecars-helm-'));
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: capabilities\nversion: 0.1.0\n');
    fs.writeFileSync(path.join(dir, 'templates', 'kube.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kube\ndata:\n  version: {{ .Capabilities.KubeVersion.Version | quote }}\n');
    const { app, chart } = newApp();
    new Helm(chart, 'capabilities', { chart: dir, helmExecutable: bin });
    const assumed: string = find(synth(app).manifests, 'ConfigMap').data.version;
    const served = runningKubeApi().kubernetesVersion;
    expect(assumed.split('.').slice(0, 2)).toEqual(served.split('.').slice(0, 2));
  });

  test('the chart as helm renders it, with the values given, passes the schema and the API server', async () => {
    const { app, chart } = newApp();
    helmChart(chart, bin);
    const manifests = synth(app).manifests;
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['Service/shop-web', 'Deployment/shop-web']);
    const deployment = find(manifests, 'Deployment');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0].image).toBe('ghcr.io/acme/web:1.4.3');
    expect(await apiServerProblems(manifests)).toEqual([]);
  });

  test('the chart\'s Deployment gets a log shipper with one call', async () => {
    const { app, chart } = newApp();
    const shop = helmChart(chart, bin);
    withLogShipper(deploymentOf(shop), { logPath: '/var/log/app' });
    const manifests = synth(app).manifests;
    const spec = find(manifests, 'Deployment', 'shop-web').spec.template.spec;
    expect(spec.initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['log-shipper', 'Always']]);
    expect(spec.containers.map((c: any) => [c.name, c.volumeMounts.map((m: any) => m.mountPath)])).toEqual([['web', ['/tmp', '/var/log/app']]]);
    expect(spec.volumes.map((v: any) => v.name)).toEqual(['tmp', 'log-shipper-config', 'log-shipper-logs', 'log-shipper-state']);
    expect(manifests.filter((m) => m.kind === 'ConfigMap')).toHaveLength(1);
    expect(await apiServerProblems(manifests)).toEqual([]);
  });

  test('the pod template is the one the same Deployment gets through an Include of `helm template` output', () => {
    const viaHelm = newApp();
    withLogShipper(deploymentOf(helmChart(viaHelm.chart, bin)), { logPath: '/var/log/app' });

    // The same rendering by hand: `helm template <release> <chart> -f <values>`, what the construct runs.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-sidecars-helm-'));
    const valuesFile = path.join(dir, 'values.json');
    fs.writeFileSync(valuesFile, JSON.stringify(VALUES));
    const rendered = spawnSync(bin, ['template', RELEASE, CHART, '-f', valuesFile], { encoding: 'utf8' });
    expect(rendered.stderr).toBe('');
    expect(rendered.status).toBe(0);
    const renderedFile = path.join(dir, 'rendered.yaml');
    fs.writeFileSync(renderedFile, rendered.stdout);
    const viaInclude = newApp();
    withLogShipper(deploymentOf(new Include(viaInclude.chart, RELEASE, { url: renderedFile })), { logPath: '/var/log/app' });

    const helmManifests = synth(viaHelm.app).manifests;
    const includeManifests = synth(viaInclude.app).manifests;
    expect(find(helmManifests, 'Deployment').spec.template).toEqual(find(includeManifests, 'Deployment').spec.template);
    expect(find(helmManifests, 'Deployment').spec.template.spec.initContainers).toHaveLength(1);
    expect(helmManifests).toEqual(includeManifests);
  });

  test('a proxy takes over the chart\'s Service (retargetService)', async () => {
    const { app, chart } = newApp();
    const shop = helmChart(chart, bin);
    const service = shop.apiObjects.find((o) => o.kind === 'Service')!;
    withProxy(deploymentOf(shop), { port: 8443 }).retargetService(service);
    const manifests = synth(app).manifests;
    expect(find(manifests, 'Service', 'shop-web').spec.ports).toEqual([{ port: 80, targetPort: 'proxy-http', protocol: 'TCP', name: 'http' }]);
    const spec = find(manifests, 'Deployment', 'shop-web').spec.template.spec;
    const proxy = [...spec.initContainers ?? [], ...spec.containers].find((c: any) => c.ports?.some((p: any) => p.name === 'proxy-http'));
    expect(proxy?.ports.find((p: any) => p.name === 'proxy-http').containerPort).toBe(8443);
    expect(await apiServerProblems(manifests)).toEqual([]);
  });

  test('fails at synth when a sidecar\'s port clashes with the port of the container the chart had, writing nothing', () => {
    const { app, chart } = newApp();
    withLogShipper(deploymentOf(helmChart(chart, bin)), { logPath: '/var/log/app', healthPort: 8080 });
    const message = synthFails(app);
    expect(message).toContain('[test/shop/shop-web-deployment] port 8080/TCP: container "log-shipper" (withLogShipper (Fluent Bit), native sidecar)');
    expect(message).toContain('and container "web" [containerPort "http"] both listen on it');
  });
});
