/**
 * Issue #16, class 10 "Messages": a user value is shown in a message as `quote()` shows it, with
 * control characters, NUL and line separators escaped (`"a\nb"`), never printed raw, in every
 * helper. Two parts:
 *
 * - a generic sweep: every string an option shape (lib/engine/option-shapes.generated.ts) allows,
 *   in every helper and option factory, and every positional string of a factory, gets values
 *   holding control characters; whatever the library answers (at the call or at synth) holds no
 *   raw control character, a refused call leaves the pod as it was, and a refused synth writes
 *   nothing. What is accepted must pass the strict Kubernetes schema.
 * - `fails when …` tables asserting the escaped value in the messages of the options whose
 *   messages used to print it raw.
 */
import * as fs from 'fs';
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  CacheListener, ConfigReload, ConfigSource, exposeMetrics, GitAuth, LogBuffer, LogMetadata, LogMultiline, LogOutput, LogParser, LogShipperEngine,
  SecretTemplate, SecurityHeaders, setDefaultSidecarMode, SkipAuthRoute, TelemetryExporter, TelemetrySelfMetrics, TelemetrySource, TlsCa,
  VaultCaCertificate, withAuthProxy, withCache, withConfigSync, withLogShipper, withProxy, withSecretsAgent, withSidecar, withTelemetry,
} from '../lib';
import { listFiles, newApp, readOutput } from './util/synth';
import { APP } from './workloads';
import { OPTION_ROOTS, OPTION_SHAPES } from '../lib/engine/option-shapes.generated';

/** A raw control character, NUL, DEL, a C1 control or a Unicode line separator. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The values fed to every string: a line break alone, and every kind of control character at once. */
const NASTY = ['line\nbreak', 'nul\u0000tab\tesc\u001b[31mdel\u007fnel\u0085ls\u2028cr\r'];

interface Pod {
  readonly app: App;
  readonly chart: Chart;
  readonly web: kplus.Deployment;
  readonly outdir: string;
}

function pod(): Pod {
  const { app, chart, outdir } = newApp();
  // One app container on 8080 with a process to signal, and the pod shares its process namespace
  // as ConfigReload.signal asks.
  const web = new kplus.Deployment(chart, 'web', {
    containers: [{ ...APP, command: ['/usr/bin/web'] }],
    shareProcessNamespace: true,
  } as kplus.DeploymentProps);
  return { app, chart, web, outdir };
}

const secret = (chart: Chart) => (chart.node.tryFindChild('creds') as kplus.ISecret | undefined) ?? kplus.Secret.fromSecretName(chart, 'creds', 'creds');
const secretValue = (chart: Chart, key: string) => ({ secret: secret(chart), key });

/** One public entry point: its options shape, valid options, and the call that uses them. */
interface Target {
  readonly name: string;
  readonly shape: string;
  readonly base: (p: Pod) => Record<string, unknown>;
  /** What must be there before the call (a refused call leaves the pod as it was after this). */
  readonly prepare?: (p: Pod) => any;
  readonly call: (p: Pod, options: any, prepared: any) => void;
}

const SECRETS = [{ path: 'db.json', template: SecretTemplate.database({ role: 'web' }) }];
const VAULT = { address: 'https://vault.vault.svc:8200', role: 'web' };
const AUTH = (p: Pod) => ({
  issuerUrl: 'https://login.example.com/realms/acme',
  clientId: 'web',
  clientSecret: secretValue(p.chart, 'client-secret'),
  cookieSecret: secretValue(p.chart, 'cookie-secret'),
  emailDomains: ['example.com'],
});
const GIT = 'https://git.example/config.git';

const TARGETS: Target[] = [
  {
    name: 'withSidecar',
    shape: 'SidecarOptions',
    base: () => ({
      name: 'side',
      image: 'registry.example/side:1.0.0',
      purpose: 'demo',
      args: ['--x'],
      workingDir: '/work',
      ports: [{ number: 9000, name: 'm' }],
      boundPorts: [{ number: 9001, purpose: 'admin' }],
      sharedVolumes: [{ name: 'shared', path: '/shared', appPath: '/data', appContainers: ['app'] }],
      envVariables: { A: kplus.EnvValue.fromValue('b') },
    }),
    call: (p, o) => withSidecar(p.web, o),
  },
  { name: 'withProxy', shape: 'ProxyOptions', base: () => ({ healthPath: '/healthz' }), call: (p, o) => withProxy(p.web, o) },
  {
    name: 'withProxy().exposeViaService',
    shape: 'ProxyExposeViaServiceOptions',
    base: () => ({ name: 'web' }),
    prepare: (p) => withProxy(p.web),
    call: (_p, o, proxy) => proxy.exposeViaService(o),
  },
  {
    name: 'withLogShipper',
    shape: 'LogShipperOptions',
    base: () => ({ logPath: '/var/log/app', include: '*.log', appContainers: ['app'], outputs: [LogOutput.stdout()], fields: { env: 'prod' } }),
    call: (p, o) => withLogShipper(p.web, o),
  },
  {
    name: 'withConfigSync',
    shape: 'ConfigSyncOptions',
    base: () => ({ source: ConfigSource.git({ repo: GIT }), mountPath: '/etc/app', containers: ['app'] }),
    call: (p, o) => withConfigSync(p.web, o),
  },
  { name: 'withCache', shape: 'CacheOptions', base: () => ({ urlEnv: 'CACHE_URL', appContainers: ['app'] }), call: (p, o) => withCache(p.web, o) },
  {
    name: 'CacheListener.unixSocket',
    shape: 'CacheUnixSocketOptions',
    base: () => ({ dir: '/run/cache' }),
    call: (p, o) => withCache(p.web, { listen: CacheListener.unixSocket(o) }),
  },
  {
    name: 'withTelemetry',
    shape: 'TelemetryOptions',
    base: () => ({ serviceName: 'web', resourceAttributes: { 'deployment.environment.name': 'prod' }, appContainers: ['app'] }),
    call: (p, o) => withTelemetry(p.web, o),
  },
  {
    name: 'exposeMetrics',
    shape: 'ExposeMetricsOptions',
    base: () => ({ port: 8080, path: '/metrics', podMonitorLabels: { team: 'a' } }),
    call: (p, o) => exposeMetrics(p.web, o),
  },
  {
    name: 'withSecretsAgent',
    shape: 'SecretsAgentOptions',
    base: () => ({ ...VAULT, secrets: SECRETS, authPath: 'auth/kubernetes', audience: 'vault', namespace: 'team', folder: '/vault/secrets', containers: ['app'] }),
    call: (p, o) => withSecretsAgent(p.web, o),
  },
  {
    name: 'withAuthProxy',
    shape: 'AuthProxyOptions',
    base: (p) => ({ ...AUTH(p), allowedGroups: ['admins'], scopes: ['openid', 'email'], cookieDomains: ['.example.com'], redirectUrl: 'https://web.example.com/oauth2/callback' }),
    call: (p, o) => withAuthProxy(p.web, o),
  },
  {
    name: 'withAuthProxy().exposeViaService',
    shape: 'AuthProxyExposeViaServiceOptions',
    base: () => ({ name: 'web' }),
    prepare: (p) => withAuthProxy(p.web, AUTH(p)),
    call: (_p, o, auth) => auth.exposeViaService(o),
  },
  // Option factories, each used in its helper so that synth-time rules see the value too.
  {
    name: 'SecurityHeaders.recommended',
    shape: 'SecurityHeadersOptions',
    base: () => ({ contentSecurityPolicy: "default-src 'self'", additionalHeaders: { 'Permissions-Policy': 'camera=()' } }),
    call: (p, o) => withProxy(p.web, { responseHeaders: SecurityHeaders.recommended(o) }),
  },
  {
    name: 'LogOutput.loki',
    shape: 'LokiOutputOptions',
    base: () => ({ url: 'http://loki:3100', labels: { app: 'web' }, tenant: 'team', username: 'shipper' }),
    call: (p, o) => withLogShipper(p.web, { logPath: '/var/log/app', outputs: [LogOutput.loki(o)] }),
  },
  {
    name: 'LogOutput.elasticsearch',
    shape: 'ElasticsearchOutputOptions',
    base: () => ({ url: 'https://es:9200', index: 'logs', username: 'shipper' }),
    call: (p, o) => withLogShipper(p.web, { logPath: '/var/log/app', outputs: [LogOutput.elasticsearch(o)] }),
  },
  {
    name: 'LogOutput.http',
    shape: 'HttpOutputOptions',
    base: () => ({ url: 'https://logs.example/in', headers: { 'X-Team': 'a' } }),
    call: (p, o) => withLogShipper(p.web, { logPath: '/var/log/app', outputs: [LogOutput.http(o)] }),
  },
  {
    name: 'LogOutput.s3',
    shape: 'S3OutputOptions',
    base: () => ({ bucket: 'logs-bucket', region: 'eu-west-1', keyPrefix: 'web/', endpoint: 'https://s3.example' }),
    call: (p, o) => withLogShipper(p.web, { logPath: '/var/log/app', outputs: [LogOutput.s3(o)] }),
  },
  {
    name: 'LogOutput.raw',
    shape: 'RawOutputOptions',
    base: () => ({ fluentBit: { name: 'null', match: '*' } }),
    call: (p, o) => withLogShipper(p.web, { logPath: '/var/log/app', outputs: [LogOutput.raw(o)], engine: LogShipperEngine.FLUENT_BIT }),
  },
  {
    name: 'ConfigSource.git',
    shape: 'GitSourceOptions',
    base: () => ({ repo: GIT, ref: 'main', link: 'current' }),
    call: (p, o) => withConfigSync(p.web, { source: ConfigSource.git(o), mountPath: '/etc/app' }),
  },
  {
    name: 'GitAuth.https',
    shape: 'HttpsGitAuthOptions',
    base: (p) => ({ username: 'git', password: secretValue(p.chart, 'token') }),
    call: (p, o) => withConfigSync(p.web, { source: ConfigSource.git({ repo: GIT, auth: GitAuth.https(o) }), mountPath: '/etc/app' }),
  },
  {
    name: 'ConfigSource.configMaps',
    shape: 'LabelledSourceOptions',
    base: () => ({ label: 'app.example/config', labelValue: 'web' }),
    call: (p, o) => withConfigSync(p.web, { source: ConfigSource.configMaps(o), mountPath: '/etc/app' }),
  },
  {
    name: 'ConfigReload.httpPost',
    shape: 'HttpPostReloadOptions',
    base: () => ({ port: 8080, path: '/-/reload' }),
    call: (p, o) => withConfigSync(p.web, { source: ConfigSource.git({ repo: GIT }), mountPath: '/etc/app', reload: ConfigReload.httpPost(o) }),
  },
  {
    name: 'ConfigReload.signal',
    shape: 'SignalReloadOptions',
    base: () => ({ process: 'web', shareProcessNamespace: true }),
    call: (p, o) => withConfigSync(p.web, { source: ConfigSource.git({ repo: GIT }), mountPath: '/etc/app', reload: ConfigReload.signal('SIGHUP', o) }),
  },
  {
    name: 'SecretTemplate.kv',
    shape: 'KvSecretOptions',
    base: () => ({ path: 'web/api', field: 'key', mount: 'secret' }),
    call: (p, o) => withSecretsAgent(p.web, { ...VAULT, secrets: [{ path: 'api-key', template: SecretTemplate.kv(o) }] }),
  },
  {
    name: 'SecretTemplate.database',
    shape: 'DatabaseSecretOptions',
    base: () => ({ role: 'web', mount: 'database' }),
    call: (p, o) => withSecretsAgent(p.web, { ...VAULT, secrets: [{ path: 'db.json', template: SecretTemplate.database(o) }] }),
  },
  {
    name: 'SkipAuthRoute.path',
    shape: 'SkipAuthRouteOptions',
    base: () => ({ methods: ['GET'] }),
    call: (p, o) => withAuthProxy(p.web, { ...AUTH(p), skipAuthRoutes: [SkipAuthRoute.path('/healthz', o)] }),
  },
  {
    name: 'TelemetryExporter.otlp',
    shape: 'OtlpExporterOptions',
    base: () => ({ endpoint: 'https://otlp.example:4317', headers: { 'x-team': 'a' } }),
    call: (p, o) => withTelemetry(p.web, { exporters: [TelemetryExporter.otlp(o)] }),
  },
  {
    name: 'TelemetryExporter.otlpHttp',
    shape: 'OtlpHttpExporterOptions',
    base: () => ({ endpoint: 'https://otlp.example:4318' }),
    call: (p, o) => withTelemetry(p.web, { exporters: [TelemetryExporter.otlpHttp(o)] }),
  },
  {
    name: 'TelemetryExporter.prometheusRemoteWrite',
    shape: 'PrometheusRemoteWriteExporterOptions',
    base: () => ({ url: 'https://prometheus.example/api/v1/write', externalLabels: { cluster: 'a' } }),
    call: (p, o) => withTelemetry(p.web, { exporters: [TelemetryExporter.prometheusRemoteWrite(o)] }),
  },
  {
    name: 'TelemetryExporter.debug',
    shape: 'DebugExporterOptions',
    base: () => ({}),
    call: (p, o) => withTelemetry(p.web, { exporters: [TelemetryExporter.debug(o)] }),
  },
  {
    name: 'TelemetrySource.prometheus',
    shape: 'PrometheusSourceOptions',
    base: () => ({ port: 8080, path: '/metrics', job: 'web' }),
    call: (p, o) => withTelemetry(p.web, { sources: [TelemetrySource.prometheus(o)] }),
  },
];

/** Entry points that take a string as a positional argument (no options shape to read). */
const POSITIONAL: Array<[string, (p: Pod, value: any) => void]> = [
  ['LogMetadata.podLabel(key)', (p, v) => withLogShipper(p.web, { logPath: '/var/log/app', fields: { team: LogMetadata.podLabel(v) } })],
  ['LogParser.regex(pattern)', (p, v) => withLogShipper(p.web, { logPath: '/var/log/app', parser: LogParser.regex(v) })],
  ['LogMultiline.startPattern(pattern)', (p, v) => withLogShipper(p.web, { logPath: '/var/log/app', multiline: LogMultiline.startPattern(v) })],
  ['TlsCa.fromSecret(secret, key)', (p, v) => withLogShipper(p.web, {
    logPath: '/var/log/app', outputs: [LogOutput.elasticsearch({ url: 'https://es:9200', ca: TlsCa.fromSecret(secret(p.chart), v) })],
  })],
  ['SecretTemplate.raw(contents)', (p, v) => withSecretsAgent(p.web, { ...VAULT, secrets: [{ path: 'f', template: SecretTemplate.raw(v) }] })],
  ['VaultCaCertificate.fromSecret(secret, key)', (p, v) => withSecretsAgent(p.web, {
    ...VAULT, secrets: SECRETS, caCertificate: VaultCaCertificate.fromSecret(secret(p.chart), v),
  })],
  ['ConfigReload.signal(signal)', (p, v) => withConfigSync(p.web, {
    source: ConfigSource.git({ repo: GIT }), mountPath: '/etc/app', reload: ConfigReload.signal(v, { shareProcessNamespace: true }),
  })],
  ['SkipAuthRoute.path(path)', (p, v) => withAuthProxy(p.web, { ...AUTH(p), skipAuthRoutes: [SkipAuthRoute.path(v)] })],
  ['SkipAuthRoute.prefix(prefix)', (p, v) => withAuthProxy(p.web, { ...AUTH(p), skipAuthRoutes: [SkipAuthRoute.prefix(v)] })],
  ['SkipAuthRoute.regex(pattern)', (p, v) => withAuthProxy(p.web, { ...AUTH(p), skipAuthRoutes: [SkipAuthRoute.regex(v)] })],
  ['CacheListener.unixSocket({ dir })', (p, v) => withCache(p.web, { listen: CacheListener.unixSocket({ dir: v }) })],
  ['setDefaultSidecarMode(scope, mode)', (p, v) => {
    setDefaultSidecarMode(p.chart, v);
    withSidecar(p.web, { name: 'side', image: 'registry.example/side:1.0.0' });
  }],
];

type Shape = (typeof OPTION_SHAPES)[string]['props'][string]['shape'];

/** A string fits here: a string, anything, or one of the choices of an enum (a wrong one must be shown escaped too). */
const takesString = (s: Shape): boolean => s.k === 'string' || s.k === 'any' || (s.k === 'literal' && s.values.some((v) => typeof v === 'string'))
  || (s.k === 'union' && s.of.some(takesString));
const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** A change to valid options: where (for the test name), and how. */
interface Change {
  readonly where: string;
  readonly apply: (options: Record<string, unknown>, value: string) => void;
}

/** An option: the path of keys to the object that holds it, its key, its shape, and its value in the valid options. */
interface OptionPlace {
  readonly path: string[];
  readonly key: string;
  readonly shape: Shape;
  readonly value: unknown;
}

/** Every option of shape `shapeName`, and of the nested data interfaces the valid options hold (an array entered at its first item), in order. */
function optionPlaces(shapeName: string, base: Record<string, unknown>, path: string[] = []): OptionPlace[] {
  const out: OptionPlace[] = [];
  for (const [key, { shape }] of Object.entries(OPTION_SHAPES[shapeName].props)) {
    const value = base[key];
    out.push({ path, key, shape, value });
    if (shape.k === 'ref' && isPlain(value)) {
      out.push(...optionPlaces(shape.name, value as Record<string, unknown>, [...path, key]));
    } else if (shape.k === 'array' && shape.of.k === 'ref' && Array.isArray(value) && isPlain(value[0])) {
      out.push(...optionPlaces(shape.of.name, value[0] as Record<string, unknown>, [...path, key]));
    }
  }
  return out;
}

/** The object at `path` in `options` (an array at its first item). */
function parentAt(options: Record<string, unknown>, path: string[]): Record<string, unknown> {
  return path.reduce<any>((o, k) => (Array.isArray(o[k]) ? o[k][0] : o[k]), options);
}

/**
 * Every place a string goes in options of shape `shapeName`, nested data interfaces included:
 * a string option, an entry of a string array, a record's key, and a record's string value.
 */
function changes(shapeName: string, base: Record<string, unknown>): Change[] {
  return optionPlaces(shapeName, base).flatMap(({ path, key, shape, value }): Change[] => {
    const at = (options: Record<string, unknown>) => parentAt(options, path);
    const where = [...path, key].join('.');
    if (takesString(shape)) return [{ where, apply: (o, v) => { at(o)[key] = v; } }];
    if (shape.k === 'array' && takesString(shape.of)) return [{ where: `${where}[0]`, apply: (o, v) => { at(o)[key] = [v]; } }];
    if (shape.k !== 'record') return [];
    const out: Change[] = [
      { where: `${where} key`, apply: (o, v) => { at(o)[key] = { ...(at(o)[key] as object), [v]: takesString(shape.of) ? 'x' : kplus.EnvValue.fromValue('x') }; } },
    ];
    if (takesString(shape.of) && isPlain(value) && Object.keys(value as object).length > 0) {
      const first = Object.keys(value as object)[0];
      out.push({ where: `${where}.${first}`, apply: (o, v) => { at(o)[key] = { ...(at(o)[key] as object), [first]: v }; } });
    }
    return out;
  });
}

/** A deep copy of plain data (objects and arrays), keeping constructs and class instances as they are. */
function copy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copy) as unknown as T;
  if (isPlain(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
  return value;
}

const podShape = (web: kplus.Deployment) =>
  JSON.stringify([web.containers.map((c) => c.name), web.initContainers.map((c) => c.name), web.volumes.map((v) => v.name)]);

/**
 * Runs `call` on a fresh pod. A refused call: the library's own Error, no raw control character,
 * the pod as it was. An accepted one: synth either writes manifests the strict schema accepts, or
 * fails with a message without raw control characters and writes nothing. Returns the message.
 */
function answer(prepare: (p: Pod) => any, call: (p: Pod, prepared: any) => void): string | undefined {
  const p = pod();
  const prepared = prepare(p);
  const before = podShape(p.web);
  try {
    call(p, prepared);
  } catch (e) {
    expect((e as Error).constructor).toBe(Error);
    const message = (e as Error).message;
    expect(message).not.toMatch(RAW);
    expect(podShape(p.web)).toBe(before);
    return message;
  }
  try {
    p.app.synth();
  } catch (e) {
    const message = (e as Error).message;
    // cdk8s writes its heading, then each problem on a line of its own: "  [construct path] problem".
    const [heading, ...problems] = message.split('\n');
    expect(heading).toBe('Validation failed with the following errors:');
    for (const problem of problems) {
      expect(problem).toMatch(/^ {2}\[[^\]]*\] /);
      expect(problem).not.toMatch(RAW);
    }
    expect(listFiles(p.outdir)).toEqual([]);
    return message;
  }
  readOutput(p.outdir); // validates every manifest against the Kubernetes schema
  fs.rmSync(p.outdir, { recursive: true, force: true });
  return undefined;
}

const CASES: Array<[string, string, (p: Pod) => any, (p: Pod, prepared: any) => void]> = [];
const nothing = () => undefined;
for (const target of TARGETS) {
  const base = target.base(pod());
  for (const change of changes(target.shape, base)) {
    for (const value of NASTY) {
      CASES.push([`${target.name}: ${change.where}`, value, target.prepare ?? nothing, (p, prepared) => {
        const options = copy(target.base(p));
        change.apply(options, value);
        target.call(p, options, prepared);
      }]);
    }
  }
}
for (const [name, call] of POSITIONAL) {
  for (const value of NASTY) CASES.push([name, value, nothing, (p) => call(p, value)]);
}

describe('control characters in any string of any option', () => {
  test('every helper and factory is swept, through many strings', () => {
    // A guard that the sweep reaches what it claims: a shape renamed or emptied would shrink it.
    const swept = new Set(CASES.map(([name]) => name.split(':')[0]));
    for (const t of TARGETS) expect(swept).toContain(t.name);
    expect(CASES.length).toBeGreaterThan(250);
  });

  test('every public options interface is swept (a new helper or factory needs its target here)', () => {
    const NOT_TARGETS: Record<string, string> = {
      SharedVolumeOptions: 'swept inside SidecarOptions.sharedVolumes',
      LogBufferOptions: 'no string option; swept for values that cannot become text (NO_STRING_TARGETS)',
      CacheLoopbackOptions: 'no string option; swept for values that cannot become text (NO_STRING_TARGETS)',
      SshGitAuthOptions: 'Secret references only',
      TelemetryNetworkExporterOptions: 'the common part of the network exporters, swept through each',
    };
    const targeted = new Set(TARGETS.map((t) => t.shape));
    const missing = OPTION_ROOTS.filter((root) => !root.endsWith('Props') && !targeted.has(root) && !(root in NOT_TARGETS));
    expect(missing).toEqual([]);
  });

  test.each(CASES)('%s = %j: never shown raw, never half applied', (_name, _value, prepare, call) => {
    answer(prepare, call);
  });

  test('a JavaScript caller\'s record key in an option path is shown escaped', () => {
    const message = answer(nothing, (p) => withSidecar(p.web, { name: 'side', image: 'registry.example/side:1.0.0', envVariables: { 'a\nb': 'plain' } } as any));
    expect(message).toContain('option envVariables["a\\nb"] must be');
  });
});

/**
 * Every option of every helper and factory given an object without a prototype, which a
 * template literal or `String()` cannot turn into text (a TypeError): the library's own Error
 * (or, where the option takes anything, manifests the strict schema accepts), never a TypeError
 * from code that ran before the options were checked, and never a half-applied call.
 */
/** Factories whose options hold no string, so that the control-character sweep has nothing to give them. */
const NO_STRING_TARGETS: Target[] = [
  {
    name: 'LogBuffer.memory',
    shape: 'LogBufferOptions',
    base: () => ({ maxSize: Size.mebibytes(32) }),
    call: (p, o) => withLogShipper(p.web, { logPath: '/var/log/app', buffer: LogBuffer.memory(o) }),
  },
  {
    name: 'LogBuffer.filesystem',
    shape: 'LogBufferOptions',
    base: () => ({ maxSize: Size.mebibytes(256) }),
    call: (p, o) => withLogShipper(p.web, { logPath: '/var/log/app', buffer: LogBuffer.filesystem(o) }),
  },
  {
    name: 'CacheListener.loopback',
    shape: 'CacheLoopbackOptions',
    base: () => ({ port: 6380 }),
    call: (p, o) => withCache(p.web, { listen: CacheListener.loopback(o) }),
  },
];

const UNPRINTABLE_CASES: Array<[string, (p: Pod) => any, (p: Pod, prepared: any) => void]> = [];
for (const target of [...TARGETS, ...NO_STRING_TARGETS]) {
  for (const key of Object.keys(OPTION_SHAPES[target.shape].props)) {
    UNPRINTABLE_CASES.push([`${target.name}: ${key}`, target.prepare ?? nothing, (p, prepared) => {
      const options = copy(target.base(p));
      options[key] = Object.create(null);
      target.call(p, options, prepared);
    }]);
  }
}

// Every option nested in the valid options' data interfaces (`rateLimit.burst`), whatever its type.
for (const target of TARGETS) {
  for (const { path, key } of optionPlaces(target.shape, target.base(pod())).filter((place) => place.path.length > 0)) {
    UNPRINTABLE_CASES.push([`${target.name}: ${[...path, key].join('.')}`, target.prepare ?? nothing, (p, prepared) => {
      const options = copy(target.base(p));
      parentAt(options, path)[key] = Object.create(null);
      target.call(p, options, prepared);
    }]);
  }
}
// Every positional argument a factory takes: the strings above, and the ports.
const POSITIONAL_PORTS: Array<[string, (p: Pod, value: any) => void]> = [
  ['TelemetrySelfMetrics.local(port)', (p, v) => withTelemetry(p.web, { selfMetrics: TelemetrySelfMetrics.local(v) })],
  ['TelemetrySelfMetrics.exposed(port)', (p, v) => withTelemetry(p.web, { selfMetrics: TelemetrySelfMetrics.exposed(v) })],
];
for (const [name, call] of [...POSITIONAL, ...POSITIONAL_PORTS]) UNPRINTABLE_CASES.push([name, nothing, (p) => call(p, Object.create(null))]);

describe('an option that cannot become text (an object without a prototype)', () => {
  test('every helper and factory is swept', () => {
    const swept = new Set(UNPRINTABLE_CASES.map(([name]) => name.split(':')[0]));
    for (const t of [...TARGETS, ...NO_STRING_TARGETS]) expect(swept).toContain(t.name);
  });

  test.each(UNPRINTABLE_CASES)('%s: the library\'s own answer, never half applied', (_name, prepare, call) => {
    answer(prepare, call);
  });
});

describe('control characters in values the rules at synth show', () => {
  test('a sidecar\'s purpose with a line break is refused at the call (every rule shows it)', () => {
    expect(answer(nothing, (p) => withSidecar(p.web, { name: 'side', image: 'registry.example/side:1.0.0', purpose: 'x\ny', ports: [{ number: 8080 }] })))
      .toBe('Deployment "test/web", sidecar "side": purpose "x\\ny" holds a control character or NUL; give one line of text');
  });
  // Values the user brings to the pod through cdk8s-plus, reported by the rules at synth, escaped.
  const SYNTH: Array<[string, (p: Pod) => void, string]> = [
    ['a mount path of the user\'s container (validation/mounts.ts)', (p) => {
      withLogShipper(p.web, { logPath: '/var/log/app' });
      p.web.addContainer({ name: 'late', image: 'registry.example/late:1', volumeMounts: [{ path: '/data/\tx', volume: kplus.Volume.fromEmptyDir(p.web, 'v', 'v') }] });
    }, 'mount path "/data/\\tx"'],
    ['a container name the user added (validation/names.ts)', (p) => {
      withLogShipper(p.web, { logPath: '/var/log/app' });
      p.web.addContainer({ name: 'la\nte', image: 'registry.example/late:1' });
    }, 'container name "la\\nte"'],
  ];
  test.each(SYNTH)('%s is shown escaped', (_what, call, shown) => {
    expect(answer(nothing, call)).toContain(shown);
  });
});


/** A Secret key in the chart, for the options that need credentials. */
const AUTH_WITH = (p: Pod, more: Record<string, unknown>) => ({ ...AUTH(p), ...more });

describe('a user value is shown escaped', () => {
  const W = 'Deployment "test/web"';
  const TABLE: Array<[string, (p: Pod) => unknown, string]> = [
    ['a sidecar name holds a line break', (p) => withSidecar(p.web, { name: 'side\n', image: 'registry.example/side:1.0.0' }),
      `${W}, sidecar "side\\n": the name must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit`],
    ['a log path holds a line break', (p) => withLogShipper(p.web, { logPath: '/var/log/a\nb' }),
      `${W}, withLogShipper: logPath "/var/log/a\\nb" must not hold NUL or control characters; give the absolute folder the app writes its log files into, for example "/var/log/app"`],
    ['a log include glob holds NUL', (p) => withLogShipper(p.web, { logPath: '/var/log/app', include: '*.log\u0000' }),
      `${W}, withLogShipper: include "*.log\\u0000" is not a glob relative to logPath; use *, ?, [...] and / only (no "**", braces, commas or ".."), for example "*.log" or "*/*.log"`],
    ['a log shipper\'s app container name holds a tab', (p) => withLogShipper(p.web, { logPath: '/var/log/app', appContainers: ['a\tb'] }),
      `${W}, withLogShipper: appContainers names "a\\tb", but the pod has no such container (it has "app"); add the container before attaching the log shipper`],
    ['a Loki URL holds an escape sequence', (p) => withLogShipper(p.web, { logPath: '/var/log/app', outputs: [LogOutput.loki({ url: 'http://loki:3100/\u001b[31m' })] }),
      `${W}, withLogShipper: outputs[0] (loki): url "http://loki:3100/\\u001b[31m" holds a control character or NUL, which a URL parser drops or percent-encodes without a word; remove it`],
    ['a Loki label name holds a line break', (p) => withLogShipper(p.web, { logPath: '/var/log/app', outputs: [LogOutput.loki({ url: 'http://loki:3100', labels: { 'a\nb': 'x' } })] }),
      `${W}, withLogShipper: outputs[0] (loki): label name "a\\nb" is not a Loki label name; use [a-zA-Z_][a-zA-Z0-9_]* not starting with "__"`],
    ['a parser pattern holds a line break', (p) => withLogShipper(p.web, { logPath: '/var/log/app', parser: LogParser.regex('(?<a>x)\ny') }),
      `${W}, withLogShipper: parser regex "(?<a>x)\\ny" holds a line break or NUL; write \\n for a line break`],
    ['a sync mount path holds a tab', (p) => withConfigSync(p.web, { source: ConfigSource.git({ repo: GIT }), mountPath: '/etc/a\tb' }),
      `${W}, withConfigSync: mountPath "/etc/a\\tb" must not hold NUL or control characters, for example "/etc/app/config"`],
    ['a git ref holds a line break', (p) => withConfigSync(p.web, { source: ConfigSource.git({ repo: GIT, ref: 'main\n' }), mountPath: '/etc/app' }),
      `${W}, withConfigSync: ref "main\\n" is not a branch, tag or commit name git accepts (see git check-ref-format)`],
    ['a git link holds a carriage return', (p) => withConfigSync(p.web, { source: ConfigSource.git({ repo: GIT, link: 'cur\rrent' }), mountPath: '/etc/app' }),
      `${W}, withConfigSync: link "cur\\rrent" must be a plain file name (letters, digits, ".", "_", "-", not starting with "."), for example "current"`],
    ['a label value holds a line break', (p) => withConfigSync(p.web, { source: ConfigSource.configMaps({ label: 'app', labelValue: 'web\n' }), mountPath: '/etc/app' }),
      `${W}, withConfigSync: ConfigSource.configMaps: labelValue "web\\n" is not a label value (at most 63 letters, digits, "-", "_", ".")`],
    ['a cache URL variable holds a line break', (p) => withCache(p.web, { urlEnv: 'CACHE\nURL' }),
      `${W}, withCache: urlEnv "CACHE\\nURL" must be letters, digits and "_", not starting with a digit`],
    ['a socket folder holds NUL', (p) => withCache(p.web, { listen: CacheListener.unixSocket({ dir: '/run/a\u0000b' }) }),
      `${W}, withCache: socketDir "/run/a\\u0000b" must not hold NUL or control characters; give the absolute folder the socket goes in, for example "/run/cache"`],
    ['a service name holds NUL', (p) => withTelemetry(p.web, { serviceName: 'web\u0000' }),
      `${W}, withTelemetry: serviceName "web\\u0000" may hold letters, digits and _ . : / @ + - (1 to 253 characters) only`],
    ['a resource attribute name holds a line break', (p) => withTelemetry(p.web, { resourceAttributes: { 'a\nb': 'x' } }),
      `${W}, withTelemetry: resourceAttributes: "a\\nb" is not an attribute name; use letters, digits, "_", "." and "-", starting with a letter or "_"`],
    ['an OTLP endpoint ends in a line break', (p) => withTelemetry(p.web, { exporters: [TelemetryExporter.otlp({ endpoint: 'https://otlp.example:4317/\n' })] }),
      `${W}, withTelemetry: exporters[0] (otlp_grpc): endpoint "https://otlp.example:4317/\\n" holds a control character or NUL, which a URL parser drops or percent-encodes without a word; remove it`],
    ['a metrics path holds a line break', (p) => exposeMetrics(p.web, { port: 8080, path: '/metrics\n' }),
      `${W}, exposeMetrics: path "/metrics\\n" must start with "/" and hold letters, digits and _ . ~ / - only`],
    ['a Vault role holds a line break', (p) => withSecretsAgent(p.web, { ...VAULT, role: 'web\n', secrets: SECRETS }),
      `${W}, withSecretsAgent: role "web\\n" is not a Vault role name (letters, digits, "_", ".", "@", "-"); give the role of the Kubernetes auth method`],
    ['a Vault address holds a tab', (p) => withSecretsAgent(p.web, { ...VAULT, address: 'https://vault\t:8200', secrets: SECRETS }),
      `${W}, withSecretsAgent: address "https://vault\\t:8200" holds a control character or NUL, which a URL parser drops or percent-encodes without a word; remove it`],
    ['a KV path holds a line break', (p) => withSecretsAgent(p.web, { ...VAULT, secrets: [{ path: 'k', template: SecretTemplate.kv({ path: 'web/a\nb' }) }] }),
      `${W}, withSecretsAgent: secrets: "k": path "web/a\\nb" is not a Vault path: segments of letters, digits and "_ - . @ + = :" between "/", no "." or ".." segment (got "a\\nb"); for example "web/api"`],
    ['a secret file path holds a line break', (p) => withSecretsAgent(p.web, { ...VAULT, secrets: [{ path: 'db\n.json', template: SecretTemplate.database({ role: 'web' }) }] }),
      `${W}, withSecretsAgent: secrets: path "db\\n.json" is not a plain file path: segments of letters, digits, "_", "-" and "." (not first), between "/"; for example "tls/key.pem"`],
    ['a client ID holds a tab', (p) => withAuthProxy(p.web, AUTH_WITH(p, { clientId: 'web\t' }) as any),
      `${W}, withAuthProxy: clientId "web\\t" is not a client ID; give the ID the issuer registered for the app, without white space`],
    ['an issuer URL holds a line break', (p) => withAuthProxy(p.web, AUTH_WITH(p, { issuerUrl: 'https://login.example.com/\n' }) as any),
      `${W}, withAuthProxy: issuerUrl "https://login.example.com/\\n" holds a control character or NUL, which a URL parser drops or percent-encodes without a word; remove it`],
    ['a skipped regex holds a line break', (p) => withAuthProxy(p.web, AUTH_WITH(p, { skipAuthRoutes: [SkipAuthRoute.regex('/a\nb')] }) as any),
      `${W}, withAuthProxy: SkipAuthRoute.regex("/a\\nb"): the pattern is not anchored with "^", so it would match anywhere in the path ("/admin/x/a\\nb" too); start it with "^"`],
    ['a default mode holds a line break', (p) => setDefaultSidecarMode(p.chart, 'native\n' as any),
      'setDefaultSidecarMode("test", …): the mode must be SidecarMode.NATIVE or SidecarMode.CLASSIC (got the string "native\\n")'],
  ];

  test.each(TABLE)('fails when %s', (_what, call, message) => {
    expect(answer(nothing, (p) => call(p))).toBe(message);
  });

  test('fails when a proxy\'s Service name holds a line break, and no Service is made', () => {
    const p = pod();
    const proxy = withProxy(p.web);
    expect(() => proxy.exposeViaService({ name: 'web\n' })).toThrow(
      `${W}, withProxy: exposeViaService: name "web\\n" is not a Service name: at most 63 lowercase letters, digits and "-", `
      + 'starting with a letter and ending with a letter or digit (RFC 1035), for example "web"');
    expect(p.chart.node.findAll().filter((c) => c instanceof kplus.Service)).toEqual([]);
  });

  test('fails when an auth proxy\'s Service type is not a ServiceType', () => {
    const p = pod();
    const auth = withAuthProxy(p.web, AUTH(p));
    expect(() => auth.exposeViaService({ serviceType: 'Cluster\nIP' as any })).toThrow(
      `${W}, withAuthProxy: exposeViaService: option serviceType must be ServiceType.CLUSTER_IP, ServiceType.NODE_PORT, ServiceType.LOAD_BALANCER or ServiceType.EXTERNAL_NAME (got the string "Cluster\\nIP")`);
  });

  test('fails when exposeViaService is given an unknown option (JavaScript)', () => {
    const p = pod();
    expect(() => withProxy(p.web).exposeViaService({ nmae: 'web' } as any)).toThrow(`${W}, withProxy: exposeViaService: unknown option "nmae"; did you mean "name"?`);
  });
});
