import * as kplus from 'cdk8s-plus-28';
import { ConfigReload, ConfigSource, SidecarMode, withConfigSync } from '../../lib';
import { k8sSidecarEnv, octal } from '../../lib/config-sync/k8s-sidecar';
import { allContainers, podSpecOf, restrictedProblems } from '../util/restricted';
import { find, newApp, synth } from '../util/synth';
import { APP, RUN_TO_COMPLETION, WORKLOADS } from '../workloads';

/**
 * Every setting of kiwigrid/k8s-sidecar 2.x: the "Configuration Environment Variables" table of
 * its README (with `HEALTH_PORT` and `REQ_SKIP_INIT`, both in the 2.x table). A name
 * withConfigSync renders that is not here is a typo the sidecar would silently ignore.
 */
const DOCUMENTED_ENV = [
  'LABEL', 'LABEL_VALUE', 'FOLDER', 'FOLDER_ANNOTATION', 'NAMESPACE', 'RESOURCE', 'RESOURCE_NAME', 'METHOD', 'SLEEP_TIME',
  'REQ_URL', 'REQ_METHOD', 'REQ_PAYLOAD', 'REQ_RETRY_TOTAL', 'REQ_RETRY_CONNECT', 'REQ_RETRY_READ', 'REQ_RETRY_BACKOFF_FACTOR',
  'REQ_TIMEOUT', 'REQ_USERNAME', 'REQ_PASSWORD', 'REQ_BASIC_AUTH_ENCODING', 'REQ_SKIP_INIT', 'SCRIPT', 'ERROR_THROTTLE_SLEEP',
  'SKIP_TLS_VERIFY', 'REQ_SKIP_TLS_VERIFY', 'UNIQUE_FILENAMES', 'DEFAULT_FILE_MODE', 'KUBECONFIG', 'ENABLE_5XX',
  'WATCH_SERVER_TIMEOUT', 'WATCH_CLIENT_TIMEOUT', 'IGNORE_ALREADY_PROCESSED', 'LOG_LEVEL', 'LOG_FORMAT', 'LOG_TZ', 'LOG_CONFIG',
  'HEALTH_PORT',
];

/** Documented values of the variables that take a fixed set. */
const DOCUMENTED_VALUES: Record<string, string[]> = {
  RESOURCE: ['configmap', 'secret', 'both'],
  METHOD: ['WATCH', 'LIST', 'SLEEP'],
  REQ_METHOD: ['GET', 'POST'],
  UNIQUE_FILENAMES: ['true', 'false'],
  REQ_SKIP_INIT: ['true', 'false'],
};

/** Never from withConfigSync: credentials in the pod spec, TLS verification off, other namespaces. */
const NEVER_ENV = ['REQ_USERNAME', 'REQ_PASSWORD', 'SKIP_TLS_VERIFY', 'REQ_SKIP_TLS_VERIFY', 'NAMESPACE', 'KUBECONFIG'];

const SA_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

function sidecarContainers(manifests: any[], kind = 'Deployment'): any[] {
  return allContainers(podSpecOf(find(manifests, kind))).filter((c) => c.image.startsWith('quay.io/kiwigrid/k8s-sidecar:'));
}

function envOf(container: any): Record<string, string> {
  return Object.fromEntries((container.env ?? []).map((e: any) => {
    expect(e.valueFrom).toBeUndefined();
    return [e.name, e.value];
  }));
}

function checkEnv(env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) {
    expect(DOCUMENTED_ENV).toContain(name);
    expect(NEVER_ENV).not.toContain(name);
    if (DOCUMENTED_VALUES[name]) expect(DOCUMENTED_VALUES[name]).toContain(value);
  }
  if (env.DEFAULT_FILE_MODE !== undefined) expect(env.DEFAULT_FILE_MODE).toMatch(/^[0-7]{3}$/);
  expect(Number(env.HEALTH_PORT)).toBeGreaterThan(0);
}

describe('k8s-sidecar environment', () => {
  test('every variable rendered is in the README\'s table, with a documented value', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withConfigSync(web, {
      source: ConfigSource.configMapsAndSecrets({ label: 'acme.com/config', labelValue: 'web', uniqueFilenames: true }),
      mountPath: '/etc/app/config',
      reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }),
      mode: SidecarMode.CLASSIC,
    });
    withConfigSync(web, {
      name: 'dashboards',
      source: ConfigSource.configMaps({ label: 'grafana_dashboard' }),
      mountPath: '/var/lib/dashboards',
      reload: ConfigReload.signal('SIGHUP', { process: 'web', shareProcessNamespace: true }),
    });
    const containers = sidecarContainers(synth(app).manifests);
    expect(containers.map((c) => c.name).sort()).toEqual(['dashboards', 'k8s-sidecar', 'k8s-sidecar-init']);
    for (const container of containers) {
      checkEnv(envOf(container));
      expect(container.args).toBeUndefined();
      expect(container.command).toBeUndefined();
    }
  });

  test('the watcher, its one-time LIST twin, and the reload request', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withConfigSync(web, {
      source: ConfigSource.secrets({ label: 'acme.com/config', labelValue: 'web' }),
      mountPath: '/etc/app/config',
      reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }),
      mode: SidecarMode.CLASSIC,
    });
    const containers = sidecarContainers(synth(app).manifests);
    expect(envOf(containers.find((c) => c.name === 'k8s-sidecar'))).toEqual({
      LABEL: 'acme.com/config',
      LABEL_VALUE: 'web',
      FOLDER: '/data',
      RESOURCE: 'secret',
      METHOD: 'WATCH',
      HEALTH_PORT: '9487',
      DEFAULT_FILE_MODE: '640',
      REQ_URL: 'http://127.0.0.1:8080/-/reload',
      REQ_METHOD: 'POST',
      REQ_SKIP_INIT: 'true',
    });
    expect(envOf(containers.find((c) => c.name === 'k8s-sidecar-init'))).toEqual({
      LABEL: 'acme.com/config',
      LABEL_VALUE: 'web',
      FOLDER: '/data',
      RESOURCE: 'secret',
      METHOD: 'LIST',
      HEALTH_PORT: '9487',
      DEFAULT_FILE_MODE: '640',
    });
  });

  test('DEFAULT_FILE_MODE takes three octal digits', () => {
    expect(octal(0o640)).toBe('640');
    expect(octal(0o600)).toBe('600');
    expect(octal(0o44)).toBe('044');
    expect(k8sSidecarEnv({ label: 'l', folder: '/data', resource: 'configmap', method: 'LIST', healthPort: 1 }))
      .toEqual([['LABEL', 'l'], ['FOLDER', '/data'], ['RESOURCE', 'configmap'], ['METHOD', 'LIST'], ['HEALTH_PORT', '1']]);
  });
});

describe('k8s-sidecar RBAC: a ServiceAccount, a Role and a RoleBinding, minimal', () => {
  test.each([
    ['configMaps', ConfigSource.configMaps({ label: 'cfg' }), [['configmaps']]],
    ['secrets', ConfigSource.secrets({ label: 'cfg' }), [['secrets']]],
    ['configMapsAndSecrets', ConfigSource.configMapsAndSecrets({ label: 'cfg' }), [['configmaps'], ['secrets']]],
  ])('%s: get, list and watch on those kinds only, in the namespace', (_name, source, resources) => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const sync = withConfigSync(web, { source, mountPath: '/etc/app/config' });
    const { manifests } = synth(app);

    expect(manifests.filter((m) => ['ClusterRole', 'ClusterRoleBinding'].includes(m.kind))).toEqual([]);
    const role = find(manifests, 'Role');
    expect(role.metadata.namespace).toBeUndefined(); // the chart's namespace, the pod's
    expect(role.rules).toEqual(resources.map((r) => ({ apiGroups: [''], resources: r, verbs: ['get', 'list', 'watch'] })));
    expect(sync.role!.name).toBe(role.metadata.name);

    const sa = find(manifests, 'ServiceAccount');
    expect(sa.automountServiceAccountToken).toBe(false);
    const binding = find(manifests, 'RoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: sa.metadata.name }]);

    const spec = podSpecOf(find(manifests, 'Deployment'));
    expect(spec.serviceAccountName).toBe(sa.metadata.name);
    expect(spec.automountServiceAccountToken).toBe(false);
  });

  test('the token is projected into the k8s-sidecar containers only, never the app', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP, { ...APP, name: 'worker', ports: [] }] });
    withConfigSync(web, { source: ConfigSource.configMaps({ label: 'cfg' }), mountPath: '/etc/app/config', mode: SidecarMode.CLASSIC });
    const spec = podSpecOf(find(synth(app).manifests, 'Deployment'));

    const token = spec.volumes.find((v: any) => v.name === 'k8s-sidecar-token');
    expect(token.projected.sources).toEqual([
      { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ]);
    for (const c of allContainers(spec)) {
      const mount = (c.volumeMounts ?? []).find((m: any) => m.name === 'k8s-sidecar-token');
      if (c.name.startsWith('k8s-sidecar')) {
        expect(mount).toEqual({ name: 'k8s-sidecar-token', mountPath: SA_PATH, readOnly: true });
      } else {
        expect(mount).toBeUndefined();
        expect((c.volumeMounts ?? []).map((m: any) => m.mountPath)).not.toContain(SA_PATH);
      }
    }
    expect(restrictedProblems(spec, ['k8s-sidecar', 'k8s-sidecar-init'])).toEqual([]);
  });

  test('binds the Role to the pod\'s own ServiceAccount, and makes none', () => {
    const { app, chart } = newApp();
    const own = new kplus.ServiceAccount(chart, 'own');
    const web = new kplus.Deployment(chart, 'web', { containers: [APP], serviceAccount: own });
    const sync = withConfigSync(web, { source: ConfigSource.configMaps({ label: 'cfg' }), mountPath: '/etc/app/config' });
    const { manifests } = synth(app);

    expect(manifests.filter((m) => m.kind === 'ServiceAccount').map((m) => m.metadata.name)).toEqual([own.name]);
    expect(find(manifests, 'RoleBinding').subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: own.name }]);
    expect(podSpecOf(find(manifests, 'Deployment')).serviceAccountName).toBe(own.name);
    expect(sync.serviceAccount).toBe(own);
  });

  test('two syncs share the pod\'s ServiceAccount, each with its own Role', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const a = withConfigSync(web, { source: ConfigSource.configMaps({ label: 'a' }), mountPath: '/etc/a' });
    const b = withConfigSync(web, { name: 'secrets', source: ConfigSource.secrets({ label: 'b' }), mountPath: '/etc/b' });
    const { manifests } = synth(app);
    expect(manifests.filter((m) => m.kind === 'ServiceAccount')).toHaveLength(1);
    expect(b.serviceAccount).toBe(a.serviceAccount);
    expect(manifests.filter((m) => m.kind === 'Role').map((m) => m.rules[0].resources)).toEqual([['configmaps'], ['secrets']]);
  });

  test.each(WORKLOADS)('on a %s: valid objects, restricted containers', (kind, make) => {
    const { app, chart } = newApp();
    withConfigSync(make(chart), { source: ConfigSource.configMaps({ label: 'cfg' }), mountPath: '/etc/app/config' });
    const { manifests } = synth(app);
    // A StatefulSet also makes its headless Service, from the app's ports only.
    const services = manifests.filter((m) => m.kind === 'Service');
    expect(services.flatMap((s) => s.spec.ports.map((p: any) => p.port))).toEqual(kind === 'StatefulSet' ? [8080] : []);
    expect(manifests.filter((m) => m.kind !== 'Service').map((m) => m.kind).sort()).toEqual([kind, 'Role', 'RoleBinding', 'ServiceAccount'].sort());
    const spec = podSpecOf(find(manifests, kind));
    const names = sidecarContainers(manifests, kind).map((c) => c.name);
    expect(names).toEqual([RUN_TO_COMPLETION.includes(kind) ? 'k8s-sidecar-init' : 'k8s-sidecar']);
    expect(restrictedProblems(spec, names)).toEqual([]);
    expect(spec.serviceAccountName).toBe(find(manifests, 'ServiceAccount').metadata.name);
  });
});
