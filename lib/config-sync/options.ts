import { Duration, Size } from 'cdk8s';
import { K8sSidecarResource } from './k8s-sidecar';
import { checkFactoryOptions } from '../engine/input';
import { kplus } from '../engine/kplus';
import { keyedByValue } from '../engine/options-key';
import type { Fail } from '../engine/pod-facts';
import { ConfigReload } from '../engine/reload';
import { SidecarMode } from '../engine/sidecar-mode';

/** Throws with the workload's label and `withConfigSync` in front. */
export type { Fail };

/** The health port a sync gets when none is asked for, or the next free one. */
export const DEFAULT_CONFIG_SYNC_HEALTH_PORT = 9487;

// ---------------------------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------------------------

/**
 * HTTPS authentication for `ConfigSource.git`: a username and a password or access token read
 * from a Secret, mounted as a file (`--password-file`).
 */
export interface HttpsGitAuthOptions {
  /**
   * The username (not a secret; with GitHub or GitLab tokens any non-empty name works, for
   * example `git` or `oauth2`). Passed as `--username`.
   */
  readonly username: string;

  /**
   * The password or personal access token: a key of a Secret. It is mounted read-only into the
   * git-sync container only and read with `--password-file`; it never appears in the pod spec.
   */
  readonly password: kplus.SecretValue;
}

/**
 * SSH authentication for `ConfigSource.git`: a private key and the server's known_hosts, both
 * read from Secrets and mounted as files (`--ssh-key-file`, `--ssh-known-hosts-file`).
 */
export interface SshGitAuthOptions {
  /** The private key (OpenSSH or PEM format), a key of a Secret. */
  readonly privateKey: kplus.SecretValue;

  /**
   * known_hosts lines for the git server (`ssh-keyscan github.com`, checked against the host's
   * published fingerprints). Host-key verification is always on.
   */
  readonly knownHosts: kplus.SecretValue;
}

/**
 * How git-sync authenticates to the git server. Credentials come only from Secrets, mounted as
 * files into the git-sync containers: never an environment value, never a ConfigMap.
 *
 * @see https://github.com/kubernetes/git-sync/blob/master/docs/ssh.md
 */
export class GitAuth {
  /**
   * Username and password (or token) over HTTPS.
   *
   * @example
   * GitAuth.https({ username: 'git', password: { secret: gitToken, key: 'token' } })
   */
  public static https(options: HttpsGitAuthOptions): GitAuth {
    checkFactoryOptions('GitAuth.https', 'HttpsGitAuthOptions', options);
    return new GitAuth('https', options);
  }

  /**
   * A private key over SSH, with host-key verification against `knownHosts`.
   *
   * @example
   * GitAuth.ssh({ privateKey: { secret: deployKey, key: 'ssh' }, knownHosts: { secret: deployKey, key: 'known_hosts' } })
   */
  public static ssh(options: SshGitAuthOptions): GitAuth {
    checkFactoryOptions('GitAuth.ssh', 'SshGitAuthOptions', options);
    return new GitAuth('ssh', options);
  }

  private constructor(
    /** The transport these credentials are for. */
    public readonly transport: 'https' | 'ssh',
    /** The options given to the factory. */
    public readonly options: HttpsGitAuthOptions | SshGitAuthOptions,
  ) {}
}

/** Options of `ConfigSource.git`. */
export interface GitSourceOptions {
  /**
   * The repository URL: `https://…`, `ssh://…` or `user@host:path`. No credentials in the URL:
   * pass `auth`.
   */
  readonly repo: string;

  /**
   * The branch, tag or commit hash to sync (`--ref`). A commit hash is synced once.
   * @default - `HEAD` of the repository's default branch (git-sync's default)
   */
  readonly ref?: string;

  /**
   * How long git-sync waits between two polls of the remote (`--period`).
   * @default Duration.seconds(10) (git-sync's default)
   */
  readonly period?: Duration;

  /**
   * Commits of history to fetch (`--depth`); `0` fetches the whole history.
   * @default 1 (git-sync's default)
   */
  readonly depth?: number;

  /**
   * Credentials, from Secrets.
   * @default - none: a public repository over HTTPS
   */
  readonly auth?: GitAuth;

  /**
   * The name of the symlink git-sync publishes in the folder (`--link`); the app reads
   * `<mountPath>/<link>` (`ConfigSync.configPath`). The link is swapped atomically after each
   * sync, so the app never sees a half-written checkout.
   * @default 'current'
   */
  readonly link?: string;
}

/** Options of the ConfigMap/Secret sources (kiwigrid/k8s-sidecar). */
export interface LabelledSourceOptions {
  /** The label key that selects the objects (`LABEL`), for example `app.example.com/config`. */
  readonly label: string;

  /**
   * The value the label must have (`LABEL_VALUE`).
   * @default - any value
   */
  readonly labelValue?: string;

  /**
   * Prefix each file with its namespace and object name, for data keys that repeat across
   * objects (`UNIQUE_FILENAMES`).
   * @default false
   */
  readonly uniqueFilenames?: boolean;

  /**
   * The mode of every file written (`DEFAULT_FILE_MODE`). The owner (the sidecar) must be able
   * to read and write it, since it rewrites its files; the app reads through the pod's fsGroup
   * (group) or as anyone (other).
   * @default - 0o640 when Secrets are read (the app reads them through the pod's fsGroup),
   *   otherwise the sidecar's umask (0o644)
   */
  readonly fileMode?: number;
}

/** @internal */
export interface GitSpec {
  readonly kind: 'git';
  readonly options: GitSourceOptions;
}

/** @internal */
export interface LabelledSpec {
  readonly kind: 'labelled';
  readonly resource: K8sSidecarResource;
  readonly options: LabelledSourceOptions;
}

/**
 * Where the configuration comes from.
 *
 * @example
 * ConfigSource.git({ repo: 'https://github.com/acme/app-config.git', ref: 'main' })
 * ConfigSource.configMaps({ label: 'acme.com/web-config' })
 */
export class ConfigSource {
  /**
   * A git repository, synced by git-sync v4 (`registry.k8s.io/git-sync/git-sync`).
   *
   * @see https://github.com/kubernetes/git-sync
   */
  public static git(options: GitSourceOptions): ConfigSource {
    checkFactoryOptions('ConfigSource.git', 'GitSourceOptions', options);
    return new ConfigSource({ kind: 'git', options });
  }

  /**
   * The ConfigMaps of the pod's namespace that carry a label, each data key written as a file,
   * watched by kiwigrid/k8s-sidecar. It runs with a ServiceAccount bound to a Role that may only
   * get, list and watch ConfigMaps in that namespace.
   *
   * @see https://github.com/kiwigrid/k8s-sidecar
   */
  public static configMaps(options: LabelledSourceOptions): ConfigSource {
    checkFactoryOptions('ConfigSource.configMaps', 'LabelledSourceOptions', options);
    return new ConfigSource({ kind: 'labelled', resource: 'configmap', options });
  }

  /**
   * The Secrets of the pod's namespace that carry a label, like `configMaps`. The Role may
   * get, list and watch every Secret of the namespace (Kubernetes RBAC cannot filter by label).
   */
  public static secrets(options: LabelledSourceOptions): ConfigSource {
    checkFactoryOptions('ConfigSource.secrets', 'LabelledSourceOptions', options);
    return new ConfigSource({ kind: 'labelled', resource: 'secret', options });
  }

  /** Both the labelled ConfigMaps and the labelled Secrets, into one folder. */
  public static configMapsAndSecrets(options: LabelledSourceOptions): ConfigSource {
    checkFactoryOptions('ConfigSource.configMapsAndSecrets', 'LabelledSourceOptions', options);
    return new ConfigSource({ kind: 'labelled', resource: 'both', options });
  }

  /** The program that syncs the folder. */
  public readonly engine: 'git-sync' | 'k8s-sidecar';

  private constructor(private readonly spec: GitSpec | LabelledSpec) {
    this.engine = spec.kind === 'git' ? 'git-sync' : 'k8s-sidecar';
  }

  /** @internal */
  public get _spec(): GitSpec | LabelledSpec {
    return this.spec;
  }
}

// ---------------------------------------------------------------------------------------------
// Reload: shared with withSecretsAgent, in lib/engine/reload.ts
// ---------------------------------------------------------------------------------------------

export { ConfigReload, HttpPostReloadOptions, ReloadSignal, SignalReloadOptions } from '../engine/reload';

// ---------------------------------------------------------------------------------------------
// The construct
// ---------------------------------------------------------------------------------------------

/** Options of `withConfigSync`. */
export interface ConfigSyncOptions {
  /** Where the files come from. */
  readonly source: ConfigSource;

  /**
   * Where the app containers mount the folder, read-only (absolute). With git the files are under
   * `<mountPath>/<link>` (see `ConfigSync.configPath`); with ConfigMaps/Secrets directly in it.
   */
  readonly mountPath: string;

  /**
   * How the app learns of a change.
   * @default - not told: the app re-reads the folder by itself
   */
  readonly reload?: ConfigReload;

  /**
   * The sync container's name (the one-time init container is `<name>-init`; the volumes are
   * `<name>-…`). Two syncs on one workload need two names.
   * @default 'git-sync' or 'k8s-sidecar'
   */
  readonly name?: string;

  /**
   * The app containers that mount the folder.
   * @default - every container of the pod, at this call, that is not a sidecar of this library
   */
  readonly containers?: string[];

  /**
   * Native sidecar or classic container, for the long-running sync. Ignored on a Job or CronJob,
   * which only get the one-time sync.
   * @default - the nearest `setDefaultSidecarMode`, else `SidecarMode.NATIVE`
   */
  readonly mode?: SidecarMode;

  /**
   * The port of the sync program's health endpoint (git-sync `--http-bind`, k8s-sidecar
   * `HEALTH_PORT`), declared as a containerPort and probed by the kubelet.
   * @default - 9487, or the next port no container of the pod uses at this call
   */
  readonly healthPort?: number;

  /**
   * Resources of the sync containers; each of cpu and memory given replaces the sidecar default
   * (50m/500m CPU, 64Mi/256Mi memory).
   * @default - the sidecar defaults
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * The most the folder's emptyDir may hold (a git checkout holds the `.git` data too).
   * @default - no limit
   */
  readonly sizeLimit?: Size;
}

/** @internal */
export function sourceSpec(fail: Fail, source: unknown): GitSpec | LabelledSpec {
  if (!(source instanceof ConfigSource)) {
    fail('source must be a ConfigSource (ConfigSource.git, ConfigSource.configMaps, ConfigSource.secrets or ConfigSource.configMapsAndSecrets)');
  }
  return (source as ConfigSource)._spec;
}

// Options compare by value in the plan cache (engine/options-key.ts): all their state is in their own properties.
keyedByValue(GitAuth, ConfigSource);
