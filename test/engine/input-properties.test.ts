/**
 * Property: whatever a JavaScript caller passes (random extra keys, wrongly typed values, at the
 * top or one level down, strings holding control characters), every with* call (and
 * exposeMetrics) either yields manifests the strict Kubernetes schema accepts, or throws the
 * library's own Error (never a TypeError or RangeError from inside), naming the workload and
 * showing no control character raw.
 */
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import {
  ConfigSource, exposeMetrics, LogOutput, SecretTemplate, withAuthProxy, withCache, withConfigSync, withLogShipper, withProxy, withSecretsAgent,
  withSidecar, withTelemetry,
} from '../../lib';
import { newApp, synth } from '../util/synth';
import { APP } from '../workloads';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 60);

/** A raw control character, NUL, DEL, a C1 control or a Unicode line separator. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Strings of plain characters and control characters, as a careless copy and paste gives them. */
const controlled = fc.string({ unit: fc.constantFrom('a', '1', '/', '-', '.', ':', '\n', '\t', '\r', '\u0000', '\u001b', '\u007f', '\u0085', '\u2028'), maxLength: 10 });

/**
 * cdk8s writes "Validation failed with the following errors:" and then each problem on a line of
 * its own, as "  [construct path] problem": every line after the first is one problem, so a
 * problem holds no line break and no other control character.
 */
function expectSynthProblemsEscaped(message: string): void {
  const [, ...problems] = message.split('\n');
  for (const problem of problems) {
    expect(problem).toMatch(/^ {2}\[[^\]]*\] /);
    expect(problem).not.toMatch(RAW);
  }
}

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 12 }), controlled, fc.integer({ min: -70000, max: 70000 }), fc.double(), fc.boolean(),
  fc.constant(null), fc.constant(undefined),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), controlled, fc.integer()), { maxLength: 3 }),
  // Record keys stay plain here: input.ts still shows them raw in an option's path (a known case in test/messages.test.ts).
  fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string({ maxLength: 5 }), controlled), { maxKeys: 3 }),
);

type Attach = (web: kplus.Deployment, options: any) => unknown;
const HELPERS: Array<[string, Attach, (chart: Chart) => Record<string, unknown>]> = [
  ['withSidecar', (w, o) => withSidecar(w, o), () => ({ name: 'side', image: 'registry.example/side:1.0.0', ports: [{ number: 9000, name: 'm' }] })],
  ['withProxy', (w, o) => withProxy(w, o), () => ({ port: 8443 })],
  ['withLogShipper', (w, o) => withLogShipper(w, o), () => ({ logPath: '/var/log/app', outputs: [LogOutput.stdout()] })],
  ['withConfigSync', (w, o) => withConfigSync(w, o), () => ({ source: ConfigSource.git({ repo: 'https://git.example/c.git' }), mountPath: '/etc/app' })],
  ['withCache', (w, o) => withCache(w, o), () => ({ urlEnv: 'CACHE_URL' })],
  ['withTelemetry', (w, o) => withTelemetry(w, o), () => ({ serviceName: 'web', resourceAttributes: { team: 'a' } })],
  ['exposeMetrics', (w, o) => exposeMetrics(w, o), () => ({ port: 8080, path: '/metrics' })],
  ['withSecretsAgent', (w, o) => withSecretsAgent(w, o), () => ({
    address: 'https://vault.vault.svc:8200', role: 'web', secrets: [{ path: 'db.json', template: SecretTemplate.database({ role: 'web' }) }],
  })],
  ['withAuthProxy', (w, o) => withAuthProxy(w, o), (chart) => {
    const secret = kplus.Secret.fromSecretName(chart, 'oidc', 'oidc');
    return { issuerUrl: 'https://login.example.com', clientId: 'web', clientSecret: { secret, key: 'a' }, cookieSecret: { secret, key: 'b' }, emailDomains: ['example.com'] };
  }],
];

const mutation = fc.record({
  key: fc.oneof(fc.constantFrom('name', 'image', 'port', 'ports', 'mode', 'engine', 'logPath', 'mountPath', 'healthPort', 'resources', 'outputs', 'sharedVolumes',
    'envVariables', 'securityContext', 'tls', 'args', 'urlEnv', 'serviceName', 'resourceAttributes', 'path', 'address', 'role', 'secrets', 'folder',
    'issuerUrl', 'clientId', 'emailDomains', 'scopes', 'appContainers', 'containers'), fc.string({ minLength: 1, maxLength: 8 }), controlled),
  value: junk,
  nested: fc.boolean(),
});

describe.each(HELPERS)('%s, with random wrong input', (what, attach, base) => {
  test('yields valid manifests or the library\'s own error', () => {
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
      const { app, chart } = newApp();
      const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
      const options: Record<string, any> = base(chart);
      for (const m of mutations) {
        if (m.nested && Array.isArray(options.ports)) options.ports = [{ ...options.ports[0], [m.key]: m.value }];
        else options[m.key] = m.value;
      }
      try {
        attach(web, options);
      } catch (e) {
        expect((e as Error).constructor).toBe(Error);
        expect((e as Error).message).toMatch(new RegExp(`^Deployment "test/web", ${what}|^Deployment "test/web", sidecar "`));
        expect((e as Error).message).not.toMatch(RAW);
        return;
      }
      // Accepted: the output must pass the strict schema (synth validates every manifest), or
      // be refused at synth with the library's own error.
      try {
        synth(app);
      } catch (e) {
        expect((e as Error).constructor).toBe(Error);
        expect((e as Error).message).toMatch(/^Validation failed with the following errors:/);
        expectSynthProblemsEscaped((e as Error).message);
      }
    }), { numRuns: RUNS });
  });
});
