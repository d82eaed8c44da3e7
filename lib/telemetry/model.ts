/**
 * The options of `withTelemetry`, checked and normalized into what the collector's configuration
 * needs: ports, parsed endpoints, memory limits in MiB, and every value either literal or an
 * environment variable of the collector (from the downward API or a Secret). Everything wrong
 * by itself is refused here, at the call, with the fix.
 */
import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import {
  TelemetryCa, TelemetryCompression, TelemetryDebugVerbosity, TelemetryExporter, TelemetrySignal,
} from './exporter';
import { TelemetryBatch, TelemetryMemoryLimit, TelemetryOptions, TelemetryProtocol } from './options';
import { TelemetrySelfMetrics, TelemetrySelfMetricsSpec, TelemetrySource } from './source';
import { kplus } from '../engine/kplus';
import { Fail } from '../engine/pod-facts';
import { hasControlCharacter, portNumberProblem, quote } from '../engine/validation/syntax';

/** Where the collector finds what it needs, inside its container. */
export const PATHS = {
  /** The ConfigMap with config.yaml. */
  config: '/etc/otelcol',
  /** One folder per exporter with a CA, holding `ca.crt`. */
  tls: '/etc/otelcol-tls',
} as const;

/** The environment variables of the collector that hold the pod's values (downward API). */
export const POD_ENV = {
  'k8s.pod.name': { env: 'K8S_POD_NAME', fieldPath: 'metadata.name' },
  'k8s.namespace.name': { env: 'K8S_NAMESPACE_NAME', fieldPath: 'metadata.namespace' },
  'k8s.node.name': { env: 'K8S_NODE_NAME', fieldPath: 'spec.nodeName' },
  'k8s.pod.uid': { env: 'K8S_POD_UID', fieldPath: 'metadata.uid' },
} as const;

/**
 * The variables the app containers get for `OTEL_RESOURCE_ATTRIBUTES`, named as the
 * OpenTelemetry Operator names them when it injects an SDK
 * (open-telemetry/opentelemetry-operator pkg/constants: `OTEL_RESOURCE_ATTRIBUTES_POD_NAME`, …).
 */
export const APP_POD_ENV = {
  'k8s.pod.name': { env: 'OTEL_RESOURCE_ATTRIBUTES_POD_NAME', fieldPath: 'metadata.name' },
  'k8s.namespace.name': { env: 'OTEL_RESOURCE_ATTRIBUTES_NAMESPACE', fieldPath: 'metadata.namespace' },
  'k8s.node.name': { env: 'OTEL_RESOURCE_ATTRIBUTES_NODE_NAME', fieldPath: 'spec.nodeName' },
  'k8s.pod.uid': { env: 'OTEL_RESOURCE_ATTRIBUTES_POD_UID', fieldPath: 'metadata.uid' },
} as const;

/** A value in the configuration: literal, or an environment variable of the collector (`${env:NAME}`). */
export type Ref =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'env'; readonly env: string; readonly prefix?: string };

/** A credential from a Secret, as an environment variable of the collector. */
export interface CredentialItem {
  readonly env: string;
  readonly value: kplus.SecretValue;
}

/** A CA mounted for one exporter. */
export interface CaMount {
  readonly exporterId: string;
  readonly ca: TelemetryCa;
  readonly dir: string;
  readonly file: string;
}

interface NetworkExporterModel {
  readonly id: string;
  readonly signals: readonly TelemetrySignal[];
  readonly headers: ReadonlyArray<[string, Ref]>;
  readonly caFile?: string;
}

export type ExporterModel =
  | (NetworkExporterModel & { readonly kind: 'otlp_grpc'; readonly endpoint: string; readonly insecure: boolean; readonly compression: TelemetryCompression })
  | (NetworkExporterModel & { readonly kind: 'otlp_http'; readonly endpoint: string; readonly compression: TelemetryCompression })
  | (NetworkExporterModel & {
    readonly kind: 'prometheus_remote_write';
    readonly endpoint: string;
    readonly externalLabels: ReadonlyArray<[string, string]>;
    readonly resourceToTelemetry: boolean;
  })
  | { readonly kind: 'debug'; readonly id: string; readonly signals: readonly TelemetrySignal[]; readonly verbosity: TelemetryDebugVerbosity };

/** One Prometheus scrape of the app. */
export interface ScrapeModel {
  readonly job: string;
  readonly port: number;
  readonly path: string;
  /** Prometheus durations (`30s`, `1500ms`). */
  readonly interval: string;
  readonly timeout: string;
}

/** Everything the renderer needs, and everything the plan mounts. */
export interface CollectorModel {
  readonly otlpGrpcPort: number;
  readonly otlpHttpPort: number;
  readonly healthPort: number;
  readonly selfMetrics: TelemetrySelfMetricsSpec;
  readonly memory: { readonly limitMib: number; readonly spikeLimitMib: number; readonly checkInterval: string };
  /** `GOMEMLIMIT`, in MiB. */
  readonly goMemLimitMib: number;
  readonly batch: { readonly size: number; readonly maxSize?: number; readonly timeout: string };
  /** Attributes the resource processor inserts (when absent) into every signal. */
  readonly resourceAttributes: ReadonlyArray<[string, Ref]>;
  readonly scrapes: readonly ScrapeModel[];
  readonly exporters: readonly ExporterModel[];
  /** Per signal with at least one exporter, the ids of its exporters. */
  readonly pipelines: ReadonlyArray<[TelemetrySignal, readonly string[]]>;
  readonly credentials: readonly CredentialItem[];
  readonly cas: readonly CaMount[];
}

/** What the caller knows that the options do not say. */
export interface ModelContext {
  /** The app's TCP ports, for the scrape sources: number to the containers that declare it. */
  readonly appPorts: ReadonlyMap<number, readonly string[]>;
  /** `"app" declares 8080, 9090`, for messages. */
  readonly describeAppPorts: string;
  /** The collector container's memory limit, in MiB (undefined: none). */
  readonly memoryLimitMib?: number;
  /** `service.name`, already resolved. */
  readonly serviceName: string;
  /** The workload's `k8s.<kind>.name` attribute and value, when it has one. */
  readonly workloadAttribute?: readonly [string, string];
}

/** A value every part of the path takes verbatim: no quoting, separator, `$` or `%`. */
export const SAFE_VALUE = /^[A-Za-z0-9_.:/@+-]{1,253}$/;
export const SAFE_VALUE_TEXT = 'letters, digits and _ . : / @ + - (1 to 253 characters)';
const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
const PROMETHEUS_LABEL = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
/** Header names whose value is a credential: it must come from a Secret. */
const CREDENTIAL_HEADER = /^authorization$|^proxy-authorization$|api-?key|token|secret|passw|credential|(^|-)key$|^cookie$/i;
/** A literal header value: printable ASCII without `$` (the collector expands `${...}` in every string). */
const HEADER_VALUE = /^[\x20-\x23\x25-\x7e]{1,1024}$/;
const SCRAPE_PATH = /^\/[A-Za-z0-9_.~/-]*$/;
const ALL_SIGNALS: readonly TelemetrySignal[] = [TelemetrySignal.TRACES, TelemetrySignal.METRICS, TelemetrySignal.LOGS];
/** The limit a collector's heap stays below its container's, by the memory limiter's README ("about 50MiB higher"). */
export const PROCESS_OVERHEAD_MIB = 50;
const MIN_LIMIT_MIB = 32;

/**
 * Checks the options and builds the model. Throws through `fail` (`<problem>; <fix>`) on input that is
 * wrong by itself or against the pod's declared ports.
 */
export function buildModel(fail: Fail, options: TelemetryOptions, context: ModelContext): CollectorModel {

  // --- ports ---
  const port = (option: string, given: number | undefined, fallback: number): number => {
    const value = given ?? fallback;
    const problem = portNumberProblem(value);
    if (problem) fail(`${option} ${quote(value)} ${problem}`);
    return value;
  };
  const otlpGrpcPort = port('otlpGrpcPort', options.otlpGrpcPort, 4317);
  const otlpHttpPort = port('otlpHttpPort', options.otlpHttpPort, 4318);
  const healthPort = port('healthPort', options.healthPort, 13133);
  const selfMetricsOption = options.selfMetrics ?? TelemetrySelfMetrics.local();
  if (!(selfMetricsOption instanceof TelemetrySelfMetrics)) {
    fail('selfMetrics must be TelemetrySelfMetrics.local(), .exposed() or .off()');
  }
  const selfMetrics = selfMetricsOption.spec;
  const ports: Array<[string, number]> = [['otlpGrpcPort', otlpGrpcPort], ['otlpHttpPort', otlpHttpPort], ['healthPort', healthPort]];
  if (selfMetrics.kind !== 'off') ports.push([`selfMetrics (${selfMetrics.kind})`, port('selfMetrics port', selfMetrics.port, 8888)]);
  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      if (ports[i][1] === ports[j][1]) {
        fail(`${ports[i][0]} and ${ports[j][0]} are both ${ports[i][1]}; the collector listens on each, so give them different ports`);
      }
    }
  }

  // --- memory limiter, batch ---
  const memory = memoryModel(fail, options.memoryLimit, context.memoryLimitMib);
  const batch = batchModel(fail, options.batch);

  // --- resource attributes ---
  const resourceAttributes: Array<[string, Ref]> = Object.entries(POD_ENV).map(([key, item]) => [key, { kind: 'env', env: item.env }]);
  if (context.workloadAttribute) resourceAttributes.push([context.workloadAttribute[0], { kind: 'literal', value: context.workloadAttribute[1] }]);
  for (const [key, value] of Object.entries(options.resourceAttributes ?? {})) {
    if (!ATTRIBUTE_NAME.test(key)) fail(`resourceAttributes: ${quote(key)} is not an attribute name; use letters, digits, "_", "." and "-", starting with a letter or "_"`);
    if (key === 'service.name') fail('resourceAttributes: "service.name" is set by serviceName; pass serviceName instead');
    if (resourceAttributes.some(([k]) => k === key)) fail(`resourceAttributes: ${quote(key)} is set from the pod by withTelemetry; remove it`);
    if (typeof value !== 'string' || !SAFE_VALUE.test(value)) {
      fail(`resourceAttributes: ${quote(key)} has the value ${quote(value)}; values may hold ${SAFE_VALUE_TEXT}, which OTEL_RESOURCE_ATTRIBUTES and the collector take verbatim`);
    }
    resourceAttributes.push([key, { kind: 'literal', value }]);
  }

  // --- sources ---
  const scrapes = (options.sources ?? []).map((source, index) => scrapeModel(fail, source, index, context));
  const jobs = new Set<string>();
  for (const scrape of scrapes) {
    if (jobs.has(scrape.job)) fail(`two sources scrape as the job ${quote(scrape.job)}; give each its own job (Prometheus refuses a job name twice)`);
    jobs.add(scrape.job);
  }

  // --- exporters ---
  const credentials: CredentialItem[] = [];
  const cas: CaMount[] = [];
  const exporterList = options.exporters ?? [TelemetryExporter.debug()];
  if (!Array.isArray(exporterList) || exporterList.length === 0) {
    fail('exporters is empty; give at least one, for example [TelemetryExporter.otlp({ endpoint: "http://gateway.observability:4317" })]');
  }
  const exporters = exporterList.map((exporter, index) => exporterModel(fail, exporter, index, credentials, cas));

  // --- pipelines ---
  const pipelines: Array<[TelemetrySignal, string[]]> = [];
  for (const signal of ALL_SIGNALS) {
    const ids = exporters.filter((e) => e.signals.includes(signal)).map((e) => e.id);
    if (ids.length > 0) pipelines.push([signal, ids]);
  }
  if (scrapes.length > 0 && !pipelines.some(([signal]) => signal === TelemetrySignal.METRICS)) {
    fail('sources scrape metrics, but no exporter takes metrics; add one (TelemetryExporter.prometheusRemoteWrite, or an OTLP exporter with TelemetrySignal.METRICS)');
  }

  return {
    otlpGrpcPort,
    otlpHttpPort,
    healthPort,
    selfMetrics,
    memory: { limitMib: memory.limitMib, spikeLimitMib: memory.spikeLimitMib, checkInterval: memory.checkInterval },
    goMemLimitMib: Math.floor(memory.limitMib * 0.8),
    batch,
    resourceAttributes,
    scrapes,
    exporters,
    pipelines,
    credentials,
    cas,
  };
}

/** The app's OTLP endpoint and protocol, for `OTEL_EXPORTER_OTLP_ENDPOINT` / `_PROTOCOL`. */
export function appEndpoint(model: CollectorModel, protocol: TelemetryProtocol): string {
  // 127.0.0.1, not localhost: the receivers bind IPv4 loopback, and an SDK that resolves
  // localhost to ::1 first would find nothing there.
  return protocol === TelemetryProtocol.GRPC ? `http://127.0.0.1:${model.otlpGrpcPort}` : `http://127.0.0.1:${model.otlpHttpPort}`;
}

function memoryModel(fail: (p: string) => never, given: TelemetryMemoryLimit | undefined, containerMib: number | undefined) {
  if (containerMib === undefined) {
    return fail('the collector container has no memory limit, which its memory limiter and GOMEMLIMIT are sized from; '
      + 'give resources.memory a limit, for example { request: Size.mebibytes(128), limit: Size.mebibytes(512) }');
  }
  const mib = (option: string, size: Size): number => {
    const value = size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    if (!Number.isFinite(value) || value <= 0 || !Number.isInteger(value)) fail(`${option} must be a positive whole number of MiB`);
    return value;
  };
  // The memory limiter's README: the process uses "about 50MiB higher" than limit_mib, and
  // the limit is best 80% of what the container may use (as the Helm chart's limit_percentage: 80).
  const ceiling = containerMib - PROCESS_OVERHEAD_MIB;
  let limitMib: number;
  if (given?.limit !== undefined) {
    limitMib = mib('memoryLimit.limit', given.limit);
    if (limitMib > ceiling) {
      fail(`memoryLimit.limit is ${limitMib}MiB, but the container's memory limit is ${containerMib}MiB and the collector's process uses about `
        + `${PROCESS_OVERHEAD_MIB}MiB beyond its heap: give at most ${Math.max(ceiling, 0)}MiB, or raise resources.memory.limit to ${limitMib + PROCESS_OVERHEAD_MIB}Mi or more`);
    }
  } else {
    limitMib = Math.min(Math.floor(containerMib * 0.8), ceiling);
  }
  if (limitMib < MIN_LIMIT_MIB) {
    fail(`the collector's memory limit would be ${limitMib}MiB (from a container limit of ${containerMib}MiB), too little to run it; `
      + `give resources.memory a limit of ${MIN_LIMIT_MIB + PROCESS_OVERHEAD_MIB}Mi or more (128Mi or more is advised)`);
  }
  const spikeLimitMib = given?.spikeLimit !== undefined ? mib('memoryLimit.spikeLimit', given.spikeLimit) : Math.floor(limitMib * 0.2);
  if (spikeLimitMib >= limitMib) {
    fail(`memoryLimit.spikeLimit is ${spikeLimitMib}MiB, not less than the limit ${limitMib}MiB; the collector refuses data above limit - spikeLimit, `
      + `so give a spikeLimit below it (about 20% of the limit: ${Math.floor(limitMib * 0.2)}MiB)`);
  }
  const checkInterval = goDuration(fail, 'memoryLimit.checkInterval', given?.checkInterval ?? Duration.seconds(1));
  return { limitMib, spikeLimitMib, checkInterval };
}

function batchModel(fail: (p: string) => never, given: TelemetryBatch | undefined): CollectorModel['batch'] {
  const size = given?.size ?? 8192;
  if (!Number.isInteger(size) || size < 1) fail(`batch.size ${size} must be a whole number of items, at least 1`);
  const maxSize = given?.maxSize;
  if (maxSize !== undefined) {
    if (!Number.isInteger(maxSize) || maxSize < 1) fail(`batch.maxSize ${maxSize} must be a whole number of items, at least 1`);
    if (maxSize < size) {
      fail(`batch.maxSize ${maxSize} is smaller than batch.size ${size}; the batch processor refuses that: give a maxSize of ${size} or more, or a smaller size`);
    }
  }
  const timeout = goDuration(fail, 'batch.timeout', given?.timeout ?? Duration.millis(200));
  return { size, maxSize, timeout };
}

function scrapeModel(fail: (p: string) => never, source: TelemetrySource, index: number, context: ModelContext): ScrapeModel {
  if (!(source instanceof TelemetrySource)) fail(`sources[${index}] is not a TelemetrySource; make it with TelemetrySource.prometheus({ port })`);
  const o = source.spec.options;
  const what = `sources[${index}] (prometheus)`;
  const problem = portNumberProblem(o.port);
  if (problem) fail(`${what}: port ${quote(o.port)} ${problem}`);
  if (!context.appPorts.has(o.port)) {
    fail(`${what}: port ${o.port} is not a TCP port of the app (${context.describeAppPorts || 'the app containers declare none'}); `
      + 'declare the metrics port on the app container (portNumber or ports), or give the port it declares');
  }
  const path = o.path ?? '/metrics';
  if (typeof path !== 'string' || !SCRAPE_PATH.test(path)) {
    fail(`${what}: path ${quote(path)} must start with "/" and hold letters, digits and _ . ~ / - only`);
  }
  const intervalMs = (o.interval ?? Duration.seconds(30)).toMilliseconds();
  if (!Number.isInteger(intervalMs) || intervalMs < 1000) {
    fail(`${what}: interval ${(o.interval ?? Duration.seconds(30)).toHumanString()} is shorter than a second; give Duration.seconds(1) or more`);
  }
  const job = o.job ?? context.serviceName;
  if (typeof job !== 'string' || !SAFE_VALUE.test(job)) fail(`${what}: job ${quote(job)} may hold ${SAFE_VALUE_TEXT} only`);
  return { job, port: o.port, path, interval: promDuration(intervalMs), timeout: promDuration(Math.min(intervalMs, 10_000)) };
}

function exporterModel(
  fail: (p: string) => never, exporter: TelemetryExporter, index: number, credentials: CredentialItem[], cas: CaMount[],
): ExporterModel {
  if (!(exporter instanceof TelemetryExporter)) {
    fail(`exporters[${index}] is not a TelemetryExporter; make it with TelemetryExporter.otlp(), .otlpHttp(), .prometheusRemoteWrite() or .debug()`);
  }
  const spec = exporter.spec;
  const id = `${spec.kind}/${index}`;
  const what = `exporters[${index}] (${spec.kind})`;
  const envBase = `OTELCOL_EXPORTER_${index}`;

  const signals = (given: TelemetrySignal[] | undefined, allowed: readonly TelemetrySignal[]): TelemetrySignal[] => {
    const list = given ?? [...allowed];
    if (!Array.isArray(list) || list.length === 0) fail(`${what}: signals is empty; name at least one TelemetrySignal, or leave it out for all`);
    for (const s of list) {
      if (!allowed.includes(s)) fail(`${what}: signal ${quote(s)} is not one it can send (${allowed.join(', ')})`);
    }
    return ALL_SIGNALS.filter((s) => list.includes(s));
  };
  const credential = (option: string, env: string, value: kplus.SecretValue): Ref => {
    if (typeof value !== 'object' || value === null || typeof value.key !== 'string' || typeof value.secret?.name !== 'string') {
      fail(`${what}: ${option} must be a kplus.SecretValue ({ secret, key }), so that the credential never lands in a ConfigMap or a literal environment variable`);
    }
    if (!SECRET_KEY.test(value.key)) fail(`${what}: ${option}: ${quote(value.key)} is not a Secret key (letters, digits, "-", "_" and "." only)`);
    credentials.push({ env, value });
    return { kind: 'env', env };
  };
  type NetworkOptions = { headers?: Record<string, string | kplus.SecretValue>; bearerToken?: kplus.SecretValue; ca?: TelemetryCa };
  const network = (o: NetworkOptions, scheme: string) => {
    const headers: Array<[string, Ref]> = [];
    const seen = new Set<string>();
    for (const [name, value] of Object.entries(o.headers ?? {})) {
      if (!HEADER_NAME.test(name)) fail(`${what}: header name ${quote(name)} may hold letters, digits and "-" only`);
      const lower = name.toLowerCase();
      if (seen.has(lower)) fail(`${what}: header ${quote(name)} is given twice (header names ignore case)`);
      seen.add(lower);
      if (lower === 'authorization' && o.bearerToken !== undefined) fail(`${what}: header ${quote(name)} and bearerToken both set Authorization; give one`);
      if (['content-type', 'content-length', 'content-encoding', 'host'].includes(lower)) fail(`${what}: header ${quote(name)} is set by the exporter; remove it`);
      if (typeof value === 'string') {
        if (CREDENTIAL_HEADER.test(name)) {
          fail(`${what}: header ${quote(name)} carries a credential, but its value is a literal string, which would land in the ConfigMap; `
            + 'pass it as a kplus.SecretValue ({ secret, key })');
        }
        if (!HEADER_VALUE.test(value)) {
          fail(`${what}: header ${quote(name)} has the value ${quote(value)}; a literal value is printable ASCII without "$" `
            + '(the collector would expand ${...}); put anything else in a Secret');
        }
        headers.push([name, { kind: 'literal', value }]);
      } else {
        headers.push([name, credential(`header ${quote(name)}`, `${envBase}_${name.toUpperCase().replace(/-/g, '_')}`, value)]);
      }
    }
    if (o.bearerToken !== undefined) {
      const ref = credential('bearerToken', `${envBase}_BEARER_TOKEN`, o.bearerToken) as Extract<Ref, { kind: 'env' }>;
      headers.push(['Authorization', { ...ref, prefix: 'Bearer ' }]);
    }
    let caFile: string | undefined;
    if (o.ca !== undefined) {
      if (!(o.ca instanceof TelemetryCa)) fail(`${what}: ca must be a TelemetryCa (TelemetryCa.fromConfigMap or TelemetryCa.fromSecret)`);
      if (scheme !== 'https') fail(`${what}: a ca is given but the endpoint is not https; use an https endpoint, or drop the ca`);
      if (!SECRET_KEY.test(o.ca.source.key)) fail(`${what}: the ca key ${quote(o.ca.source.key)} is not a ConfigMap or Secret key`);
      const dir = `${PATHS.tls}/${index}`;
      caFile = `${dir}/ca.crt`;
      cas.push({ exporterId: id, ca: o.ca, dir, file: caFile });
    }
    return { headers, caFile };
  };
  const compression = (given: TelemetryCompression | undefined): TelemetryCompression => {
    const value = given ?? TelemetryCompression.GZIP;
    if (!Object.values(TelemetryCompression).includes(value)) fail(`${what}: compression ${quote(String(value))} is not a TelemetryCompression`);
    return value;
  };

  switch (spec.kind) {
    case 'otlp_grpc': {
      const o = spec.options;
      const url = parseUrl(fail, what, 'endpoint', o.endpoint);
      if (url.parsed.port === '') {
        fail(`${what}: endpoint ${quote(o.endpoint)} has no port; gRPC has no default port to fall back on: give it, for example "${url.scheme}://${url.parsed.hostname}:4317"`);
      }
      if (url.parsed.pathname !== '/' || url.parsed.search) {
        fail(`${what}: endpoint ${quote(o.endpoint)} has a path or query, which gRPC cannot carry; give scheme, host and port only`);
      }
      const { headers, caFile } = network(o, url.scheme);
      return {
        kind: 'otlp_grpc',
        id,
        signals: signals(o.signals, ALL_SIGNALS),
        headers,
        caFile,
        endpoint: `${url.parsed.hostname}:${url.parsed.port}`,
        insecure: url.scheme === 'http',
        compression: compression(o.compression),
      };
    }
    case 'otlp_http': {
      const o = spec.options;
      const url = parseUrl(fail, what, 'endpoint', o.endpoint);
      if (/\/v1\/(traces|metrics|logs)\/?$/.test(url.parsed.pathname)) {
        fail(`${what}: endpoint ${quote(o.endpoint)} ends in a signal's path, which the exporter appends itself; give the base URL, `
          + `for example "${url.parsed.origin}${url.parsed.pathname.replace(/\/v1\/(traces|metrics|logs)\/?$/, '')}"`);
      }
      if (url.parsed.search) fail(`${what}: endpoint ${quote(o.endpoint)} has a query string; remove it`);
      const { headers, caFile } = network(o, url.scheme);
      return {
        kind: 'otlp_http',
        id,
        signals: signals(o.signals, ALL_SIGNALS),
        headers,
        caFile,
        endpoint: `${url.parsed.origin}${url.parsed.pathname.replace(/\/+$/, '')}`,
        compression: compression(o.compression),
      };
    }
    case 'prometheus_remote_write': {
      const o = spec.options;
      const url = parseUrl(fail, what, 'url', o.url);
      const { headers, caFile } = network(o, url.scheme);
      const externalLabels = Object.entries(o.externalLabels ?? {}).map(([name, value]): [string, string] => {
        if (!PROMETHEUS_LABEL.test(name) || name.startsWith('__')) fail(`${what}: external label ${quote(name)} is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__")`);
        if (typeof value !== 'string' || !SAFE_VALUE.test(value)) fail(`${what}: external label ${quote(name)} has the value ${quote(value)}; values may hold ${SAFE_VALUE_TEXT}`);
        return [name, value];
      });
      return {
        kind: 'prometheus_remote_write',
        id,
        signals: [TelemetrySignal.METRICS],
        headers,
        caFile,
        endpoint: `${url.parsed.origin}${url.parsed.pathname}${url.parsed.search}`,
        externalLabels,
        resourceToTelemetry: o.resourceToTelemetryConversion ?? false,
      };
    }
    case 'debug': {
      const o = spec.options;
      const verbosity = o.verbosity ?? TelemetryDebugVerbosity.BASIC;
      if (!Object.values(TelemetryDebugVerbosity).includes(verbosity)) fail(`${what}: verbosity ${quote(String(verbosity))} is not a TelemetryDebugVerbosity`);
      return { kind: 'debug', id, signals: signals(o.signals, ALL_SIGNALS), verbosity };
    }
  }
}

/** An http(s) URL, checked: scheme, no credentials, no fragment, nothing the configuration would misread. */
function parseUrl(fail: (p: string) => never, what: string, option: string, url: string): { scheme: 'http' | 'https'; parsed: URL } {
  if (typeof url !== 'string') return fail(`${what}: ${option} must be a string`);
  if (hasControlCharacter(url)) fail(`${what}: ${option} ${quote(url)} holds a control character or NUL, which a URL parser drops or percent-encodes without a word; remove it`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(`${what}: ${option} ${quote(url)} does not parse as a URL; give an absolute URL such as "https://otlp.example.com:4317"`);
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') {
    fail(`${what}: ${option} ${quote(url)} has the scheme ${quote(scheme)}; the exporter takes http (plaintext) or https (TLS) only: `
      + `write "https://${parsed.host || 'host:port'}${parsed.pathname === '/' ? '' : parsed.pathname}"`);
  }
  if (parsed.username || parsed.password) {
    fail(`${what}: ${option} ${quote(url)} holds credentials, which would be written into a ConfigMap; remove them and pass bearerToken or headers from a Secret`);
  }
  if (parsed.hash) fail(`${what}: ${option} ${quote(url)} has a fragment; remove it`);
  if (parsed.hostname === '') fail(`${what}: ${option} ${quote(url)} has no host`);
  if (/[\s"'`$\\{}%]/.test(decodeURIComponent(parsed.pathname) + parsed.search)) {
    fail(`${what}: ${option} ${quote(url)} has a path or query the configuration cannot carry verbatim (spaces, quotes, "$", "%", braces)`);
  }
  return { scheme, parsed };
}

/** A Go duration (`1s`, `200ms`), as the collector reads them. */
function goDuration(fail: (p: string) => never, option: string, duration: Duration): string {
  const ms = duration.toMilliseconds();
  if (!Number.isInteger(ms) || ms < 1) fail(`${option} ${duration.toHumanString()} must be a whole number of milliseconds, at least 1`);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A Prometheus duration (`30s`, `1500ms`). */
function promDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
