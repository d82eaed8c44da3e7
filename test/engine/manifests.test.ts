/**
 * The whole-pod rules over plain manifests (checkManifests): what the cdk8s validation plugin and
 * the `cdk8s-sidecars check` command run, on pods no helper of ours touched.
 */
import { examples } from '../../examples/synth';
import { checkManifests } from '../../lib/engine/manifests';
import { newApp, synth } from '../util/synth';

const SECURE = {
  runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
};

function deployment(spec: Record<string, unknown>, name = 'web', kind = 'Deployment'): Record<string, unknown> {
  const template = { metadata: { labels: { app: name } }, spec };
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: { name, namespace: 'shop' }, spec };
  if (kind === 'CronJob') return { apiVersion: 'batch/v1', kind, metadata: { name, namespace: 'shop' }, spec: { schedule: '@daily', jobTemplate: { spec: { template } } } };
  return { apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, metadata: { name, namespace: 'shop' }, spec: { selector: { matchLabels: { app: name } }, template } };
}

const app = (extra: Record<string, unknown> = {}) => ({ name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ containerPort: 8080, name: 'http' }], ...extra });

describe('checkManifests', () => {
  test('a sound pod has no finding; Services and ConfigMaps are skipped and counted', () => {
    const report = checkManifests([
      deployment({ containers: [app({ readinessProbe: { httpGet: { path: '/ready', port: 'http' } } })] }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } },
      null,
    ]);
    expect(report).toEqual({ findings: [], pods: 1, skipped: { 'Service': 1, 'ConfigMap': 2, '(not an object)': 1 } });
  });

  test('the output of every example passes (no false finding on the library\'s own pods)', () => {
    for (const example of examples()) {
      const { app: cdk8sApp } = newApp();
      new example.chart(cdk8sApp, example.name);
      const { manifests } = synth(cdk8sApp);
      expect({ example: example.name, findings: checkManifests(manifests).findings }).toEqual({ example: example.name, findings: [] });
    }
  });

  test('fails when two containers of a pod no helper touched declare one port', () => {
    const { findings } = checkManifests([deployment({ containers: [app(), { name: 'metrics', image: 'm:1', ports: [{ containerPort: 8080 }] }] })]);
    expect(findings).toEqual([{
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
      documentIndex: 0,
      itemIndex: undefined,
      path: 'spec.template.spec',
      rule: 'ports',
      message: 'port 8080/TCP: container "app" [containerPort "http"] and container "metrics" [containerPort] both listen on it, '
        + 'and the containers of a pod share one network namespace',
      fix: 'give one of them another port',
      severity: 'error',
    }]);
  });

  test('fails when the app takes a port a Linkerd proxy binds without declaring it', () => {
    const proxy = { name: 'linkerd-proxy', image: 'cr.l5d.io/linkerd/proxy:edge-24.11.1', ports: [{ containerPort: 4143, name: 'linkerd-proxy' }] };
    const { findings } = checkManifests([deployment({ containers: [app({ ports: [{ containerPort: 4191, name: 'http' }] }), proxy] })]);
    expect(findings.map((f) => f.message)).toEqual(['port 4191/TCP: container "app" [containerPort "http"] and container "linkerd-proxy" '
      + '[Linkerd proxy admin, by default, bound on 0.0.0.0, not declared] both listen on it, and the containers of a pod share one network namespace']);
  });

  test('fails when two containers ask for one hostPort', () => {
    const { findings } = checkManifests([deployment({
      containers: [app({ ports: [{ containerPort: 8080, hostPort: 30080 }] }), { name: 'b', image: 'b:1', ports: [{ containerPort: 9090, hostPort: 30080 }] }],
    })]);
    expect(findings.map((f) => [f.rule, f.message])).toEqual([['ports', 'hostPort 30080/TCP: requested by container "app" [containerPort] and container "b" [containerPort]']]);
  });

  test('fails when one container mounts two volumes at one path', () => {
    const { findings } = checkManifests([deployment({
      containers: [app({ volumeMounts: [{ name: 'a', mountPath: '/data' }, { name: 'b', mountPath: '/data/' }] })],
      volumes: [{ name: 'a', emptyDir: {} }, { name: 'b', emptyDir: {} }],
    })]);
    expect(findings.map((f) => f.message)).toEqual(['mount path "/data" in container "app": volume "a" and volume "b" are both mounted there, and a path takes one mount']);
  });

  test('fails when a container mounts a volume the pod does not have (a StatefulSet\'s claim template counts as one)', () => {
    const sts = deployment({ containers: [app({ volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'cache', mountPath: '/cache' }] })] }, 'db', 'StatefulSet');
    (sts.spec as any).volumeClaimTemplates = [{ metadata: { name: 'data' } }];
    expect(checkManifests([sts]).findings.map((f) => [f.rule, f.message, f.fix])).toEqual([[
      'mounted-volumes', 'container "app" mounts volume "cache" at "/cache", which the pod does not have', 'add the volume to the pod\'s volumes, or mount one it has',
    ]]);
  });

  test('fails when a container mounts an emptyDir another container writes with a subPath', () => {
    const { findings } = checkManifests([deployment({
      containers: [
        app({ volumeMounts: [{ name: 'shared', mountPath: '/etc/app/settings.json', subPath: 'settings.json', readOnly: true }] }),
        { name: 'writer', image: 'w:1', volumeMounts: [{ name: 'shared', mountPath: '/out' }] },
      ],
      volumes: [{ name: 'shared', emptyDir: {} }],
    })]);
    expect(findings.map((f) => f.message)).toEqual(['shared volume "shared" is mounted with a subPath in container "app"']);
  });

  test('fails when two containers declare one port name', () => {
    const { findings } = checkManifests([deployment({ containers: [app(), { name: 'b', image: 'b:1', ports: [{ containerPort: 9090, name: 'http' }] }] })]);
    expect(findings.map((f) => f.message)).toEqual(['port name "http": used by container "app" [containerPort "http"] and container "b" [containerPort "http"]']);
  });

  test('fails when a probe targets a port no container has', () => {
    const { findings } = checkManifests([deployment({ containers: [app({ livenessProbe: { tcpSocket: { port: 8081 } }, readinessProbe: { httpGet: { port: 'admin' } } })] })]);
    expect(findings.map((f) => f.message)).toEqual([
      'the livenessProbe (tcpSocket) of container "app" targets port 8081, which no container of the pod declares or binds',
      'the readinessProbe (httpGet) of container "app" targets the port named "admin", which no container of the pod declares',
    ]);
  });

  test('fails when a Job or CronJob runs a well-known long-running program as a regular container', () => {
    const containers = [app(), { name: 'cloud-sql-proxy', image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1', args: ['acme:db'] }];
    const { findings } = checkManifests([deployment({ containers }, 'migrate', 'Job'), deployment({ containers }, 'nightly', 'CronJob'), deployment({ containers })]);
    expect(findings.map((f) => [f.resource.kind, f.rule, f.message])).toEqual([
      ['Job', 'job-completion', 'container "cloud-sql-proxy" runs Cloud SQL Auth Proxy, which does not exit by itself, so the Job would never complete'],
      ['CronJob', 'job-completion', 'container "cloud-sql-proxy" runs Cloud SQL Auth Proxy, which does not exit by itself, so the CronJob would never complete'],
    ]);
    // As a native sidecar it is stopped once the app exits; git-sync with --one-time exits.
    const native = { initContainers: [{ ...containers[1], restartPolicy: 'Always' }], containers: [app()] };
    const oneTime = { containers: [app(), { name: 'sync', image: 'registry.k8s.io/git-sync/git-sync:v4.4.0', args: ['--one-time'] }] };
    expect(checkManifests([deployment(native, 'a', 'Job'), deployment(oneTime, 'b', 'Job')]).findings).toEqual([]);
  });

  test('the restricted profile is opt-in', () => {
    const pod = deployment({ containers: [app({ securityContext: { privileged: true } })], volumes: [{ name: 'h', hostPath: { path: '/' } }] }, 'web', 'Pod');
    expect(checkManifests([pod]).findings).toEqual([]);
    expect(checkManifests([pod], { restricted: true }).findings.map((f) => [f.rule, f.message])).toEqual([
      ['restricted', 'volume "h" is a hostPath volume, which the restricted profile forbids'],
      ['restricted', 'container "app" leaves the restricted profile: privileged: true, allowPrivilegeEscalation not false, runAsNonRoot not true '
        + '(container or pod), seccompProfile unset (container or pod), capabilities.drop without ALL'],
    ]);
    const secure = deployment({ containers: [app({ securityContext: SECURE })] }, 'web', 'Pod');
    expect(checkManifests([secure], { restricted: true }).findings).toEqual([]);
  });

  test('reads a kind: List item by item, naming the item', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [deployment({ containers: [app()] }, 'ok'), deployment({ containers: [app(), app()] }, 'twin')] };
    const report = checkManifests([{ kind: 'Namespace', metadata: { name: 'shop' } }, list]);
    expect(report.pods).toBe(2);
    expect(report.findings.map((f) => [f.documentIndex, f.itemIndex, f.path, f.resource.name, f.rule])).toEqual([
      [1, 1, 'items[1].spec.template.spec', 'twin', 'container-names'],
      [1, 1, 'items[1].spec.template.spec', 'twin', 'ports'],
      [1, 1, 'items[1].spec.template.spec', 'twin', 'ports'],
    ]);
  });

  test('does not stumble on malformed pod specs (left to the schema)', () => {
    const odd = deployment({ containers: [null, 'x', { name: 'a', ports: 'none', volumeMounts: [null] }], volumes: 'none' });
    expect(() => checkManifests([odd, { kind: 'Deployment' }, { kind: 'Deployment', spec: { template: { spec: null } } }])).not.toThrow();
  });
});
