/**
 * Plans reused across calls (lib/engine/plan-cache.ts): a workload gets what it would get alone,
 * whatever was attached before it in the same app; equal options on alike pods make one plan.
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import * as lib from '../../lib';
import {
  CacheListener, ConfigReload, ConfigSource, SecretTemplate, SkipAuthRoute, VaultCaCertificate,
  withAuthProxy, withCache, withConfigSync, withLogShipper, withProxy, withSecretsAgent, withSidecar, withTelemetry,
} from '../../lib';
import * as configSyncPlan from '../../lib/config-sync/plan';
import { isKeyedByValue, optionsKey } from '../../lib/engine/options-key';
import * as logShipperPlan from '../../lib/log-shipper/plan';
import * as proxyPlan from '../../lib/proxy/plan';
import { newApp, synth } from '../util/synth';
import { APP } from '../workloads';

/** The Secrets and ConfigMaps the helpers reference, made once per chart as an app would. */
function references(chart: Chart) {
  return {
    oidc: kplus.Secret.fromSecretName(chart, 'oidc', 'web-oidc'),
    tls: kplus.Secret.fromSecretName(chart, 'tls', 'web-tls'),
    cache: kplus.Secret.fromSecretName(chart, 'cache', 'web-cache'),
    vaultCa: kplus.ConfigMap.fromConfigMapName(chart, 'vault-ca', 'vault-ca'),
  };
}

/** Every helper on one workload, with fresh option objects at each call, as a loop in an app makes them. */
function everything(web: kplus.Deployment, refs: ReturnType<typeof references>): void {
  withLogShipper(web, { logPath: '/var/log/app' });
  withConfigSync(web, {
    source: ConfigSource.git({ repo: 'https://github.com/acme/app-config.git', ref: 'main', period: Duration.seconds(30) }),
    mountPath: '/etc/app/config',
    reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }),
  });
  const auth = withAuthProxy(web, {
    issuerUrl: 'https://login.example.com/realms/acme',
    clientId: 'web',
    clientSecret: { secret: refs.oidc, key: 'client-secret' },
    cookieSecret: { secret: refs.oidc, key: 'cookie-secret' },
    emailDomains: ['example.com'],
    redirectUrl: 'https://web.example.com/oauth2/callback',
    skipAuthRoutes: [SkipAuthRoute.prefix('/static/', { methods: ['GET'] })],
  });
  withProxy(web, { target: auth, port: 8443, tls: { secret: refs.tls } });
  withCache(web, {
    listen: CacheListener.unixSocket(),
    password: { secret: refs.cache, key: 'password' },
    resources: { memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) } },
  });
  withTelemetry(web, {});
  withSecretsAgent(web, {
    address: 'https://vault.vault.svc:8200',
    role: 'web',
    caCertificate: VaultCaCertificate.fromConfigMap(refs.vaultCa, 'ca.crt'),
    secrets: [
      { path: 'db.json', template: SecretTemplate.database({ role: 'web' }) },
      { path: 'api-key', template: SecretTemplate.kv({ path: 'web/api', field: 'key' }) },
    ],
  });
  withSidecar(web, { name: 'tool', image: 'registry.example/tool:1.0.0', ports: [{ number: 9100, name: 'tool' }] });
}

/** The manifests of the workload `id` of chart `test` (named `test-<id>-…`). */
function manifestsOf(manifests: any[], id: string): any[] {
  return manifests.filter((m) => String(m.metadata?.name).startsWith(`test-${id}-`));
}

function appWith(build: (chart: Chart) => void): any[] {
  const { app, chart } = newApp();
  build(chart);
  return synth(app).manifests;
}

describe('plans reused across calls', () => {
  test('each of several alike workloads gets what it would get alone, with every helper', () => {
    const ids = ['wa', 'wb', 'wc'];
    const together = appWith((chart) => {
      const refs = references(chart);
      for (const id of ids) everything(new kplus.Deployment(chart, id, { containers: [APP] }), refs);
    });
    for (const id of ids) {
      const alone = appWith((chart) => everything(new kplus.Deployment(chart, id, { containers: [APP] }), references(chart)));
      expect(alone.length).toBeGreaterThan(5);
      expect(manifestsOf(together, id)).toEqual(alone);
    }
  });

  test('workloads whose pods differ each get their own plan, in any order', () => {
    const ports = { wa: 8080, wb: 9090, wc: 8080, wd: 9090 } as const;
    const build = (chart: Chart, id: keyof typeof ports) => {
      const web = new kplus.Deployment(chart, id, { containers: [{ ...APP, ports: [{ number: ports[id], name: 'http' }] }] });
      withProxy(web, { port: 8443 });
      withLogShipper(web, { logPath: '/var/log/app' });
    };
    const together = appWith((chart) => (Object.keys(ports) as Array<keyof typeof ports>).forEach((id) => build(chart, id)));
    for (const id of Object.keys(ports) as Array<keyof typeof ports>) {
      const alone = appWith((chart) => build(chart, id));
      expect(manifestsOf(together, id)).toEqual(alone);
      const envoy = alone.find((m) => m.kind === 'ConfigMap' && m.data['envoy.yaml']).data['envoy.yaml'];
      expect(envoy).toContain(`port_value: ${ports[id]}`);
    }
  });

  test('a call refused on one pod is refused there only', () => {
    const app = new App();
    const chart = new Chart(app, 'test');
    const good = (id: string) => new kplus.Deployment(chart, id, { containers: [APP] });
    withTelemetry(good('wa'), {});
    const sets = new kplus.Deployment(chart, 'wb', {
      containers: [{ ...APP, envVariables: { OTEL_EXPORTER_OTLP_ENDPOINT: kplus.EnvValue.fromValue('http://elsewhere:4317') } }],
    });
    expect(() => withTelemetry(sets, {})).toThrow(/Deployment "test\/wb", withTelemetry: container "app" sets OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => withTelemetry(good('wc'), {})).not.toThrow();
    // The label in a message is the workload's own, also when its plan would have been reused.
    const named = good('wd');
    withLogShipper(good('we'), { logPath: '/var/log/app' });
    named.addContainer({ name: 'log-shipper', image: 'registry.example/other:1.0.0' });
    expect(() => withLogShipper(named, { logPath: '/var/log/app' })).toThrow(/^Deployment "test\/wd", withLogShipper: /);
  });

  test('a change made to one sidecar after the call stays on its workload', () => {
    const app = new App();
    const chart = new Chart(app, 'test');
    const a = new kplus.Deployment(chart, 'wa', { containers: [APP] });
    const b = new kplus.Deployment(chart, 'wb', { containers: [APP] });
    const shipperA = withLogShipper(a, { logPath: '/var/log/app' });
    const shipperB = withLogShipper(b, { logPath: '/var/log/app' });
    const proxyA = withProxy(a, { port: 8443 });
    const proxyB = withProxy(b, { port: 8443 });
    shipperA.container.env.addVariable('EXTRA', kplus.EnvValue.fromValue('1'));
    proxyA.container.env.addVariable('EXTRA', kplus.EnvValue.fromValue('1'));
    proxyA.container.addPort({ number: 9901, name: 'extra' });
    expect(Object.keys(shipperA.container.env.variables)).toContain('EXTRA');
    expect(Object.keys(shipperB.container.env.variables)).not.toContain('EXTRA');
    expect(Object.keys(proxyB.container.env.variables)).not.toContain('EXTRA');
    expect(proxyB.container.ports.map((p) => p.number)).not.toContain(9901);
  });

  test('an options object changed between two calls is read anew', () => {
    const options: { logPath: string } = { logPath: '/var/log/a' };
    const manifests = appWith((chart) => {
      withLogShipper(new kplus.Deployment(chart, 'wa', { containers: [APP] }), options);
      options.logPath = '/var/log/b';
      withLogShipper(new kplus.Deployment(chart, 'wb', { containers: [APP] }), options);
    });
    const mounts = (id: string) => manifestsOf(manifests, id).find((m) => m.kind === 'Deployment')
      .spec.template.spec.containers[0].volumeMounts.map((m: any) => m.mountPath);
    expect(mounts('wa')).toEqual(['/var/log/a']);
    expect(mounts('wb')).toEqual(['/var/log/b']);
  });
});

describe('when a plan is made', () => {
  afterEach(() => jest.restoreAllMocks());

  const deployments = (chart: Chart, n: number, containers = [APP]) =>
    Array.from({ length: n }, (_, i) => new kplus.Deployment(chart, `w${i}`, { containers }));

  test('equal options on alike pods make one plan, options built afresh at every call included', () => {
    const shipper = jest.spyOn(logShipperPlan, 'planLogShipper');
    const sync = jest.spyOn(configSyncPlan, 'planConfigSync');
    const chart = new Chart(new App(), 'test');
    for (const web of deployments(chart, 4)) {
      withLogShipper(web, { logPath: '/var/log/app', resources: { cpu: { limit: kplus.Cpu.millis(300) } } });
      withConfigSync(web, {
        source: ConfigSource.git({ repo: 'https://github.com/acme/app-config.git', period: Duration.seconds(30) }),
        mountPath: '/etc/app/config',
      });
    }
    expect(shipper).toHaveBeenCalledTimes(1);
    expect(sync).toHaveBeenCalledTimes(1);
  });

  test('options that differ, pods that differ and another app each make a plan', () => {
    const proxy = jest.spyOn(proxyPlan, 'planProxy');
    const chart = new Chart(new App(), 'test');
    const [a, b, c] = deployments(chart, 3);
    withProxy(a, { port: 8443 });
    withProxy(b, { port: 8444 });
    expect(proxy).toHaveBeenCalledTimes(2);
    const other = new kplus.Deployment(chart, 'other', { containers: [{ ...APP, ports: [{ number: 9090 }] }] });
    withProxy(other, { port: 8443 });
    expect(proxy).toHaveBeenCalledTimes(3);
    withProxy(c, { port: 8443 });
    expect(proxy).toHaveBeenCalledTimes(3);
    withProxy(deployments(new Chart(new App(), 'test'), 1)[0], { port: 8443 });
    expect(proxy).toHaveBeenCalledTimes(4);
  });

  test('a getter counts as what it returns', () => {
    const shipper = jest.spyOn(logShipperPlan, 'planLogShipper');
    const chart = new Chart(new App(), 'test');
    const paths = ['/var/log/a', '/var/log/a', '/var/log/b'];
    for (const [i, web] of deployments(chart, 3).entries()) withLogShipper(web, { get logPath() { return paths[i]; } });
    expect(shipper).toHaveBeenCalledTimes(2);
    expect(shipper.mock.calls.map(([, options]) => options.logPath)).toEqual(['/var/log/a', '/var/log/b']);

  });

  test('a value changed in place after a call changes neither that call nor the next', () => {
    const sync = jest.spyOn(configSyncPlan, 'planConfigSync');
    const manifests = appWith((chart) => {
      for (const web of deployments(chart, 3)) {
        const period = Duration.seconds(30);
        withConfigSync(web, { source: ConfigSource.git({ repo: 'https://github.com/acme/app-config.git', period }), mountPath: '/etc/app/config' });
        (period as unknown as { amount: number }).amount = 60;
      }
    });
    expect(sync).toHaveBeenCalledTimes(1);
    for (const id of ['w0', 'w1', 'w2']) {
      const spec = manifestsOf(manifests, id).find((m) => m.kind === 'Deployment').spec.template.spec;
      expect(spec.initContainers.find((c: any) => c.name === 'git-sync').args).toContain('--period=30s');
    }
  });

  test('every option class of the package is compared by value', () => {
    const classes = Object.entries(lib).filter(([, value]) => typeof value === 'function'
      && /^class /.test(Function.prototype.toString.call(value)) && !(value.prototype instanceof Construct));
    expect(classes.map(([name]) => name)).toEqual(expect.arrayContaining(['ConfigSource', 'LogOutput', 'TelemetryExporter']));
    expect(classes.filter(([, value]) => !isKeyedByValue(value as object)).map(([name]) => name)).toEqual([]);
  });

  test('options keys are equal for equal options only', () => {
    const chart = new Chart(new App(), 'test');
    const secret = kplus.Secret.fromSecretName(chart, 'a', 'same');
    const twin = kplus.Secret.fromSecretName(chart, 'b', 'same');
    const equal: Array<[unknown, unknown]> = [
      [{ a: 'x', b: [1, 2] }, { a: 'x', b: [1, 2] }],
      [{ size: Size.mebibytes(64), period: Duration.seconds(30) }, { size: Size.mebibytes(64), period: Duration.seconds(30) }],
      [{ secret }, { secret }],
      [ConfigSource.git({ repo: 'https://example.com/r.git' }), ConfigSource.git({ repo: 'https://example.com/r.git' })],
    ];
    for (const [a, b] of equal) expect(optionsKey(a)).toEqual(optionsKey(b));
    const different: Array<[unknown, unknown]> = [
      [{ a: 'x,b' }, { a: 'x', b: '' }],
      [['a', 'b'], ['ab']],
      [['1"a'], ['1', 'a']],
      [{ a: undefined }, {}],
      [0, -0],
      [1, '1'],
      [null, 'null'],
      [{ secret }, { secret: twin }],
      [{ size: Size.mebibytes(1) }, { size: Size.mebibytes(2) }],
      [Size.mebibytes(1), Duration.seconds(1)],
      [ConfigSource.git({ repo: 'https://example.com/r.git' }), ConfigSource.configMaps({ label: 'app-config' })],
    ];
    for (const [a, b] of different) expect(optionsKey(a)).not.toEqual(optionsKey(b));
    const looped: Record<string, unknown> = {};
    looped.self = looped;
    expect(optionsKey({ looped })).toBeUndefined();
    expect(optionsKey({ [Symbol.iterator]: 1, a: Symbol('s') })).toBeUndefined();
  });
});

/**
 * Random pods from a small pool of shapes, so that shapes repeat and plans are reused, each given
 * the same helper calls: every workload's manifests, or its refusal, are what the same pod gets
 * alone in an app of its own.
 */
describe('random fleets', () => {
  const RUNS = Number(process.env.PROPERTY_RUNS ?? 20);

  interface Shape {
    readonly ports: number[];
    readonly apps: number;
    readonly env: boolean;
    readonly user?: number;
  }
  const shape: fc.Arbitrary<Shape> = fc.record({
    ports: fc.constantFrom([8080], [9090], [8080, 9090], []),
    apps: fc.integer({ min: 1, max: 2 }),
    env: fc.boolean(),
    user: fc.constantFrom(undefined, 1000, 2000),
  });

  function podOf(chart: Chart, id: string, s: Shape): kplus.Deployment {
    const containers = Array.from({ length: s.apps }, (_, i) => ({
      name: `app-${i}`,
      image: 'ghcr.io/acme/web:1.4.2',
      ports: i === 0 ? s.ports.map((number) => ({ number, name: `http-${number}` })) : [],
      securityContext: s.user === undefined ? undefined : { user: s.user, group: s.user },
      envVariables: s.env ? { OTEL_SERVICE_NAME: kplus.EnvValue.fromValue('web'), CACHE_URL: kplus.EnvValue.fromValue('redis://x') } : undefined,
    }));
    return new kplus.Deployment(chart, id, { containers });
  }

  /** The calls, each kept apart: a refused one is recorded and the next goes on. */
  function attach(web: kplus.Deployment, calls: number[]): string[] {
    const refused: string[] = [];
    const all: Array<() => unknown> = [
      () => withLogShipper(web, { logPath: '/var/log/app' }),
      () => withProxy(web, { port: 8443 }),
      () => withTelemetry(web, { serviceName: 'web' }),
      () => withCache(web, {}),
      () => withConfigSync(web, { source: ConfigSource.git({ repo: 'https://github.com/acme/app-config.git' }), mountPath: '/etc/app/config' }),
      () => withSidecar(web, { name: 'tool', image: 'registry.example/tool:1.0.0', ports: [{ number: 9100, name: 'tool' }] }),
    ];
    for (const i of calls) {
      try {
        all[i]();
      } catch (e) {
        refused.push((e as Error).message);
      }
    }
    return refused;
  }

  const fleet = fc.record({
    shapes: fc.array(shape, { minLength: 2, maxLength: 4 }),
    pods: fc.array(fc.nat(3), { minLength: 3, maxLength: 6 }),
    calls: fc.uniqueArray(fc.nat(5), { minLength: 1, maxLength: 6 }),
  });

  test('each workload gets, or is refused, what it would alone', () => {
    fc.assert(fc.property(fleet, ({ shapes, pods, calls }) => {
      const shapeOf = (i: number) => shapes[pods[i] % shapes.length];
      const refusedTogether: string[][] = [];
      const together = appWith((chart) => {
        for (let i = 0; i < pods.length; i++) refusedTogether.push(attach(podOf(chart, `w${i}`, shapeOf(i)), calls));
      });
      for (let i = 0; i < pods.length; i++) {
        let refusedAlone: string[] = [];
        const alone = appWith((chart) => {
          refusedAlone = attach(podOf(chart, `w${i}`, shapeOf(i)), calls);
        });
        expect(refusedTogether[i]).toEqual(refusedAlone);
        expect(manifestsOf(together, `w${i}`)).toEqual(alone);
      }
    }), { numRuns: RUNS });
  });
});
