/**
 * A helper reuses what it derived from the options of its last call when the next call brings
 * the same options (lib/last-call.ts). Through the public API: whatever differs between two
 * calls, in place or in a new object, reaches the second workload's configuration.
 */
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { parse } from 'yaml';
import { ConfigSource, LogOutput, Proxy, withConfigSync, withLogShipper, withProxy } from '../lib';
import { shipped } from './log-shipper/helpers';
import { allContainers, podSpecOf } from './util/restricted';
import { find, newApp, synth } from './util/synth';

const app = (name: string, port = 8080) => ({ name, image: 'ghcr.io/acme/web:1.4.2', portNumber: port, securityContext: { user: 1000 } });

/** The Envoy bootstrap written for the workload named like `workload`. */
function envoyOf(manifests: any[], workload: string): any {
  const configMap = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name.includes(`-${workload}-proxy-`));
  return parse(configMap.data['envoy.yaml']);
}
const upstreamPort = (envoy: any) =>
  envoy.static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value;

describe('withLogShipper given the options of its last call', () => {
  test('the same options on two workloads give each the same configuration', () => {
    const { app: cdk8sApp, chart } = newApp();
    const options = { logPath: '/var/log/app', outputs: [LogOutput.loki({ url: 'http://loki.monitoring:3100' })] };
    withLogShipper(new kplus.Deployment(chart, 'a', { containers: [app('app')] }), options);
    withLogShipper(new kplus.Deployment(chart, 'b', { containers: [app('app')] }), options);
    const { manifests } = synth(cdk8sApp);
    const a = shipped(manifests, 'log-shipper', '-a-');
    const b = shipped(manifests, 'log-shipper', '-b-');
    expect(a.config.pipeline.outputs[0].host).toBe('loki.monitoring');
    expect(b.text).toBe(a.text);
    expect(b.configMap.metadata.name).not.toBe(a.configMap.metadata.name);
  });

  test('an outputs array pushed to between the calls reaches the second workload', () => {
    const { app: cdk8sApp, chart } = newApp();
    const outputs: LogOutput[] = [LogOutput.stdout()];
    const options = { logPath: '/var/log/app', outputs };
    withLogShipper(new kplus.Deployment(chart, 'a', { containers: [app('app')] }), options);
    outputs.push(LogOutput.loki({ url: 'http://loki.monitoring:3100' }));
    withLogShipper(new kplus.Deployment(chart, 'b', { containers: [app('app')] }), options);
    const { manifests } = synth(cdk8sApp);
    expect(shipped(manifests, 'log-shipper', '-a-').config.pipeline.outputs.map((o: any) => o.name)).toEqual(['stdout']);
    expect(shipped(manifests, 'log-shipper', '-b-').config.pipeline.outputs.map((o: any) => o.name)).toEqual(['stdout', 'loki']);
  });

  test('an option changed inside an output object between the calls reaches the second workload', () => {
    const { app: cdk8sApp, chart } = newApp();
    const loki = { url: 'http://loki-a.monitoring:3100' };
    const options = { logPath: '/var/log/app', outputs: [LogOutput.loki(loki)] };
    withLogShipper(new kplus.Deployment(chart, 'a', { containers: [app('app')] }), options);
    loki.url = 'http://loki-b.monitoring:3100';
    withLogShipper(new kplus.Deployment(chart, 'b', { containers: [app('app')] }), options);
    const { manifests } = synth(cdk8sApp);
    expect(shipped(manifests, 'log-shipper', '-a-').config.pipeline.outputs[0].host).toBe('loki-a.monitoring');
    expect(shipped(manifests, 'log-shipper', '-b-').config.pipeline.outputs[0].host).toBe('loki-b.monitoring');
  });

  test('equal options around app containers of other names give each workload its own container names', () => {
    const { app: cdk8sApp, chart } = newApp();
    withLogShipper(new kplus.Deployment(chart, 'a', { containers: [app('web')] }), { logPath: '/var/log/app' });
    withLogShipper(new kplus.Deployment(chart, 'b', { containers: [app('api')] }), { logPath: '/var/log/app' });
    const { manifests } = synth(cdk8sApp);
    const container = (name: string) => shipped(manifests, 'log-shipper', name).config.pipeline.filters[0].record
      .find((r: string) => r.startsWith('container '));
    expect(container('-a-')).toBe('container web');
    expect(container('-b-')).toBe('container api');
  });

  test('the same key of two Secrets is read from each workload\'s own Secret', () => {
    const { app: cdk8sApp, chart } = newApp();
    for (const name of ['a', 'b']) {
      const secret = new kplus.Secret(chart, `loki-${name}`);
      withLogShipper(new kplus.Deployment(chart, name, { containers: [app('app')] }), {
        logPath: '/var/log/app',
        outputs: [LogOutput.loki({ url: 'https://loki.monitoring:3100', username: { secret, key: 'user' }, password: { secret, key: 'password' } })],
      });
    }
    const { manifests } = synth(cdk8sApp);
    for (const name of ['a', 'b']) {
      const secretName = find(manifests, 'Secret', `loki-${name}`).metadata.name;
      const env = shipped(manifests, 'log-shipper', `-${name}-`).shipper.env;
      const fromSecrets = env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.valueFrom.secretKeyRef.name);
      expect(fromSecrets.length).toBe(2);
      expect(new Set(fromSecrets)).toEqual(new Set([secretName]));
    }
  });

  test('a call refused for its options is not remembered: the next call with them is refused too', () => {
    const { chart } = newApp();
    const options = { logPath: 'var/log/app' };
    const attach = (id: string) => () => withLogShipper(new kplus.Deployment(chart, id, { containers: [app('app')] }), options);
    expect(attach('a')).toThrow(/logPath "var\/log\/app" must be an absolute path/);
    expect(attach('b')).toThrow(/logPath "var\/log\/app" must be an absolute path/);
  });

  test('options that became wrong in place since the last call are refused', () => {
    const { chart } = newApp();
    const options = { logPath: '/var/log/app' };
    withLogShipper(new kplus.Deployment(chart, 'a', { containers: [app('app')] }), options);
    options.logPath = '/etc/log-shipper';
    expect(() => withLogShipper(new kplus.Deployment(chart, 'b', { containers: [app('app')] }), options))
      .toThrow(/logPath "\/etc\/log-shipper" overlaps "\/etc\/log-shipper"/);
  });
});

describe('withProxy given the options of its last call', () => {
  test('equal options in front of apps on other ports forward each to its own app', () => {
    const { app: cdk8sApp, chart } = newApp();
    withProxy(new kplus.Deployment(chart, 'a', { containers: [app('app', 8080)] }), { port: 8443 });
    withProxy(new kplus.Deployment(chart, 'b', { containers: [app('app', 9090)] }), { port: 8443 });
    const { manifests } = synth(cdk8sApp);
    expect(upstreamPort(envoyOf(manifests, 'a'))).toBe(8080);
    expect(upstreamPort(envoyOf(manifests, 'b'))).toBe(9090);
  });

  test('a timeout of another length, given as a new Duration, reaches the second workload', () => {
    const { app: cdk8sApp, chart } = newApp();
    withProxy(new kplus.Deployment(chart, 'a', { containers: [app('app')] }), { connectTimeout: Duration.seconds(5) });
    withProxy(new kplus.Deployment(chart, 'b', { containers: [app('app')] }), { connectTimeout: Duration.seconds(7) });
    withProxy(new kplus.Deployment(chart, 'c', { containers: [app('app')] }), { connectTimeout: Duration.seconds(7) });
    const { manifests } = synth(cdk8sApp);
    expect(envoyOf(manifests, 'a').static_resources.clusters[0].connect_timeout).toBe('5s');
    expect(envoyOf(manifests, 'b').static_resources.clusters[0].connect_timeout).toBe('7s');
    expect(envoyOf(manifests, 'c').static_resources.clusters[0].connect_timeout).toBe('7s');
  });

  test('the Proxy construct with the same props on two workloads serves each its own pod', () => {
    const { app: cdk8sApp, chart } = newApp();
    const a = new kplus.Deployment(chart, 'a', { containers: [app('app', 8080)] });
    const b = new kplus.Deployment(chart, 'b', { containers: [app('app', 9090)] });
    const proxyA = new Proxy(chart, 'proxy-a', { workload: a, port: 8443 });
    const proxyB = new Proxy(chart, 'proxy-b', { workload: b, port: 8443 });
    expect([proxyA.targetPort, proxyB.targetPort]).toEqual([8080, 9090]);
    const { manifests } = synth(cdk8sApp);
    const forwardsTo = (name: string) => {
      const configMap = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name.includes(`proxy-${name}`));
      return upstreamPort(parse(configMap.data['envoy.yaml']));
    };
    expect([forwardsTo('a'), forwardsTo('b')]).toEqual([8080, 9090]);
  });

  test('options that became wrong in place since the last call are refused', () => {
    const { chart } = newApp();
    const options: { port: number; healthPath?: string } = { port: 8443 };
    withProxy(new kplus.Deployment(chart, 'a', { containers: [app('app')] }), options);
    options.healthPath = 'healthz';
    expect(() => withProxy(new kplus.Deployment(chart, 'b', { containers: [app('app')] }), options))
      .toThrow(/healthPath "healthz" is not a plain absolute path/);
  });
});

describe('withConfigSync given the options of its last call', () => {
  const syncArgs = (manifests: any[], workload: string) => {
    const deployment = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name.includes(`-${workload}-`));
    return allContainers(podSpecOf(deployment)).find((c: any) => c.name === 'git-sync').args;
  };

  test('a git ref changed in place between the calls reaches the second workload', () => {
    const { app: cdk8sApp, chart } = newApp();
    const git = { repo: 'https://github.com/acme/app-config.git', ref: 'main' };
    const source = ConfigSource.git(git);
    withConfigSync(new kplus.Deployment(chart, 'a', { containers: [app('app')] }), { source, mountPath: '/etc/app/config' });
    git.ref = 'v1.2.0';
    withConfigSync(new kplus.Deployment(chart, 'b', { containers: [app('app')] }), { source, mountPath: '/etc/app/config' });
    const { manifests } = synth(cdk8sApp);
    expect(syncArgs(manifests, 'a')).toContain('--ref=main');
    expect(syncArgs(manifests, 'b')).toContain('--ref=v1.2.0');
  });

  test('equal options on a pod whose default health port is taken give the second sync its own port', () => {
    const { app: cdk8sApp, chart } = newApp();
    const options = { source: ConfigSource.git({ repo: 'https://github.com/acme/app-config.git', ref: 'main' }), mountPath: '/etc/app/config' };
    withConfigSync(new kplus.Deployment(chart, 'a', { containers: [app('app')] }), options);
    withConfigSync(new kplus.Deployment(chart, 'b', { containers: [{ ...app('app'), portNumber: 9487 }] }), options);
    const { manifests } = synth(cdk8sApp);
    const sync = (workload: string) => allContainers(podSpecOf(manifests.find((m) => m.kind === 'Deployment' && m.metadata.name.includes(`-${workload}-`))))
      .find((c: any) => c.name === 'git-sync');
    expect(syncArgs(manifests, 'a')).toContain('--http-bind=:9487');
    expect(sync('a').ports).toEqual([{ containerPort: 9487, name: 'sync-health' }]);
    expect(syncArgs(manifests, 'b')).toContain('--http-bind=:9488');
    expect(sync('b').ports).toEqual([{ containerPort: 9488, name: 'sync-health' }]);
    expect(sync('b').startupProbe.httpGet.port).toBe(9488);
  });

  test('a git ref that became wrong in place since the last call is refused', () => {
    const { chart } = newApp();
    const git = { repo: 'https://github.com/acme/app-config.git', ref: 'main' };
    const source = ConfigSource.git(git);
    withConfigSync(new kplus.Deployment(chart, 'a', { containers: [app('app')] }), { source, mountPath: '/etc/app/config' });
    git.ref = 'main..v2';
    expect(() => withConfigSync(new kplus.Deployment(chart, 'b', { containers: [app('app')] }), { source, mountPath: '/etc/app/config' }))
      .toThrow(/ref "main\.\.v2" is not a branch, tag or commit name/);
  });
});
