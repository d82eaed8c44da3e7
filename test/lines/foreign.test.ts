/**
 * A workload of another cdk8s-plus line, of a second copy of this one, or something that is no
 * workload at all: every helper refuses it at the call, naming where it comes from and what to
 * import instead, and adds nothing. Runs on every line (test/jest-plus-XX.json).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ConfigSource, LogOutput, Sidecar, withConfigSync, withLogShipper, withProxy, withSidecar } from '../../lib';
import { LINE } from '../util/line';
import { newApp } from '../util/synth';
import { APP } from '../workloads';

const ROOT = path.resolve(__dirname, '..', '..');
const ENTRIES: Record<number, string> = { 28: 'cdk8s-sidecars', 31: 'cdk8s-sidecars/plus-31', 32: 'cdk8s-sidecars/plus-32', 33: 'cdk8s-sidecars/plus-33' };
const OURS = ENTRIES[LINE.number];

/** A cdk8s-plus line loaded by path, so that the jest mapping of `cdk8s-plus-28` leaves it alone. */
function lineModule(line: number): { module: any; version: string } {
  const dir = path.join(ROOT, 'node_modules', `cdk8s-plus-${line}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return { module: require(dir), version: JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version };
}

/** Every helper, called as a user would on `workload`. */
const HELPERS: Array<[string, string, (workload: any) => unknown]> = [
  ['withSidecar', 'Sidecar "test/web/exporter"', (w) => withSidecar(w, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.29.0' })],
  ['withLogShipper', 'LogShipper "test/web/log-shipper"', (w) => withLogShipper(w, { logPath: '/var/log/app', outputs: [LogOutput.stdout()] })],
  ['withProxy', 'ReverseProxy "test/web/proxy"', (w) => withProxy(w, { port: 8443 })],
  ['withConfigSync', 'ConfigSync "test/web/git-sync"', (w) => withConfigSync(w, { source: ConfigSource.git({ repo: 'https://github.com/acme/config.git', ref: 'main' }), mountPath: '/etc/app/config' })],
];

const OTHER_LINES = [28, 31, 32, 33].filter((line) => line !== LINE.number);

describe.each(OTHER_LINES)('a Deployment of cdk8s-plus-%d', (other) => {
  const { module: foreign, version } = lineModule(other);

  test.each(HELPERS)(`fails when given to %s: names cdk8s-plus-${other} and its entry, and adds nothing`, (_helper, label, call) => {
    const { chart } = newApp();
    const web = new foreign.Deployment(chart, 'web', { containers: [APP] });
    const before = chart.node.findAll().length;
    expect(() => call(web)).toThrow(new Error(`${label}: the workload "test/web" is a Deployment of cdk8s-plus-${other} (${version}), `
      + `but '${OURS}' is the entry for ${LINE.package}; import from '${ENTRIES[other]}' instead, the entry for cdk8s-plus-${other}`));
    expect(chart.node.findAll().length).toBe(before);
    expect(web.initContainers).toEqual([]);
  });

  test('fails when given as props.workload, naming a user\'s subclass by its cdk8s-plus kind', () => {
    const { chart } = newApp();
    const StatefulSet: new (scope: Construct, id: string, props: unknown) => Construct = foreign.StatefulSet;
    class WebStatefulSet extends StatefulSet {}
    const db = new WebStatefulSet(chart, 'db', { containers: [{ ...APP, ports: [{ number: 5432 }] }] });
    expect(() => new Sidecar(chart, 'exporter', { workload: db as any, name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.29.0' }))
      .toThrow(new Error(`Sidecar "test/exporter": the workload "test/db" is a StatefulSet of cdk8s-plus-${other} (${version}), `
        + `but '${OURS}' is the entry for ${LINE.package}; import from '${ENTRIES[other]}' instead, the entry for cdk8s-plus-${other}`));
  });
});

test('fails when the workload comes from a second copy of the same line, telling how to have one', () => {
  let copy: any;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    copy = require('cdk8s-plus-28');
  });
  const { chart } = newApp();
  const web = new copy.Deployment(chart, 'web', { containers: [APP] });
  expect(() => withSidecar(web, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.29.0' })).toThrow(new Error(
    `Sidecar "test/web/exporter": the workload "test/web" is a Deployment of another copy of ${LINE.package} (${LINE.version}) than the one `
    + `'${OURS}' uses (${LINE.version}): the app has two copies of ${LINE.package} installed; run \`npm ls ${LINE.package}\`, `
    + 'then `npm dedupe` (or align the versions) so that the app and cdk8s-sidecars load the same one'));
});

test('fails when the workload comes from a cdk8s-plus line with no entry, listing the entries', () => {
  // cdk8s-plus-30 is not installed here: classes carrying its jsii type information stand in.
  const rtti = Symbol.for('jsii.rtti');
  class AbstractPod extends Construct {
    static [rtti] = { fqn: 'cdk8s-plus-30.AbstractPod', version: '2.4.10' };
  }
  class Deployment extends AbstractPod {
    static [rtti] = { fqn: 'cdk8s-plus-30.Deployment', version: '2.4.10' };
  }
  const { chart } = newApp();
  const web = new Deployment(chart, 'web');
  expect(() => withProxy(web as any, { port: 8443 })).toThrow(new Error(
    'ReverseProxy "test/web/proxy": the workload "test/web" is a Deployment of cdk8s-plus-30 (2.4.10), a line cdk8s-sidecars has no entry for; '
    + "use a line it has an entry for: 'cdk8s-sidecars' (cdk8s-plus-28), 'cdk8s-sidecars/plus-31' (cdk8s-plus-31), "
    + "'cdk8s-sidecars/plus-32' (cdk8s-plus-32), 'cdk8s-sidecars/plus-33' (cdk8s-plus-33)"));
});

describe('something that is no workload', () => {
  const expected = (label: string, got: string) => new Error(`${label}: expected a workload of ${LINE.package} (a Deployment, StatefulSet, `
    + `DaemonSet, Job, CronJob or Pod), or an ApiObject of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod, got ${got}; pass the workload the sidecar joins`);

  test.each(HELPERS)('fails when %s is given a Service, naming it', (_helper, label, call) => {
    const { chart } = newApp();
    const service = new kplus.Service(chart, 'web', { ports: [{ port: 80 }] });
    expect(() => call(service)).toThrow(expected(label, `a Service of ${LINE.package} "test/web"`));
  });

  test('fails when withSidecar is given a string', () => {
    expect(() => withSidecar('web' as any, { name: 'exporter', image: 'x' })).toThrow(expected('Sidecar "exporter"', 'a string ("web")'));
  });

  test('fails when withLogShipper is given undefined', () => {
    expect(() => withLogShipper(undefined as any, { logPath: '/var/log/app' })).toThrow(expected('LogShipper "log-shipper"', 'undefined'));
  });

  test('fails when withProxy is given a plain object', () => {
    expect(() => withProxy({ containers: [] } as any, { port: 8443 })).toThrow(expected('ReverseProxy "proxy"', 'a plain object, not a construct'));
  });

  test('fails when props.workload is a Chart', () => {
    const { app, chart } = newApp();
    const other = new Chart(app, 'other');
    expect(() => new Sidecar(chart, 'exporter', { workload: other as any, name: 'exporter', image: 'x' }))
      .toThrow(new Error('Sidecar "test/exporter": expected props.workload to be a workload of '
        + `${LINE.package} (a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod), or an ApiObject of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod, got a Chart of cdk8s "other"; pass the workload the sidecar joins`));
  });

  test('a workload of this line is taken as it is', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    expect(withSidecar(web, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.29.0' }).workload).toBe(web);
  });
});
