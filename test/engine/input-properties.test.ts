/**
 * Property: whatever a JavaScript caller passes (random extra keys, wrongly typed values, at the
 * top or one level down), a with* call either yields manifests the strict Kubernetes schema
 * accepts, or throws the library's own Error (never a TypeError or RangeError from inside),
 * naming the workload.
 */
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { ConfigSource, LogOutput, withConfigSync, withLogShipper, withProxy, withSidecar } from '../../lib';
import { newApp, synth } from '../util/synth';
import { APP } from '../workloads';

const RUNS = 60;

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 12 }), fc.integer({ min: -70000, max: 70000 }), fc.double(), fc.boolean(),
  fc.constant(null), fc.constant(undefined),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

type Attach = (web: kplus.Deployment, options: any) => unknown;
const HELPERS: Array<[string, Attach, () => Record<string, unknown>]> = [
  ['withSidecar', (w, o) => withSidecar(w, o), () => ({ name: 'side', image: 'registry.example/side:1.0.0', ports: [{ number: 9000, name: 'm' }] })],
  ['withProxy', (w, o) => withProxy(w, o), () => ({ port: 8443 })],
  ['withLogShipper', (w, o) => withLogShipper(w, o), () => ({ logPath: '/var/log/app', outputs: [LogOutput.stdout()] })],
  ['withConfigSync', (w, o) => withConfigSync(w, o), () => ({ source: ConfigSource.git({ repo: 'https://git.example/c.git' }), mountPath: '/etc/app' })],
];

const mutation = fc.record({
  key: fc.oneof(fc.constantFrom('name', 'image', 'port', 'ports', 'mode', 'engine', 'logPath', 'mountPath', 'healthPort', 'resources', 'outputs', 'sharedVolumes',
    'envVariables', 'securityContext', 'tls', 'args'), fc.string({ minLength: 1, maxLength: 8 })),
  value: junk,
  nested: fc.boolean(),
});

describe.each(HELPERS)('%s, with random wrong input', (what, attach, base) => {
  test('yields valid manifests or the library\'s own error', () => {
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
      const { app, chart } = newApp();
      const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
      const options: Record<string, any> = base();
      for (const m of mutations) {
        if (m.nested && Array.isArray(options.ports)) options.ports = [{ ...options.ports[0], [m.key]: m.value }];
        else options[m.key] = m.value;
      }
      try {
        attach(web, options);
      } catch (e) {
        expect((e as Error).constructor).toBe(Error);
        expect((e as Error).message).toMatch(new RegExp(`^Deployment "test/web", ${what}|^Deployment "test/web", sidecar "`));
        return;
      }
      // Accepted: the output must pass the strict schema (synth validates every manifest), or
      // be refused at synth with the library's own error.
      try {
        synth(app);
      } catch (e) {
        expect((e as Error).constructor).toBe(Error);
        expect((e as Error).message).toMatch(/^Validation failed with the following errors:/);
      }
    }), { numRuns: RUNS });
  });
});
