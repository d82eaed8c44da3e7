/**
 * What the cdk8s-plus lines render differently for the same app (README "Compatibility"), tested
 * on every line: from cdk8s-plus-31 on, every pod gets `shareProcessNamespace: false` and every
 * Deployment `revisionHistoryLimit: 10` (both Kubernetes' own defaults, so the pods are the same);
 * cdk8s-plus-28 writes neither. The library sets `shareProcessNamespace: true` only when asked
 * (withConfigSync's signal reload), and that wins on every line.
 */
import * as kplus from 'cdk8s-plus-28';
import { ConfigReload, ConfigSource, LogOutput, withConfigSync, withLogShipper, withSidecar } from '../../lib';
import { LINE, RENDERED_DEFAULTS } from '../util/line';
import { podSpecOf } from '../util/restricted';
import { find, newApp, synth } from '../util/synth';
import { APP, WORKLOADS } from '../workloads';

test(`${LINE.package} renders shareProcessNamespace ${RENDERED_DEFAULTS.shareProcessNamespace} and revisionHistoryLimit ${RENDERED_DEFAULTS.revisionHistoryLimit} on a Deployment with sidecars`, () => {
  const { app, chart } = newApp();
  const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
  withSidecar(web, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.29.0' });
  withLogShipper(web, { logPath: '/var/log/app', outputs: [LogOutput.stdout()] });
  const manifest = find(synth(app).manifests, 'Deployment');
  expect(manifest.spec.revisionHistoryLimit).toBe(RENDERED_DEFAULTS.revisionHistoryLimit);
  expect(podSpecOf(manifest).shareProcessNamespace).toBe(RENDERED_DEFAULTS.shareProcessNamespace);
});

test.each(WORKLOADS)(`${LINE.package}: a sidecar on a %s leaves process sharing as the line renders it`, (kind, make) => {
  const { app, chart } = newApp();
  withSidecar(make(chart, 'web', [{ ...APP, ports: [{ number: 8080, name: 'http' }] }]), { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.29.0' });
  expect(podSpecOf(find(synth(app).manifests, kind)).shareProcessNamespace).toBe(RENDERED_DEFAULTS.shareProcessNamespace);
});

test(`${LINE.package}: a signal reload turns process sharing on, over the line's default`, () => {
  const { app, chart } = newApp();
  const web = new kplus.StatefulSet(chart, 'web', { containers: [{ ...APP, command: ['/usr/sbin/nginx', '-g', 'daemon off;'] }] });
  withConfigSync(web, {
    source: ConfigSource.git({ repo: 'https://github.com/acme/config.git', ref: 'main' }),
    mountPath: '/etc/app/config',
    reload: ConfigReload.signal('SIGHUP', { shareProcessNamespace: true }),
  });
  expect(podSpecOf(find(synth(app).manifests, 'StatefulSet')).shareProcessNamespace).toBe(true);
});
