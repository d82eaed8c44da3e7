/**
 * Property tests over random compositions of sidecars on random workloads: valid ones always
 * synthesize to valid manifests with nothing dropped; colliding ones always fail, naming the
 * collision, with no file written.
 */
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { SidecarMode, withSidecar } from '../lib';
import { allContainers, podSpecOf, restrictedProblems } from './util/restricted';
import { find, listFiles, newApp, synth, synthFails } from './util/synth';
import { RUN_TO_COMPLETION, WORKLOADS } from './workloads';

/** Property runs per property; the figure is reported in the issue note. */
export const RUNS = 150;

interface SidecarPlan {
  readonly declared: number;
  readonly bound: number;
  readonly classic: boolean;
  readonly first: boolean;
  readonly shares: Array<{ volume: number; appReadOnly: boolean }>;
}

interface Composition {
  readonly kind: number;
  readonly apps: number;
  readonly sidecars: SidecarPlan[];
  /** Distinct port numbers, handed out in order. */
  readonly ports: number[];
}

const VOLUME_POOL = ['logs', 'spool', 'config', 'cache'];

const sidecarPlan: fc.Arbitrary<SidecarPlan> = fc.record({
  declared: fc.integer({ min: 0, max: 3 }),
  bound: fc.integer({ min: 0, max: 2 }),
  classic: fc.boolean(),
  first: fc.boolean(),
  shares: fc.uniqueArray(
    fc.record({ volume: fc.integer({ min: 0, max: VOLUME_POOL.length - 1 }), appReadOnly: fc.boolean() }),
    { maxLength: 3, selector: (s) => s.volume },
  ),
});

const composition: fc.Arbitrary<Composition> = fc.record({
  kind: fc.integer({ min: 0, max: WORKLOADS.length - 1 }),
  apps: fc.integer({ min: 1, max: 3 }),
  sidecars: fc.array(sidecarPlan, { minLength: 1, maxLength: 4 }),
  ports: fc.uniqueArray(fc.integer({ min: 1024, max: 65535 }), { minLength: 40, maxLength: 40 }),
});

/** Builds the composition; returns what it asked for, to compare with the output. */
function build(c: Composition) {
  const { app, chart, outdir } = newApp();
  const ports = [...c.ports];
  const [kind, make] = WORKLOADS[c.kind];
  const apps = Array.from({ length: c.apps }, (_, i) => ({
    name: `app-${i}`,
    image: `registry.example/app-${i}:1.0.0`,
    ports: [{ number: ports.shift()!, name: `app-${i}` }],
  }));
  const workload = make(chart, 'web', apps);
  const expected = c.sidecars.map((plan, i) => {
    const classic = plan.classic && !RUN_TO_COMPLETION.includes(kind);
    const declared = Array.from({ length: plan.declared }, (_, j) => ({ number: ports.shift()!, name: `s${i}-p${j}` }));
    const bound = Array.from({ length: plan.bound }, () => ({ number: ports.shift()!, purpose: 'admin' }));
    const shares = plan.shares.map((s) => ({ name: VOLUME_POOL[s.volume], path: `/sidecar/${VOLUME_POOL[s.volume]}`, appPath: `/shared/${VOLUME_POOL[s.volume]}`, appReadOnly: s.appReadOnly }));
    withSidecar(workload, {
      name: `sidecar-${i}`,
      image: `registry.example/sidecar-${i}:2.0.0`,
      mode: classic ? SidecarMode.CLASSIC : SidecarMode.NATIVE,
      first: plan.first,
      ports: declared,
      boundPorts: bound,
      sharedVolumes: shares,
    });
    return { name: `sidecar-${i}`, classic, declared, bound, shares };
  });
  return { app, outdir, kind, workload, expected, ports };
}

describe('random compositions of sidecars', () => {
  test('valid ones synthesize to valid manifests with nothing dropped', () => {
    fc.assert(fc.property(composition, (c) => {
      const { app, kind, expected } = build(c);
      const { manifests } = synth(app); // validates every manifest against the Kubernetes schema
      const spec = podSpecOf(find(manifests, kind));
      const containers = allContainers(spec);

      expect(spec.containers.filter((x: any) => x.name.startsWith('app-'))).toHaveLength(c.apps);
      for (const want of expected) {
        const got = containers.find((x: any) => x.name === want.name);
        expect(got).toBeDefined();
        expect(got.restartPolicy).toBe(want.classic ? undefined : 'Always');
        expect((spec.initContainers ?? []).includes(got)).toBe(!want.classic);
        expect((got.ports ?? []).map((p: any) => p.containerPort)).toEqual(want.declared.map((p) => p.number));
        expect((got.volumeMounts ?? []).map((m: any) => `${m.name}:${m.mountPath}`)).toEqual(want.shares.map((s) => `${s.name}:${s.path}`));
        expect(restrictedProblems(spec, [want.name])).toEqual([]);
      }
      // Each shared volume exists once, and every app container mounts each at its app path.
      const names = [...new Set(expected.flatMap((e) => e.shares.map((s) => s.name)))];
      expect((spec.volumes ?? []).map((v: any) => v.name).sort()).toEqual([...names].sort());
      for (const appContainer of spec.containers.filter((x: any) => x.name.startsWith('app-'))) {
        expect((appContainer.volumeMounts ?? []).map((m: any) => m.name).sort()).toEqual([...names].sort());
      }
    }), { numRuns: RUNS });
  });

  const COLLISIONS = ['declared port', 'bound port', 'port name', 'container name', 'host port', 'volume name'] as const;

  test('colliding ones fail at synthesis, naming the collision, with no file written', () => {
    fc.assert(fc.property(composition, fc.constantFrom(...COLLISIONS), fc.nat(), (c, collision, pick) => {
      const { app, outdir, workload, expected, ports } = build(c);
      const target = expected[pick % expected.length];
      const free = ports.shift()!;
      let want: RegExp;
      switch (collision) {
        case 'declared port': {
          // An app container added after the sidecars takes the first app's port.
          const taken = workload.containers[0].ports[0].number;
          workload.addContainer({ name: 'late', image: 'late:1', ports: [{ number: taken }] });
          want = new RegExp(`port ${taken}/TCP: .* listen on it`);
          break;
        }
        case 'bound port': {
          // A raw container declares a port that a sidecar binds undeclared (or one it declares).
          const bound = target.bound[0]?.number ?? target.declared[0]?.number ?? workload.containers[0].ports[0].number;
          workload.addContainer({ name: 'late', image: 'late:1', ports: [{ number: bound, name: 'late' }] });
          want = new RegExp(`port ${bound}/TCP: .* listen on it`);
          break;
        }
        case 'port name':
          workload.addContainer({ name: 'late', image: 'late:1', ports: [{ number: free, name: 'app-0' }] });
          want = /port name "app-0": used by/;
          break;
        case 'container name':
          workload.addContainer({ name: target.name, image: 'late:1' });
          want = new RegExp(`container name "${target.name}": .* use it`);
          break;
        case 'host port':
          workload.addContainer({ name: 'late-a', image: 'a:1', ports: [{ number: free, hostPort: 31000, name: 'late-a' }] });
          workload.addContainer({ name: 'late-b', image: 'b:1', ports: [{ number: ports.shift()!, hostPort: 31000, name: 'late-b' }] });
          want = /hostPort 31000\/TCP: requested by/;
          break;
        case 'volume name':
          workload.containers[0].mount('/late', kplus.Volume.fromEmptyDir(workload, 'late-volume', 'logs'));
          if (!expected.some((e) => e.shares.some((s) => s.name === 'logs'))) {
            workload.containers[0].mount('/late2', kplus.Volume.fromEmptyDir(workload, 'late-volume-2', 'logs'));
          }
          want = /volume name "logs": .* are different volumes of one name/;
          break;
      }
      const message = synthFails(app);
      expect(message).toMatch(want);
      expect(message).toContain('[test/web]');
      expect(listFiles(outdir)).toEqual([]);
    }), { numRuns: RUNS });
  });
});
