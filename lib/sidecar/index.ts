import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { attachProgram, checkProgram } from '../engine/attach';
import { BoundPort } from '../engine/bound-port';
import { checkOptions } from '../engine/input';
import { kplus, workloadOrScope } from '../engine/kplus';
import { planFor } from '../engine/plan-cache';
import { PodFacts } from '../engine/pod-facts';
import { Program } from '../engine/program';
import { PodRegistry } from '../engine/registry';
import { SharedVolume, SharedVolumeOptions } from '../engine/shared-volume';
import { SidecarMode } from '../engine/sidecar-mode';
import { quote } from '../engine/validation/syntax';

/**
 * A sidecar: everything `kplus.ContainerProps` takes, and how it joins the pod.
 */
export interface SidecarOptions extends kplus.ContainerProps {
  /**
   * The container name, unique in the pod; a DNS-1123 label.
   */
  readonly name: string;

  /**
   * Native sidecar (an init container with `restartPolicy: Always`) or a regular container.
   * @default - the nearest `setDefaultSidecarMode` above the workload, else `SidecarMode.NATIVE`
   */
  readonly mode?: SidecarMode;

  /**
   * Ports the sidecar program binds without a `containerPort` (admin, metrics, health). They
   * join the pod's port ledger, which the synth-time checks compare with every other port.
   * @default - none
   */
  readonly boundPorts?: BoundPort[];

  /**
   * Pod-level emptyDir volumes to mount into the sidecar and into the app containers.
   * @default - none
   */
  readonly sharedVolumes?: SharedVolumeOptions[];

  /**
   * Start before every other init container and native sidecar, for a sidecar that the others
   * need (a proxy, a log shipper). Sidecars asking for it keep their attach order among
   * themselves. Native mode only: classic containers all start together.
   * @default false - placed in attach order
   */
  readonly first?: boolean;

  /**
   * What this sidecar is, shown in error messages.
   * @default 'withSidecar'
   */
  readonly purpose?: string;

  /**
   * Let environment variable names follow the relaxed rule of later Kubernetes versions: any
   * printable ASCII character but `=` (`ConnectionStrings:Default`, for .NET). Only for clusters
   * of 1.32 or later (the RelaxedEnvironmentVariableValidation feature, on by default from 1.32,
   * GA in 1.34): older API servers refuse such a pod.
   * @default false - Kubernetes 1.28's rule: letters, digits, `_`, `-` and `.`, not starting with a digit
   * @see https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/#using-environment-variables-inside-of-your-config
   */
  readonly relaxedEnvNames?: boolean;

  /**
   * Let `securityContext` (and `ports`) leave the Pod Security Standards "restricted" profile:
   * `privileged`, running as root (`user: 0`), `ensureNonRoot: false`, `allowPrivilegeEscalation`,
   * capabilities added beyond NET_BIND_SERVICE, an `Unconfined` seccomp profile, a `hostPort`.
   * Without it each is refused at the call. Namespaces that enforce the restricted (or baseline)
   * profile refuse such a pod. Even with it, combinations the API server or the kubelet refuses
   * (root with `ensureNonRoot: true`, privileged with `allowPrivilegeEscalation: false`) are refused;
   * root defaults to `ensureNonRoot: false` and privileged to `allowPrivilegeEscalation: true`.
   * @default false
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
   */
  readonly allowOutsideRestrictedProfile?: boolean;
}

/**
 * Props of the `Sidecar` construct: the sidecar and the workload it joins.
 */
export interface SidecarProps extends SidecarOptions {
  /**
   * The workload whose pods get the sidecar: a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod. A cdk8s-plus workload, or an
   * ApiObject of one of these kinds or a ReplicaSet (a `KubeDeployment`, an Include's, a Helm chart's),
   * changed through JSON patches on its pod template (README, "Any pod, any source").
   * @default - the scope, which must then be a workload
   */
  readonly workload?: kplus.AbstractPod | ApiObject;
}

/**
 * Attaches one sidecar container to a workload's pods.
 *
 * In `SidecarMode.NATIVE` (the default) the container is an init container with
 * `restartPolicy: Always`; in `SidecarMode.CLASSIC` a regular container. Either way it gets
 * the restricted security context and small resources unless told otherwise, its shared
 * volumes are mounted on both sides, and the workload's whole pod is checked at synthesis.
 *
 * @example
 * const sidecar = new Sidecar(chart, 'metrics', {
 *   workload: web,
 *   name: 'exporter',
 *   image: 'quay.io/prometheus/statsd-exporter:v0.29.0',
 *   ports: [{ number: 9102, name: 'metrics' }],
 * });
 */
export class Sidecar extends Construct {
  /** The sidecar's container; adjust it as any `kplus.Container`. */
  public readonly container: kplus.Container;

  /** How the sidecar joined the pod. */
  public readonly mode: SidecarMode;

  /** The workload the sidecar joined. */
  public readonly workload: kplus.AbstractPod | ApiObject;

  /** The shared volumes, with where each is mounted. */
  public readonly sharedVolumes: SharedVolume[];

  public constructor(scope: Construct, id: string, props: SidecarProps) {
    checkOptions(scope, 'withSidecar', 'SidecarProps', props);
    const workload = workloadOrScope(scope, id, props.workload, 'Sidecar');
    const registry = PodRegistry.of(workload);
    const plan = planFor(planSidecar, registry, props, `sidecar ${quote(props.name)}`);
    const checked = checkProgram(registry, plan.program, scope, id);
    super(scope, id);
    const attached = attachProgram(this, checked);
    this.workload = workload;
    this.container = attached.container!;
    this.mode = attached.mode!;
    this.sharedVolumes = attached.sharedVolumes;
  }

  /** The shared volumes' pod-level emptyDir volumes. */
  public get volumes(): kplus.Volume[] {
    return this.sharedVolumes.map((s) => s.volume);
  }
}

/** The program of `withSidecar`: the user's container, as given (nothing of the pod is read; the engine checks it). */
function planSidecar(_pod: PodFacts, props: SidecarProps): { program: Program } {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { workload, sharedVolumes, purpose, ...sidecar } = props;
  const program: Program = {
    where: `sidecar ${quote(props.name)}`,
    purpose: purpose ?? 'withSidecar',
    userDescribed: true,
    name: props.name,
    // The user writes the arguments and env values: `$(NAME)` is theirs to use. (Assigned onto the
    // rest's own copy, not spread into a new literal: see containerProps in engine/attach.ts.)
    sidecar: Object.assign(sidecar, { expandsVariables: true }),
    sharedVolumes,
  };
  return { program };
}

/**
 * Attaches a sidecar container to every pod of `workload`.
 *
 * @example
 * const web = new kplus.Deployment(chart, 'web', {
 *   containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080 }],
 * });
 * withSidecar(web, {
 *   name: 'exporter',
 *   image: 'quay.io/prometheus/statsd-exporter:v0.29.0',
 *   ports: [{ number: 9102, name: 'metrics' }],
 *   boundPorts: [{ number: 9125, protocol: kplus.Protocol.UDP, purpose: 'statsd' }],
 * });
 */
export function withSidecar(workload: kplus.AbstractPod | ApiObject, options: SidecarOptions): Sidecar {
  // The construct checks the options (checkOptions, for JavaScript callers) before anything else.
  return new Sidecar(workload, options?.name, options);
}
