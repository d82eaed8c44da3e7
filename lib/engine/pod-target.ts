/**
 * What the attach (attach.ts) and the registry (registry.ts) need of a pod: read its containers,
 * volumes, labels, security context and service account; add containers, volumes, mounts, env,
 * annotations; and render it for the whole-pod checks. Two implementations: a cdk8s-plus workload
 * (kplus-pod.ts) and a plain cdk8s `ApiObject` of a pod-bearing kind (api-object-pod.ts), which
 * writes JSON patches.
 *
 * Containers and volumes are `kplus.Container` and `kplus.Volume` on both sides, so that a
 * helper's plan reads either pod the same way: for an ApiObject, the containers it already had are
 * read views built from its manifest, and every change goes through the target's methods.
 */
import { Construct } from 'constructs';
import { kplus } from './kplus';
import { PodView } from './validation/pod-view';
import { WorkloadRecords } from './validation/workload-view';

/** A pod the library attaches programs to. */
export interface PodTarget {
  /** The workload's construct: its path names it, it holds the pod's own constructs and its validation. */
  readonly construct: Construct;
  /** `Deployment "chart/web"`. */
  readonly label: string;
  /** `Deployment`, `Job`, … */
  readonly kind: string;
  /** `metadata.name`. */
  readonly name: string;
  readonly runsToCompletion: boolean;
  readonly initContainers: readonly kplus.Container[];
  readonly containers: readonly kplus.Container[];
  /** The pod's volumes (cdk8s-plus also adds the volumes its containers mount, when rendering). */
  readonly volumes: readonly kplus.Volume[];
  readonly securityContext: kplus.PodSecurityContext;
  readonly automountServiceAccountToken: boolean;
  /** The pod template's labels, now. */
  podLabels(): Record<string, string>;
  /** The labels a Service selects the pods with. */
  selectorLabels(): Record<string, string>;
  /** The pod template's annotations, now (the object's own and those added through this target). */
  podAnnotations(): Record<string, string>;

  addContainer(props: kplus.ContainerProps): kplus.Container;
  /** Adds an init container, last, or at `index` among the init containers. */
  addInitContainer(props: kplus.ContainerProps, index?: number): kplus.Container;
  /** Mounts `volume` into a container of the pod (its volume is added to the pod when needed). */
  mount(container: kplus.Container, path: string, volume: kplus.Volume, options: kplus.MountOptions): void;
  /** Adds an environment variable to a container of the pod. */
  addEnv(container: kplus.Container, name: string, value: kplus.EnvValue): void;
  addPodAnnotation(key: string, value: string): void;
  /** Sets `fsGroup` when the pod has none; returns the group in effect. */
  ensureFsGroup(group: number): number;
  /** The pod's service account, else `make()`'s, which the pod then runs as. */
  ensureServiceAccount(make: () => kplus.IServiceAccount): kplus.IServiceAccount;
  /** `shareProcessNamespace: true`. */
  shareProcessNamespace(): void;
  /** Keeps a classic sidecar's ports out of Services the workload derives from its containers. */
  keepOutOfServices(containerName: string): void;

  /**
   * The pod as the rules read it (plain pod data, validation/pod-view.ts), with what the registry
   * recorded; `renderProblem` when the pod spec cannot be rendered (validation/rendered.ts).
   */
  view(records: WorkloadRecords): { readonly view: PodView; readonly renderProblem?: string };
  /** What the rules read, by identity or value: equal snapshots mean an unchanged pod (pod-snapshot.ts). */
  snapshot(version: number, watchEnv: readonly string[]): unknown[];
}
