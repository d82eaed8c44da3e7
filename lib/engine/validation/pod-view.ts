/**
 * The pod as the whole-pod rules see it: plain Kubernetes data (the containers, init containers
 * and volumes of a PodSpec, as a manifest has them) plus what this library recorded about the
 * pod (which containers it attached, the ports its programs bind without declaring them, …).
 *
 * Two ways in, one view: `viewWorkload` (validation/workload-view.ts) reads the pod spec
 * cdk8s-plus builds for a workload, with the registry's records; `podViewFromSpec` reads the pod
 * spec of any manifest. This module loads no cdk8s-plus, so the rules run on plain YAML without it.
 */
import { KnownPort, knownPorts, KnownProgram } from '../known-ports';
import { POD_PLACES } from '../pod-kinds';
import type { ForbiddenSetting, InternalPath } from '../program';
import type { SidecarMode } from '../sidecar-mode';
import type { KubeContainer, KubeContainerPort, KubePodSpec, KubeVolume, KubeVolumeMount } from './kube';
import { quote } from './syntax';

export type { KubeContainer, KubeContainerPort, KubePodSpec, KubeProbe, KubeVolume, KubeVolumeMount } from './kube';

/** A port in the pod's ledger: a bound port with the container that binds it. */
export interface LedgerPort {
  readonly container: string;
  readonly number: number;
  /** `TCP`, `UDP` or `SCTP`. */
  readonly protocol: string;
  readonly purpose?: string;
  readonly address: string;
}

/** How to move a port of a container (`pass adminPort to withProxy`), quoted when the port clashes. */
export interface PortHint {
  readonly container: string;
  readonly number: number;
  readonly protocol: string;
  readonly hint: string;
}

/** What the library knows of a sidecar it attached. */
export interface SidecarInfo {
  readonly mode: SidecarMode;
  /** What attached it, for messages: `withSidecar`, `withProxy (Envoy)`, ... */
  readonly purpose: string;
  /**
   * The user described it (`withSidecar`): the ports its image is known to bind undeclared are
   * added (engine/known-ports.ts), as for a container the library did not attach.
   */
  readonly userDescribed?: boolean;
}

/** What the library knows of a one-time init container it added (a task that runs before the app). */
export interface TaskInfo {
  /** What added it, for messages: `withConfigSync (git-sync)`. */
  readonly purpose: string;
}

/**
 * A folder whose contents a program replaces (a synced checkout, rendered secrets): a mount
 * inside it would put a mount point among files the program deletes and rewrites.
 */
export interface FolderView {
  /** The program's container, for messages. */
  readonly owner: string;
  /** What the program is, for messages: `withConfigSync (git-sync)`. */
  readonly purpose: string;
  /** The name of the volume the program writes. */
  readonly volume: string;
  /** Where the app containers mount it. */
  readonly path: string;
  /** The names of the app containers that mount it. */
  readonly containers: readonly string[];
}

/** Pod labels a program reads through the downward API. */
export interface RequiredLabels {
  readonly owner: string;
  readonly purpose: string;
  readonly keys: readonly string[];
}

/** Flags and environment variables a container of a program must never carry. */
export interface ForbiddenSettings {
  readonly container: string;
  readonly purpose: string;
  readonly settings: readonly ForbiddenSetting[];
}

/** A volume of the pod. */
export interface VolumeView {
  readonly name: string;
  /** The volume as in the manifest (for a StatefulSet's claim template: its name only). */
  readonly spec: KubeVolume;
  /** An emptyDir this library shares between containers. */
  readonly shared: boolean;
  /**
   * Listed in the pod's volumes by whoever built the pod: always, for a manifest; false for a
   * cdk8s-plus volume that only a mount brings in. Messages say `used by the pod` for it.
   */
  readonly listed: boolean;
  /** A StatefulSet's volumeClaimTemplate: a volume of each pod under the template's name. */
  readonly claim: boolean;
}

/** One mount of a container, with the volume it mounts (none when the pod has no volume of that name). */
export interface MountView {
  readonly mount: KubeVolumeMount;
  readonly volume?: VolumeView;
}

/** One container of the pod, as the rules see it. */
export interface ContainerView {
  readonly name: string;
  /** The container as in the manifest. */
  readonly spec: KubeContainer;
  /** Declared under `initContainers`. */
  readonly init: boolean;
  /** Runs for the life of the pod: a regular container or a native sidecar. */
  readonly longRunning: boolean;
  /** Its mounts, in order, each with its volume. */
  readonly mounts: readonly MountView[];
  /** Set when this library attached the container as a sidecar. */
  readonly sidecar?: SidecarInfo;
  /** Set when this library added the container as a one-time init container. */
  readonly task?: TaskInfo;
}

/** The pod as it stands at synthesis (or in a manifest): every container and volume, added by anyone. */
export interface PodView {
  readonly kind: string;
  /** The pod spec as given (its pod-level fields: securityContext, hostNetwork, …). */
  readonly spec: KubePodSpec;
  readonly runsToCompletion: boolean;
  /** Init containers in order, then regular containers. */
  readonly containers: readonly ContainerView[];
  /** The pod's volumes (and a StatefulSet's claim templates). */
  readonly volumes: readonly VolumeView[];
  /** Ports the programs bind without declaring them. */
  readonly boundPorts: readonly LedgerPort[];
  /** How to move a port, shown in messages; a later hint for a port overrides an earlier one. */
  readonly portHints: readonly PortHint[];
  /** Folders whose contents a program replaces. */
  readonly folders: readonly FolderView[];
  /** The pod template's labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** Pod labels programs read. */
  readonly requiredLabels: readonly RequiredLabels[];
  /** Settings containers of programs must never carry. */
  readonly forbidden: readonly ForbiddenSettings[];
  /** Paths programs call on app ports from inside the pod (internal-paths.ts). */
  readonly internalPaths: readonly RegisteredInternalPath[];
  /** Proxies in front of app ports, with the paths they refuse to forward (internal-paths.ts). */
  readonly pathGuards: readonly PathGuard[];
}

/** A path a program calls on an app port from inside the pod, with the program. */
export interface RegisteredInternalPath extends InternalPath {
  /** The program's container. */
  readonly owner: string;
  /** What the program is: `withConfigSync (git-sync)`. */
  readonly ownerPurpose: string;
}

/** A proxy in front of an app port that refuses to forward some paths. */
export interface PathGuard {
  readonly container: string;
  readonly purpose: string;
  readonly appPort: number;
  /** The paths it answers 404 for, each with everything below it. */
  readonly blockedPaths: readonly string[];
}

/** What this library recorded about a pod, for `podView`. Every field is optional: a manifest has none. */
export interface PodRecords {
  /** The sidecar or task this library made of the container at `index` of the init containers (`init`) or containers. */
  readonly containerInfo?: (init: boolean, index: number) => { readonly sidecar?: SidecarInfo; readonly task?: TaskInfo } | undefined;
  /** Whether the volume at `index` of the pod's volumes is an emptyDir this library shares. */
  readonly isShared?: (volume: KubeVolume, index: number) => boolean;
  readonly boundPorts?: readonly LedgerPort[];
  readonly portHints?: readonly PortHint[];
  readonly folders?: readonly FolderView[];
  readonly requiredLabels?: readonly RequiredLabels[];
  readonly forbidden?: readonly ForbiddenSettings[];
  readonly internalPaths?: readonly RegisteredInternalPath[];
  readonly pathGuards?: readonly PathGuard[];
}

/** For a pod built from objects (cdk8s-plus) whose volumes can share a name: which volumes, and which one each mount uses. */
export interface VolumeIdentity {
  /** The pod's volumes, in the order messages number them; `listed` false for one that only mounts bring in. */
  readonly volumes: ReadonlyArray<{ readonly spec: KubeVolume; readonly listed: boolean }>;
  /** The index into `volumes` of the volume that mount `mount` of the container uses. */
  readonly volumeOf: (init: boolean, container: number, mount: number) => number;
}

/**
 * The view of a pod spec with what this library recorded about it. `claimTemplates` are the
 * names of a StatefulSet's volumeClaimTemplates; `identity` is for cdk8s-plus pods whose volumes
 * may share a name (the pod spec cdk8s-plus would refuse to build), see VolumeIdentity.
 */
export function podView(
  kind: string,
  podSpec: KubePodSpec | undefined,
  labels: Readonly<Record<string, string>> = {},
  records: PodRecords = {},
  claimTemplates: readonly string[] = [],
  identity?: VolumeIdentity,
): PodView {
  const isShared = records.isShared;
  const volumes: VolumeView[] = [];
  const given = identity?.volumes ?? objects<KubeVolume>(podSpec?.volumes).map((spec) => ({ spec, listed: true }));
  for (let i = 0; i < given.length; i++) {
    const { spec, listed } = given[i];
    volumes.push({ name: String(spec.name), spec, shared: isShared ? isShared(spec, i) : false, listed, claim: false });
  }
  for (const name of claimTemplates) volumes.push({ name, spec: { name }, shared: false, listed: true, claim: true });
  let byName: Map<string, VolumeView> | undefined;
  const named = (name: string): VolumeView | undefined => {
    if (!byName) {
      byName = new Map();
      for (const v of volumes) if (!byName.has(v.name)) byName.set(v.name, v);
    }
    return byName.get(name);
  };
  const containers: ContainerView[] = [];
  const add = (list: readonly KubeContainer[], init: boolean) => {
    for (let index = 0; index < list.length; index++) {
      const spec = list[index];
      const info = records.containerInfo?.(init, index);
      const specMounts = objects<KubeVolumeMount>(spec.volumeMounts);
      const mounts: MountView[] = [];
      for (let m = 0; m < specMounts.length; m++) {
        mounts.push({ mount: specMounts[m], volume: identity ? volumes[identity.volumeOf(init, index, m)] : named(specMounts[m].name) });
      }
      containers.push({
        name: String(spec.name),
        spec,
        init,
        longRunning: !init || spec.restartPolicy === 'Always',
        mounts,
        sidecar: info?.sidecar,
        task: info?.task,
      });
    }
  };
  add(objects<KubeContainer>(podSpec?.initContainers), true);
  add(objects<KubeContainer>(podSpec?.containers), false);
  return {
    kind,
    spec: podSpec ?? {},
    runsToCompletion: POD_PLACES[kind]?.runsToCompletion ?? false,
    containers,
    volumes,
    boundPorts: records.boundPorts ?? [],
    portHints: records.portHints ?? [],
    folders: records.folders ?? [],
    labels,
    requiredLabels: records.requiredLabels ?? [],
    forbidden: records.forbidden ?? [],
    internalPaths: records.internalPaths ?? [],
    pathGuards: records.pathGuards ?? [],
  };
}

/**
 * The view of the pod spec of any manifest (a Deployment's `spec.template.spec`, a Pod's
 * `spec`, …): nothing of this library recorded. `kind` is the manifest's kind; `labels` the pod
 * template's labels.
 */
export function podViewFromSpec(kind: string, podSpec: KubePodSpec | undefined, labels: Readonly<Record<string, string>> = {},
  claimTemplates: readonly string[] = []): PodView {
  return podView(kind, podSpec, labels, { isShared: (volume) => writtenByOneReadByAnother(podSpec, volume) }, claimTemplates);
}

/**
 * An emptyDir of a manifest's pod that two or more containers mount, one of them read-write:
 * what the library's shared volumes are (a subPath into it is refused, validation/mounts.ts).
 */
function writtenByOneReadByAnother(podSpec: KubePodSpec | undefined, volume: KubeVolume): boolean {
  if (volume.emptyDir === undefined) return false;
  let mounters = 0;
  let writes = false;
  for (const c of [...objects<KubeContainer>(podSpec?.initContainers), ...objects<KubeContainer>(podSpec?.containers)]) {
    const mounts = objects<KubeVolumeMount>(c.volumeMounts).filter((m) => m.name === volume.name);
    if (mounts.length === 0) continue;
    mounters++;
    if (mounts.some((m) => m.readOnly !== true)) writes = true;
  }
  return mounters > 1 && writes;
}

/** The objects of a list read from a manifest (anything else in it is left to the schema). */
function objects<T>(list: unknown): readonly T[] {
  if (!Array.isArray(list)) return NONE;
  return list.every(isObject) ? list : list.filter(isObject);
}

const NONE: readonly never[] = [];
const isObject = (x: unknown): boolean => typeof x === 'object' && x !== null;

/** `container "proxy" (withProxy (Envoy), native sidecar)`, `init container "setup"`, `container "app"`. */
export function describeContainer(view: Pick<ContainerView, 'name' | 'init' | 'longRunning' | 'sidecar' | 'task'>): string {
  if (view.sidecar) {
    const where = view.init ? 'native sidecar' : 'classic sidecar';
    return `container ${quote(view.name)} (${view.sidecar.purpose}, ${where})`;
  }
  if (view.task) {
    return `init container ${quote(view.name)} (${view.task.purpose}, one-time)`;
  }
  return view.init && !view.longRunning ? `init container ${quote(view.name)}` : `container ${quote(view.name)}`;
}

/**
 * The ports the container's program is known to bind without declaring them
 * (engine/known-ports.ts): for a long-running container whose ports the library did not
 * describe itself (its own programs declare theirs or list them in boundPorts).
 */
export function knownUndeclaredPorts(container: ContainerView): { readonly program: KnownProgram; readonly ports: readonly KnownPort[] } | undefined {
  if (!container.longRunning || container.task || (container.sidecar && !container.sidecar.userDescribed)) return undefined;
  return knownPorts(container.spec.image, container.spec.command, container.spec.args);
}

/** The ports a container declares (an empty list when it declares none). */
export function declaredPorts(container: ContainerView): readonly KubeContainerPort[] {
  return objects<KubeContainerPort>(container.spec.ports);
}

/** A probe field of a container and what it reaches over the network. */
export interface ProbeTarget {
  readonly field: 'startupProbe' | 'livenessProbe' | 'readinessProbe';
  readonly kind: 'httpGet' | 'tcpSocket' | 'grpc';
  /** A port number or a port name. */
  readonly port: number | string;
}

const PROBE_FIELDS = ['startupProbe', 'livenessProbe', 'readinessProbe'] as const;

/** The network targets of a container's probes (httpGet, tcpSocket, grpc). */
export function probeTargets(container: ContainerView): ProbeTarget[] {
  const targets: ProbeTarget[] = [];
  for (const field of PROBE_FIELDS) {
    const probe = container.spec[field];
    if (typeof probe !== 'object' || probe === null) continue;
    for (const kind of ['httpGet', 'tcpSocket', 'grpc'] as const) {
      const port = (probe[kind] as { port?: unknown } | undefined)?.port;
      if (typeof port === 'number' || typeof port === 'string') targets.push({ field, kind, port });
    }
  }
  return targets;
}
