/**
 * The options of `withLogShipper`, checked and normalized into what both renderers need: paths,
 * parsed URLs, and every value either literal, from the pod (downward API) or from a Secret.
 * Everything that is wrong by itself is refused here, at the call, with the fix.
 */
import { Size } from 'cdk8s';
import { LogBufferSpec, LogShipperEngine } from './engine';
import { LogMetadata } from './metadata';
import { LogShipperOptions } from './options';
import { LogOutput, TlsCa } from './output';
import { LogMultilineSpec, LogParserSpec } from './parsing';
import { kplus } from '../engine/kplus';
import { Fail } from '../engine/pod-facts';
import { hasControlCharacter, mountPathProblem, normalizePath, quote } from '../engine/validation/syntax';

/** Where the shipper finds what it needs, inside its container. */
export const PATHS = {
  /** The ConfigMap with the engine's configuration file. */
  config: '/etc/log-shipper',
  /** The writable state emptyDir: tail offsets or checkpoints, filesystem buffers, S3 staging. */
  state: '/var/lib/log-shipper',
  /** Credentials as files (Vector's `directory` secrets backend). */
  credentials: '/etc/log-shipper-credentials',
  /** The pod's downward-API values as files (Vector's `directory` secrets backend). */
  podInfo: '/etc/log-shipper-pod-info',
  /** One folder per output with a CA, holding `ca.crt`. */
  tls: '/etc/log-shipper-tls',
} as const;

const RESERVED_PATHS: readonly string[] = Object.values(PATHS);

/** A value of the pod, read through the downward API. */
export interface PodItem {
  /** File name (Vector) and `SECRET[pod_info.<id>]` key; word characters only. */
  readonly id: string;
  /** The environment variable Fluent Bit reads it from. */
  readonly envName: string;
  readonly fieldPath: string;
  readonly labelKey?: string;
}

/** A credential from a Secret. */
export interface CredentialItem {
  /** File name (Vector) and `SECRET[credentials.<id>]` key; word characters only. */
  readonly id: string;
  /** The environment variable Fluent Bit reads it from. */
  readonly envName: string;
  readonly value: kplus.SecretValue;
}

/** A value in the configuration: literal, from the pod, or from a Secret. */
export type Ref =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'pod'; readonly item: PodItem }
  | { readonly kind: 'credential'; readonly item: CredentialItem };

/** A CA mounted for one output. */
export interface CaMount {
  readonly outputId: string;
  readonly ca: TlsCa;
  /** The folder it is mounted at. */
  readonly dir: string;
  /** The file to point the engine at. */
  readonly file: string;
}

/** An HTTP(S) endpoint, taken apart. */
export interface Endpoint {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  /** The path (percent-encoded as the URL had it), without a trailing slash; '' for none. */
  readonly path: string;
  /** The query string with its `?`, or ''. */
  readonly query: string;
  /** `scheme://host[:port]`, the port only when the URL gave one. */
  readonly origin: string;
  /** The CA file to trust, when one was given. */
  readonly caFile?: string;
}

export type Auth =
  | { readonly kind: 'basic'; readonly user: Ref; readonly password: Ref }
  | { readonly kind: 'bearer'; readonly token: Ref };

export type OutputModel =
  | { readonly kind: 'stdout'; readonly id: string }
  | { readonly kind: 'loki'; readonly id: string; readonly endpoint: Endpoint; readonly labels: ReadonlyArray<[string, Ref]>; readonly tenant?: string; readonly auth?: Auth }
  | { readonly kind: 'elasticsearch'; readonly id: string; readonly endpoint: Endpoint; readonly index: string; readonly auth?: Auth }
  | { readonly kind: 'http'; readonly id: string; readonly endpoint: Endpoint; readonly headers: ReadonlyArray<[string, Ref]>; readonly auth?: Auth }
  | {
    readonly kind: 's3';
    readonly id: string;
    readonly bucket: string;
    readonly region: string;
    readonly keyPrefix: string;
    readonly endpoint?: Endpoint;
    readonly credentials?: { readonly accessKeyId: Ref; readonly secretAccessKey: Ref };
  }
  | { readonly kind: 'raw'; readonly id: string; readonly block: Record<string, unknown> };

export interface BufferModel {
  readonly kind: LogBufferSpec['kind'];
  /** Fluent Bit: `mem_buf_limit` or the total of `storage.total_limit_size`; Vector: bytes per sink (undefined: 500 events). */
  readonly maxBytes?: number;
}

/** Everything a renderer needs, and everything the construct mounts. */
export interface ShipperModel {
  readonly engine: LogShipperEngine['id'];
  readonly logPath: string;
  /** The absolute glob of the files to ship. */
  readonly pathGlob: string;
  readonly parser: LogParserSpec;
  readonly multiline?: LogMultilineSpec;
  readonly fields: ReadonlyArray<[string, Ref]>;
  readonly outputs: readonly OutputModel[];
  readonly healthPort: number;
  readonly buffer: BufferModel;
  readonly podItems: readonly PodItem[];
  readonly credentials: readonly CredentialItem[];
  readonly cas: readonly CaMount[];
}

/** Vector refuses disk buffers smaller than this (vectordotdev/vector lib/vector-buffers: 256 MiB plus a little). */
export const VECTOR_MIN_DISK_BUFFER_BYTES = 268435488;
const MIB = 1024 * 1024;

/** What the caller knows that the options do not say. */
export interface ModelContext {
  readonly engine: LogShipperEngine;
  /** The app containers that write the folder, for `LogMetadata.CONTAINER`. */
  readonly writers: readonly string[];
}

/** A fixed value that every engine takes verbatim: no quoting, separator or interpolation character. */
const SAFE_VALUE = /^[A-Za-z0-9_.:/@+-]{1,253}$/;
const SAFE_VALUE_TEXT = 'letters, digits and _ . : / @ + - (1 to 253 characters)';
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const RESERVED_FIELDS = ['log', 'message', 'file', 'timestamp'];
const LOKI_LABEL = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
const RAW_SECRET_NAME = /^[A-Z][A-Z0-9_]{0,62}$/;
const USER_NAME = /^[A-Za-z0-9_.@+-]{1,253}$/;
const INCLUDE = /^[A-Za-z0-9._*?[\]!/-]+$/;

/**
 * Checks the options and builds the model. Throws through `fail` (`<problem>; <fix>`) on input that is
 * wrong by itself.
 */
export function buildModel(fail: Fail, options: LogShipperOptions, context: ModelContext): ShipperModel {
  const engine = context.engine;

  // --- the folder and the files ---
  const logPathProblem = typeof options.logPath === 'string' ? mountPathProblem(options.logPath) : 'must be a string';
  if (logPathProblem) {
    fail(`logPath ${quote(options.logPath)} ${logPathProblem}; give the absolute folder the app writes its log files into, for example "/var/log/app"`);
  }
  const logPath = normalizePath(options.logPath);
  if (logPath === '/') fail('logPath "/" is the root of the container; give the folder the app writes its log files into, for example "/var/log/app"');
  for (const reserved of RESERVED_PATHS) {
    if (logPath === reserved || logPath.startsWith(`${reserved}/`) || reserved.startsWith(`${logPath}/`)) {
      fail(`logPath ${quote(logPath)} overlaps ${quote(reserved)}, where the shipper keeps its own files; log into another folder`);
    }
  }
  if (/\s|,|\$|\*|\?|\[|\]|\{|\}|\\|"|'/.test(logPath)) {
    fail(`logPath ${quote(logPath)} holds a space, glob or quoting character, which the engines' path patterns would misread; use a plain folder name`);
  }
  const include = options.include ?? '*.log';
  if (!INCLUDE.test(include) || include.startsWith('/') || include.split('/').includes('..') || include.includes('**')) {
    fail(`include ${quote(include)} is not a glob relative to logPath; use *, ?, [...] and / only (no "**", braces, commas or ".."), for example "*.log" or "*/*.log"`);
  }

  // --- parsing ---
  const parser = options.parser?.spec ?? { kind: 'none' };
  if (parser.kind === 'regex') {
    checkPattern(fail, 'parser regex', parser.pattern, engine, true);
  }
  const multiline = options.multiline?.spec;
  if (multiline?.kind === 'start') {
    checkPattern(fail, 'multiline start pattern', multiline.pattern, engine, false);
  }

  // --- values of the pod, credentials, CAs ---
  const podItems = new Map<string, PodItem>();
  const credentials: CredentialItem[] = [];
  const cas: CaMount[] = [];
  const resolve = (what: string, value: string | LogMetadata): Ref => {
    if (value instanceof LogMetadata) {
      const source = value.source;
      if (source.kind === 'containers') {
        return { kind: 'literal', value: context.writers.join('+') };
      }
      if (source.labelKey !== undefined && !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(source.labelKey)) {
        fail(`${what}: ${quote(source.labelKey)} is not a Kubernetes label key; give one such as "app.kubernetes.io/name"`);
      }
      const item = podItems.get(source.id) ?? { id: source.id, envName: `LOG_SHIPPER_${source.id.toUpperCase()}`, fieldPath: source.fieldPath, labelKey: source.labelKey };
      podItems.set(source.id, item);
      return { kind: 'pod', item };
    }
    if (typeof value !== 'string' || !SAFE_VALUE.test(value)) {
      fail(`${what} ${quote(value)} is not a plain value: fixed values may hold ${SAFE_VALUE_TEXT}, which every engine takes verbatim; `
        + 'put anything else in the app\'s own log lines, or a credential in a Secret');
    }
    return { kind: 'literal', value };
  };
  const credential = (what: string, id: string, value: kplus.SecretValue | undefined, envName?: string): Ref | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || !('secret' in value) || typeof value.key !== 'string' || typeof value.secret?.name !== 'string') {
      fail(`${what} must be a kplus.SecretValue ({ secret, key }), so that the credential never lands in a ConfigMap or a literal environment variable`
        + (typeof value === 'string' ? ' (got a plain string)' : ''));
    }
    if (!SECRET_KEY.test(value.key)) {
      fail(`${what}: ${quote(value.key)} is not a Secret key (letters, digits, "-", "_" and "." only)`);
    }
    const item = { id, envName: envName ?? `LOG_SHIPPER_${id.toUpperCase()}`, value };
    credentials.push(item);
    return { kind: 'credential', item };
  };
  type AuthOptions = { username?: string | kplus.SecretValue; password?: kplus.SecretValue; bearerToken?: kplus.SecretValue };
  const auth = (what: string, id: string, o: AuthOptions): Auth | undefined => {
    // Each value by itself first: a plain-string password is the problem to fix, whatever else is given.
    let user: Ref | undefined;
    if (typeof o.username === 'string') {
      // A user name is not a secret: it may be written as it is (as GitAuth.https takes it).
      if (!USER_NAME.test(o.username)) {
        fail(`${what} username ${quote(o.username)} must be 1 to 253 letters, digits and _ . @ + - (no ":", which ends a basic-auth user name); `
          + 'or pass it from a Secret as { secret, key }');
      }
      user = { kind: 'literal', value: o.username };
    } else {
      user = credential(`${what} username`, `${id}_username`, o.username);
    }
    const password = credential(`${what} password`, `${id}_password`, o.password);
    const token = credential(`${what} bearerToken`, `${id}_token`, o.bearerToken);
    if ((user === undefined) !== (password === undefined)) {
      fail(`${what}: give username and password together (basic auth needs both)`);
    }
    if (token !== undefined && user !== undefined) {
      fail(`${what}: give either username/password or bearerToken, not both`);
    }
    if (token !== undefined) return { kind: 'bearer', token };
    if (user !== undefined) return { kind: 'basic', user, password: password! };
    return undefined;
  };
  const endpoint = (what: string, id: string, url: string, ca: TlsCa | undefined, allowQuery: boolean): Endpoint => {
    const parsed = parseEndpoint(fail, what, url, allowQuery);
    if (ca === undefined) return parsed;
    if (!(ca instanceof TlsCa)) fail(`${what}: ca must be a TlsCa (TlsCa.fromConfigMap or TlsCa.fromSecret)`);
    if (parsed.scheme !== 'https') {
      fail(`${what}: a ca is given but the URL ${quote(url)} is not https; use an https URL, or drop the ca`);
    }
    const source = ca.source;
    if (!SECRET_KEY.test(source.key)) fail(`${what}: the ca key ${quote(source.key)} is not a ConfigMap or Secret key`);
    const dir = `${PATHS.tls}/${id}`;
    cas.push({ outputId: id, ca, dir, file: `${dir}/ca.crt` });
    return { ...parsed, caFile: `${dir}/ca.crt` };
  };

  // --- fields ---
  const fieldOptions = options.fields ?? { namespace: LogMetadata.NAMESPACE, pod: LogMetadata.POD_NAME, container: LogMetadata.CONTAINER };
  const fields: Array<[string, Ref]> = Object.entries(fieldOptions).map(([name, value]) => {
    if (!FIELD_NAME.test(name) || RESERVED_FIELDS.includes(name)) {
      fail(`field name ${quote(name)} is not allowed: use [A-Za-z_][A-Za-z0-9_]* (up to 63 characters), and not ${RESERVED_FIELDS.map((f) => `${quote(f)}`).join(', ')}, which hold the line and its origin`);
    }
    return [name, resolve(`field ${quote(name)}`, value)];
  });

  // --- outputs ---
  const outputList = options.outputs ?? [LogOutput.stdout()];
  if (!Array.isArray(outputList) || outputList.length === 0) {
    fail('outputs is empty; give at least one, for example [LogOutput.stdout()] or [LogOutput.loki({ url: "http://loki.monitoring:3100" })]');
  }
  const counters = new Map<string, number>();
  const rawSecretNames = new Set<string>();
  const outputs: OutputModel[] = outputList.map((output, index) => {
    if (!(output instanceof LogOutput)) {
      fail(`outputs[${index}] is not a LogOutput; make it with LogOutput.stdout(), .loki(), .elasticsearch(), .http(), .s3() or .raw()`);
    }
    const spec = output.spec;
    const n = counters.get(spec.kind) ?? 0;
    counters.set(spec.kind, n + 1);
    const id = `${spec.kind}_${n}`;
    const what = `outputs[${index}] (${spec.kind})`;
    switch (spec.kind) {
      case 'stdout':
        return { kind: 'stdout', id };
      case 'loki': {
        const o = spec.options;
        const labelOptions = o.labels ?? { namespace: LogMetadata.NAMESPACE, pod: LogMetadata.POD_NAME, container: LogMetadata.CONTAINER };
        const labels: Array<[string, Ref]> = Object.entries(labelOptions).map(([name, value]) => {
          if (!LOKI_LABEL.test(name) || name.startsWith('__')) {
            fail(`${what}: label name ${quote(name)} is not a Loki label name; use [a-zA-Z_][a-zA-Z0-9_]* not starting with "__"`);
          }
          return [name, resolve(`${what}: label ${quote(name)}`, value)];
        });
        if (labels.length === 0) fail(`${what}: labels is empty; Loki needs at least one stream label`);
        if (o.tenant !== undefined && !SAFE_VALUE.test(o.tenant)) fail(`${what}: tenant ${quote(o.tenant)} may hold ${SAFE_VALUE_TEXT} only`);
        const ep = endpoint(what, id, o.url, o.ca, false);
        return { kind: 'loki', id, endpoint: ep, labels, tenant: o.tenant, auth: auth(what, id, o) };
      }
      case 'elasticsearch': {
        const o = spec.options;
        const indexName = o.index ?? 'logs';
        if (!/^[a-z0-9][a-z0-9._-]{0,254}$/.test(indexName) || indexName === '.' || indexName === '..') {
          fail(`${what}: index ${quote(indexName)} is not an index name; use lowercase letters, digits, "-", "_" and ".", not starting with "-", "_" or "+"`);
        }
        const ep = endpoint(what, id, o.url, o.ca, false);
        return { kind: 'elasticsearch', id, endpoint: ep, index: indexName, auth: auth(what, id, { ...o, bearerToken: undefined }) };
      }
      case 'http': {
        const o = spec.options;
        const ep = endpoint(what, id, o.url, o.ca, true);
        const headers: Array<[string, Ref]> = Object.entries(o.headers ?? {}).map(([name, value], h) => {
          if (!/^[A-Za-z0-9-]{1,64}$/.test(name)) fail(`${what}: header name ${quote(name)} may hold letters, digits and "-" only`);
          if (['content-type', 'content-length', 'host'].includes(name.toLowerCase()) || (name.toLowerCase() === 'authorization' && (o.bearerToken || o.username))) {
            fail(`${what}: header ${quote(name)} is set by the shipper; remove it`);
          }
          return [name, typeof value === 'string' ? resolve(`${what}: header ${quote(name)}`, value) : credential(`${what}: header ${quote(name)}`, `${id}_header_${h}`, value)!];
        });
        return { kind: 'http', id, endpoint: ep, headers, auth: auth(what, id, o) };
      }
      case 's3': {
        const o = spec.options;
        if (typeof o.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(o.bucket)) {
          fail(`${what}: bucket ${quote(o.bucket)} is not an S3 bucket name (3 to 63 lowercase letters, digits, "." and "-")`);
        }
        if (typeof o.region !== 'string' || !/^[a-z]{2}(-[a-z0-9]+)+-\d+$/.test(o.region)) {
          fail(`${what}: region ${quote(o.region)} is not an AWS region name such as "eu-west-1"`);
        }
        const keyPrefix = o.keyPrefix ?? 'logs/';
        if (!/^[A-Za-z0-9_.=/-]{0,200}$/.test(keyPrefix) || keyPrefix.startsWith('/') || keyPrefix.split('/').includes('..')) {
          fail(`${what}: keyPrefix ${quote(keyPrefix)} may hold letters, digits and _ . = / - only, and must not start with "/"`);
        }
        if ((o.accessKeyId === undefined) !== (o.secretAccessKey === undefined)) {
          fail(`${what}: give accessKeyId and secretAccessKey together, or neither to use the default AWS credential chain (IRSA, Pod Identity)`);
        }
        const ep = o.endpoint === undefined ? undefined : endpoint(`${what} endpoint`, id, o.endpoint, o.ca, false);
        if (o.endpoint === undefined && o.ca !== undefined) fail(`${what}: a ca is only used with an S3-compatible endpoint; give endpoint, or drop the ca`);
        // Fluent Bit's s3 output reads its keys from the AWS credential chain: the standard
        // environment variables (fluent/fluent-bit src/aws/flb_aws_credentials.c, env provider).
        const fluent = engine.id === 'fluent-bit';
        const creds = o.accessKeyId === undefined ? undefined : {
          accessKeyId: credential(`${what} accessKeyId`, `${id}_access_key_id`, o.accessKeyId, fluent ? 'AWS_ACCESS_KEY_ID' : undefined)!,
          secretAccessKey: credential(`${what} secretAccessKey`, `${id}_secret_access_key`, o.secretAccessKey, fluent ? 'AWS_SECRET_ACCESS_KEY' : undefined)!,
        };
        return { kind: 's3', id, bucket: o.bucket, region: o.region, keyPrefix, endpoint: ep, credentials: creds };
      }
      case 'raw': {
        const o = spec.options;
        const given = engine.id === 'fluent-bit' ? o.fluentBit : o.vector;
        if (given === undefined || given === null || typeof given !== 'object' || Array.isArray(given)) {
          return fail(`${what}: no ${engine.id === 'fluent-bit' ? 'fluentBit' : 'vector'} block for the ${engine.displayName} engine; `
            + 'add one to LogOutput.raw, or use the engine it was written for');
        }
        const block: Record<string, unknown> = given;
        const typeKey = engine.id === 'fluent-bit' ? 'name' : 'type';
        if (typeof block[typeKey] !== 'string' || block[typeKey] === '') {
          fail(`${what}: the ${engine.displayName} block has no ${quote(typeKey)}; give the ${engine.id === 'fluent-bit' ? 'output plugin' : 'sink type'}`);
        }
        if (engine.id === 'vector' && 'inputs' in block) fail(`${what}: the Vector block sets "inputs"; remove it, the shipper connects the sink to the parsed records`);
        for (const [name, value] of Object.entries(o.secrets ?? {})) {
          if (!RAW_SECRET_NAME.test(name) || name.startsWith('LOG_SHIPPER_') || name.startsWith('AWS_')) {
            fail(`${what}: secret name ${quote(name)} must be [A-Z][A-Z0-9_]* and not start with LOG_SHIPPER_ or AWS_ (used by the shipper)`);
          }
          if (rawSecretNames.has(name)) fail(`${what}: secret name ${quote(name)} is used by another raw output; give each its own name`);
          rawSecretNames.add(name);
          credential(`${what} secret ${quote(name)}`, name, value, name);
        }
        const literal = literalCredential(block);
        if (literal) {
          fail(`${what}: ${quote(literal)} looks like a credential written in the block, which would land in the ConfigMap; `
            + `pass it in secrets and write ${engine.id === 'fluent-bit' ? '${NAME}' : 'SECRET[credentials.NAME]'} instead`);
        }
        return { kind: 'raw', id, block: { ...block } };
      }
    }
  });
  if (engine.id === 'fluent-bit') {
    const keyed = outputs.filter((o): o is Extract<OutputModel, { kind: 's3' }> => o.kind === 's3' && o.credentials !== undefined);
    const distinct = new Set(keyed.map((o) => {
      const c = o.credentials!;
      const item = (r: Ref) => (r.kind === 'credential' ? `${r.item.value.secret.name}/${r.item.value.key}` : '');
      return `${item(c.accessKeyId)}|${item(c.secretAccessKey)}`;
    }));
    if (distinct.size > 1) {
      fail('two s3 outputs use different access keys, but Fluent Bit reads them from the one AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY '
        + 'environment of the container; use the same keys, or LogShipperEngine.VECTOR');
    }
    // One env var per name: keep the first of identical AWS keys.
    const seen = new Set<string>();
    for (let i = credentials.length - 1; i >= 0; i--) {
      const c = credentials[i];
      if (!c.envName.startsWith('AWS_')) continue;
      if (seen.has(c.envName)) credentials.splice(i, 1);
      seen.add(c.envName);
    }
  }

  // --- health port ---
  const healthPort = options.healthPort ?? engine.defaultHealthPort;
  if (!Number.isInteger(healthPort) || healthPort < 1 || healthPort > 65535) {
    fail(`healthPort ${healthPort} must be an integer from 1 to 65535`);
  }

  // --- buffer ---
  const buffer = bufferModel(fail, options.buffer?.spec, engine, outputs.length);

  return {
    engine: engine.id,
    logPath,
    pathGlob: `${logPath}/${include}`,
    parser,
    multiline,
    fields,
    outputs,
    healthPort,
    buffer,
    podItems: [...podItems.values()],
    credentials,
    cas,
  };
}

function bufferModel(fail: (p: string) => never, spec: LogBufferSpec | undefined, engine: LogShipperEngine, outputCount: number): BufferModel {
  const bytes = (size: Size | undefined): number | undefined => {
    if (size === undefined) return undefined;
    const value = size.toKibibytes() * 1024;
    if (!Number.isFinite(value) || value <= 0) fail(`buffer maxSize must be positive (has ${value} bytes)`);
    return Math.floor(value);
  };
  if (engine.id === 'fluent-bit') {
    const kind = spec?.kind ?? 'filesystem';
    const maxBytes = bytes(spec?.maxSize) ?? (kind === 'filesystem' ? 128 * MIB : 16 * MIB);
    if (maxBytes < MIB * outputCount) fail(`buffer maxSize must be at least 1MiB per output (${outputCount} output(s))`);
    return { kind, maxBytes };
  }
  const kind = spec?.kind ?? 'memory';
  const maxBytes = bytes(spec?.maxSize) ?? (kind === 'filesystem' ? VECTOR_MIN_DISK_BUFFER_BYTES : undefined);
  if (kind === 'filesystem' && maxBytes! < VECTOR_MIN_DISK_BUFFER_BYTES) {
    fail(`buffer maxSize is ${maxBytes} bytes, but Vector's disk buffers hold at least ${VECTOR_MIN_DISK_BUFFER_BYTES} bytes (256MiB) per sink; `
      + 'give Size.mebibytes(257) or more, or LogBuffer.memory()');
  }
  return { kind, maxBytes };
}

/** `maxSize` per Fluent Bit output: the total shared out. */
export function perOutputBytes(model: ShipperModel): number {
  return Math.floor((model.buffer.maxBytes ?? 0) / model.outputs.length);
}

/**
 * The emptyDir `sizeLimit` of the shipper's state, in MiB: the buffers it may fill plus room for
 * the offsets database or checkpoints, so that the kubelet never evicts the pod for the
 * shipper's own files.
 */
export function stateSizeMebibytes(model: ShipperModel): number {
  const margin = 64;
  let buffers = 0;
  if (model.engine === 'fluent-bit') {
    // Filesystem: each output's share on disk, an s3 output's being its store_dir. Memory: only
    // the s3 outputs' store_dirs are on disk, each bounded by its share.
    const s3Count = model.outputs.filter((o) => o.kind === 's3').length;
    buffers = model.buffer.kind === 'filesystem' ? model.buffer.maxBytes! / MIB : (perOutputBytes(model) * s3Count) / MIB;
  } else if (model.buffer.kind === 'filesystem') {
    buffers = (model.buffer.maxBytes! / MIB) * model.outputs.length;
  }
  return Math.ceil(buffers + margin);
}

/**
 * `retry_limit` of each Fluent Bit s3 output: upload attempts of a buffered file (the s3 output
 * waits 2s, 4s, 6s... between them, plus its 5s timer: about a day in all), and engine retries
 * of a chunk that found the store full (exponential backoff capped at `scheduler.cap`, 2000s by
 * default: longer still). `no_limits` would be read as 5 (plugins/out_s3/s3.c cb_s3_init).
 */
export const FLUENT_BIT_S3_RETRY_LIMIT = 300;

function parseEndpoint(fail: (p: string) => never, what: string, url: string, allowQuery: boolean): Endpoint {
  if (typeof url !== 'string') fail(`${what}: url must be a string`);
  if (hasControlCharacter(url)) fail(`${what}: url ${quote(url)} holds a control character or NUL, which a URL parser drops or percent-encodes without a word; remove it`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(`${what}: url ${quote(url)} does not parse as a URL; give an absolute URL such as "http://loki.monitoring:3100"`);
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') {
    fail(`${what}: url ${quote(url)} has the scheme ${quote(scheme)}; the shipper speaks http and https only`);
  }
  if (parsed.username || parsed.password) {
    fail(`${what}: url ${quote(url)} holds credentials, which would be written into a ConfigMap; remove them and pass username/password as kplus.SecretValue`);
  }
  if (parsed.hash) fail(`${what}: url ${quote(url)} has a fragment; remove it`);
  if (parsed.search && !allowQuery) fail(`${what}: url ${quote(url)} has a query string; remove it`);
  if (parsed.hostname === '') fail(`${what}: url ${quote(url)} has no host`);
  const path = parsed.pathname.replace(/\/+$/, '');
  if (/[\s"'`$\\{}]/.test(path + parsed.search)) fail(`${what}: url ${quote(url)} has a path or query the configuration cannot carry verbatim`);
  const port = parsed.port === '' ? (scheme === 'https' ? 443 : 80) : Number(parsed.port);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const hostInUrl = parsed.hostname;
  return { scheme, host, port, path, query: parsed.search, origin: `${scheme}://${hostInUrl}${parsed.port === '' ? '' : `:${port}`}` };
}

/** A regular expression as a message shows it: `/…/`, or quoted when it holds a control character. */
function showPattern(pattern: string): string {
  return hasControlCharacter(pattern) ? quote(pattern) : `/${pattern}/`;
}

function checkPattern(fail: (p: string) => never, what: string, pattern: string, engine: LogShipperEngine, needsGroups: boolean): void {
  if (typeof pattern !== 'string' || pattern === '') fail(`${what} is empty; give a regular expression`);
  // Before the pattern is shown as /…/ in any message: it holds no line break or NUL.
  if (/[\n\r\0]/.test(pattern)) fail(`${what} ${quote(pattern)} holds a line break or NUL; write \\n for a line break`);
  try {
    new RegExp(pattern);
  } catch (e) {
    // V8's message repeats the pattern ("Invalid regular expression: /(/: Unterminated group"): keep the reason only.
    const reason = (e as Error).message.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, '');
    fail(`${what} ${showPattern(pattern)} does not compile: ${reason}`);
  }
  const groups = [...pattern.matchAll(/\(\?<(?![=!])([^>]*)>/g)].map((m) => m[1]);
  for (const g of groups) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(g)) fail(`${what}: group name ${quote(g)} must be [A-Za-z_][A-Za-z0-9_]* (a record field name)`);
  }
  if (needsGroups && groups.length === 0) {
    fail(`${what} ${showPattern(pattern)} has no named group; name the parts that become fields, for example (?<level>\\w+)`);
  }
  if (pattern.includes('${')) fail(`${what} holds "\${", which Fluent Bit would read as an environment variable; write \\$\\{ instead`);
  if (engine.id === 'vector') {
    if (/\(\?<?[=!]/.test(pattern)) fail(`${what} uses lookaround, which Vector's regex engine (Rust regex crate) does not support; rewrite it without`);
    if (/\\[1-9]|\\k</.test(pattern)) fail(`${what} uses a backreference, which Vector's regex engine does not support; rewrite it without`);
    if (pattern.includes("'")) fail(`${what} holds a single quote, which ends a VRL regex literal; write \\x27 instead`);
    if (pattern.includes('SECRET[')) fail(`${what} holds "SECRET[", which Vector would read as a secret reference`);
  }
}

const CREDENTIAL_KEY = /pass(wd|word)?$|token|secret|api_?key|credential|auth_?key/i;

/** The first key of a raw block that holds what looks like a literal credential, if any. */
function literalCredential(block: unknown, path = ''): string | undefined {
  if (block === null || typeof block !== 'object') return undefined;
  for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
    const here = path ? `${path}.${key}` : key;
    if (typeof value === 'string' && CREDENTIAL_KEY.test(key) && value !== '' && !/\$\{[A-Z][A-Z0-9_]*\}|SECRET\[[A-Za-z0-9_]+\.[A-Za-z0-9_.-]+\]/.test(value)) {
      return here;
    }
    const nested = literalCredential(value, here);
    if (nested) return nested;
  }
  return undefined;
}
