/**
 * Random compositions of sidecars on random workloads, and random user values for the log
 * shipper: the generators of the property tests (test/properties.test.ts,
 * test/log-shipper/properties.test.ts), shared with the real API server suite (test/real/).
 */
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { LogOutput, LogShipperEngine, SidecarMode, withLogShipper, withSidecar } from '../../lib';
import { RUN_TO_COMPLETION, WORKLOADS } from '../workloads';
import { newApp } from './synth';

/** A container security context that meets the Pod Security "restricted" profile. */
export const RESTRICTED_APP: kplus.ContainerSecurityContextProps = {
  user: 1000,
  group: 1000,
  ensureNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: [kplus.Capability.ALL] },
  seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
};

export interface SidecarPlan {
  readonly declared: number;
  readonly bound: number;
  readonly classic: boolean;
  readonly first: boolean;
  readonly shares: Array<{ volume: number; appReadOnly: boolean }>;
}

export interface Composition {
  readonly kind: number;
  readonly apps: number;
  readonly sidecars: SidecarPlan[];
  /** Distinct port numbers, handed out in order. */
  readonly ports: number[];
}

export const VOLUME_POOL = ['logs', 'spool', 'config', 'cache'];

export const sidecarPlan: fc.Arbitrary<SidecarPlan> = fc.record({
  declared: fc.integer({ min: 0, max: 3 }),
  bound: fc.integer({ min: 0, max: 2 }),
  classic: fc.boolean(),
  first: fc.boolean(),
  shares: fc.uniqueArray(
    fc.record({ volume: fc.integer({ min: 0, max: VOLUME_POOL.length - 1 }), appReadOnly: fc.boolean() }),
    { maxLength: 3, selector: (s) => s.volume },
  ),
});

export const composition: fc.Arbitrary<Composition> = fc.record({
  kind: fc.integer({ min: 0, max: WORKLOADS.length - 1 }),
  apps: fc.integer({ min: 1, max: 3 }),
  sidecars: fc.array(sidecarPlan, { minLength: 1, maxLength: 4 }),
  ports: fc.uniqueArray(fc.integer({ min: 1024, max: 65535 }), { minLength: 40, maxLength: 40 }),
});

/**
 * Builds the composition; returns what it asked for, to compare with the output.
 *
 * With `restrictedApps`, the app containers (the user's part of the pod, not the library's) carry
 * what the Pod Security "restricted" profile asks of a container, so that a judge of the whole pod
 * (the real API server) judges what the library added.
 */
export function buildComposition(c: Composition, options: { restrictedApps?: boolean } = {}) {
  const { app, chart, outdir } = newApp();
  const ports = [...c.ports];
  const [kind, make] = WORKLOADS[c.kind];
  const apps = Array.from({ length: c.apps }, (_, i) => ({
    name: `app-${i}`,
    image: `registry.example/app-${i}:1.0.0`,
    ports: [{ number: ports.shift()!, name: `app-${i}` }],
    ...(options.restrictedApps ? { securityContext: RESTRICTED_APP } : {}),
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

/** Values a user may pass as a fixed field or a label value: any string, and some nasty ones. */
export const nasty = fc.oneof(
  fc.string(),
  fc.constantFrom('${HOME}', 'a, b', 'x\ny', '"}', "it's", '{{ .x }}', 'SECRET[credentials.x]', 'a=b', ': x', '#c', '\\', 'prod', 'eu-west-1/a', 'v1.2.3+build'),
  fc.stringMatching(/^[A-Za-z0-9_.:/@+-]{1,20}$/),
);

/**
 * A Deployment with a log shipper whose fixed field "team" and Loki label "env" are `value`; the
 * error when withLogShipper refuses the value. `restrictedApp` as in {@link buildComposition}.
 */
export function logShipperApp(engine: LogShipperEngine, value: string, options: { restrictedApps?: boolean } = {}) {
  const { app, chart } = newApp();
  const d = new kplus.Deployment(chart, 'web', {
    containers: [{ name: 'app', image: 'acme/app:1', ...(options.restrictedApps ? { securityContext: RESTRICTED_APP } : {}) }],
  });
  try {
    const shipper = withLogShipper(d, {
      logPath: '/var/log/app',
      engine,
      fields: { team: value },
      outputs: [LogOutput.loki({ url: 'http://loki:3100', labels: { env: value } })],
    });
    return { app, shipper };
  } catch (e) {
    return e as Error;
  }
}
