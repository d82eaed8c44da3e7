/**
 * withConfigSync: keep a folder of configuration files current from git (git-sync) or from
 * labelled ConfigMaps/Secrets (kiwigrid/k8s-sidecar), and tell the app when it changes.
 */
import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { attachSidecar } from '../attach-sidecar';
import { BoundPort } from '../bound-port';
import { sha256 } from '../config-file';
import { GIT_SYNC_IMAGE, imageReference, K8S_SIDECAR_IMAGE } from '../images';
import {
  ensurePodFsGroup, ensurePodServiceAccount, kplus, mountOwn, runsToCompletion, setPodSpecField, TCP, volumeFromSource,
  Workload, workloadKind, workloadLabel, workloadOrScope,
} from '../kplus';
import { LastCall } from '../last-call';
import { addOneTimeContainer } from '../one-time';
import { PodRegistry } from '../pod-registry';
import { SharedVolumeOptions } from '../shared-volume';
import { defaultSidecarMode, SidecarMode } from '../sidecar-mode';
import {
  CheckedAuth, CheckedGit, checkGitSource, checkHttpReload, checkLabelledSource, checkMountPath, checkSignalReload, Fail,
  GIT_SECRET_DIR, isInside, resolveTargets,
} from './checks';
import { gitSyncArgs, GitSyncSettings } from './git-sync';
import { K8sSidecarResource, k8sSidecarEnv, K8sSidecarSettings } from './k8s-sidecar';
import { signalScript } from './signal-script';
import { dnsLabelProblem, mountPathProblem, normalizePath, portNumberProblem } from '../validation/syntax';

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
    return new GitAuth('https', options);
  }

  /**
   * A private key over SSH, with host-key verification against `knownHosts`.
   *
   * @example
   * GitAuth.ssh({ privateKey: { secret: deployKey, key: 'ssh' }, knownHosts: { secret: deployKey, key: 'known_hosts' } })
   */
  public static ssh(options: SshGitAuthOptions): GitAuth {
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

interface GitSpec {
  readonly kind: 'git';
  readonly options: GitSourceOptions;
}

interface LabelledSpec {
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
    return new ConfigSource({ kind: 'labelled', resource: 'configmap', options });
  }

  /**
   * The Secrets of the pod's namespace that carry a label, like `configMaps`. The Role may
   * get, list and watch every Secret of the namespace (Kubernetes RBAC cannot filter by label).
   */
  public static secrets(options: LabelledSourceOptions): ConfigSource {
    return new ConfigSource({ kind: 'labelled', resource: 'secret', options });
  }

  /** Both the labelled ConfigMaps and the labelled Secrets, into one folder. */
  public static configMapsAndSecrets(options: LabelledSourceOptions): ConfigSource {
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
// Reload
// ---------------------------------------------------------------------------------------------

/** Options of `ConfigReload.httpPost`. */
export interface HttpPostReloadOptions {
  /**
   * The app's container port (declared by an app container), reached on 127.0.0.1 from inside
   * the pod. Never a Service port.
   */
  readonly port: number;

  /** The path, for example `/-/reload`. */
  readonly path: string;

  /**
   * The status git-sync waits for; it retries the request until it gets it
   * (`--webhook-success-status`). `0` accepts any answer. k8s-sidecar does not check it.
   * @default 200
   */
  readonly successStatus?: number;
}

/** Signals an app may reload on. */
export type ReloadSignal = 'SIGHUP' | 'SIGUSR1' | 'SIGUSR2';

/** Options of `ConfigReload.signal`. */
export interface SignalReloadOptions {
  /**
   * The app's process name as `/proc/<pid>/comm` shows it (at most 15 characters), for example
   * `nginx`. The script signals each process of that name whose parent has another name (the
   * master, not the workers).
   * @default - the file name of the first app container's `command[0]`
   */
  readonly process?: string;

  /**
   * The acknowledgement that the pod gets `shareProcessNamespace: true`: every container then
   * sees every other container's processes, their command lines, and (for processes of the
   * same UID) their environment and files through /proc/<pid>/root. The sync container runs as
   * the app's UID to be allowed to signal it, so the app can read the sync container's
   * credentials.
   */
  readonly shareProcessNamespace: true;
}

interface HttpPostSpec {
  readonly kind: 'http';
  readonly options: HttpPostReloadOptions;
}

interface SignalSpec {
  readonly kind: 'signal';
  readonly signal: ReloadSignal;
  readonly options: SignalReloadOptions;
}

/**
 * How the app learns that its configuration changed.
 *
 * @example
 * ConfigReload.httpPost({ port: 9090, path: '/-/reload' })
 * ConfigReload.signal('SIGHUP', { process: 'nginx', shareProcessNamespace: true })
 */
export class ConfigReload {
  /**
   * An HTTP POST to the app on `http://127.0.0.1:<port><path>` after each change: git-sync's
   * `--webhook-url`, k8s-sidecar's `REQ_URL` with `REQ_METHOD=POST`.
   */
  public static httpPost(options: HttpPostReloadOptions): ConfigReload {
    return new ConfigReload({ kind: 'http', options });
  }

  /**
   * A signal to the app's process after each change, sent by a small script from the sync
   * container. Needs `shareProcessNamespace: true` on the pod (an explicit opt-in, see
   * `SignalReloadOptions.shareProcessNamespace`), and the sync container runs as the app's UID.
   */
  public static signal(signal: ReloadSignal, options: SignalReloadOptions): ConfigReload {
    return new ConfigReload({ kind: 'signal', signal, options });
  }

  private constructor(private readonly spec: HttpPostSpec | SignalSpec) {}

  /** @internal */
  public get _spec(): HttpPostSpec | SignalSpec {
    return this.spec;
  }
}

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

/** Props of the `ConfigSync` construct. */
export interface ConfigSyncProps extends ConfigSyncOptions {
  /**
   * The workload whose pods get the folder: a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod.
   * @default - the scope, which must then be a workload
   */
  readonly workload?: kplus.AbstractPod;
}

/** The health port a sync gets when none is asked for, or the next free one. */
export const DEFAULT_CONFIG_SYNC_HEALTH_PORT = 9487;

/** Where the folder is mounted in git-sync containers: the image's default `--root`. */
const GIT_ROOT = '/git';
/** Where the folder is mounted in k8s-sidecar containers (`FOLDER`). */
const K8S_SIDECAR_FOLDER = '/data';
/** Where the kubelet mounts a service-account token; the Kubernetes clients look there. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Where the signal script is mounted. */
const SCRIPT_DIR = '/etc/config-sync';
const SCRIPT_FILE = 'reload.sh';

/** The registry slot of the syncs of a workload. */
const SYNCS = Symbol('config syncs');

/** The git source of the last options, checked, for the next workload given the same (lib/last-call.ts). */
const GIT_SOURCES = new LastCall<CheckedGit>();

/** What the long-running sync container of the last options was told, for the next workload given the same. */
const SYNC_CONTAINERS = new LastCall<{
  readonly image: string;
  readonly args?: string[];
  readonly ports: kplus.ContainerPort[];
  readonly boundPorts: BoundPort[];
  readonly startup: kplus.Probe;
  readonly liveness: kplus.Probe;
  readonly purpose: string;
}>();

/**
 * A folder in the pod, kept current from git or from labelled ConfigMaps/Secrets.
 *
 * The folder is an emptyDir that the sync program writes and the app containers mount read-only
 * at `mountPath`. The app never starts on an empty folder: in native mode the sync is a native
 * sidecar whose startup probe holds the app until the first sync succeeded; in classic mode a
 * plain init container syncs once before the app, then a regular container keeps syncing; on a
 * Job or CronJob only the one-time init container runs.
 *
 * @example
 * new ConfigSync(chart, 'config', {
 *   workload: web,
 *   source: ConfigSource.git({ repo: 'https://github.com/acme/app-config.git', ref: 'main' }),
 *   mountPath: '/etc/app/config',
 * });
 */
export class ConfigSync extends Construct {
  /** The workload. */
  public readonly workload: kplus.AbstractPod;

  /** The source. */
  public readonly source: ConfigSource;

  /** Where the app containers mount the folder. */
  public readonly mountPath: string;

  /**
   * The path the app reads its files from: `<mountPath>/<link>` with git (a symlink swapped
   * atomically after each sync), `mountPath` with ConfigMaps/Secrets.
   */
  public readonly configPath: string;

  /** The long-running sync container, unless the workload is a Job or CronJob. */
  public readonly container?: kplus.Container;

  /**
   * How the long-running sync joined the pod: native sidecar or classic container (with a
   * one-time init container before the app); undefined on a Job or CronJob.
   */
  public readonly mode?: SidecarMode;

  /** The one-time sync, an init container before the app: in classic mode and on Jobs/CronJobs. */
  public readonly initContainer?: kplus.Container;

  /** The folder: a pod-level emptyDir. */
  public readonly volume: kplus.Volume;

  /** The health endpoint's port, when a container serves one. */
  public readonly healthPort?: number;

  /** The pod's fsGroup in effect (set to the sync program's group when the pod had none). */
  public readonly fsGroup: number;

  /** The service account the pod runs as (k8s-sidecar only): made here, or the pod's own. */
  public readonly serviceAccount?: kplus.IServiceAccount;

  /** The Role that lets the service account read the ConfigMaps/Secrets (k8s-sidecar only). */
  public readonly role?: kplus.Role;

  /** The RoleBinding of `role` to `serviceAccount` (k8s-sidecar only). */
  public readonly roleBinding?: kplus.RoleBinding;

  /** The ConfigMap holding the signal script (`ConfigReload.signal` only). */
  public readonly reloadScript?: kplus.ConfigMap;

  /** The sync container's name. */
  public readonly name: string;

  private readonly targets: kplus.Container[];

  public constructor(scope: Construct, id: string, props: ConfigSyncProps) {
    // Everything that can be refused is checked before anything is added, this construct
    // included: a refused call leaves the app as it was.
    const workload = workloadOrScope(scope, id, props.workload, 'ConfigSync');
    const registry = PodRegistry.of(workload);
    const where = registry.prefix('withConfigSync');
    const fail = (problem: string): never => {
      throw new Error(`${where}: ${problem}`);
    };
    const spec = sourceSpec(fail, props.source);
    const engine = spec.kind === 'git' ? 'git-sync' : 'k8s-sidecar';
    const image = spec.kind === 'git' ? GIT_SYNC_IMAGE : K8S_SIDECAR_IMAGE;

    // -- everything that can be refused, before the pod is touched ------------------------------
    const name = props.name ?? engine;
    const nameProblem = dnsLabelProblem(name);
    if (nameProblem) fail(`name "${name}" ${nameProblem}`);
    if (name.length > 50) fail(`name "${name}" is ${name.length} characters; at most 50 leave room for "-init" and the volume suffixes`);

    if (typeof props.mountPath !== 'string') fail('mountPath is missing; give the absolute path where the app reads the folder');
    const pathProblem = mountPathProblem(props.mountPath);
    if (pathProblem) fail(`mountPath "${props.mountPath}" ${pathProblem}, for example "/etc/app/config"`);
    if (normalizePath(props.mountPath) === '/') fail('mountPath "/" would hide the app\'s whole filesystem; give a folder, for example "/etc/app/config"');
    const mountPath = normalizePath(props.mountPath);

    const oneTimeOnly = runsToCompletion(workload);
    const mode = oneTimeOnly ? undefined : props.mode ?? defaultSidecarMode(workload);
    const needsInit = oneTimeOnly || mode === SidecarMode.CLASSIC;
    const initName = `${name}-init`;

    const targets = resolveTargets(fail, registry, props.containers);
    const syncs = registry.slot(SYNCS, (): ConfigSync[] => []);
    checkMountPath(fail, syncs, targets, mountPath);

    // The checked source is a function of its options alone.
    const git = spec.kind === 'git' ? GIT_SOURCES.get(spec.options, [], () => checkGitSource(fail, spec.options)) : undefined;
    const labelled = spec.kind === 'labelled' ? checkLabelledSource(fail, spec.resource, spec.options) : undefined;

    const reload = props.reload === undefined ? undefined : reloadSpec(fail, props.reload);
    if (reload && oneTimeOnly) {
      fail(`a ${workloadKind(workload)} only gets the one-time sync, before the app starts, so there is nothing to reload; remove reload`);
    }
    const httpReload = reload?.kind === 'http' ? checkHttpReload(fail, registry, reload.options) : undefined;
    const signalReload = reload?.kind === 'signal'
      ? checkSignalReload(fail, workload, targets, reload.signal, reload.options, { engine, sshAuth: git?.auth?.transport === 'ssh', image, labelled })
      : undefined;

    if (labelled && labelled.resource !== 'configmap' && workload.automountServiceAccountToken) {
      fail('the pod sets automountServiceAccountToken: true, so every container, the app included, would get the token '
        + 'that may read the namespace\'s Secrets; remove automountServiceAccountToken, or sync ConfigMaps only');
    }

    if (props.healthPort !== undefined) {
      const problem = portNumberProblem(props.healthPort);
      if (problem) fail(`healthPort ${props.healthPort} ${problem}`);
    }
    if (props.sizeLimit !== undefined && !(props.sizeLimit.toMebibytes() > 0)) fail('sizeLimit must be positive, for example Size.mebibytes(200)');

    const claim = (container: string) => {
      const taken = registry.containerNamed(container);
      if (taken) {
        const other = syncs.find((s) => s.container === taken || s.initContainer === taken);
        fail(other
          ? `the workload already has a withConfigSync named "${other.name}" (mountPath "${other.mountPath}"); pass name to give the second sync another name`
          : `the workload already has a container named "${container}"; pass name to give the sync another name`);
      }
    };
    claim(name);
    if (needsInit) claim(initName);
    const dataName = `${name}-data`;
    const tmpName = `${name}-tmp`;
    const tmpLimit = Size.mebibytes(64);
    registry.checkSharedVolume(where, { name: dataName, sizeLimit: props.sizeLimit });
    if (git) registry.checkSharedVolume(where, { name: tmpName, sizeLimit: tmpLimit });

    // -- the pod -----------------------------------------------------------------------------
    super(scope, id);
    this.workload = workload;
    this.source = props.source;
    this.name = name;
    this.mountPath = mountPath;
    this.targets = targets;
    this.configPath = git ? `${mountPath}/${git.link}` : mountPath;

    const servesHealth = !oneTimeOnly || engine === 'k8s-sidecar';
    const healthPort = servesHealth ? props.healthPort ?? registry.freePort(DEFAULT_CONFIG_SYNC_HEALTH_PORT) : undefined;
    this.healthPort = healthPort;

    // The folder, and git-sync's /tmp.
    this.volume = registry.sharedVolume({ name: dataName, sizeLimit: props.sizeLimit });
    const dataPath = git ? GIT_ROOT : K8S_SIDECAR_FOLDER;

    const extraVolumes: Array<{ volume: kplus.Volume; path: string }> = [];
    let tmp: kplus.Volume | undefined;
    if (git) {
      // git-sync writes its gitconfig to $TMPDIR and keeps credentials in git's credential cache,
      // whose socket is under $HOME (/tmp in the image): the read-only root filesystem needs /tmp.
      tmp = registry.sharedVolume({ name: tmpName, sizeLimit: tmpLimit });
    }

    // fsGroup: the group of the folder and of the Secret files. A group the user chose is kept:
    // the kubelet adds the fsGroup to every container, so the sync program reads its Secret files
    // (mode 0440) and the app reads the folder whatever its number.
    this.fsGroup = ensurePodFsGroup(workload, image.group);

    const user = signalReload?.user ?? image.user;
    const group = signalReload?.group ?? image.group;
    const securityContext = { user, group };
    const resources = props.resources;

    if (git?.auth) {
      for (const mount of this.secretVolumes(git.auth)) extraVolumes.push(mount);
    }
    if (labelled) {
      const token = volumeFromSource(this, 'ServiceAccountToken', `${name}-token`, {
        projected: {
          // The same three sources the kubelet projects for a pod's own token (kube-api-access-*).
          // Keys are cdk8s-plus's import names (downwardApi), rendered as the API's (downwardAPI).
          defaultMode: 0o444,
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardApi: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      });
      extraVolumes.push({ volume: token, path: SERVICE_ACCOUNT_DIR });
      const rbac = this.rbac(workload, labelled.resource);
      this.serviceAccount = rbac.serviceAccount;
      this.role = rbac.role;
      this.roleBinding = rbac.roleBinding;
    }
    let scriptPath: string | undefined;
    if (signalReload) {
      const text = signalScript({ signal: signalReload.signal.replace(/^SIG/, ''), process: signalReload.process });
      this.reloadScript = new kplus.ConfigMap(this, 'ReloadScript', { data: { [SCRIPT_FILE]: text } });
      const scriptVolume = kplus.Volume.fromConfigMap(this, 'ReloadScriptVolume', this.reloadScript, {
        name: `${name}-reload`,
        defaultMode: 0o555,
      });
      extraVolumes.push({ volume: scriptVolume, path: SCRIPT_DIR });
      scriptPath = `${SCRIPT_DIR}/${SCRIPT_FILE}`;
      setPodSpecField(workload, 'shareProcessNamespace', true);
      workload.podMetadata.addAnnotation(`cdk8s-sidecars/checksum-${name}`, sha256(text));
    }
    const reloadUrl = httpReload ? `http://127.0.0.1:${httpReload.port}${httpReload.path}` : undefined;

    // -- what the program is told ------------------------------------------------------------
    const gitSettings = (oneTime: boolean): GitSyncSettings => ({
      repo: git!.repo,
      ref: git!.ref,
      root: GIT_ROOT,
      link: git!.link,
      period: git!.period,
      depth: git!.depth,
      oneTime,
      httpBind: oneTime ? undefined : `:${healthPort}`,
      ...git!.files,
      webhook: !oneTime && reloadUrl ? { url: reloadUrl, successStatus: httpReload!.successStatus } : undefined,
      exechookCommand: oneTime ? undefined : scriptPath,
    });
    const sidecarSettings = (method: 'WATCH' | 'LIST'): K8sSidecarSettings => ({
      label: labelled!.label,
      labelValue: labelled!.labelValue,
      folder: K8S_SIDECAR_FOLDER,
      resource: labelled!.resource,
      method,
      healthPort: healthPort!,
      uniqueFilenames: labelled!.uniqueFilenames,
      fileMode: labelled!.fileMode,
      reloadUrl: method === 'WATCH' ? reloadUrl : undefined,
      script: method === 'WATCH' ? scriptPath : undefined,
    });
    const program = (oneTime: boolean): Pick<kplus.ContainerProps, 'args' | 'envVariables'> => git
      ? { args: gitSyncArgs(gitSettings(oneTime)) }
      : { envVariables: Object.fromEntries(k8sSidecarEnv(sidecarSettings(oneTime ? 'LIST' : 'WATCH')).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])) };
    const volumeMounts: kplus.VolumeMount[] = extraVolumes.map(({ volume, path }) => ({ path, volume, readOnly: true }));

    // -- the one-time init container ---------------------------------------------------------
    if (needsInit) {
      // k8s-sidecar serves its health endpoint in the one-time run too (METHOD=LIST): in the
      // ledger, the core compares it with the native sidecars already running.
      const initPorts = engine === 'k8s-sidecar' && healthPort !== undefined
        ? [{ number: healthPort, purpose: `${engine} health endpoint` }]
        : [];
      const init = addOneTimeContainer(workload, where, {
        name: initName,
        image: imageReference(image),
        ...program(true),
        resources,
        securityContext,
        volumeMounts: [
          { path: dataPath, volume: this.volume },
          ...(tmp ? [{ path: '/tmp', volume: tmp }] : []),
          ...volumeMounts,
        ],
      }, `withConfigSync (${engine})`, initPorts);
      if (healthPort !== undefined && initPorts.length > 0) {
        registry.hintPort(initName, healthPort, TCP, 'pass healthPort to withConfigSync');
      }
      this.initContainer = init;
      if (oneTimeOnly) {
        for (const target of targets) mountOwn(target, mountPath, this.volume, { readOnly: true });
      }
    }

    // -- the long-running sync ---------------------------------------------------------------
    if (!oneTimeOnly) {
      const portName = registry.freePortName('sync-health');
      const shared: SharedVolumeOptions[] = [
        { name: dataName, path: dataPath, appPath: mountPath, appReadOnly: true, appContainers: targets.map((t) => t.name) },
      ];
      if (tmp) shared.push({ name: tmpName, path: '/tmp', appContainers: [] });
      // What the long-running container is told is a function of the options and these values
      // alone; k8s-sidecar's environment is made per call (cdk8s-plus changes it in place).
      const settings = SYNC_CONTAINERS.get(props, [healthPort, portName, reloadUrl, scriptPath], () => {
        // The endpoint answers 5xx until the first sync has succeeded, then 200: the startup probe
        // holds the app (native mode) until the folder is filled; the liveness probe restarts a
        // stuck sync (k8s-sidecar also fails it when it lost the API server for 60s).
        const probePath = git ? '/' : '/healthz';
        return {
          image: imageReference(image),
          args: git ? program(false).args : undefined,
          ports: [{ number: healthPort!, name: portName }],
          // Declared (the kubelet probes it on the pod IP) and in the ledger, named for messages.
          boundPorts: [{ number: healthPort!, purpose: `${engine} health endpoint` }],
          startup: kplus.Probe.fromHttpGet(probePath, { port: healthPort, periodSeconds: Duration.seconds(2), failureThreshold: 150 }),
          liveness: kplus.Probe.fromHttpGet(probePath, { port: healthPort, periodSeconds: Duration.seconds(10), failureThreshold: 6 }),
          purpose: `withConfigSync (${engine})`,
        };
      });
      const sidecar = attachSidecar(workload, {
        name,
        image: settings.image,
        args: settings.args,
        envVariables: git ? undefined : program(false).envVariables,
        ports: settings.ports,
        boundPorts: settings.boundPorts,
        startup: settings.startup,
        liveness: settings.liveness,
        mode,
        resources,
        securityContext,
        volumeMounts,
        sharedVolumes: shared,
        purpose: settings.purpose,
      });
      this.container = sidecar.container;
      this.mode = sidecar.mode;
      registry.hintPort(name, healthPort!, TCP, 'pass healthPort to withConfigSync');
    }

    this.registerChecks();
    syncs.push(this);
  }

  /** One read-only Secret volume per Secret, each file mode 0440 (readable through the fsGroup). */
  private secretVolumes(auth: CheckedAuth): Array<{ volume: kplus.Volume; path: string }> {
    const bySecret = new Map<string, { secret: kplus.ISecret; items: Record<string, kplus.PathMapping> }>();
    for (const { value, file } of auth.files) {
      const entry = bySecret.get(value.secret.name) ?? { secret: value.secret, items: {} };
      entry.items[value.key] = { path: file };
      bySecret.set(value.secret.name, entry);
    }
    return [...bySecret.values()].map((entry, i) => ({
      volume: kplus.Volume.fromSecret(this, `Auth${i}`, entry.secret, {
        name: bySecret.size === 1 ? `${this.name}-auth` : `${this.name}-auth-${i + 1}`,
        defaultMode: 0o440,
        items: entry.items,
      }),
      path: `${GIT_SECRET_DIR}/${entry.secret.name}`,
    }));
  }

  /** The ServiceAccount (unless the pod has one), Role and RoleBinding k8s-sidecar needs. */
  private rbac(workload: Workload, resource: K8sSidecarResource) {
    let serviceAccount = workload.serviceAccount;
    if (!serviceAccount) {
      serviceAccount = ensurePodServiceAccount(workload, new kplus.ServiceAccount(this, 'ServiceAccount'));
    }
    const role = new kplus.Role(this, 'Role');
    const kinds = resource === 'both'
      ? [kplus.ApiResource.CONFIG_MAPS, kplus.ApiResource.SECRETS]
      : [resource === 'secret' ? kplus.ApiResource.SECRETS : kplus.ApiResource.CONFIG_MAPS];
    // k8s-sidecar lists and watches; upstream's example role also grants get
    // (kiwigrid/k8s-sidecar examples/example.yaml).
    role.allow(['get', 'list', 'watch'], ...kinds);
    const roleBinding = new kplus.RoleBinding(this, 'RoleBinding', { role });
    roleBinding.addSubjects(serviceAccount);
    return { serviceAccount, role, roleBinding };
  }

  /**
   * Registers the synth-time check from its own small scope: a closure made in the constructor
   * would keep the whole constructor scope (options, settings, closures) alive until synthesis.
   */
  private registerChecks(): void {
    this.node.addValidation({ validate: () => this.nestedMounts() });
  }

  /**
   * A mount added after this call inside the folder's mountPath would put a mount point into
   * the folder (git-sync empties its --root of anything it does not know).
   */
  private nestedMounts(): string[] {
    const problems: string[] = [];
    for (const target of this.targets) {
      for (const mount of target.mounts) {
        if (mount.volume !== this.volume && isInside(mount.path, this.mountPath)) {
          problems.push(`container "${target.name}" mounts volume "${mount.volume.name}" at "${mount.path}", inside the folder `
            + `"${this.mountPath}" that withConfigSync (container "${this.name}") syncs; mount it elsewhere`);
        }
      }
    }
    return problems;
  }
}

/**
 * Keeps a folder of the workload's pods current from a source, mounted read-only into the app
 * containers at `mountPath`, and tells the app after each change.
 *
 * @example
 * withConfigSync(web, {
 *   source: ConfigSource.git({ repo: 'https://github.com/acme/app-config.git', ref: 'main', period: Duration.seconds(30) }),
 *   mountPath: '/etc/app/config',
 *   reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }),
 * });
 */
export function withConfigSync(workload: kplus.AbstractPod, options: ConfigSyncOptions): ConfigSync {
  const engine = options?.source instanceof ConfigSource ? options.source.engine : 'source';
  const id = `config-sync-${options?.name ?? engine}`;
  const existing = workload.node.tryFindChild(id);
  if (existing instanceof ConfigSync) {
    throw new Error(`${workloadLabel(workload)}, withConfigSync: the workload already has a withConfigSync named "${existing.name}" `
      + `(mountPath "${existing.mountPath}"); pass name to give the second sync another name`);
  }
  // The workload is the scope: no copy of the options is needed to name it.
  return new ConfigSync(workload, id, options);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function sourceSpec(fail: Fail, source: unknown): GitSpec | LabelledSpec {
  if (!(source instanceof ConfigSource)) {
    fail('source must be a ConfigSource (ConfigSource.git, ConfigSource.configMaps, ConfigSource.secrets or ConfigSource.configMapsAndSecrets)');
  }
  return (source as ConfigSource)._spec;
}

function reloadSpec(fail: Fail, reload: unknown): HttpPostSpec | SignalSpec {
  if (!(reload instanceof ConfigReload)) fail('reload must be a ConfigReload (ConfigReload.httpPost or ConfigReload.signal)');
  return (reload as ConfigReload)._spec;
}
