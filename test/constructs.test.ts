/**
 * The four constructs (Sidecar, LogShipper, ReverseProxy, ConfigSync) created directly: without a
 * `workload` prop they attach to their scope, which must then be a workload.
 */
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ConfigSource, ConfigSync, LogShipper, ReverseProxy, Sidecar, SidecarMode, withConfigSync, withLogShipper, withProxy, withSidecar } from '../lib';
import { newApp, synth } from './util/synth';

const APP = { name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080, securityContext: { user: 1000 } };
const SOURCE = () => ConfigSource.git({ repo: 'https://github.com/acme/config.git', ref: 'main' });

interface Case {
  readonly name: string;
  /** The construct, under `scope`, given no workload. */
  readonly direct: (scope: Construct, id: string) => Construct;
  /** The same through its function, with the id the function gives. */
  readonly call: (web: kplus.Deployment) => Construct;
}

const CASES: Case[] = [
  {
    name: 'Sidecar',
    direct: (scope, id) => new Sidecar(scope, id, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.29.0' }),
    call: (web) => withSidecar(web, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.29.0' }),
  },
  {
    name: 'LogShipper',
    direct: (scope, id) => new LogShipper(scope, id, { logPath: '/var/log/app' }),
    call: (web) => withLogShipper(web, { logPath: '/var/log/app' }),
  },
  {
    name: 'ReverseProxy',
    direct: (scope, id) => new ReverseProxy(scope, id, { port: 8443 }),
    call: (web) => withProxy(web, { port: 8443 }),
  },
  {
    name: 'ConfigSync',
    direct: (scope, id) => new ConfigSync(scope, id, { source: SOURCE(), mountPath: '/etc/app/config' }),
    call: (web) => withConfigSync(web, { source: SOURCE(), mountPath: '/etc/app/config' }),
  },
];

describe.each(CASES)('$name without a workload', ({ name, direct, call }) => {
  test('attaches to its scope: the same manifests as the function', () => {
    const viaCall = newApp();
    const id = call(new kplus.Deployment(viaCall.chart, 'web', { containers: [APP] })).node.id;
    const viaConstruct = newApp();
    const web = new kplus.Deployment(viaConstruct.chart, 'web', { containers: [APP] });
    direct(web, id);
    expect(synth(viaConstruct.app).manifests).toEqual(synth(viaCall.app).manifests);
  });

  test('fails when the scope is not a workload, naming it, and adds nothing', () => {
    const { chart } = newApp();
    new kplus.Deployment(chart, 'web', { containers: [APP] });
    const before = chart.node.findAll().length;
    expect(() => direct(chart, 'attached')).toThrow(
      `${name} "test/attached": no workload given and the scope "test" is not one; pass workload (a Deployment, `
      + 'StatefulSet, DaemonSet, Job, CronJob or Pod, or an ApiObject of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod), or create it inside the workload');
    expect(chart.node.findAll().length).toBe(before);
  });
});

describe.each(CASES.filter((c) => c.name !== 'Sidecar'))('$name', ({ call }) => {
  test('stands for its sidecar: container and mode are on it, and it holds no Sidecar construct', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const helper = call(web) as LogShipper | ReverseProxy | ConfigSync;
    expect(helper.node.findAll().filter((c) => c instanceof Sidecar)).toEqual([]);
    expect(web.initContainers).toContain(helper.container);
    expect(helper.mode).toBe(SidecarMode.NATIVE);
  });
});
