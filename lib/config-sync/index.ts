/**
 * withConfigSync: keep a folder of configuration files current from git (git-sync) or from
 * labelled ConfigMaps/Secrets (kiwigrid/k8s-sidecar), and tell the app when it changes.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ConfigSource, ConfigSyncOptions } from './options';
import { planConfigSync } from './plan';
import { attachProgram, checkProgram } from '../engine/attach';
import { checkOptions } from '../engine/input';
import { kplus, workloadOrScope } from '../engine/kplus';
import { planFor } from '../engine/plan-cache';
import { PodRegistry } from '../engine/registry';
import { SidecarMode } from '../engine/sidecar-mode';

export { ConfigReload, ConfigSource, DEFAULT_CONFIG_SYNC_HEALTH_PORT, GitAuth } from './options';
export type {
  ConfigSyncOptions, GitSourceOptions, HttpPostReloadOptions, HttpsGitAuthOptions, LabelledSourceOptions, ReloadSignal,
  SignalReloadOptions, SshGitAuthOptions,
} from './options';

/** Props of the `ConfigSync` construct. */
export interface ConfigSyncProps extends ConfigSyncOptions {
  /**
   * The workload whose pods get the folder: a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod. A cdk8s-plus workload, or an
   * ApiObject of one of these kinds or a ReplicaSet (a `KubeDeployment`, an Include's, a Helm chart's),
   * changed through JSON patches on its pod template (README, "Any pod, any source").
   * @default - the scope, which must then be a workload
   */
  readonly workload?: kplus.AbstractPod | ApiObject;
}

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
  public readonly workload: kplus.AbstractPod | ApiObject;

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

  public constructor(scope: Construct, id: string, props: ConfigSyncProps) {
    checkOptions(scope, 'withConfigSync', 'ConfigSyncProps', props);
    const workload = workloadOrScope(scope, id, props?.workload, 'ConfigSync');
    const registry = PodRegistry.of(workload);
    const plan = planFor(planConfigSync, registry, props, 'withConfigSync');
    const checked = checkProgram(registry, plan.program, scope, id);
    super(scope, id);
    const attached = attachProgram(this, checked);
    this.workload = workload;
    this.source = props.source;
    this.name = plan.program.name;
    this.mountPath = plan.mountPath;
    this.configPath = plan.configPath;
    this.healthPort = plan.healthPort;
    this.container = attached.container;
    this.mode = attached.mode;
    this.initContainer = attached.initContainer;
    this.volume = attached.sharedVolumes[0].volume;
    this.fsGroup = attached.fsGroup!;
    this.serviceAccount = attached.serviceAccount;
    this.role = attached.role;
    this.roleBinding = attached.roleBinding;
    this.reloadScript = attached.configMap;
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
export function withConfigSync(workload: kplus.AbstractPod | ApiObject, options: ConfigSyncOptions): ConfigSync {
  // The construct checks the options (checkOptions, for JavaScript callers) before anything else.
  const engine = options?.source instanceof ConfigSource ? options.source.engine : 'source';
  return new ConfigSync(workload, options?.name ?? engine, options);
}
