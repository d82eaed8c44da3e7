import { kplus, kubeContainerOf, kubeVolumeOf, renderedPodSpec, Workload, workloadKind } from '../kplus';
import {
  ForbiddenSettings, LedgerPort, PathGuard, PodView, podView, PortHint, RegisteredInternalPath, RequiredLabels, SidecarInfo, TaskInfo, VolumeIdentity,
} from './pod-view';

/**
 * A folder whose contents a program replaces, as the registry records it (cdk8s-plus objects);
 * the view names the volume and the containers (pod-view.ts FolderView).
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

/** What the registry recorded about a workload's pod (registry.ts). */
export interface WorkloadRecords {
  readonly sidecars: ReadonlyMap<kplus.Container, SidecarInfo>;
  readonly tasks: ReadonlyMap<kplus.Container, TaskInfo>;
  /** The emptyDirs this library shares, by name. */
  readonly shared: ReadonlyMap<string, kplus.Volume>;
  readonly boundPorts: readonly LedgerPort[];
  readonly portHints: readonly PortHint[];
  readonly folders: readonly ManagedFolder[];
  readonly requiredLabels: readonly RequiredLabels[];
  readonly forbidden: readonly ForbiddenSettings[];
  readonly internalPaths: readonly RegisteredInternalPath[];
  readonly pathGuards: readonly PathGuard[];
}

/**
 * The view of a cdk8s-plus workload's pod, read from the pod spec cdk8s-plus builds for its
 * manifest (kplus.ts `renderedPodSpec`), the same spec the render-time check reads.
 *
 * When cdk8s-plus refuses to build the pod (a regular container with a restartPolicy, no regular
 * container, two volumes of one name: it would fail mid-render), the view is put together from
 * each container and volume as cdk8s-plus builds them, so the rules can say what is wrong;
 * `renderProblem` is then cdk8s-plus's own message.
 */
export function viewWorkload(workload: Workload, records: WorkloadRecords): { readonly view: PodView; readonly renderProblem?: string } {
  const init = workload.initContainers;
  const regular = workload.containers;
  const containerInfo = (isInit: boolean, index: number) => {
    const container = (isInit ? init : regular)[index];
    if (container === undefined) return undefined;
    const sidecar = records.sidecars.get(container);
    const task = records.tasks.get(container);
    return sidecar || task ? { sidecar, task } : undefined;
  };
  const folders = records.folders.map((f) => ({
    owner: f.owner, purpose: f.purpose, volume: f.volume.name, path: f.path, containers: f.containers.map((c) => c.name),
  }));
  const labels = workload.podMetadata.toJson().labels ?? {};
  const kind = workloadKind(workload);
  const base = {
    boundPorts: records.boundPorts,
    portHints: records.portHints,
    folders,
    requiredLabels: records.requiredLabels,
    forbidden: records.forbidden,
    internalPaths: records.internalPaths,
    pathGuards: records.pathGuards,
    containerInfo,
  };

  let rendered: ReturnType<typeof renderedPodSpec>;
  try {
    rendered = renderedPodSpec(workload);
  } catch (e) {
    // Built piece by piece: the volumes as objects (two of one name stay two), each mount with its own.
    const objects: kplus.Volume[] = [];
    const listed = new Set<kplus.Volume>();
    for (const volume of workload.volumes) {
      if (!listed.has(volume)) objects.push(volume);
      listed.add(volume);
    }
    for (const c of [...init, ...regular]) {
      for (const mount of c.mounts) if (!objects.includes(mount.volume)) objects.push(mount.volume);
    }
    const identity: VolumeIdentity = {
      volumes: objects.map((v) => ({ spec: kubeVolumeOf(v), listed: listed.has(v) })),
      volumeOf: (isInit, index, mount) => objects.indexOf((isInit ? init : regular)[index].mounts[mount].volume),
    };
    const podSpec = { initContainers: init.map(kubeContainerOf), containers: regular.map(kubeContainerOf) };
    const view = podView(kind, podSpec, labels, { ...base, isShared: (_, i) => records.shared.get(objects[i].name) === objects[i] }, [], identity);
    return { view, renderProblem: (e as Error).message };
  }

  // The pod spec has one volume a name; whether it is the shared one of that name is told by identity.
  let byName: Map<string, kplus.Volume> | undefined;
  const isShared = (volume: { name: string }) => {
    const shared = records.shared.get(volume.name);
    if (shared === undefined) return false;
    if (!byName) {
      byName = new Map();
      for (const v of workload.volumes) byName.set(v.name, v);
      for (const c of [...init, ...regular]) for (const m of c.mounts) byName.set(m.volume.name, m.volume);
    }
    return byName.get(volume.name) === shared;
  };
  return { view: podView(kind, rendered.podSpec, labels, { ...base, isShared }, rendered.claimTemplates) };
}
