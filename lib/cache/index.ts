import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { CacheEngine, CacheOptions } from './options';
import { planCache } from './plan';
import { attachProgram, checkProgram } from '../engine/attach';
import { checkOptions } from '../engine/input';
import { kplus, workloadOrScope } from '../engine/kplus';
import { planFor } from '../engine/plan-cache';
import { PodRegistry } from '../engine/registry';
import { SidecarMode } from '../engine/sidecar-mode';

export * from './options';

/**
 * Props of the `Cache` construct: the options and the workload whose pods get the cache.
 */
export interface CacheProps extends CacheOptions {
  /**
   * The workload: a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod. A cdk8s-plus workload, or an
   * ApiObject of one of these kinds or a ReplicaSet (a `KubeDeployment`, an Include's, a Helm chart's),
   * changed through JSON patches on its pod template (README, "Any pod, any source").
   * @default - the scope, which must then be a workload
   */
  readonly workload?: kplus.AbstractPod | ApiObject;
}

/**
 * A private cache beside the app: Valkey (default) or memcached, reachable from the pod only.
 *
 * It adds to the pod: the cache container (a native sidecar by default, restricted security
 * context, running as the image's own user, with a startup probe that holds the app until the
 * cache answers and a liveness probe); for Valkey, its `valkey.conf` in a ConfigMap, mounted
 * read-only, with its checksum on the pod template; on 127.0.0.1, the port in the pod's port
 * ledger (not declared: nothing outside the pod reaches it); with a Unix socket, an in-memory
 * emptyDir for it, read-only in the app containers; and to each app container the connection URL
 * (and the password, from its Secret) as environment variables. The cache is bounded by its
 * container's memory limit, evicts least recently used keys, and writes nothing to disk.
 *
 * @see https://valkey.io/topics/lru-cache/
 * @example
 * new Cache(chart, 'cache', { workload: web, engine: CacheEngine.MEMCACHED });
 */
export class Cache extends Construct {
  /** The cache's container; adjust it as any `kplus.Container`. */
  public readonly container: kplus.Container;

  /** How the cache joined the pod: native sidecar or classic container. */
  public readonly mode: SidecarMode;

  /** The program. */
  public readonly engine: CacheEngine;

  /** What the app containers get in `urlEnv`: `redis://127.0.0.1:6379`, `unix:///run/cache/valkey.sock`, … */
  public readonly url: string;

  /** The environment variable of the app containers that holds `url`. */
  public readonly urlEnv: string;

  /** The environment variable of the app containers that holds the password, when there is one. */
  public readonly passwordEnv?: string;

  /** The TCP port on 127.0.0.1, when the cache listens there. */
  public readonly port?: number;

  /** The Unix socket's path, the same in the cache and the app containers, when it listens on one. */
  public readonly socketPath?: string;

  /** The emptyDir of the socket's folder, when it listens on a Unix socket. */
  public readonly socketVolume?: kplus.Volume;

  /** The most the cache holds, in bytes (Valkey `maxmemory`, memcached `-m`). */
  public readonly maxMemoryBytes: number;

  /** The ConfigMap holding valkey.conf (Valkey only; memcached takes flags). */
  public readonly configMap?: kplus.ConfigMap;

  /** valkey.conf, as written into the ConfigMap (Valkey only). */
  public readonly config?: string;

  public constructor(scope: Construct, id: string, props: CacheProps) {
    checkOptions(scope, 'withCache', 'CacheProps', props);
    const workload = workloadOrScope(scope, id, props.workload, 'Cache');
    const registry = PodRegistry.of(workload);
    const plan = planFor(planCache, registry, props, 'withCache');
    const checked = checkProgram(registry, plan.program, scope, id);
    super(scope, id);
    const attached = attachProgram(this, checked);
    this.container = attached.container!;
    this.mode = attached.mode!;
    this.engine = plan.engine;
    this.url = plan.url;
    this.urlEnv = plan.urlEnv;
    this.passwordEnv = plan.passwordEnv;
    this.maxMemoryBytes = plan.model.maxMemoryBytes;
    const listen = plan.model.listen;
    if (listen.kind === 'loopback') {
      this.port = listen.port;
    } else {
      this.socketPath = listen.socket;
      this.socketVolume = attached.sharedVolumes[0].volume;
    }
    this.configMap = attached.configMap;
    this.config = plan.file?.text;
  }
}

/**
 * Puts a private cache beside the app: Valkey (default) or memcached, listening on 127.0.0.1 or a
 * Unix socket, sized from its memory limit, evicting least recently used keys, with nothing on
 * disk. The app containers get the connection URL in `CACHE_URL`.
 *
 * @see https://valkey.io/topics/lru-cache/
 * @see https://github.com/memcached/memcached/wiki/ConfiguringServer
 * @example
 * const web = new kplus.Deployment(chart, 'web', {
 *   containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080 }],
 * });
 * withCache(web, {
 *   listen: CacheListener.unixSocket(),
 *   password: { secret: kplus.Secret.fromSecretName(chart, 'cache-auth', 'cache-auth'), key: 'password' },
 * });
 * // the app reads CACHE_URL=unix:///run/cache/valkey.sock and CACHE_PASSWORD
 */
export function withCache(workload: kplus.AbstractPod | ApiObject, options: CacheOptions = {}): Cache {
  // The construct checks the options (checkOptions, for JavaScript callers) before anything else.
  return new Cache(workload, options?.name ?? 'cache', options);
}
