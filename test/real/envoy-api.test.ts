/**
 * Envoy's own API judges every bootstrap withProxy writes.
 *
 * tools/envoy-validate is a small Go program over github.com/envoyproxy/go-control-plane/envoy
 * v1.40.0, the API of the Envoy v1.40.x image the library pins: it reads the YAML, unmarshals it
 * into envoy.config.bootstrap.v3.Bootstrap with unknown fields rejected and every `@type`
 * resolved, runs the protoc-gen-validate rules (ValidateAll) on the bootstrap and on every typed
 * config inside it, and lists deprecated fields. What it accepts is what Envoy's config loader
 * accepts before any extension runs.
 *
 * The bootstrap is read from the synthesized manifests the way Envoy finds it in the pod: the
 * `-c` argument of the Envoy container, through its volume mount, to the ConfigMap key. Every
 * file-based SDS file the bootstrap names (`path_config_source.path`, the TLS certificate) is
 * found the same way and judged too: its one `Secret` resource is put in a bootstrap's
 * `static_resources.secrets` (the same message, envoy.extensions.transport_sockets.tls.v3.Secret).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { examples } from '../../examples/synth';
import { ConfigReload, ConfigSource, FrameAncestors, ProxyOptions, SecurityHeaders, SidecarMode, UpstreamProtocol, withAuthProxy, withConfigSync, withProxy } from '../../lib';
import { allContainers, podSpecOf } from '../util/restricted';
import { newApp, synth } from '../util/synth';
import { APP } from '../workloads';
import { BUILD_TIMEOUT_MS, buildTool } from './tools';

let validator: string;
beforeAll(() => {
  validator = buildTool('envoy-validate');
}, BUILD_TIMEOUT_MS);

interface Verdict {
  readonly file: string;
  readonly valid: boolean;
  readonly errors: string[];
  readonly deprecated: string[];
}

/** Envoy's verdict on each bootstrap text, by label; one run of the validator for all. */
function judge(bootstraps: Record<string, string>): Record<string, Verdict> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-sidecars-envoy-'));
  try {
    const labels = Object.keys(bootstraps);
    const files = labels.map((label, i) => {
      const file = path.join(dir, `${i}.yaml`);
      fs.writeFileSync(file, bootstraps[label]);
      return file;
    });
    const run = spawnSync(validator, files, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    if (run.error || (run.status !== 0 && run.status !== 1)) {
      throw new Error(`envoy-validate failed (${run.error?.message ?? `exit ${run.status ?? run.signal}`}): ${run.stderr}`);
    }
    const verdicts = JSON.parse(run.stdout) as Verdict[];
    expect(verdicts.map((v) => v.file)).toEqual(files);
    return Object.fromEntries(labels.map((label, i) => [label, verdicts[i]]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The verdicts that are not a clean pass (invalid, or using a deprecated field): empty when all pass. */
function failures(verdicts: Record<string, Verdict>): Record<string, Pick<Verdict, 'errors' | 'deprecated'>> {
  return Object.fromEntries(Object.entries(verdicts)
    .filter(([, v]) => !v.valid || v.errors.length > 0 || v.deprecated.length > 0)
    .map(([label, v]) => [label, { errors: v.errors, deprecated: v.deprecated }]));
}

/**
 * Every Envoy bootstrap of the synthesized manifests, as Envoy in the pod would read it:
 * `-c <file>` of each Envoy container, the volume mounted over that file's folder, the ConfigMap
 * behind the volume, and its key for the file. Each SDS file the bootstrap names comes after it,
 * as a bootstrap holding its Secret (labelled `… SDS <path>`).
 */
function envoyBootstraps(manifests: any[], prefix: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const workload of manifests.filter((m) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'].includes(m.kind))) {
    const spec = podSpecOf(workload);
    for (const container of allContainers(spec).filter((c) => c.command?.[0] === '/usr/local/bin/envoy')) {
      const where = `${prefix} ${workload.kind}/${workload.metadata.name} container "${container.name}"`;
      const fileOf = (file: string): string => {
        const mount = container.volumeMounts.find((m: any) => file.startsWith(`${m.mountPath}/`));
        if (!mount) throw new Error(`${where}: no volume mounted over ${file}`);
        const volume = spec.volumes.find((v: any) => v.name === mount.name);
        const relative = file.slice(mount.mountPath.length + 1);
        const key = volume.configMap.items?.find((i: any) => i.path === relative)?.key ?? relative;
        const configMap = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === volume.configMap.name);
        if (configMap?.data?.[key] === undefined) throw new Error(`${where}: ConfigMap "${volume.configMap.name}" has no key "${key}"`);
        return configMap.data[key];
      };
      const bootstrap = fileOf(container.args[container.args.indexOf('-c') + 1]);
      found[where] = bootstrap;
      for (const sdsPath of pathConfigSources(parse(bootstrap))) {
        found[`${where} SDS ${sdsPath}`] = sdsAsBootstrap(fileOf(sdsPath), `${where} SDS ${sdsPath}`);
      }
    }
  }
  return found;
}

/** Every `path_config_source.path` inside a parsed bootstrap. */
function pathConfigSources(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(pathConfigSources);
  if (node === null || typeof node !== 'object') return [];
  const paths = Object.entries(node).flatMap(([k, v]) => (k === 'path_config_source' ? [(v as { path: string }).path] : pathConfigSources(v)));
  return paths;
}

/**
 * A file-based SDS file (`resources:` with one `@type` Secret) as a bootstrap whose
 * `static_resources.secrets` holds that Secret, for the validator, which reads bootstraps.
 */
function sdsAsBootstrap(text: string, where: string): string {
  const sds = parse(text);
  const resources = sds?.resources;
  if (Object.keys(sds ?? {}).join() !== 'resources' || !Array.isArray(resources) || resources.length !== 1) {
    throw new Error(`${where}: an SDS file holds "resources" with one Secret, not ${text}`);
  }
  const { '@type': type, ...secret } = resources[0];
  if (type !== 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret') {
    throw new Error(`${where}: the SDS resource's @type is ${type}, not envoy.extensions.transport_sockets.tls.v3.Secret`);
  }
  return stringify({ static_resources: { secrets: [secret] } });
}

/** The manifests of one Deployment with an app on 8080 and withProxy(options), synthesized as `cdk8s synth` does. */
function synthProxy(options: ProxyOptions, tls: boolean, kind: 'Deployment' | 'Pod' = 'Deployment'): any[] {
  const { app, chart } = newApp();
  const workload = kind === 'Pod'
    ? new kplus.Pod(chart, 'web', { containers: [APP] })
    : new kplus.Deployment(chart, 'web', { containers: [APP] });
  const secret = tls ? kplus.Secret.fromSecretName(chart, 'tls', 'web-tls') : undefined;
  withProxy(workload, { ...options, ...(secret ? { tls: { secret } } : {}) });
  return synth(app).manifests;
}

/** The bootstrap of one withProxy call (the only Envoy of the chart). */
function bootstrapOf(options: ProxyOptions, tls = false): string {
  const bootstraps = Object.entries(envoyBootstraps(synthProxy(options, tls), '')).filter(([label]) => !label.includes(' SDS ')).map(([, text]) => text);
  expect(bootstraps).toHaveLength(1);
  return bootstraps[0];
}

describe('Envoy\'s own API (go-control-plane envoy v1.40.0) accepts every bootstrap withProxy writes', () => {
  test('every example with Envoy', () => {
    const bootstraps: Record<string, string> = {};
    for (const example of examples()) {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-sidecars-example-'));
      const app = new App({ outdir });
      new example.chart(app, example.name);
      Object.assign(bootstraps, envoyBootstraps(synth(app).manifests, `examples/${example.name}.ts:`));
    }
    // Not vacuous: the Envoy example at least.
    expect(Object.keys(bootstraps)).toEqual(expect.arrayContaining([expect.stringMatching(/^examples\/proxy-envoy\.ts:/)]));
    expect(failures(judge(bootstraps))).toEqual({});
  });

  test('a matrix of options: TLS, gRPC, body limit, access logs, timeouts, ports and health path, classic mode', () => {
    const bootstraps: Record<string, string> = {};
    const flags = [false, true];
    for (const tls of flags) {
      for (const grpc of flags) {
        for (const body of flags) {
          for (const noAccessLogs of flags) {
            for (const timeouts of flags) {
              for (const ports of flags) {
                const options: ProxyOptions = {
                  ...(grpc ? { upstreamProtocol: UpstreamProtocol.GRPC } : {}),
                  ...(body ? { maxRequestBodySize: Size.mebibytes(10) } : {}),
                  ...(noAccessLogs ? { accessLogs: false } : {}),
                  ...(timeouts ? {
                    connectTimeout: Duration.millis(250),
                    requestTimeout: Duration.hours(1),
                    idleTimeout: Duration.millis(1500),
                  } : {}),
                  ...(ports ? {
                    port: 9443,
                    adminPort: 15000,
                    healthPath: '/-/ready',
                    mode: SidecarMode.CLASSIC,
                    trustedProxyHops: 2,
                    resources: { memory: { request: Size.mebibytes(32), limit: Size.gibibytes(1) } },
                  } : {}),
                };
                const label = `tls=${tls} grpc=${grpc} body=${body} accessLogs=${!noAccessLogs} timeouts=${timeouts} ports=${ports}`;
                Object.assign(bootstraps, envoyBootstraps(synthProxy(options, tls), label));
              }
            }
          }
        }
      }
    }
    // 64 bootstraps, and the SDS file of each of the 32 with TLS.
    expect(Object.keys(bootstraps)).toHaveLength(64 + 32);
    expect(failures(judge(bootstraps))).toEqual({});
  });

  test('bounds of the options: 1 ms timeouts, 10,000 years, a body limit just under 4 GiB, 1 KiB', () => {
    const year = Duration.days(365.25);
    const bootstraps: Record<string, string> = {
      '1 ms timeouts': bootstrapOf({ connectTimeout: Duration.millis(1), requestTimeout: Duration.millis(1), idleTimeout: Duration.millis(1) }),
      // protobuf's Duration reaches 315,576,000,000 s (google/protobuf/duration.proto).
      '10,000 years': bootstrapOf({ requestTimeout: Duration.days(10_000 * 365.25), idleTimeout: Duration.millis(10_000 * year.toMilliseconds()) }),
      'body 4 GiB - 1 KiB': bootstrapOf({ maxRequestBodySize: Size.kibibytes(4 * 1024 * 1024 - 1) }),
      'body 1 KiB': bootstrapOf({ maxRequestBodySize: Size.kibibytes(1) }),
      'ports at the top': bootstrapOf({ port: 65535, adminPort: 65534 }, true),
      'privileged port': bootstrapOf({ port: 443, allowPrivilegedPort: true }, true),
      'memory limit 1 MiB': bootstrapOf({ resources: { memory: { request: Size.mebibytes(1), limit: Size.mebibytes(1) } } }),
      'memory limit 64 GiB': bootstrapOf({ resources: { memory: { request: Size.mebibytes(64), limit: Size.gibibytes(64) } } }),
      'no memory limit': bootstrapOf({ resources: { memory: { request: Size.mebibytes(64) } } }),
      'trusted hops 4294967295': bootstrapOf({ trustedProxyHops: 0xffffffff }),
    };
    expect(failures(judge(bootstraps))).toEqual({});
  });

  test('120 random option sets (fast-check)', () => {
    const millis = fc.oneof(
      fc.integer({ min: 1, max: 10 * 60_000 }),
      // Up to protobuf's largest Duration, 315,576,000,000 s.
      fc.integer({ min: 1, max: 315_576_000_000_000 }),
    );
    const port = fc.integer({ min: 1024, max: 65535 }).filter((p) => p !== 8080);
    const optionSets = fc.record({
      tls: fc.boolean(),
      kind: fc.constantFrom('Deployment' as const, 'Pod' as const),
      options: fc.record({
        port,
        adminPort: port,
        upstreamProtocol: fc.constantFrom(UpstreamProtocol.HTTP1, UpstreamProtocol.GRPC),
        connectTimeout: millis.map((ms) => Duration.millis(ms)),
        requestTimeout: millis.map((ms) => Duration.millis(ms)),
        idleTimeout: millis.map((ms) => Duration.millis(ms)),
        maxRequestBodySize: fc.oneof(
          fc.integer({ min: 1, max: 4 * 1024 * 1024 - 1 }).map((kib) => Size.kibibytes(kib)),
          fc.integer({ min: 1, max: 4095 }).map((mib) => Size.mebibytes(mib)),
        ),
        accessLogs: fc.boolean(),
        healthPath: fc.stringMatching(/^\/[A-Za-z0-9._~/-]{0,40}$/).filter((p) => p !== '/'),
        trustedProxyHops: fc.integer({ min: 0, max: 5 }),
        resources: fc.record({
          memory: fc.record({
            request: fc.constant(Size.mebibytes(16)),
            limit: fc.integer({ min: 16, max: 8192 }).map((mib) => Size.mebibytes(mib)),
          }, { requiredKeys: ['request'] }),
        }),
        mode: fc.constantFrom(SidecarMode.NATIVE, SidecarMode.CLASSIC),
        responseHeaders: fc.constantFrom(SecurityHeaders.recommended(), SecurityHeaders.recommended({ contentSecurityPolicy: "default-src 'self'" }),
          SecurityHeaders.of({ 'X-Robots-Tag': 'noindex' })),
        removeRequestHeaders: fc.array(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), { maxLength: 3 }),
        rateLimit: fc.record({ requestsPerSecond: fc.integer({ min: 1, max: 1_000_000 }), burst: fc.integer({ min: 1, max: 1_000_000 }) }, { requiredKeys: ['requestsPerSecond'] }),
        internalPaths: fc.array(fc.stringMatching(/^\/[a-z0-9-]{1,20}$/), { maxLength: 3 }),
        faults: fc.record({
          enabled: fc.boolean(),
          delay: fc.record({
            duration: fc.integer({ min: 1, max: 3_600_000 }).map((ms) => Duration.millis(ms)),
            percentage: fc.integer({ min: 1, max: 1_000_000 }).map((n) => n / 10000),
          }),
          abort: fc.record({ status: fc.integer({ min: 200, max: 599 }), percentage: fc.integer({ min: 1, max: 1_000_000 }).map((n) => n / 10000) }),
          onlyWithHeader: fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
        }, { requiredKeys: ['enabled', 'abort'] }),
      }, { requiredKeys: [] }),
    }).filter(({ options }) => options.port === undefined || options.adminPort === undefined || options.port !== options.adminPort)
      // An internal path may not hold the health path (refused at the call).
      .filter(({ options }) => !(options.internalPaths ?? []).some((p) => {
        const health = (options.healthPath ?? '/proxy-healthz').toLowerCase().replace(/\/+$/, '');
        return health === p || health.startsWith(`${p}/`);
      }))
      .filter(({ options }) => options.port !== 9901 || options.adminPort !== undefined);

    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    const bootstraps: Record<string, string> = {};
    for (const [i, { tls, kind, options }] of fc.sample(optionSets, { numRuns: 120, seed }).entries()) {
      const label = `seed ${seed} #${i} ${kind} tls=${tls} ${JSON.stringify(options)}`;
      Object.assign(bootstraps, envoyBootstraps(synthProxy(options, tls, kind), label));
    }
    expect(Object.keys(bootstraps).filter((label) => !label.includes(' SDS '))).toHaveLength(120);
    expect(failures(judge(bootstraps))).toEqual({});
  });
});

describe('Envoy\'s own API accepts the security options: response headers, removed request headers, faults, rate limit, internal paths', () => {
  const full: ProxyOptions = {
    responseHeaders: SecurityHeaders.recommended({ contentSecurityPolicy: "default-src 'self'", additionalHeaders: { 'Permissions-Policy': 'camera=()' } }),
    removeRequestHeaders: ['X-Forwarded-User', 'X-Forwarded-Email', 'X-Auth-Request-User'],
    faults: { enabled: true, delay: { duration: Duration.millis(250), percentage: 12.5 }, abort: { status: 503, percentage: 0.0001 }, onlyWithHeader: 'x-chaos' },
    rateLimit: { requestsPerSecond: 3, burst: 10 },
    internalPaths: ['/admin', '/-/Debug'],
  };

  test('each option alone and all together, with TLS and gRPC, with and without a body limit', () => {
    const bootstraps: Record<string, string> = {
      'headers, with tls (HSTS)': bootstrapOf({ responseHeaders: SecurityHeaders.recommended({ includeSubDomains: true }) }, true),
      'headers, frame any, custom': bootstrapOf({ responseHeaders: SecurityHeaders.recommended({ frameAncestors: FrameAncestors.ANY, referrerPolicy: 'no-referrer' }) }),
      'headers of()': bootstrapOf({ responseHeaders: SecurityHeaders.of({ 'X-Robots-Tag': 'noindex', 'Cache-Control': 'no-store' }) }),
      'removed headers': bootstrapOf({ removeRequestHeaders: ['X-Forwarded-User'] }),
      'delay only, 100%': bootstrapOf({ faults: { enabled: true, delay: { duration: Duration.hours(1), percentage: 100 } } }),
      'abort only, 200 and 599': bootstrapOf({ faults: { enabled: true, abort: { status: 599, percentage: 50 } } }),
      'abort 200': bootstrapOf({ faults: { enabled: true, abort: { status: 200, percentage: 50 } } }),
      'faults off': bootstrapOf({ faults: { enabled: false, abort: { status: 503, percentage: 50 } } }),
      'rate 1/s, burst 1': bootstrapOf({ rateLimit: { requestsPerSecond: 1, burst: 1 } }),
      'rate 1000000/s': bootstrapOf({ rateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 } }),
      'rate 7/s (fill interval 1/7 s)': bootstrapOf({ rateLimit: { requestsPerSecond: 7 } }),
      'internal paths': bootstrapOf({ internalPaths: ['/admin', '/a-b_c.d~e/F'] }),
      'all': bootstrapOf(full),
      'all, tls': bootstrapOf(full, true),
      'all, grpc, body limit': bootstrapOf({ ...full, upstreamProtocol: UpstreamProtocol.GRPC, maxRequestBodySize: Size.mebibytes(1) }),
      'all, no access logs, classic': bootstrapOf({ ...full, accessLogs: false, mode: SidecarMode.CLASSIC }),
    };
    expect(failures(judge(bootstraps))).toEqual({});
    // Not vacuous: the filters and routes are there.
    const all = parse(bootstraps.all);
    const hcm = all.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
    expect(hcm.http_filters.map((f: any) => f.name)).toEqual(['envoy.filters.http.local_ratelimit', 'envoy.filters.http.fault', 'envoy.filters.http.router']);
    expect(hcm.route_config.virtual_hosts[0].routes.map((r: any) => r.name)).toEqual(['proxy-health', 'encoded-unreserved', 'internal-1', 'internal-2', 'app']);
  });

  test('with withConfigSync\'s reload POST on the app\'s port, and in front of withAuthProxy', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withConfigSync(web, { source: ConfigSource.configMaps({ label: 'web-config' }), mountPath: '/etc/web', reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }) });
    const auth = withAuthProxy(web, {
      issuerUrl: 'https://issuer.example.com',
      clientId: 'web',
      clientSecret: { secret: kplus.Secret.fromSecretName(chart, 'oidc', 'oidc'), key: 'client-secret' },
      cookieSecret: { secret: kplus.Secret.fromSecretName(chart, 'cookie', 'cookie'), key: 'cookie-secret' },
      emailDomains: ['example.com'],
    });
    const proxy = withProxy(web, { target: auth, responseHeaders: SecurityHeaders.recommended() });
    expect(proxy.internalPaths).toEqual(['/-/reload']);
    const bootstraps = envoyBootstraps(synth(app).manifests, 'auth chain');
    expect(Object.keys(bootstraps)).toHaveLength(1);
    expect(failures(judge(bootstraps))).toEqual({});
    const hcm = parse(Object.values(bootstraps)[0]).static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
    const vhost = hcm.route_config.virtual_hosts[0];
    expect(vhost.request_headers_to_remove).toEqual(expect.arrayContaining(['x-forwarded-user', 'x-forwarded-email', 'x-auth-request-user']));
  });

  test('the validator refuses these parts broken: a fault status of 600, a percentage denominator misspelled, a token bucket never refilled, a path_separated_prefix ending in "/"', () => {
    const broken = (edit: (hcm: any) => void) => {
      const b = parse(bootstrapOf(full));
      edit(b.static_resources.listeners[0].filter_chains[0].filters[0].typed_config);
      return stringify(b);
    };
    const verdicts = judge({
      status: broken((hcm) => { hcm.http_filters[1].typed_config.abort.http_status = 600; }),
      denominator: broken((hcm) => { hcm.http_filters[1].typed_config.delay.percentage.denominator = 'MILLIONS'; }),
      bucket: broken((hcm) => { hcm.http_filters[0].typed_config.token_bucket.fill_interval = '0s'; }),
      prefix: broken((hcm) => { hcm.route_config.virtual_hosts[0].routes[2].match.path_separated_prefix = '/admin/'; }),
      regex: broken((hcm) => { hcm.route_config.virtual_hosts[0].routes[1].match.safe_regex.regex = ''; }),
      header: broken((hcm) => { hcm.route_config.virtual_hosts[0].response_headers_to_add[0].header.value = 'a\nb'; }),
    });
    expect(verdicts.status.errors).toEqual([expect.stringContaining('HttpStatus')]);
    expect(verdicts.denominator.errors).toEqual([expect.stringContaining('MILLIONS')]);
    expect(verdicts.bucket.errors).toEqual([expect.stringContaining('FillInterval')]);
    expect(verdicts.prefix.errors).toEqual([expect.stringContaining('PathSeparatedPrefix')]);
    expect(verdicts.regex.errors).toEqual([expect.stringContaining('Regex')]);
    expect(verdicts.header.errors).toEqual([expect.stringContaining('Value')]);
  });
});

describe('the validator rejects what Envoy rejects (so a pass means something)', () => {
  /** The TLS bootstrap with a body limit, as an object to break. */
  function sound(): any {
    return parse(bootstrapOf({ maxRequestBodySize: Size.mebibytes(1) }, true));
  }
  const hcmOf = (b: any) => b.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  /** Envoy's verdict on each broken bootstrap, written back as YAML. */
  const judgeAll = (broken: Record<string, unknown>) => judge(Object.fromEntries(Object.entries(broken).map(([k, v]) => [k, stringify(v)])));

  test('the sound bootstrap passes', () => {
    expect(failures(judge({ sound: stringify(sound()) }))).toEqual({});
  });

  test('fails when a field is misspelled, at the top, in a listener, and inside a typed config', () => {
    const top = sound();
    top.static_resource = top.static_resources;
    delete top.static_resources;
    const listener = sound();
    listener.static_resources.listeners[0].per_connection_buffer_limit = 32768;
    const typed = sound();
    hcmOf(typed).stat_prefx = hcmOf(typed).stat_prefix;
    delete hcmOf(typed).stat_prefix;
    const verdicts = judgeAll({ top, listener, typed });
    expect(verdicts.top.errors).toEqual([expect.stringContaining('unknown field "static_resource"')]);
    expect(verdicts.listener.errors).toEqual([expect.stringContaining('unknown field "per_connection_buffer_limit"')]);
    expect(verdicts.typed.errors).toEqual([expect.stringContaining('unknown field "stat_prefx"')]);
  });

  test('fails when an @type names no message of Envoy\'s API (a v2 name, a typo)', () => {
    const v2 = sound();
    hcmOf(v2).http_filters.at(-1).typed_config['@type'] = 'type.googleapis.com/envoy.config.filter.http.router.v2.Router';
    const typo = sound();
    typo.static_resources.listeners[0].filter_chains[0].transport_socket.typed_config['@type'] = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTLSContext';
    const verdicts = judgeAll({ v2, typo });
    expect(verdicts.v2.errors).toEqual([expect.stringContaining('unable to resolve "type.googleapis.com/envoy.config.filter.http.router.v2.Router"')]);
    expect(verdicts.typo.errors).toEqual([expect.stringContaining('unable to resolve "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTLSContext"')]);
  });

  test('fails when a required field is missing or empty: stat_prefix, cluster_name, a route\'s action, the buffer limit', () => {
    const statPrefix = sound();
    delete hcmOf(statPrefix).stat_prefix;
    const clusterName = sound();
    delete clusterName.static_resources.clusters[0].load_assignment.cluster_name;
    const action = sound();
    delete hcmOf(action).route_config.virtual_hosts[0].routes[1].route;
    const buffer = sound();
    hcmOf(buffer).http_filters[0].typed_config.max_request_bytes = 0;
    const verdicts = judgeAll({ statPrefix, clusterName, action, buffer });
    expect(verdicts.statPrefix.errors).toEqual([expect.stringContaining('HttpConnectionManager.StatPrefix: value length must be at least 1 runes')]);
    expect(verdicts.clusterName.errors).toEqual([expect.stringContaining('ClusterLoadAssignment.ClusterName: value length must be at least 1 runes')]);
    expect(verdicts.action.errors).toEqual([expect.stringContaining('Route.Action: value is required')]);
    expect(verdicts.buffer.errors).toEqual([expect.stringContaining('Buffer.MaxRequestBytes: value must be greater than 0')]);
    for (const verdict of Object.values(verdicts)) expect(verdict.valid).toBe(false);
  });

  test('fails on values out of range: a port above 65535, a status of 199, a negative timeout, a duration without unit, a bad enum', () => {
    const port = sound();
    port.static_resources.listeners[0].address.socket_address.port_value = 70000;
    const status = sound();
    hcmOf(status).route_config.virtual_hosts[0].routes[0].direct_response.status = 199; // the hand-built table had allowed 100-599
    const timeout = sound();
    timeout.static_resources.clusters[0].connect_timeout = '-1s';
    const unit = sound();
    unit.static_resources.clusters[0].connect_timeout = '5';
    const codec = sound();
    hcmOf(codec).codec_type = 'HTTP4';
    const verdicts = judgeAll({ port, status, timeout, unit, codec });
    expect(verdicts.port.errors).toEqual([expect.stringContaining('SocketAddress.PortValue: value must be less than or equal to 65535')]);
    expect(verdicts.status.errors).toEqual([expect.stringContaining('DirectResponseAction.Status: value must be inside range [200, 600)')]);
    expect(verdicts.timeout.errors).toEqual([expect.stringContaining('Cluster.ConnectTimeout: value must be greater than 0s')]);
    expect(verdicts.unit.errors).toEqual([expect.stringContaining('invalid google.protobuf.Duration value "5"')]);
    expect(verdicts.codec.errors).toEqual([expect.stringContaining('invalid value for enum field codecType: "HTTP4"')]);
  });

  test('fails when the certificate\'s SDS Secret has a misspelled field, or the connection limit is 0', () => {
    const manifests = synthProxy({}, true);
    const [sdsLabel, sdsBootstrap] = Object.entries(envoyBootstraps(manifests, '')).find(([label]) => label.includes(' SDS '))!;
    expect(sdsLabel).toContain('SDS /etc/proxy/config/tls-certificate.yaml');
    const misspelled = parse(sdsBootstrap);
    misspelled.static_resources.secrets[0].tls_certificate.watched_dir = misspelled.static_resources.secrets[0].tls_certificate.watched_directory;
    const connections = sound();
    connections.overload_manager.resource_monitors[1].typed_config.max_active_downstream_connections = 0;
    const verdicts = judgeAll({ misspelled, connections });
    expect(verdicts.misspelled.errors).toEqual([expect.stringContaining('unknown field "watched_dir"')]);
    expect(verdicts.connections.errors).toEqual([expect.stringContaining('DownstreamConnectionsConfig.MaxActiveDownstreamConnections: value must be greater than 0')]);
  });

  test('lists a deprecated field (Envoy warns, and refuses it once it is removed)', () => {
    const deprecated = sound();
    // Cluster.max_requests_per_connection: deprecated for HttpProtocolOptions.max_requests_per_connection.
    deprecated.static_resources.clusters[0].max_requests_per_connection = 100;
    const verdict = judge({ deprecated: stringify(deprecated) }).deprecated;
    expect(verdict.valid).toBe(true);
    expect(verdict.deprecated).toEqual(['/static_resources/clusters/0/max_requests_per_connection (envoy.config.cluster.v3.Cluster.max_requests_per_connection)']);
  });
});

describe('findings of Envoy\'s API in what withProxy accepts', () => {
  /**
   * Found by this suite: a protobuf Duration ends at 315,576,000,000 s (10,000 years,
   * google/protobuf/duration.proto), and Envoy refused a longer timeout only when the pod
   * started (`google.protobuf.Duration value out of range: "630720000000s"`). withProxy now
   * refuses it at the call.
   */
  test('withProxy refuses a timeout beyond protobuf\'s Duration range (20,000 years), or Envoy accepts it', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    let config: string | undefined;
    try {
      config = withProxy(web, { requestTimeout: Duration.days(20_000 * 365) }).config;
    } catch (e) {
      expect((e as Error).message).toContain('requestTimeout');
      return;
    }
    expect(failures(judge({ '20,000 years': config }))).toEqual({});
  });
});
