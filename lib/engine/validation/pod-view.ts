import { isNativeSidecar, kplus, runsToCompletion, Workload, workloadKind } from '../kplus';
import { ForbiddenSetting, InternalPath } from '../program';
import { SidecarMode } from '../sidecar-mode';

/** A port in the pod's ledger: a bound port with the container that binds it. */
export interface LedgerPort {
  readonly container: string;
  readonly number: number;
  readonly protocol: kplus.Protocol;
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
export interface ManagedFolder {
  /** The program's container, for messages. */
  readonly owner: string;
  /** What the program is, for messages: `withConfigSync (git-sync)`. */
  readonly purpose: string;
  readonly volume: kplus.Volume;
  /** Where the app containers mount it. */
  readonly path: string;
  /** The app containers that mount it. */
  readonly containers: readonly kplus.Container[];
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

/** One container of the pod, as the rules see it at synthesis. */
export interface ContainerView {
  readonly name: string;
  readonly container: kplus.Container;
  /** Declared under `initContainers`. */
  readonly init: boolean;
  /** Runs for the life of the pod: a regular container or a native sidecar. */
  readonly longRunning: boolean;
  /** Set when this library attached the container as a sidecar. */
  readonly sidecar?: SidecarInfo;
  /** Set when this library added the container as a one-time init container. */
  readonly task?: TaskInfo;
}

/** The pod as it stands at synthesis: every container and volume, added by anyone. */
export interface PodView {
  readonly kind: string;
  readonly runsToCompletion: boolean;
  /** Init containers in order, then regular containers. */
  readonly containers: ContainerView[];
  /** Volumes added to the pod itself (mounted volumes are on the containers). */
  readonly volumes: kplus.Volume[];
  /** Ports the programs bind without declaring them. */
  readonly boundPorts: LedgerPort[];
  /** How to move a port, shown in messages; a later hint for a port overrides an earlier one. */
  readonly portHints: readonly PortHint[];
  /** Whether `volume` is an emptyDir this library shares between containers. */
  readonly isShared: (volume: kplus.Volume) => boolean;
  /** Folders whose contents a program replaces. */
  readonly folders: readonly ManagedFolder[];
  /** The pod template's labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** Pod labels programs read. */
  readonly requiredLabels: readonly RequiredLabels[];
  /** Settings containers of programs must never carry. */
  readonly forbidden: readonly ForbiddenSettings[];
  /** Paths programs call on app ports from inside the pod (internal-paths.ts). */
  readonly internalPaths?: readonly RegisteredInternalPath[];
  /** Proxies in front of app ports, with the paths they refuse to forward (internal-paths.ts). */
  readonly pathGuards?: readonly PathGuard[];
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

export function viewPod(
  workload: Workload,
  sidecars: ReadonlyMap<kplus.Container, SidecarInfo>,
  boundPorts: LedgerPort[],
  portHints: readonly PortHint[],
  isShared: (volume: kplus.Volume) => boolean,
  tasks: ReadonlyMap<kplus.Container, TaskInfo> = new Map(),
  folders: readonly ManagedFolder[] = [],
  requiredLabels: readonly RequiredLabels[] = [],
  forbidden: readonly ForbiddenSettings[] = [],
): PodView {
  const containers: ContainerView[] = [
    ...workload.initContainers.map((c) => ({
      name: c.name, container: c, init: true, longRunning: isNativeSidecar(c), sidecar: sidecars.get(c), task: tasks.get(c),
    })),
    ...workload.containers.map((c) => ({
      name: c.name, container: c, init: false, longRunning: true, sidecar: sidecars.get(c),
    })),
  ];
  return {
    kind: workloadKind(workload),
    runsToCompletion: runsToCompletion(workload),
    containers,
    volumes: workload.volumes,
    boundPorts,
    portHints,
    isShared,
    folders,
    labels: workload.podMetadata.toJson().labels ?? {},
    requiredLabels,
    forbidden,
  };
}

/** `container "proxy" (withProxy (Envoy), native sidecar)`, `init container "setup"`, `container "app"`. */
export function describeContainer(view: ContainerView): string {
  if (view.sidecar) {
    const where = view.init ? 'native sidecar' : 'classic sidecar';
    return `container "${view.name}" (${view.sidecar.purpose}, ${where})`;
  }
  if (view.task) {
    return `init container "${view.name}" (${view.task.purpose}, one-time)`;
  }
  return view.init && !view.longRunning ? `init container "${view.name}"` : `container "${view.name}"`;
}
