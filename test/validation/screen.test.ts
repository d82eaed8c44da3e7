/**
 * The screen (lib/validation/screen.ts) lets a pod skip the whole-pod rules when no rule can
 * find a problem in it. On random pods, mostly wrong in small ways, what a workload's
 * validation reports must not depend on whether the screen ran.
 */
import { App, Chart, Cron } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { SidecarMode, withSidecar } from '../../lib';
import * as screen from '../../lib/validation/screen';

// Small pools, so that names, ports and paths repeat; values out of form are drawn rarely, so
// that many pods come out sound.
const RUNS = 600;
const NAMES = ['app', 'side', 'init', 'web', 'agent', 'proxy', 'sync', 'exporter'];
const PORTS = [80, 8080, 8081, 8443, 9090, 9091, 9100, 9102, 9125, 9901, 15000, 15001];
const PORT_NAMES = [undefined, undefined, 'http', 'metrics', 'admin'];
const PATHS = ['/data', '/data/', '/logs', '/cache', '/var/run', '/tmp/x', '/srv', '/etc/app', '/home'];
const VOLUMES = ['data', 'logs', 'cache', 'spool'];

/** Mostly one of `good`, now and then one of `bad`. */
function mostly<T>(good: readonly T[], bad: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 12 }, { arbitrary: fc.constantFrom(...bad), weight: 1 });
}

interface PortPlan { number: number; protocol: kplus.Protocol; name?: string; hostPort: boolean }
interface ContainerPlan {
  kind: 'init' | 'native' | 'regular';
  name: string;
  image: string;
  restartPolicy: boolean;
  ports: PortPlan[];
  mounts: Array<{ path: string; volume: number; subPath: boolean }>;
}
interface SidecarPlan {
  name: string;
  classic: boolean;
  port?: number;
  bound?: number;
  share?: { volume: string; appPath: string; subPath: boolean };
}
interface PodPlan {
  job: boolean;
  /** Volume objects: [name, added to the pod]. Two may share a name. */
  volumes: Array<[string, boolean]>;
  containers: ContainerPlan[];
  sidecars: SidecarPlan[];
}

const rarely = fc.nat(11).map((n) => n === 0);
const portPlan: fc.Arbitrary<PortPlan> = fc.record({
  number: mostly(PORTS, [0, 70000]),
  protocol: fc.constantFrom(kplus.Protocol.TCP, kplus.Protocol.TCP, kplus.Protocol.UDP),
  name: mostly(PORT_NAMES, ['Bad--name', 'a-name-far-too-long']),
  hostPort: rarely,
});
const containerPlan = (volumes: number): fc.Arbitrary<ContainerPlan> => fc.record({
  kind: mostly(['regular', 'native', 'init'] as const, ['init'] as const),
  name: mostly(NAMES, ['Bad_Name', 'x'.repeat(64)]),
  image: mostly(['registry.example/tool:1.0.0'], [' ']),
  restartPolicy: rarely,
  ports: fc.array(portPlan, { maxLength: 2 }),
  mounts: fc.array(fc.record({
    path: mostly(PATHS, ['relative', '/a/../b']), volume: fc.nat(volumes - 1), subPath: rarely,
  }), { maxLength: 2 }),
});
const sidecarPlan: fc.Arbitrary<SidecarPlan> = fc.record({
  name: mostly(NAMES, ['Bad_Name']),
  classic: rarely,
  port: fc.option(fc.constantFrom(...PORTS), { nil: undefined }),
  bound: fc.option(fc.constantFrom(...PORTS), { nil: undefined }),
  share: fc.option(fc.record({ volume: fc.constantFrom(...VOLUMES), appPath: fc.constantFrom(...PATHS), subPath: rarely }), { nil: undefined }),
});
// Volume objects of distinct names, now and then a second object of a name already used.
const volumePlans = fc.tuple(
  fc.shuffledSubarray(VOLUMES, { minLength: 1, maxLength: 3 }), rarely, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
).map(([names, again, added]) => (again ? [...names, names[0]] : names).map((name, i): [string, boolean] => [name, added[i]]));
const podPlan: fc.Arbitrary<PodPlan> = volumePlans
  .chain((volumes) => fc.record({
    job: fc.boolean(),
    volumes: fc.constant(volumes),
    // The first container is mostly an app container: a pod without one is a problem of its own.
    containers: fc.tuple(containerPlan(volumes.length), rarely, fc.array(containerPlan(volumes.length), { maxLength: 3 }))
      .map(([first, anyKind, rest]) => [anyKind ? first : { ...first, kind: 'regular' as const }, ...rest]),
    sidecars: fc.array(sidecarPlan, { maxLength: 2 }),
  }));

/** Builds the planned pod; calls that cdk8s-plus or the library refuse are left out, as a user would. */
function build(plan: PodPlan): kplus.AbstractPod {
  const attempt = (add: () => void) => {
    try {
      add();
    } catch {
      // refused at the call: not part of the pod
    }
  };
  const chart = new Chart(new App(), 'test');
  const workload: kplus.AbstractPod = plan.job
    ? new kplus.CronJob(chart, 'web', { schedule: Cron.daily() })
    : new kplus.Deployment(chart, 'web');
  const volumes = plan.volumes.map(([name, added], i) => {
    const volume = kplus.Volume.fromEmptyDir(workload, `volume-${i}`, name);
    if (added) attempt(() => workload.addVolume(volume));
    return volume;
  });
  for (const c of plan.containers) {
    attempt(() => {
      const props: kplus.ContainerProps = {
        name: c.name,
        image: c.image,
        ports: c.ports.map((p) => ({ number: p.number, protocol: p.protocol, name: p.name, hostPort: p.hostPort ? 80 : undefined })),
        restartPolicy: c.kind === 'native' || (c.kind === 'regular' && c.restartPolicy) ? kplus.ContainerRestartPolicy.ALWAYS : undefined,
      };
      const container = c.kind === 'regular' ? workload.addContainer(props) : workload.addInitContainer(props);
      for (const m of c.mounts) {
        container.mount(m.path, volumes[m.volume], { subPath: m.subPath ? 'sub' : undefined });
      }
    });
  }
  for (const s of plan.sidecars) {
    attempt(() => {
      const sidecar = withSidecar(workload, {
        name: s.name,
        image: 'registry.example/sidecar:1.0.0',
        mode: s.classic ? SidecarMode.CLASSIC : SidecarMode.NATIVE,
        ports: s.port === undefined ? undefined : [{ number: s.port }],
        boundPorts: s.bound === undefined ? undefined : [{ number: s.bound, purpose: 'admin' }],
        sharedVolumes: s.share === undefined ? undefined : [{ name: s.share.volume, path: `/shared-${s.name}`, appPath: s.share.appPath }],
      });
      if (s.share?.subPath && workload.containers.length > 0) {
        workload.containers[0].mount('/sub', sidecar.sharedVolumes[0].volume, { subPath: 'sub' });
      }
    });
  }
  return workload;
}

describe('the screen before the whole-pod rules', () => {
  test('never changes what a pod\'s validation reports, on random pods', () => {
    let passed = 0;
    let stopped = 0;
    fc.assert(fc.property(podPlan, (plan) => {
      const watch = jest.spyOn(screen, 'screenPod');
      let screened: string[];
      try {
        screened = build(plan).node.validate();
        if (watch.mock.results.some((r) => r.value === true)) passed++;
        else stopped++;
      } finally {
        watch.mockRestore();
      }
      const skip = jest.spyOn(screen, 'screenPod').mockReturnValue(false);
      let ruled: string[];
      try {
        ruled = build(plan).node.validate();
      } finally {
        skip.mockRestore();
      }
      expect(screened).toEqual(ruled);
    }), { numRuns: RUNS });
    // Both ways out of the screen are taken often enough for the comparison to mean something.
    expect(passed).toBeGreaterThan(RUNS / 10);
    expect(stopped).toBeGreaterThan(RUNS / 10);
  });

  test('lets a sound pod skip the rules, and sends a pod with a problem to them', () => {
    const chart = new Chart(new App(), 'test');
    const web = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'a:1', portNumber: 8080 }] });
    withSidecar(web, { name: 'side', image: 's:1', boundPorts: [{ number: 9901 }] });
    const spy = jest.spyOn(screen, 'screenPod');
    try {
      expect(web.node.validate()).toEqual([]);
      expect(spy).toHaveLastReturnedWith(true);
      web.containers[0].addPort({ number: 9901 });
      expect(web.node.validate()).toEqual([expect.stringMatching(/^port 9901\/TCP: container "side"/)]);
      expect(spy).toHaveLastReturnedWith(false);
    } finally {
      spy.mockRestore();
    }
  });
});
