/**
 * Any pod, any source: every helper attaches to a plain cdk8s ApiObject of a pod-bearing kind
 * (a `KubeDeployment`-like object, an `Include`d manifest) as it does to the cdk8s-plus workload
 * that renders the same manifest, and the whole-pod checks run on such pods.
 */
import * as path from 'path';
import { ApiObject, Chart, Include, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
// The classes `cdk8s import k8s` generates, as cdk8s-plus ships them (the repository has no imports/ of its own).
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import {
  CacheListener, ConfigSource, LogOutput, SecretTemplate, withAuthProxy, withCache, withConfigSync, withLogShipper, withProxy,
  withSecretsAgent, withSidecar, withTelemetry,
} from '../lib';
import { newApp, synth, synthFails } from './util/synth';
import { APP, plainDeployment, WORKLOADS } from './workloads';

type Helper = (workload: kplus.AbstractPod | ApiObject, chart: Chart) => unknown;

/** Each helper, called with the options a first user would give. */
const HELPERS: Array<[string, Helper]> = [
  ['withSidecar', (w) => withSidecar(w, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.29.0', ports: [{ number: 9102, name: 'metrics' }] })],
  ['withLogShipper', (w) => withLogShipper(w, { logPath: '/var/log/app', outputs: [LogOutput.stdout()] })],
  ['withProxy', (w) => withProxy(w, { port: 8443 })],
  ['withConfigSync (git)', (w) => withConfigSync(w, { source: ConfigSource.git({ repo: 'https://github.com/acme/config.git', ref: 'main' }), mountPath: '/etc/app/config' })],
  ['withConfigSync (ConfigMaps, RBAC)', (w) => withConfigSync(w, { source: ConfigSource.configMaps({ label: 'acme.io/config' }), mountPath: '/etc/app/config' })],
  ['withCache', (w) => withCache(w, { listen: CacheListener.unixSocket() })],
  ['withTelemetry', (w) => withTelemetry(w, {})],
  ['withSecretsAgent', (w) => withSecretsAgent(w, {
    address: 'https://vault.vault.svc:8200', role: 'web', secrets: [{ path: 'db.json', template: SecretTemplate.database({ role: 'web' }) }],
  })],
  ['withAuthProxy', (w, chart) => {
    const oidc = kplus.Secret.fromSecretName(chart, 'oidc', 'web-oidc');
    return withAuthProxy(w, {
      issuerUrl: 'https://login.example.com/realms/acme',
      clientId: 'web',
      clientSecret: { secret: oidc, key: 'client-secret' },
      cookieSecret: { secret: oidc, key: 'cookie-secret' },
      emailDomains: ['example.com'],
    });
  }],
];

/** The manifests cdk8s-plus writes for the bare workload: what an import, an Include or a Helm chart would hold. */
function bareManifests(make: (chart: Chart) => kplus.AbstractPod): any[] {
  const chart = Testing.chart();
  make(chart);
  return Testing.synth(chart);
}

/** The class `cdk8s import k8s` generates for each kind. */
const KUBE_CLASSES: Record<string, new (scope: Chart, id: string, props: any) => ApiObject> = {
  Deployment: k8s.KubeDeployment,
  StatefulSet: k8s.KubeStatefulSet,
  DaemonSet: k8s.KubeDaemonSet,
  Job: k8s.KubeJob,
  CronJob: k8s.KubeCronJob,
  Pod: k8s.KubePod,
};

/**
 * Runs `attach` on the cdk8s-plus workload; on a plain ApiObject holding its bare manifest (as an
 * Include or a Helm chart holds it); and on the generated class (KubeDeployment, …) given the
 * same spec cdk8s-plus builds. Returns the three outcomes.
 */
function threeWays(make: (chart: Chart) => kplus.AbstractPod, attach: Helper) {
  const outcome = (build: (chart: Chart) => kplus.AbstractPod | ApiObject) => {
    const { app, chart } = newApp();
    const workload = build(chart);
    try {
      attach(workload, chart);
    } catch (e) {
      return { error: (e as Error).message };
    }
    return { manifests: synth(app).manifests };
  };
  const others = (chart: Chart, manifests: any[], workload: any) => manifests.filter((m) => m !== workload).forEach((m, i) => new ApiObject(chart, `other${i}`, m));
  const viaPlus = outcome(make);
  const viaObject = outcome((chart) => {
    const manifests = bareManifests(make);
    const workload = manifests.find((m) => m.kind !== 'Service');
    others(chart, manifests, workload);
    return new ApiObject(chart, 'web', workload);
  });
  const viaKube = outcome((chart) => {
    const manifests = bareManifests(make);
    const workload = manifests.find((m) => m.kind !== 'Service');
    others(chart, manifests, workload);
    const spec = (make(Testing.chart()) as unknown as { _toKube(): unknown })._toKube();
    return new KUBE_CLASSES[workload.kind](chart, 'web', { metadata: workload.metadata, spec });
  });
  return { viaPlus, viaObject, viaKube };
}

/** The pod spec of a manifest of a pod-bearing kind. */
function podSpecOf(manifest: any): any {
  if (manifest.kind === 'Pod') return manifest.spec;
  if (manifest.kind === 'CronJob') return manifest.spec.jobTemplate.spec.template.spec;
  return manifest.spec.template.spec;
}

/** Lists whose order Kubernetes ignores (the pod's volumes), sorted; the rest as written. */
function normalized(manifests: any[]): any[] {
  return manifests.map((m) => {
    if (!['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'].includes(m.kind)) return m;
    const copy = JSON.parse(JSON.stringify(m));
    const spec = podSpecOf(copy);
    if (spec.volumes) spec.volumes.sort((a: any, b: any) => a.name.localeCompare(b.name));
    return copy;
  }).sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
}

describe.each(WORKLOADS)('%s as an ApiObject', (_kind, factory) => {
  const make = (chart: Chart) => factory(chart, 'web', [{ ...APP, securityContext: { user: 1000, group: 1000 } }]);

  test.each(HELPERS)('%s: the same manifests as on the cdk8s-plus workload, or the same refusal', (_name, attach) => {
    const { viaPlus, viaObject, viaKube } = threeWays(make, attach);
    if (viaPlus.error !== undefined) {
      // The same refusal, naming the workload as the object is named.
      expect(viaObject.error).toBe(viaPlus.error);
      expect(viaKube.error).toBe(viaPlus.error);
      return;
    }
    expect(viaObject.error).toBeUndefined();
    expect(viaKube.error).toBeUndefined();
    expect(normalized(viaObject.manifests!)).toEqual(normalized(viaPlus.manifests!));
    expect(normalized(viaKube.manifests!)).toEqual(normalized(viaPlus.manifests!));
  });
});

describe('a pod with an init container and two app containers, four helpers in turn', () => {
  const make = (chart: Chart) => new kplus.Deployment(chart, 'web', {
    initContainers: [{ name: 'migrate', image: 'ghcr.io/acme/migrate:1.0.0', securityContext: { user: 1000, group: 1000 } }],
    containers: [
      { ...APP, securityContext: { user: 1000, group: 1000 } },
      { name: 'worker', image: 'ghcr.io/acme/worker:2.0.1', securityContext: { user: 1000, group: 1000 } },
    ],
  });
  const attachAll: Helper = (w, chart) => {
    HELPERS.find(([n]) => n === 'withLogShipper')![1](w, chart);
    withProxy(w, { port: 8443 });
    HELPERS.find(([n]) => n === 'withConfigSync (git)')![1](w, chart);
    withSidecar(w, { name: 'first', image: 'quay.io/prometheus/statsd-exporter:v0.29.0', first: true, sharedVolumes: [{ name: 'scratch', path: '/scratch' }] });
  };

  test('the same manifests three ways: init containers in the same order, mounts in both app containers', () => {
    const { viaPlus, viaObject, viaKube } = threeWays(make, attachAll);
    expect(viaPlus.error).toBeUndefined();
    const spec = podSpecOf(viaPlus.manifests!.find((m) => m.kind === 'Deployment'));
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['proxy', 'first', 'migrate', 'log-shipper', 'git-sync']);
    expect(normalized(viaObject.manifests!)).toEqual(normalized(viaPlus.manifests!));
    expect(normalized(viaKube.manifests!)).toEqual(normalized(viaPlus.manifests!));
  });
});

describe('an ApiObject workload', () => {
  const deployment = (chart: Chart, containers?: any[]) => plainDeployment(chart, containers);

  test('a log shipper in one call: container, volumes, mounts on both sides, ConfigMap, checksum annotation', () => {
    const { app, chart } = newApp();
    const web = deployment(chart);
    const shipper = withLogShipper(web, { logPath: '/var/log/app', outputs: [LogOutput.stdout()] });
    const manifests = synth(app).manifests;
    const pod = manifests.find((m) => m.kind === 'Deployment').spec.template;
    expect(Object.keys(pod.metadata.annotations)).toEqual(['cdk8s-sidecars/log-shipper-config-sha256']);
    expect(pod.spec.containers[0].volumeMounts).toEqual([{ name: 'log-shipper-logs', mountPath: '/var/log/app', readOnly: false }]);
    expect(pod.spec.initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['log-shipper', 'Always']]);
    expect(pod.spec.volumes.map((v: any) => v.name)).toEqual(['log-shipper-config', 'log-shipper-logs', 'log-shipper-state']);
    expect(manifests.filter((m) => m.kind === 'ConfigMap').map((m) => m.metadata.name)).toEqual([shipper.configMap.name]);
  });

  test('a ReplicaSet (no cdk8s-plus class) gets a log shipper like a Deployment', () => {
    const { app, chart } = newApp();
    const replicaSet = new ApiObject(chart, 'web', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2' }] } },
      },
    });
    withLogShipper(replicaSet, { logPath: '/var/log/app', outputs: [LogOutput.stdout()] });
    const spec = synth(app).manifests.find((m) => m.kind === 'ReplicaSet').spec.template.spec;
    expect(spec.initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['log-shipper', 'Always']]);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'log-shipper-logs', mountPath: '/var/log/app', readOnly: false }]);
  });

  test('RBAC binds the service account the object names, in its namespace, and leaves the pod\'s account alone', () => {
    const { app, chart } = newApp();
    const web = new ApiObject(chart, 'web', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { serviceAccountName: 'web', automountServiceAccountToken: false, containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2' }] },
        },
      },
    });
    withConfigSync(web, { source: ConfigSource.configMaps({ label: 'acme.io/config' }), mountPath: '/etc/app/config' });
    const manifests = synth(app).manifests;
    expect(manifests.find((m) => m.kind === 'RoleBinding').subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: 'web', namespace: 'shop' }]);
    expect(manifests.filter((m) => m.kind === 'ServiceAccount')).toEqual([]);
    expect(manifests.find((m) => m.kind === 'Deployment').spec.template.spec.serviceAccountName).toBe('web');
  });

  test('the containers it had keep every field cdk8s-plus does not model', () => {
    const { app, chart } = newApp();
    const app0 = { name: 'app', image: 'ghcr.io/acme/web:1.4.2', terminationMessagePolicy: 'FallbackToLogsOnError', stdin: false };
    withLogShipper(deployment(chart, [app0]), { logPath: '/var/log/app', outputs: [LogOutput.stdout()] });
    const container = synth(app).manifests[0].spec.template.spec.containers[0];
    expect(container).toEqual({ ...app0, volumeMounts: [{ name: 'log-shipper-logs', mountPath: '/var/log/app', readOnly: false }] });
  });

  test('an Include\'d manifest (as a Helm chart renders one) gets a log shipper', () => {
    const { app, chart } = newApp();
    const included = new Include(chart, 'upstream', { url: path.join(__dirname, 'fixtures', 'helm-rendered.yaml') });
    const web = included.apiObjects.find((o) => o.kind === 'Deployment')!;
    withLogShipper(web, { logPath: '/var/log/app', outputs: [LogOutput.stdout()] });
    const manifests = synth(app).manifests;
    const spec = manifests.find((m) => m.kind === 'Deployment').spec.template.spec;
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['log-shipper']);
    expect(spec.containers.map((c: any) => c.volumeMounts?.map((m: any) => m.mountPath))).toEqual([['/tmp', '/var/log/app']]);
    expect(spec.volumes.map((v: any) => v.name)).toEqual(['tmp', 'log-shipper-config', 'log-shipper-logs', 'log-shipper-state']);
  });

  test('fails when a program\'s port clashes with a port a container of the object declares', () => {
    const { app, chart } = newApp();
    const web = deployment(chart, [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ containerPort: 2020, name: 'admin' }] }]);
    withSidecar(web, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.29.0', boundPorts: [{ number: 2020, purpose: 'admin' }] });
    expect(synthFails(app)).toContain('port 2020/TCP');
    expect(synthFails(app)).toContain('[test/web]');
  });

  test('fails when the log shipper\'s port clashes with a port of a container the object already had', () => {
    const { app, chart } = newApp();
    const web = deployment(chart, [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ containerPort: 2020, name: 'admin' }] }]);
    withLogShipper(web, { logPath: '/var/log/app', outputs: [LogOutput.stdout()] });
    expect(synthFails(app)).toBe('Validation failed with the following errors:\n  [test/web] port 2020/TCP: container "log-shipper" '
      + '(withLogShipper (Fluent Bit), native sidecar) [Fluent Bit HTTP server, containerPort "logs-2020"] and container "app" [containerPort "admin"] '
      + 'both listen on it, and the containers of a pod share one network namespace; pass healthPort to withLogShipper');
  });

  test('fails when a container of the object mounts a volume its pod lacks: the manifest\'s to fix, not a rendering bug', () => {
    const { app, chart } = newApp();
    const web = deployment(chart, [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', volumeMounts: [{ name: 'data', mountPath: '/data' }] }]);
    withSidecar(web, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.29.0' });
    expect(synthFails(app)).toBe('Validation failed with the following errors:\n  [test/web] container "app" mounts volume "data" at "/data", '
      + 'which the pod does not have; add the volume to the pod\'s volumes, or mount one it has');
  });

  test('fails when the log shipper\'s port clashes with the port of a Helm-rendered container', () => {
    const { app, chart } = newApp();
    const included = new Include(chart, 'upstream', { url: path.join(__dirname, 'fixtures', 'helm-rendered.yaml') });
    withLogShipper(included.apiObjects.find((o) => o.kind === 'Deployment')!, { logPath: '/var/log/app', outputs: [LogOutput.stdout()], healthPort: 8080 });
    expect(synthFails(app)).toContain('[test/upstream/web-deployment] port 8080/TCP: container "log-shipper" (withLogShipper (Fluent Bit), native sidecar)');
    expect(synthFails(app)).toContain('and container "web" [containerPort "http"] both listen on it');
  });

  test('fails when a probe of a container the object had names a port that container does not declare', () => {
    const { app, chart } = newApp();
    const web = deployment(chart, [{
      name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ containerPort: 8080, name: 'http' }], readinessProbe: { httpGet: { path: '/', port: 'metrics' } },
    }]);
    withLogShipper(web, { logPath: '/var/log/app', outputs: [LogOutput.stdout()] });
    expect(synthFails(app)).toBe('Validation failed with the following errors:\n  [test/web] the readinessProbe (httpGet) of container "app" '
      + 'targets the port named "metrics", which no container of the pod declares; declare the port with that name, or probe a port number');
  });

  test('fails when a port is declared by a later patch of the user: the checks read the object as written', () => {
    const { app, chart } = newApp();
    const web = deployment(chart);
    withSidecar(web, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.29.0', volumeMounts: [] });
    web.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/volumeMounts', [{ name: 'nowhere', mountPath: '/x' }]));
    expect(synthFails(app)).toContain('mounts volume "nowhere"');
  });

  test('fails when the object is not a workload, naming it and the fix, and adds nothing', () => {
    const { chart } = newApp();
    const service = new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } });
    const before = chart.node.findAll().length;
    expect(() => withLogShipper(service, { logPath: '/var/log/app' })).toThrow(
      'LogShipper "test/svc/log-shipper": the ApiObject "test/svc" (kind Service, apiVersion v1) has no pod to attach to; '
      + 'pass a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod');
    expect(chart.node.findAll().length).toBe(before);
    expect(service.toJson().spec).toEqual({ ports: [{ port: 80 }] });
  });

  test('fails when a CronJob has no job template', () => {
    const { chart } = newApp();
    const cron = new ApiObject(chart, 'nightly', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly' }, spec: { schedule: '0 0 * * *' } });
    expect(() => withLogShipper(cron, { logPath: '/var/log/app' })).toThrow(
      'LogShipper "test/nightly/log-shipper": the ApiObject "test/nightly" (kind CronJob, apiVersion batch/v1) has no job template '
      + '(spec.jobTemplate.spec.template); give the CronJob its job template with a pod spec');
  });

  test('fails when a kind is served under another API version', () => {
    const { chart } = newApp();
    const old = new ApiObject(chart, 'old', { apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'old' }, spec: {} });
    expect(() => withLogShipper(old, { logPath: '/var/log/app' })).toThrow('give the object apiVersion apps/v1');
  });

  test('fails when the object has no containers yet', () => {
    const { chart } = newApp();
    const empty = new ApiObject(chart, 'web', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [] } });
    expect(() => withLogShipper(empty, { logPath: '/var/log/app' })).toThrow('has no containers at spec.containers; add the app container');
  });

  test('fails when a container of the object declares one port twice, adding nothing', () => {
    const { chart } = newApp();
    const web = deployment(chart, [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ containerPort: 8080 }, { containerPort: 8080 }] }]);
    expect(() => withLogShipper(web, { logPath: '/var/log/app' })).toThrow(
      'Deployment "test/web": its container "app" cannot be read: Port with number 8080 and protocol TCP already exists; '
      + 'fix the manifest (Kubernetes refuses it as well)');
    expect(web.node.children.length).toBe(0);
  });

  test('fails when given the manifest of a cdk8s-plus workload instead of the workload', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    expect(() => withLogShipper(ApiObject.of(web), { logPath: '/var/log/app' })).toThrow('pass the workload itself');
  });

  test('a proxy\'s Service selects the object\'s pods', () => {
    const { app, chart } = newApp();
    const proxy = withProxy(deployment(chart), { port: 8443 });
    proxy.exposeViaService({ name: 'web', port: 443 });
    const service = synth(app).manifests.find((m) => m.kind === 'Service');
    expect(service.spec.selector).toEqual({ app: 'web' });
    expect(service.spec.ports).toEqual([{ name: 'http', port: 443, protocol: 'TCP', targetPort: 'proxy-http' }]);
  });
});


describe('a Helm-rendered Service', () => {
  test('a proxy takes over the included Service that targets the app\'s port by name', () => {
    const { app, chart } = newApp();
    const included = new Include(chart, 'upstream', { url: path.join(__dirname, 'fixtures', 'helm-rendered.yaml') });
    const web = included.apiObjects.find((o) => o.kind === 'Deployment')!;
    const service = included.apiObjects.find((o) => o.kind === 'Service')!;
    const proxy = withProxy(web, { port: 8443 });
    proxy.retargetService(service);
    const written = synth(app).manifests.find((m) => m.kind === 'Service');
    expect(written.spec.ports).toEqual([{ port: 80, targetPort: 'proxy-http', protocol: 'TCP', name: 'http' }]);
  });

  test('fails when the Service has no port that targets the app, changing nothing', () => {
    const { chart } = newApp();
    const included = new Include(chart, 'upstream', { url: path.join(__dirname, 'fixtures', 'helm-rendered.yaml') });
    const web = included.apiObjects.find((o) => o.kind === 'Deployment')!;
    const other = new ApiObject(chart, 'metrics', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'metrics' }, spec: { ports: [{ port: 9090, targetPort: 'metrics' }] } });
    const proxy = withProxy(web, { port: 8443 });
    expect(() => proxy.retargetService(other)).toThrow(
      'Deployment "test/upstream/web-deployment", withProxy: Service "test/metrics" has no port that targets the app\'s port 8080 '
      + '(its target ports: metrics); use proxy.exposeViaService() for a new Service');
    expect(other.toJson().spec.ports).toEqual([{ port: 9090, targetPort: 'metrics' }]);
  });
});

describe('the classes of `cdk8s import k8s`', () => {
  const kubeDeployment = (chart: Chart) => new k8s.KubeDeployment(chart, 'web', {
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{
            name: 'app',
            image: 'ghcr.io/acme/web:1.4.2',
            ports: [{ containerPort: 8080, name: 'http' }],
            readinessProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('http') } },
            resources: { limits: { memory: k8s.Quantity.fromString('256Mi') } },
          }],
        },
      },
    },
  });

  test('a KubeDeployment gets a log shipper in one call, its own fields kept', () => {
    const { app, chart } = newApp();
    withLogShipper(kubeDeployment(chart), { logPath: '/var/log/app', outputs: [LogOutput.stdout()] });
    const spec = synth(app).manifests.find((m) => m.kind === 'Deployment').spec.template.spec;
    expect(spec.containers[0].readinessProbe).toEqual({ httpGet: { path: '/healthz', port: 'http' } });
    expect(spec.containers[0].resources).toEqual({ limits: { memory: '256Mi' } });
    expect(spec.initContainers[0].livenessProbe.httpGet.port).toBe(2020);
    expect(spec.initContainers[0].resources.limits).toEqual({ cpu: '500m', memory: '128Mi' });
  });

  test('fails when the log shipper\'s port clashes with a port the KubeDeployment declares', () => {
    const { app, chart } = newApp();
    withLogShipper(kubeDeployment(chart), { logPath: '/var/log/app', outputs: [LogOutput.stdout()], healthPort: 8080 });
    expect(synthFails(app)).toContain('[test/web] port 8080/TCP: container "log-shipper" (withLogShipper (Fluent Bit), native sidecar)');
  });

  test('a proxy takes over a KubeService', () => {
    const { app, chart } = newApp();
    const service = new k8s.KubeService(chart, 'svc', {
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: k8s.IntOrString.fromNumber(8080) }] },
    });
    withProxy(kubeDeployment(chart), { port: 8443 }).retargetService(service);
    expect(synth(app).manifests.find((m) => m.kind === 'Service').spec.ports).toEqual([{ port: 80, targetPort: 'proxy-http' }]);
  });
});
