/**
 * cdk8s-plus-31 2.6.43, -32 2.5.92 and -33 2.5.57 render no pod `volumes` for a StatefulSet
 * without volumeClaimTemplates, and keep the mounts: the API server rejects such a pod. The
 * adapter gives the volumes back on every StatefulSet the library attaches to
 * (STATEFUL_SET_DROPS_VOLUMES in lib/engine/kplus.ts). Runs on every line.
 */
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { LogOutput, withLogShipper } from '../../lib';
import { STATEFUL_SET_DROPS_VOLUMES } from '../../lib/engine/kplus';
import { LINE } from '../util/line';
import { podSpecOf } from '../util/restricted';
import { find, newApp, synth, synthFails } from '../util/synth';
import { APP } from '../workloads';

/** Every line from 31 on drops them, as of the releases tested (package.json devDependencies). */
const DROPS_VOLUMES = LINE.number >= 31;

function statefulSet(chart: Chart, extra: Record<string, unknown> = {}): kplus.StatefulSet {
  const data = kplus.Volume.fromEmptyDir(chart, 'data', 'data');
  return new kplus.StatefulSet(chart, 'db', {
    containers: [{ ...APP, ports: [{ number: 5432, name: 'pg' }], volumeMounts: [{ path: '/var/lib/db', volume: data }] }],
    ...extra,
  });
}

test(`${LINE.package} ${LINE.version} on its own ${DROPS_VOLUMES ? 'drops' : 'keeps'} the pod volumes of a StatefulSet without volumeClaimTemplates`, () => {
  // When this fails on a line that dropped them, upstream fixed it: remove STATEFUL_SET_DROPS_VOLUMES,
  // repairWorkload's StatefulSet branch and this file's expectation, and the README's note.
  const { app, chart } = newApp();
  statefulSet(chart);
  const spec = podSpecOf(find(synth(app).manifests, 'StatefulSet'));
  expect(spec.volumes).toEqual(DROPS_VOLUMES ? undefined : [{ name: 'data', emptyDir: {} }]);
  expect(spec.containers[0].volumeMounts).toEqual([{ mountPath: '/var/lib/db', name: 'data' }]);
  expect(STATEFUL_SET_DROPS_VOLUMES).toBe(DROPS_VOLUMES);
});

test('a log shipper on a StatefulSet: the pod has every volume it mounts, the user\'s own included', () => {
  const { app, chart } = newApp();
  const db = statefulSet(chart);
  withLogShipper(db, { logPath: '/var/log/db', outputs: [LogOutput.stdout()] });
  const spec = podSpecOf(find(synth(app).manifests, 'StatefulSet'));
  const mounted = [...spec.initContainers, ...spec.containers].flatMap((c: any) => (c.volumeMounts ?? []).map((m: any) => m.name));
  expect(spec.volumes.map((v: any) => v.name).sort()).toEqual([...new Set(mounted)].sort());
  expect(spec.volumes.map((v: any) => v.name)).toContain('data');
});

(LINE.number >= 31 ? test : test.skip)('volumeClaimTemplates stay out of the pod volumes; the other volumes stay in', () => {
  // cdk8s-plus-28 has no volumeClaimTemplates.
  const { app, chart } = newApp();
  const db = statefulSet(chart, { volumeClaimTemplates: [{ name: 'pgdata' }] });
  db.containers[0].mount('/var/lib/pg', kplus.Volume.fromEmptyDir(chart, 'pgdata', 'pgdata'));
  withLogShipper(db, { logPath: '/var/log/db', outputs: [LogOutput.stdout()] });
  const manifest = find(synth(app).manifests, 'StatefulSet');
  expect(podSpecOf(manifest).volumes.map((v: any) => v.name)).toEqual(['data', 'log-shipper-logs', 'log-shipper-config', 'log-shipper-state']);
  expect(manifest.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['pgdata']);
});

(STATEFUL_SET_DROPS_VOLUMES ? test : test.skip)('fails when the line drops the volumes and the workaround is off: the render-time check refuses the pod', () => {
  const { app, chart } = newApp();
  const db = statefulSet(chart);
  withLogShipper(db, { logPath: '/var/log/db', outputs: [LogOutput.stdout()] });
  delete (db as unknown as Record<string, unknown>)._filterPodSpecVolumes; // the adapter's own override
  const message = synthFails(app);
  expect(message).toContain('[test/db] the rendered pod mounts volume "data" at "/var/lib/db" in container "app", but has no volume '
    + 'of that name (cdk8s-plus left it out); the pod would be rejected: please report it, with the cdk8s-plus version');
  expect(message).toContain('the rendered pod mounts volume "log-shipper-logs"');
});
