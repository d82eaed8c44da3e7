/**
 * The one door to cdk8s-plus.
 *
 * Every module of this library imports cdk8s-plus through this file, so that a move to a
 * later `cdk8s-plus-XX` is a change here and nowhere else. The few places where the library
 * has to reach past cdk8s-plus's public API live here too, each with the reason and a test
 * (test/kplus.test.ts) that fails when an upgrade changes the internals they rely on.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { checkLineInstalled, describeValue, foreignPodProblem, JsiiClass, jsiiClasses, jsiiClassOf } from './kplus-lines';
import { apiObjectLabel, podObjectProblem } from './pod-object';
import type { KubeContainer, KubePodSpec, KubeProbe, KubeVolume } from './validation/kube';
// Before the import below loads the line: a line that is not installed is named, with the entry to use.
checkLineInstalled('cdk8s-plus-28');
// eslint-disable-next-line import/order
import * as kplus from 'cdk8s-plus-28';
import { quote } from './validation/syntax';
// eslint-disable-next-line import/order, import/no-extraneous-dependencies
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';

export { kplus };

/** `kplus.Protocol.TCP`. */
export const TCP = kplus.Protocol.TCP;

/** Every cdk8s-plus pod owner: Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod. */
export type Workload = kplus.AbstractPod;

/**
 * What a sidecar attaches to: a cdk8s-plus workload, or a plain cdk8s `ApiObject` of a kind that
 * carries a pod (pod-object.ts).
 */
export type AnyWorkload = Workload | ApiObject;

/** The cdk8s-plus line this build loaded (package and version), read from its jsii type information. */
export const KPLUS_LINE: JsiiClass = jsiiClassOf(kplus.AbstractPod) ?? { package: 'cdk8s-plus', version: 'unknown', name: 'AbstractPod' };

const WORKLOAD_KINDS = 'a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod';
const OR_API_OBJECT = ', or an ApiObject of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod';

/**
 * The workload a construct of this library attaches to: the one its props name, else its
 * scope, which must then be a workload. `what` names the construct in the message.
 *
 * Every construct of the library enters here first, so this is where a value that is not a
 * workload of this build's cdk8s-plus is refused: a workload of another cdk8s-plus line (or
 * of a second copy of this one) is named with its line and the entry to import instead,
 * rather than left to fail later on a private property or as "no workload given".
 */
export function workloadOrScope(scope: Construct, id: string, given: AnyWorkload | undefined, what: string): AnyWorkload {
  const unknownScope: unknown = scope;
  // The label (the construct path) is only made for a message.
  const refuse = (problem: string): never => {
    const label = Construct.isConstruct(unknownScope) && unknownScope.node.path ? `${what} ${quote(`${unknownScope.node.path}/${id}`)}` : `${what} ${quote(id)}`;
    throw new Error(`${label}: ${problem}`);
  };
  const apiObject = (value: ApiObject): ApiObject => {
    const owner = value.node.scope;
    if (owner instanceof kplus.AbstractPod) {
      return refuse(`the ApiObject ${quote(value.node.path)} is the manifest of the ${KPLUS_LINE.package} workload ${quote(owner.node.path)}; `
        + 'pass the workload itself');
    }
    let problem: string | undefined;
    try {
      problem = podObjectProblem(value, value.toJson());
    } catch (e) {
      problem = `the ApiObject ${quote(value.node.path)} cannot be rendered: ${(e as Error).message}; fix the object first`;
    }
    return problem ? refuse(problem) : value;
  };
  const workload = (value: unknown, role: string): AnyWorkload => {
    if (value instanceof kplus.AbstractPod) return repairWorkload(value);
    if (value instanceof ApiObject) return apiObject(value);
    const foreign = foreignPodProblem(value, KPLUS_LINE);
    if (foreign) return refuse(foreign);
    return refuse(`expected ${role}a workload of ${KPLUS_LINE.package} (${WORKLOAD_KINDS})${OR_API_OBJECT}, got ${describeValue(value)}; `
      + 'pass the workload the sidecar joins');
  };
  if (given !== undefined) return workload(given, 'props.workload to be ');
  if (scope instanceof kplus.AbstractPod) return repairWorkload(scope);
  if (scope instanceof ApiObject) return apiObject(scope);
  // A scope that is no construct, or a cdk8s-plus object (with*(service, …)), was meant as the workload.
  const meantAsWorkload = !Construct.isConstruct(unknownScope) || jsiiClasses(unknownScope).some((c) => c.package.startsWith('cdk8s-plus-'));
  if (meantAsWorkload) return workload(unknownScope, '');
  return refuse(`no workload given and the scope ${quote(scope.node.path || '<app>')} is not one; `
    + `pass workload (${WORKLOAD_KINDS}${OR_API_OBJECT}), or create it inside the workload`);
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
export function workloadLabel(workload: AnyWorkload): string {
  if (workload instanceof ApiObject) return apiObjectLabel(workload);
  return `${workloadKind(workload)} ${quote(workload.node.path)}`;
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

/** An HTTP GET probe of a container, as cdk8s-plus renders it. */
export interface HttpGetProbe {
  readonly kind: 'readiness' | 'liveness' | 'startup';
  /** The request path, as written (it may hold a query). */
  readonly path: string;
  /** The port: a number, or the name of a containerPort. */
  readonly port: number | string;
}

/**
 * The HTTP GET probes of `container`. cdk8s-plus-28 keeps a container's probes in private
 * fields; its own rendering (`Container._toKube`, lib/container.d.ts) gives them as the
 * manifest has them, with `httpGet.port` an `IntOrString` (`{ value }`).
 */
export function httpGetProbes(container: kplus.Container): HttpGetProbe[] {
  const kube = container._toKube();
  const found: HttpGetProbe[] = [];
  for (const [kind, probe] of [['readiness', kube.readinessProbe], ['liveness', kube.livenessProbe], ['startup', kube.startupProbe]] as const) {
    const httpGet = probe?.httpGet;
    if (!httpGet) continue;
    const port = httpGet.port as unknown as { value?: number | string } | number | string;
    found.push({ kind, path: httpGet.path ?? '/', port: typeof port === 'object' ? port.value! : port });
  }
  return found;
}

/**
 * The labels that select the workload's pods: a Deployment's, StatefulSet's, DaemonSet's or
 * Job's `matchLabels` (cdk8s-plus adds `cdk8s.io/metadata.addr` unless told not to), a bare
 * Pod's own selector label. For a PodMonitor or NetworkPolicy that must find the pods.
 */
export function podSelectorLabels(workload: Workload): Record<string, string> {
  if (workload instanceof kplus.Workload) return { ...workload.matchLabels };
  return { ...(workload.toPodSelectorConfig().labelSelector._toKube().matchLabels ?? {}) };
}

interface StatefulSetInternals {
  volumeClaimTemplates?: unknown[];
  _filterPodSpecVolumes?: (podSpec: { volumes?: unknown[] }) => unknown[] | undefined;
}

/**
 * True when this cdk8s-plus renders no pod `volumes` for a StatefulSet without
 * volumeClaimTemplates (mounts stay, so the pod is rejected).
 *
 * cdk8s-plus-31 2.6.43, -32 2.5.92 and -33 2.5.57: `StatefulSet._filterPodSpecVolumes` ends in
 * `return undefined` where it means `return podSpec.volumes` (lib/stateful-set.js). Told by
 * calling that method on a probe, so a release that fixes it turns the workaround off by itself;
 * test/lines/statefulset-volumes.test.ts fails then, so that the workaround can go.
 */
export const STATEFUL_SET_DROPS_VOLUMES: boolean = (() => {
  const filter = (kplus.StatefulSet.prototype as unknown as StatefulSetInternals)._filterPodSpecVolumes;
  if (typeof filter !== 'function') return false;
  const probe = [{ name: 'probe' }];
  return filter.call({ volumeClaimTemplates: undefined }, { volumes: probe }) === undefined;
})();

/**
 * Works around what this cdk8s-plus line gets wrong about `workload`, once per workload:
 * a StatefulSet without volumeClaimTemplates gets its pod volumes back
 * (STATEFUL_SET_DROPS_VOLUMES). The render-time check (validation/rendered.ts) would refuse the
 * pod otherwise: every mount must name a volume of the pod.
 */
function repairWorkload(workload: Workload): Workload {
  if (STATEFUL_SET_DROPS_VOLUMES && workload instanceof kplus.StatefulSet) {
    const statefulSet = workload as unknown as StatefulSetInternals;
    const original = statefulSet._filterPodSpecVolumes;
    if (original && !Object.prototype.hasOwnProperty.call(statefulSet, '_filterPodSpecVolumes')) {
      Object.defineProperty(statefulSet, '_filterPodSpecVolumes', {
        configurable: true,
        value: (podSpec: { volumes?: unknown[] }) => ((statefulSet.volumeClaimTemplates ?? []).length > 0
          ? original.call(statefulSet, podSpec)
          : podSpec.volumes),
      });
    }
  }
  return workload;
}

/** The names of a container's environment variables, and whether it reads any from `envFrom`. */
export function containerEnv(container: kplus.Container): { readonly names: string[]; readonly fromSources: boolean } {
  return { names: Object.keys(container.env.variables), fromSources: container.env.sources.length > 0 };
}

interface BuildsKube {
  _toKube(): any;
}

/**
 * The pod spec as cdk8s-plus builds it for the workload's manifest (its `_toKube()`, the step
 * where cdk8s-plus-31, -32 and -33 drop a StatefulSet's pod volumes), with the StatefulSet's
 * volumeClaimTemplates: what the render-time check reads. Neither resolved nor patched, which
 * makes it about a tenth of `ApiObject.toJson()`'s cost (bench/ANALYSIS.md); keys as in the
 * manifest, ports and probe ports as cdk8s-plus's `IntOrString` objects (`{ value }`).
 */
export function builtPodSpec(workload: Workload): { readonly podSpec: any; readonly volumeClaimTemplates: any[] } {
  const kube = (workload as unknown as BuildsKube)._toKube();
  if (workload instanceof kplus.Pod) return { podSpec: kube, volumeClaimTemplates: [] };
  if (workload instanceof kplus.CronJob) return { podSpec: kube?.jobTemplate?.spec?.template?.spec, volumeClaimTemplates: [] };
  return { podSpec: kube?.template?.spec, volumeClaimTemplates: kube?.volumeClaimTemplates ?? [] };
}

/**
 * The pod spec cdk8s-plus builds for the workload (`builtPodSpec`), in the manifest's spelling:
 * what the whole-pod rules and the render-time check read. cdk8s-plus builds the pod with the
 * Kubernetes field names but its own spelling of a few (`hostIp` for `hostIP`) and its own
 * `IntOrString` objects (`{ value }`) for probe ports; those the rules read are converted here,
 * the rest is passed on as built. Throws what cdk8s-plus throws (a regular container with a
 * restartPolicy, no regular container, two volumes of one name): see `kubeContainerOf`.
 */
export function renderedPodSpec(workload: Workload): { readonly podSpec: KubePodSpec; readonly claimTemplates: string[] } {
  const { podSpec, volumeClaimTemplates } = builtPodSpec(workload);
  // Built anew by each call: converted in place.
  for (const list of [podSpec?.initContainers, podSpec?.containers]) {
    if (Array.isArray(list)) for (let i = 0; i < list.length; i++) list[i] = kubeContainer(list[i]);
  }
  return {
    podSpec: podSpec ?? {},
    claimTemplates: volumeClaimTemplates.length === 0 ? []
      : volumeClaimTemplates.map((t: any) => t?.metadata?.name).filter((n: unknown): n is string => typeof n === 'string'),
  };
}

/**
 * One container as cdk8s-plus builds it, in the manifest's spelling, for a pod cdk8s-plus
 * refuses to build whole; from the container's public fields if even that fails.
 */
export function kubeContainerOf(container: kplus.Container): KubeContainer {
  try {
    return kubeContainer(container._toKube());
  } catch {
    return {
      name: container.name,
      image: container.image,
      restartPolicy: container.restartPolicy,
      ports: containerPorts(container).map((p) => ({
        containerPort: p.number, protocol: p.protocol, name: p.name, hostPort: p.hostPort, hostIP: p.hostIp,
      })),
      volumeMounts: container.mounts.map((m) => ({
        name: m.volume.name, mountPath: m.path, subPath: m.subPath, subPathExpr: m.subPathExpr, readOnly: m.readOnly,
      })),
    };
  }
}

/** One volume as cdk8s-plus builds it (its name and source). */
export function kubeVolumeOf(volume: kplus.Volume): KubeVolume {
  return volume._toKube() as unknown as KubeVolume;
}

function kubeContainer(built: any): KubeContainer {
  // Most containers have nothing spelled otherwise (no hostIP, no probe): passed on as built.
  const hostIp = built.ports?.some((p: any) => p.hostIp !== undefined);
  if (!hostIp && !built.startupProbe && !built.livenessProbe && !built.readinessProbe) return built;
  return {
    ...built,
    ports: hostIp ? built.ports.map((p: any) => ({ ...p, hostIp: undefined, hostIP: p.hostIp })) : built.ports,
    startupProbe: kubeProbe(built.startupProbe),
    livenessProbe: kubeProbe(built.livenessProbe),
    readinessProbe: kubeProbe(built.readinessProbe),
  };
}

function kubeProbe(probe: any): KubeProbe | undefined {
  if (probe === undefined || probe === null) return undefined;
  const port = (action: any) => (action === undefined ? undefined : { ...action, port: intOrString(action.port) });
  return { ...probe, httpGet: port(probe.httpGet), tcpSocket: port(probe.tcpSocket), grpc: probe.grpc };
}

/** cdk8s-plus's `IntOrString` (`{ value }`) as the plain number or string of the manifest. */
function intOrString(value: any): number | string | undefined {
  return typeof value === 'object' && value !== null ? value.value : value;
}

/**
 * How the JSON patches of an ApiObject are read: `manifest` for a plain ApiObject (an Include's,
 * a Helm chart's: patches apply to the manifest as written); `props` for a class generated by
 * `cdk8s import k8s` (KubeDeployment, …), whose `toJson()` maps the patched props to the manifest
 * after the patches (`toJson_KubeDeploymentProps`, …), so a patch writes the props' shape: an
 * `IntOrString` port or a `Quantity` as `{ value }`, as cdk8s-plus's own `_toKube()` gives them.
 */
export type PatchShape = 'manifest' | 'props';

/**
 * A container as cdk8s-plus writes it into a workload's pod spec: its own rendering
 * (`Container._toKube()`), through the generated mapping of the `k8s` imports it ships
 * (`toJson_Container`, cdk8s-plus-28 lib/imports/k8s.js) for a manifest, keys sorted and
 * empty values dropped as `ApiObject.toJson()` does (cdk8s `sanitizeValue`). For pods of plain
 * ApiObjects, so that they get the same containers as cdk8s-plus workloads.
 */
export function containerJson(container: kplus.Container, shape: PatchShape): Record<string, unknown> {
  const kube = container._toKube();
  return sortedJson(shape === 'props' ? kube : k8s.toJson_Container(kube));
}

/** A pod volume as cdk8s-plus writes it (`Volume._toKube()`, `toJson_Volume`). */
export function volumeJson(volume: kplus.Volume, shape: PatchShape): Record<string, unknown> {
  const kube = volume._toKube();
  return sortedJson(shape === 'props' ? kube : k8s.toJson_Volume(kube));
}

/** One volumeMount as cdk8s-plus writes it for `container.mount(path, volume, options)`. */
export function mountJson(path: string, volume: kplus.Volume, options: kplus.MountOptions, shape: PatchShape): Record<string, unknown> {
  const scratch = new kplus.Container({ name: 'scratch', image: 'scratch', volumeMounts: [{ path, volume, ...options }] });
  const kube = scratch._toKube().volumeMounts![0];
  return sortedJson(shape === 'props' ? kube : k8s.toJson_VolumeMount(kube));
}

/** One environment variable as cdk8s-plus writes it for `env.addVariable(name, value)`. */
export function envVarJson(name: string, value: kplus.EnvValue, shape: PatchShape): Record<string, unknown> {
  const scratch = new kplus.Container({ name: 'scratch', image: 'scratch', envVariables: { [name]: value } });
  const kube = scratch._toKube().env![0];
  return sortedJson(shape === 'props' ? kube : k8s.toJson_EnvVar(kube));
}

/** cdk8s's `sanitizeValue` with its defaults (lib/_util.ts): keys sorted, null and undefined dropped. */
function sortedJson(value: any): any {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(sortedJson);
  if (typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = sortedJson(value[key]);
    if (item !== undefined && item !== null) out[key] = item;
  }
  return out;
}
