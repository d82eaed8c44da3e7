/**
 * withSecretsAgent: secrets from Vault rendered into files in an in-memory folder of the pod by
 * Vault Agent, kept current, with the app told when they change.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { SecretsAgentOptions } from './options';
import { planSecretsAgent, REFUSED_OPTIONS } from './plan';
import { attachProgram, checkProgram } from '../engine/attach';
import { checkOptions } from '../engine/input';
import { kplus, workloadOrScope } from '../engine/kplus';
import { planFor } from '../engine/plan-cache';
import { PodRegistry } from '../engine/registry';
import { SidecarMode } from '../engine/sidecar-mode';

export {
  DatabaseSecretOptions, DEFAULT_SECRETS_FOLDER, KvSecretOptions, SecretFile, SecretsAgentOptions, SecretTemplate, VaultCaCertificate,
} from './options';

/** Props of the `SecretsAgent` construct. */
export interface SecretsAgentProps extends SecretsAgentOptions {
  /**
   * The workload whose pods get the secrets: a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod. A cdk8s-plus workload, or an
   * ApiObject of one of these kinds or a ReplicaSet (a `KubeDeployment`, an Include's, a Helm chart's),
   * changed through JSON patches on its pod template (README, "Any pod, any source").
   * @default - the scope, which must then be a workload
   */
  readonly workload?: kplus.AbstractPod | ApiObject;
}

/**
 * Vault Agent in the pod: it logs in to Vault with a service-account token projected for Vault
 * (audience `vault`), renders each secret file from its template into an in-memory emptyDir,
 * and keeps the files current (leases renewed, KV secrets re-read); the app containers mount the
 * folder read-only at `folder`.
 *
 * The app never starts without its secrets: in native mode the agent is a native sidecar whose
 * startup probe holds the app until every file exists; in classic mode, with `prePopulateOnly`,
 * and on a Job or CronJob, an init container renders them once first (`exit_after_auth`).
 *
 * @see https://developer.hashicorp.com/vault/docs/agent-and-proxy/agent
 * @example
 * new SecretsAgent(chart, 'vault-agent', {
 *   workload: web,
 *   address: 'https://vault.vault.svc:8200',
 *   role: 'web',
 *   secrets: [{ path: 'db.json', template: SecretTemplate.database({ role: 'web' }) }],
 * });
 */
export class SecretsAgent extends Construct {
  /** The workload. */
  public readonly workload: kplus.AbstractPod | ApiObject;

  /** Where the app containers read the files. */
  public readonly folder: string;

  /** Each file's path in the app containers, by its path in the folder (`db.json` → `/vault/secrets/db.json`). */
  public readonly files: Record<string, string>;

  /** The long-running agent, unless the workload is a Job or CronJob or `prePopulateOnly` is set. */
  public readonly container?: kplus.Container;

  /** How the long-running agent joined the pod; undefined without one. */
  public readonly mode?: SidecarMode;

  /** The one-time render, an init container before the app: classic mode, `prePopulateOnly`, Jobs and CronJobs. */
  public readonly initContainer?: kplus.Container;

  /** The in-memory folder: a pod-level emptyDir (medium Memory). */
  public readonly volume: kplus.Volume;

  /** The ConfigMap of the agent's configuration (no secret in it: templates only). */
  public readonly configMap: kplus.ConfigMap;

  /** The pod's fsGroup in effect (the agent's group 1000 when the pod had none): the files' group. */
  public readonly fsGroup: number;

  /** The cache listener's port on 127.0.0.1, with `cache`. */
  public readonly cachePort?: number;

  /** The agent's container name. */
  public readonly name: string;

  public constructor(scope: Construct, id: string, props: SecretsAgentProps) {
    checkOptions(scope, 'withSecretsAgent', 'SecretsAgentProps', props, REFUSED_OPTIONS);
    const workload = workloadOrScope(scope, id, props?.workload, 'SecretsAgent');
    const registry = PodRegistry.of(workload);
    const plan = planFor(planSecretsAgent, registry, props, 'withSecretsAgent');
    const checked = checkProgram(registry, plan.program, scope, id);
    super(scope, id);
    const attached = attachProgram(this, checked);
    this.workload = workload;
    this.name = plan.program.name;
    this.folder = plan.folder;
    this.files = plan.files;
    this.cachePort = plan.cachePort;
    this.container = attached.container;
    this.mode = attached.mode;
    this.initContainer = attached.initContainer;
    this.volume = attached.sharedVolumes[0].volume;
    this.configMap = attached.configMap!;
    this.fsGroup = attached.fsGroup!;
  }
}

/**
 * Renders secrets from Vault into files that the workload's app containers read at `folder`
 * (default `/vault/secrets`), kept current by Vault Agent, and tells the app after a change.
 *
 * @example
 * withSecretsAgent(web, {
 *   address: 'https://vault.vault.svc:8200',
 *   role: 'web',
 *   secrets: [
 *     { path: 'api-key', template: SecretTemplate.kv({ path: 'web/api', field: 'key' }) },
 *     { path: 'db.json', template: SecretTemplate.database({ role: 'web' }) },
 *   ],
 *   reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }),
 * });
 */
export function withSecretsAgent(workload: kplus.AbstractPod | ApiObject, options: SecretsAgentOptions): SecretsAgent {
  // The construct checks the options (checkOptions, for JavaScript callers) before anything else.
  return new SecretsAgent(workload, options?.name ?? 'vault-agent', options);
}
