import { Size } from 'cdk8s';
import { MEMCACHED_IMAGE, UpstreamImage, VALKEY_IMAGE } from '../engine/images';
import { checkFactoryOptions } from '../engine/input';
import { kplus } from '../engine/kplus';
import { keyedByValue } from '../engine/options-key';
import { SidecarMode } from '../engine/sidecar-mode';

/**
 * The program that keeps the cache.
 */
export class CacheEngine {
  /**
   * Valkey (`valkey/valkey`), the BSD-licensed fork of Redis 7.2, which speaks the Redis protocol:
   * every Redis client library works with it. Configured by a generated `valkey.conf`.
   * @see https://valkey.io/topics/
   */
  public static readonly VALKEY = new CacheEngine('valkey', 'Valkey', VALKEY_IMAGE, 6379, 'redis');

  /**
   * memcached (the official `memcached` image), configured by its command line. Keys and values
   * only, no password (use the Unix socket to keep it to the pod's containers).
   * @see https://github.com/memcached/memcached/wiki/ConfiguringServer
   */
  public static readonly MEMCACHED = new CacheEngine('memcached', 'memcached', MEMCACHED_IMAGE, 11211, 'memcached');

  private constructor(
    /** Short name: `valkey` or `memcached`. */
    public readonly id: 'valkey' | 'memcached',
    /** The program's name, as messages show it. */
    public readonly displayName: string,
    /** The pinned upstream image. */
    public readonly image: UpstreamImage,
    /** The program's conventional port. */
    public readonly defaultPort: number,
    /** The URL scheme of a TCP connection (`redis://127.0.0.1:6379`). */
    public readonly scheme: string,
  ) {}
}

/** Options of `CacheListener.loopback`. */
export interface CacheLoopbackOptions {
  /**
   * The TCP port on 127.0.0.1.
   * @default - the program's conventional port: 6379 (Valkey), 11211 (memcached)
   */
  readonly port?: number;
}

/** Options of `CacheListener.unixSocket`. */
export interface CacheUnixSocketOptions {
  /**
   * The socket's folder in the app containers (and in the cache), absolute; the app must not
   * mount anything there already.
   * @default '/run/<name>' (`/run/cache`)
   */
  readonly dir?: string;
}

/**
 * Where the cache listens: on 127.0.0.1 (reachable from every container of the pod, from nothing
 * outside it), or on a Unix socket in an in-memory emptyDir mounted into the app containers only.
 */
export class CacheListener {
  /**
   * TCP on 127.0.0.1 only. The port is not declared as a containerPort (nothing outside the pod
   * can reach it) but kept in the pod's port ledger, so another container on it fails at synth.
   * @example CacheListener.loopback({ port: 6380 })
   */
  public static loopback(options: CacheLoopbackOptions = {}): CacheListener {
    checkFactoryOptions('CacheListener.loopback', 'CacheLoopbackOptions', options);
    return new CacheListener('loopback', options.port, undefined);
  }

  /**
   * A Unix socket in a folder of its own: an in-memory emptyDir mounted read-write in the cache
   * and read-only in the app containers (a client connects to a socket on a read-only mount).
   * No TCP port at all.
   * @example CacheListener.unixSocket({ dir: '/run/cache' })
   */
  public static unixSocket(options: CacheUnixSocketOptions = {}): CacheListener {
    checkFactoryOptions('CacheListener.unixSocket', 'CacheUnixSocketOptions', options);
    return new CacheListener('unixSocket', undefined, options.dir);
  }

  private constructor(
    /** `loopback` or `unixSocket`. */
    public readonly kind: 'loopback' | 'unixSocket',
    /** The TCP port, when given. */
    public readonly port: number | undefined,
    /** The socket folder, when given. */
    public readonly dir: string | undefined,
  ) {}
}

/**
 * What the cache drops when it is full (Valkey's `maxmemory-policy`).
 * @see https://valkey.io/topics/lru-cache/
 */
export enum CacheEviction {
  /** Evict the least recently used keys, whatever they are: the cache default. Both engines. */
  ALLKEYS_LRU = 'allkeys-lru',
  /** Evict the least frequently used keys (Valkey only). */
  ALLKEYS_LFU = 'allkeys-lfu',
  /** Evict random keys (Valkey only). */
  ALLKEYS_RANDOM = 'allkeys-random',
  /** Evict the least recently used keys among those with an expiry (Valkey only). */
  VOLATILE_LRU = 'volatile-lru',
  /** Evict the least frequently used keys among those with an expiry (Valkey only). */
  VOLATILE_LFU = 'volatile-lfu',
  /** Evict random keys among those with an expiry (Valkey only). */
  VOLATILE_RANDOM = 'volatile-random',
  /** Evict the keys closest to their expiry (Valkey only). */
  VOLATILE_TTL = 'volatile-ttl',
  /** Evict nothing: writes fail when full (Valkey `noeviction`, memcached `-M`). */
  NO_EVICTION = 'noeviction',
}

/**
 * How `withCache` puts a private cache beside the app.
 */
export interface CacheOptions {
  /**
   * The program.
   * @default CacheEngine.VALKEY
   */
  readonly engine?: CacheEngine;

  /**
   * Where the cache listens.
   * @default CacheListener.loopback() on the engine's port (6379 Valkey, 11211 memcached), or the
   * next port up that nothing in the pod uses
   */
  readonly listen?: CacheListener;

  /**
   * The most the cache holds (Valkey `maxmemory`, memcached `-m`), at most the container's memory
   * limit minus 16MiB for the process itself. memcached takes whole mebibytes.
   * @default - 3/4 of the container's memory limit, leaving at least 16MiB (96Mi of the default 128Mi)
   * @see https://valkey.io/topics/lru-cache/
   */
  readonly maxMemory?: Size;

  /**
   * What the cache drops when full.
   * @default CacheEviction.ALLKEYS_LRU
   */
  readonly eviction?: CacheEviction;

  /**
   * A password (Valkey only), from a Secret: the server requires it (`requirepass`) and the app
   * containers get it in `passwordEnv`. It never appears in the pod spec, a ConfigMap or a
   * command line: the server reads it from its environment through standard input.
   * @default - no password; only the pod's containers reach the cache anyway
   * @see https://valkey.io/topics/security/
   */
  readonly password?: kplus.SecretValue;

  /**
   * The environment variable of the app containers that holds the connection URL:
   * `redis://127.0.0.1:6379`, `memcached://127.0.0.1:11211`, or `unix:///run/cache/valkey.sock`.
   * An app container that already sets it is refused.
   * @default 'CACHE_URL'
   */
  readonly urlEnv?: string;

  /**
   * The environment variable of the app containers that holds the password (with `password`).
   * @default 'CACHE_PASSWORD'
   */
  readonly passwordEnv?: string;

  /**
   * The app containers (or init containers) that get the environment variables and the socket
   * folder, by name.
   * @default - every app container of the pod at the time of the call
   */
  readonly appContainers?: string[];

  /**
   * The cache's container name, unique in the pod. A second cache needs its own name, port or
   * socket folder, and `urlEnv`.
   * @default 'cache'
   */
  readonly name?: string;

  /**
   * The image, to pull the engine from a mirror: the same program and major version as the pinned
   * one, running as the same user.
   * @default - the pinned upstream image of the engine (lib/engine/images.ts)
   */
  readonly image?: string;

  /**
   * CPU and memory, each replacing the default it names. The memory limit sizes the cache.
   * @default - 50m/500m CPU, 128Mi/128Mi memory (request/limit: a cache fills its memory by design,
   * so it requests what it may use)
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Native sidecar (an init container with `restartPolicy: Always`: it starts, and answers its
   * startup probe, before the app starts) or a regular container.
   * @default - the default of `setDefaultSidecarMode`, else SidecarMode.NATIVE
   */
  readonly mode?: SidecarMode;
}

// Options compare by value in the plan cache (engine/options-key.ts): all their state is in their own properties.
keyedByValue(CacheEngine, CacheListener);
