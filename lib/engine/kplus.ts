/**
 * The one door to cdk8s-plus.
 *
 * Every module of this library imports cdk8s-plus through this file, so that a move to a
 * later `cdk8s-plus-XX` is a change here and nowhere else. The few places where the library
 * has to reach past cdk8s-plus's public API live here too, each with the reason and a test
 * (test/kplus.test.ts) that fails when an upgrade changes the internals they rely on.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

export { kplus };

/** `kplus.Protocol.TCP`. */
export const TCP = kplus.Protocol.TCP;

/** Every cdk8s-plus pod owner: Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod. */
export type Workload = kplus.AbstractPod;

/**
 * The workload a construct of this library attaches to: the one its props name, else its
 * scope, which must then be a workload. `what` names the construct in the message.
 */
export function workloadOrScope(scope: Construct, id: string, given: Workload | undefined, what: string): Workload {
  if (given) return given;
  if (scope instanceof kplus.AbstractPod) return scope;
  throw new Error(`${what} "${scope.node.path ? `${scope.node.path}/${id}` : id}": no workload given and the scope "${scope.node.path || '<app>'}" is not one; `
    + 'pass workload (a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod), or create it inside the workload');
}

/** The kind of a workload, as Kubernetes names it. */
export function workloadKind(workload: Workload): string {
  if (workload instanceof kplus.Deployment) return 'Deployment';
  if (workload instanceof kplus.StatefulSet) return 'StatefulSet';
  if (workload instanceof kplus.DaemonSet) return 'DaemonSet';
  if (workload instanceof kplus.CronJob) return 'CronJob';
  if (workload instanceof kplus.Job) return 'Job';
  if (workload instanceof kplus.Pod) return 'Pod';
  return workload.constructor.name;
}

/** `Deployment "chart/web"`: how messages name a workload. */
export function workloadLabel(workload: Workload): string {
  return `${workloadKind(workload)} "${workload.node.path}"`;
}

/** True for workloads whose pods are meant to run to completion (Job, CronJob). */
export function runsToCompletion(workload: Workload): boolean {
  return workload instanceof kplus.Job || workload instanceof kplus.CronJob;
}

/** True when `container` is a Kubernetes native sidecar: an init container with `restartPolicy: Always`. */
export function isNativeSidecar(container: kplus.Container): boolean {
  return container.restartPolicy === kplus.ContainerRestartPolicy.ALWAYS;
}

/**
 * JSON pointer to the pod spec inside the workload's manifest, for the pod fields that
 * cdk8s-plus-28 has no API for (`shareProcessNamespace`).
 */
export function podSpecPointer(workload: Workload): string {
  if (workload instanceof kplus.Pod) return '/spec';
  if (workload instanceof kplus.CronJob) return '/spec/jobTemplate/spec/template/spec';
  return '/spec/template/spec';
}

/** Sets a pod-spec field that cdk8s-plus does not model, through a JSON patch on the manifest. */
export function setPodSpecField(workload: Workload, field: 'shareProcessNamespace', value: unknown): void {
  ApiObject.of(workload).addJsonPatch(JsonPatch.add(`${podSpecPointer(workload)}/${field}`, value));
}

interface ContainerInternals {
  _ports?: kplus.ContainerPort[];
}

/**
 * The ports a container declares, by identity (the public getter copies them): the whole-pod
 * check's snapshot (validation/pod-snapshot.ts) compares them object by object. Falls back to
 * the public getter if cdk8s-plus renames its private array.
 */
export function containerPorts(container: kplus.Container): readonly kplus.ContainerPort[] {
  const own = (container as unknown as ContainerInternals)._ports;
  return Array.isArray(own) ? own : container.ports;
}

interface ContainerMountList {
  mounts: kplus.VolumeMount[];
}

/**
 * `container.mount(path, volume, options)`, without adding to an array the caller passed in.
 *
 * cdk8s-plus-28 keeps `props.volumeMounts` itself as the container's list of mounts, and
 * `mount()` pushes into that list: a mount added to one container would also appear in every
 * container built later from the same props (an app's props shared by a fleet of Deployments,
 * one `volumeMounts` array given to two sidecars). The container gets a list of its own first.
 */
export function mountOwn(container: kplus.Container, path: string, volume: kplus.Volume, options: kplus.MountOptions): void {
  const list = container as unknown as ContainerMountList;
  list.mounts = list.mounts.slice();
  container.mount(path, volume, options);
}


interface PodInternals {
  _initContainers: kplus.Container[];
}

/**
 * Moves `container` (an init container of `workload`) to position `index` among the init containers.
 *
 * cdk8s-plus appends init containers in call order and offers no way to insert one earlier; a
 * sidecar that must start before everything else (`first: true`) needs that. The private
 * array is reached here and only here; the shape is checked so an upgrade fails loudly.
 */
export function moveInitContainer(workload: Workload, container: kplus.Container, index: number): void {
  const list = (workload as unknown as PodInternals)._initContainers;
  if (!Array.isArray(list) || !list.includes(container)) {
    throw new Error('cdk8s-sidecars: cannot reorder init containers with this version of cdk8s-plus; '
      + 'please report it, and attach the sidecar that must go first before the others meanwhile');
  }
  list.splice(list.indexOf(container), 1);
  list.splice(index, 0, container);
}

interface MutablePodSecurityContext {
  fsGroup?: number;
}

/**
 * Sets the pod's `fsGroup` when the user has not chosen one; returns the group in effect.
 *
 * cdk8s-plus takes `fsGroup` only at construction; a helper that shares files between two
 * users (git-sync writes as 65533, the app reads) must set it later. A group the user set
 * is never changed: the caller gets it back and decides.
 */
export function ensurePodFsGroup(workload: Workload, group: number): number {
  const context = workload.securityContext as unknown as MutablePodSecurityContext;
  if (context.fsGroup === undefined) {
    context.fsGroup = group;
  }
  return context.fsGroup;
}

const guardedDeployments = new WeakMap<kplus.Deployment, Set<string>>();

/**
 * Keeps the ports of `containerName` out of Services that `Deployment.exposeViaService()`
 * (and `exposeViaIngress()`) derive from the containers' ports.
 *
 * cdk8s-plus collects the ports of every regular container, so a classic sidecar's ports
 * would leak into the app's Service. The deployment's method is wrapped once; a call that
 * passes `ports` explicitly is left alone (that is how a user asks for a sidecar port).
 */
export function keepOutOfServices(workload: Workload, containerName: string): void {
  if (!(workload instanceof kplus.Deployment)) {
    // StatefulSet builds its headless Service in its constructor, before any sidecar exists;
    // DaemonSet, Job, CronJob and Pod have no exposeViaService.
    return;
  }
  let excluded = guardedDeployments.get(workload);
  if (!excluded) {
    const hidden = new Set<string>();
    excluded = hidden;
    guardedDeployments.set(workload, hidden);
    const deployment = workload;
    const original = deployment.exposeViaService.bind(deployment);
    Object.defineProperty(deployment, 'exposeViaService', {
      configurable: true,
      value: (options: kplus.DeploymentExposeViaServiceOptions = {}): kplus.Service => {
        if (options.ports) {
          return original(options);
        }
        const ports = deployment.containers
          .filter((c) => !hidden.has(c.name))
          .flatMap((c) => c.ports)
          .map((p) => ({ port: p.number, targetPort: p.number, protocol: p.protocol, name: p.name }));
        return original({ ...options, ports });
      },
    });
  }
  excluded.add(containerName);
}

/**
 * A volume of a source cdk8s-plus-28 has no factory for (a `projected` volume, for a service
 * account token that only one container mounts). cdk8s-plus renders a volume as its name plus
 * the source object given here, in cdk8s-plus's own (camelCase) spelling of the Kubernetes
 * field names, e.g. `{ projected: { sources: [{ downwardApi: … }] } }` — cdk8s-plus renders
 * `downwardApi` as `downwardAPI` and silently drops keys it does not know.
 */
export function volumeFromSource(scope: Construct, id: string, name: string, source: Record<string, unknown>): kplus.Volume {
  const VolumeClass = kplus.Volume as unknown as new (s: Construct, i: string, n: string, config: Record<string, unknown>) => kplus.Volume;
  return new VolumeClass(scope, id, name, source);
}

interface MutablePod {
  serviceAccount?: kplus.IServiceAccount;
}

/**
 * Runs the pod as `serviceAccount` when the user has not chosen one; returns the account in
 * effect. cdk8s-plus takes the service account only at construction.
 */
export function ensurePodServiceAccount(workload: Workload, serviceAccount: kplus.IServiceAccount): kplus.IServiceAccount {
  const pod = workload as unknown as MutablePod;
  if (pod.serviceAccount === undefined) {
    pod.serviceAccount = serviceAccount;
  }
  return pod.serviceAccount;
}

/**
 * Makes port `index` of `service` target the container port named `portName`, which
 * cdk8s-plus-28 cannot express: `kplus.ServicePort.targetPort` is a number.
 *
 * The generated `KubeService` maps each port's `targetPort` through `IntOrString`
 * (`targetPort: obj.targetPort?.value`, cdk8s-plus-28 lib/imports/k8s.js, toJson_ServicePort)
 * *after* JSON patches are applied, so the patch writes the `IntOrString` shape `{ value: name }`,
 * which the mapping turns into the plain `targetPort: name` of the manifest (a plain string
 * would be dropped). test/kplus.test.ts fails if a later cdk8s-plus changes that.
 */
export function setServiceTargetPortName(service: kplus.Service, index: number, portName: string): void {
  ApiObject.of(service).addJsonPatch(JsonPatch.replace(`/spec/ports/${index}/targetPort`, { value: portName }));
}

interface ContainerProbeInternals {
  _startup?: kplus.Probe;
  _liveness?: kplus.Probe;
  _readiness?: kplus.Probe;
}

/** A probe's target, as the manifest will have it. */
export interface ProbeTarget {
  readonly field: 'startupProbe' | 'livenessProbe' | 'readinessProbe';
  readonly kind: 'httpGet' | 'tcpSocket';
  /** A port number or a port name. */
  readonly port: number | string;
}

/**
 * The network targets of a container's probes (httpGet, tcpSocket; cdk8s-plus-28 has no gRPC
 * probe). cdk8s-plus keeps the probes in private fields set at construction and resolves the
 * port (defaulting to the container's first port) only when rendering; both are read here, and
 * a probe that cannot be rendered is left to the rendered-pod check.
 */
export function probeTargets(container: kplus.Container): ProbeTarget[] {
  const own = container as unknown as ContainerProbeInternals;
  const targets: ProbeTarget[] = [];
  for (const [field, probe] of [['startupProbe', own._startup], ['livenessProbe', own._liveness], ['readinessProbe', own._readiness]] as const) {
    if (probe === undefined) continue;
    let kube: { httpGet?: { port?: { value?: unknown } }; tcpSocket?: { port?: { value?: unknown } } };
    try {
      kube = probe._toKube(container) as typeof kube;
    } catch {
      continue;
    }
    for (const kind of ['httpGet', 'tcpSocket'] as const) {
      const port = kube[kind]?.port?.value;
      if (typeof port === 'number' || typeof port === 'string') targets.push({ field, kind, port });
    }
  }
  return targets;
}

/** The names of a container's environment variables, and whether it reads any from `envFrom`. */
export function containerEnv(container: kplus.Container): { readonly names: string[]; readonly fromSources: boolean } {
  return { names: Object.keys(container.env.variables), fromSources: container.env.sources.length > 0 };
}
