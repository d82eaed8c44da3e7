/**
 * withCache's options, checked into a plain model the renderers (valkey.ts, memcached.ts) read.
 * Pure: no construct is read or made.
 */
import { Size } from 'cdk8s';
import { CacheEngine, CacheEviction, CacheListener, CacheOptions } from './options';
import { kplus } from '../engine/kplus';
import { Fail } from '../engine/pod-facts';
import { mountPathProblem, normalizePath, portNumberProblem, quote } from '../engine/validation/syntax';

/** Where the cache's own files live in its container. */
export const CACHE_PATHS = {
  /** The ConfigMap of valkey.conf, read-only. */
  config: '/etc/cache',
  /**
   * Valkey's `dir`: the image's WORKDIR, owned by the valkey user. Nothing is written there (no
   * RDB snapshot, no AOF), so it stays on the read-only root filesystem.
   */
  data: '/data',
} as const;

/** The program's paths in the pinned images (Valkey: `make install` to /usr/local; memcached the same). */
export const CACHE_BINARIES = {
  valkeyServer: '/usr/local/bin/valkey-server',
  valkeyCli: '/usr/local/bin/valkey-cli',
  memcached: '/usr/local/bin/memcached',
} as const;

/**
 * The environment variable of the cache container that holds the password, when there is one.
 * `valkey-cli` reads it (valkey-io/valkey src/valkey-cli.c: `OLD_CLI_AUTH_ENV "REDISCLI_AUTH"`,
 * beside `VALKEYCLI_AUTH`; redis-cli reads the same name), so the probes authenticate without the
 * password on their command line; the start script hands it to the server on standard input.
 */
export const PASSWORD_ENV = 'REDISCLI_AUTH';

/**
 * Memory the process keeps beside the data: at least a quarter of the limit, and never less than
 * 16MiB. `maxmemory` counts the dataset only; the resident set is larger by the allocator's
 * fragmentation (Valkey reports it as `mem_fragmentation_ratio`, commonly 1.1 to 1.5 under churn),
 * client buffers and the program itself (a few MiB); memcached's `-m` counts item memory only, and
 * its hash table (8 bytes a bucket, doubled as items grow) and connection buffers come on top
 * (memcached wiki, ConfiguringServer). Amazon ElastiCache reserves the same quarter by default
 * (`reserved-memory-percent` 25: docs.aws.amazon.com/AmazonElastiCache/latest/dg/redis-memory-management.html).
 * Without persistence there is no fork and no copy-on-write to reserve for.
 */
export const HEADROOM = { fraction: 0.25, minMebibytes: 16 } as const;

/** The cache's memory limit and requests when the user gives none. */
export const CACHE_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
  memory: { request: Size.mebibytes(128), limit: Size.mebibytes(128) },
};

/** A checked cache, in plain values. */
export interface CacheModel {
  readonly engine: 'valkey' | 'memcached';
  /** TCP on 127.0.0.1, or a Unix socket. */
  readonly listen: { readonly kind: 'loopback'; readonly port: number } | { readonly kind: 'unixSocket'; readonly dir: string; readonly socket: string };
  /** `maxmemory` in bytes (a whole number of mebibytes for memcached). */
  readonly maxMemoryBytes: number;
  readonly eviction: CacheEviction;
  /** The server requires a password (read from `PASSWORD_ENV`). */
  readonly password: boolean;
}

const SOCKET_DIR = /^\/[A-Za-z0-9/._-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MEBIBYTE = 1024 * 1024;

/** Input checked against itself and the pod's free ports; throws through `fail` (`<problem>; <fix>`). */
export function buildModel(
  fail: Fail,
  props: CacheOptions,
  context: {
    readonly engine: CacheEngine;
    readonly name: string;
    readonly memoryLimit: Size | undefined;
    readonly freePort: (start: number) => number;
  },
): CacheModel {
  const { engine, name } = context;

  const listener = props.listen ?? CacheListener.loopback();
  if (!(listener instanceof CacheListener)) fail('listen must be CacheListener.loopback({ port? }) or CacheListener.unixSocket({ dir? })');
  let listen: CacheModel['listen'];
  if (listener.kind === 'loopback') {
    const port = listener.port ?? context.freePort(engine.defaultPort);
    const problem = portNumberProblem(port);
    if (problem) fail(`listen port ${quote(port)} ${problem}`);
    if (port < 1024) {
      fail(`listen port ${port} is below 1024, which the cache, running as a non-root user without capabilities, cannot bind; `
        + `pass a port of 1024 or more (for example ${engine.defaultPort})`);
    }
    listen = { kind: 'loopback', port };
  } else {
    const given = listener.dir ?? `/run/${name}`;
    const problem = mountPathProblem(given);
    if (problem) fail(`socketDir ${quote(given)} ${problem}; give the absolute folder the socket goes in, for example "/run/${name}"`);
    const dir = normalizePath(given);
    if (!SOCKET_DIR.test(dir)) {
      fail(`socketDir ${quote(given)} holds a character other than letters, digits and "/._-", which a connection URL would have to escape; give a plain folder, for example "/run/${name}"`);
    }
    if (dir === '/') fail(`socketDir ${quote(given)} is the root of the container; give a folder of its own, for example "/run/${name}"`);
    if (dir === CACHE_PATHS.config || dir.startsWith(`${CACHE_PATHS.config}/`) || CACHE_PATHS.config.startsWith(`${dir}/`)) {
      fail(`socketDir ${quote(given)} overlaps ${quote(CACHE_PATHS.config)}, where the cache reads its configuration; give another folder, for example "/run/${name}"`);
    }
    // sun_path holds 107 bytes and a NUL (unix(7)); the socket's name comes after the folder.
    const socket = `${dir}/${engine.id}.sock`;
    if (socket.length > 107) fail(`socketDir ${quote(given)} makes the socket path ${socket.length} characters long; a Unix socket path holds at most 107 (unix(7)): give a shorter folder`);
    listen = { kind: 'unixSocket', dir, socket };
  }

  // Memory: the limit sizes the cache.
  const limit = context.memoryLimit;
  if (limit === undefined) {
    fail('the cache container has no memory limit, so nothing bounds the cache: give resources.memory.limit (the cache gets 3/4 of it), '
      + 'or leave resources.memory unset for 128Mi');
  }
  const limitBytes = bytesOf(limit!, 'resources.memory.limit', fail);
  const headroomBytes = Math.max(Math.ceil(limitBytes * HEADROOM.fraction), HEADROOM.minMebibytes * MEBIBYTE);
  let maxMemoryBytes: number;
  if (props.maxMemory === undefined) {
    maxMemoryBytes = limitBytes - headroomBytes;
    if (engine.id === 'memcached') maxMemoryBytes = Math.floor(maxMemoryBytes / MEBIBYTE) * MEBIBYTE;
    if (maxMemoryBytes < MEBIBYTE) {
      fail(`the memory limit ${describeBytes(limitBytes)} leaves no room for data beside the ${HEADROOM.minMebibytes}MiB the process needs; `
        + `give resources.memory.limit of at least ${HEADROOM.minMebibytes + 8}Mi`);
    }
  } else {
    maxMemoryBytes = bytesOf(props.maxMemory, 'maxMemory', fail);
    if (maxMemoryBytes < MEBIBYTE) fail(`maxMemory ${describeBytes(maxMemoryBytes)} is less than 1MiB; give at least Size.mebibytes(1)`);
    if (engine.id === 'memcached' && maxMemoryBytes % MEBIBYTE !== 0) {
      fail(`maxMemory ${describeBytes(maxMemoryBytes)} is not a whole number of mebibytes, which memcached's -m takes; give Size.mebibytes(${Math.floor(maxMemoryBytes / MEBIBYTE)})`);
    }
    const most = limitBytes - HEADROOM.minMebibytes * MEBIBYTE;
    if (maxMemoryBytes > most) {
      fail(`maxMemory ${describeBytes(maxMemoryBytes)} is more than the container's memory limit ${describeBytes(limitBytes)} less the `
        + `${HEADROOM.minMebibytes}MiB the process needs beside the data, so the kernel would kill the cache before it evicts anything; `
        + `give maxMemory of at most ${describeBytes(Math.max(most, 0))}, or raise resources.memory.limit to at least ${describeBytes(maxMemoryBytes + HEADROOM.minMebibytes * MEBIBYTE)}`);
    }
  }

  const eviction = props.eviction ?? CacheEviction.ALLKEYS_LRU;
  if (!Object.values(CacheEviction).includes(eviction)) {
    fail(`eviction ${quote(String(eviction))} is not a CacheEviction; pass one of CacheEviction.ALLKEYS_LRU, CacheEviction.NO_EVICTION, …`);
  }
  if (engine.id === 'memcached' && eviction !== CacheEviction.ALLKEYS_LRU && eviction !== CacheEviction.NO_EVICTION) {
    fail(`eviction ${quote(eviction)} is Valkey's; memcached evicts least recently used items, or nothing with -M: `
      + 'pass CacheEviction.ALLKEYS_LRU or CacheEviction.NO_EVICTION, or engine: CacheEngine.VALKEY');
  }

  if (props.password !== undefined) {
    if (engine.id === 'memcached') {
      fail('password is for Valkey; memcached has no password that its common clients speak (only SASL on the binary protocol): '
        + 'remove password and keep memcached to the pod with listen: CacheListener.unixSocket(), or use engine: CacheEngine.VALKEY');
    }
    const value = props.password as unknown;
    if (typeof value === 'string' || typeof value !== 'object' || value === null || typeof (value as kplus.SecretValue).key !== 'string'
      || typeof (value as kplus.SecretValue).secret?.name !== 'string') {
      fail('password must be a key of a Secret, { secret: kplus.Secret.fromSecretName(this, "cache-auth", "cache-auth"), key: "password" }, '
        + 'never a string: a literal password would land in the pod spec');
    }
    if ((value as kplus.SecretValue).key === '') fail('password.key is empty; name the key of the Secret that holds the password');
  }
  return { engine: engine.id, listen, maxMemoryBytes, eviction, password: props.password !== undefined };
}

/** Checks an environment variable name of the app containers. */
export function envNameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || !ENV_NAME.test(name)) return 'must be letters, digits and "_", not starting with a digit';
  if (name === PASSWORD_ENV) return 'is the cache container\'s own password variable; choose another name';
  return undefined;
}

/** The connection URL the app containers get. */
export function connectionUrl(engine: CacheEngine, listen: CacheModel['listen']): string {
  return listen.kind === 'loopback' ? `${engine.scheme}://127.0.0.1:${listen.port}` : `unix://${listen.socket}`;
}

function bytesOf(size: Size, option: string, fail: (problem: string) => never): number {
  if (!(size instanceof Size)) fail(`${option} must be a Size, for example Size.mebibytes(128)`);
  let kibibytes: number;
  try {
    kibibytes = size.toKibibytes();
  } catch (e) {
    return fail(`${option} is not a whole number of kibibytes (${(e as Error).message}); give it in Ki, Mi or Gi`);
  }
  return kibibytes * 1024;
}

/** `96Mi`, `1.5Gi`, or bytes: for messages. */
export function describeBytes(bytes: number): string {
  if (bytes % (1024 * MEBIBYTE) === 0 && bytes !== 0) return `${bytes / (1024 * MEBIBYTE)}Gi`;
  if (bytes % MEBIBYTE === 0) return `${bytes / MEBIBYTE}Mi`;
  if (bytes % 1024 === 0) return `${bytes / 1024}Ki`;
  return `${bytes} bytes`;
}
