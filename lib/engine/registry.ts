import { ApiObject } from 'cdk8s';
import { ApiObjectPodTarget } from './api-object-pod';
import { BoundPort } from './bound-port';
import { containerPorts, isNativeSidecar, kplus, TCP, Workload } from './kplus';
import { KplusPodTarget } from './kplus-pod';
import { PodTarget } from './pod-target';
import { InternalPath } from './program';
import { SharedVolumeOptions } from './shared-volume';
import { defaultSidecarMode, SidecarMode } from './sidecar-mode';
import { checkPod, MANIFEST_RULES, RULES } from './validation';
import { sameSnapshot } from './validation/pod-snapshot';
import {
  describeContainer, ForbiddenSettings, LedgerPort, PortHint, RegisteredInternalPath, RequiredLabels, SidecarInfo, TaskInfo,
} from './validation/pod-view';
import { checkRenderedPod } from './validation/rendered';
import { dnsLabelProblem, portNameProblem, quote } from './validation/syntax';
import { ManagedFolder } from './validation/workload-view';

/** The program that made a shared volume. */
export interface VolumeOwner {
  /** Its container. */
  readonly name: string;
  /** What it is: `withLogShipper (Fluent Bit)`. */
  readonly purpose: string;
}

interface SharedVolumeRecord {
  readonly volume: kplus.Volume;
  readonly owner?: VolumeOwner;
  readonly medium?: kplus.EmptyDirMedium;
  readonly sizeLimitMebibytes?: number;
}

function describeMedium(medium: kplus.EmptyDirMedium | undefined): string {
  return medium === kplus.EmptyDirMedium.MEMORY ? 'Memory (tmpfs)' : 'default (node disk)';
}

/**
 * A program of this library that takes the traffic meant for an app port: it listens on its own
 * named port and forwards, directly or through another front, to `appPort` on 127.0.0.1.
 */
export interface PortFront {
  /** Its container. */
  readonly name: string;
  /** `withAuthProxy (oauth2-proxy)`. */
  readonly purpose: string;
  /** The app port whose traffic it takes. */
  readonly appPort: number;
  /** The port it listens on, and that port's name. */
  readonly port: number;
  readonly portName: string;
  /**
   * Every request must pass it (an authenticating proxy): nothing else may forward to the app
   * port beside it, or that would be a way around it.
   */
  readonly exclusive: boolean;
  /** The front it forwards to, when it forwards to another front rather than to the app. */
  readonly via?: string;
  /**
   * The paths it answers 404 for instead of forwarding (each with everything below it), when it
   * guards internal paths (withProxy); validation/internal-paths.ts checks them at synth.
   */
  readonly blockedPaths?: readonly string[];
}

const registries = new WeakMap<Workload | ApiObject, PodRegistry>();

/**
 * What the library keeps per workload: its sidecars, the ports their programs bind without
 * declaring them (the port ledger), the shared volumes and the folders programs manage. The
 * first thing recorded registers the one validation that checks the whole pod at synthesis.
 */
export class PodRegistry {
  /**
   * The registry of `workload`, created on first use: a cdk8s-plus workload, or an ApiObject of a
   * pod-bearing kind (checked by `workloadOrScope` first), read once here from its manifest.
   */
  public static of(workload: Workload | ApiObject): PodRegistry {
    let registry = registries.get(workload);
    if (!registry) {
      registry = new PodRegistry(workload instanceof ApiObject ? new ApiObjectPodTarget(workload) : new KplusPodTarget(workload));
      registries.set(workload, registry);
    }
    return registry;
  }

  /** `Deployment "chart/web"`: how messages name the workload. */
  public readonly label: string;
  /** `Deployment`, `Job`, … */
  public readonly kind: string;
  /** The workload's Kubernetes name (`metadata.name`). */
  public readonly name: string;
  /** A Job or CronJob: its pods run to completion. */
  public readonly runsToCompletion: boolean;

  private readonly sidecars = new Map<kplus.Container, SidecarInfo>();
  private readonly tasks = new Map<kplus.Container, TaskInfo>();
  private readonly ledger: LedgerPort[] = [];
  private readonly hints: PortHint[] = [];
  private readonly shared = new Map<string, SharedVolumeRecord>();
  private readonly folders: ManagedFolder[] = [];
  private readonly requiredLabels: RequiredLabels[] = [];
  /** Per Service of ours, per port index, the container port name it targets. */
  private readonly services = new Map<kplus.Service | ApiObject, Map<number, string>>();
  private readonly fronts: PortFront[] = [];
  private readonly forbidden: ForbiddenSettings[] = [];
  private readonly internalPaths: RegisteredInternalPath[] = [];
  private firstSidecars = 0;
  /** Counts every change to what the registry records; the whole-pod check compares it. */
  private version = 0;
  private registered = false;
  /** The pod as the last whole-pod check saw it, and what that check found. */
  private checked?: { readonly snapshot: unknown[]; readonly problems: string[] };

  /** The pod: a cdk8s-plus workload's, or an ApiObject's. */
  private constructor(public readonly target: PodTarget) {
    this.label = target.label;
    this.kind = target.kind;
    this.name = target.name;
    this.runsToCompletion = target.runsToCompletion;
  }

  public get defaultMode(): SidecarMode {
    return defaultSidecarMode(this.target.construct);
  }

  /** The app containers: regular containers that are not sidecars of this library. */
  public appContainers(): kplus.Container[] {
    return this.target.containers.filter((c) => !this.sidecars.has(c));
  }

  public containerNamed(name: string): kplus.Container | undefined {
    return [...this.target.initContainers, ...this.target.containers].find((c) => c.name === name);
  }

  public describeContainerNames(): string {
    return [...this.target.initContainers, ...this.target.containers].map((c) => `${quote(c.name)}`).join(', ') || 'none';
  }

  public isSidecar(container: kplus.Container): boolean {
    return this.sidecars.has(container) || this.tasks.has(container);
  }

  public volumeOwner(volume: kplus.Volume): VolumeOwner | undefined {
    const record = this.shared.get(volume.name);
    return record?.volume === volume ? record.owner : undefined;
  }

  public freePort(start: number): number {
    const used = new Set(this.ledger.map((p) => p.number));
    for (const c of [...this.target.initContainers, ...this.target.containers]) {
      for (const p of containerPorts(c)) used.add(p.number);
    }
    let port = start;
    while (used.has(port)) port++;
    return port;
  }

  public freePortName(base: string): string {
    const used = new Set<string | undefined>();
    for (const c of [...this.target.initContainers, ...this.target.containers]) {
      for (const p of containerPorts(c)) used.add(p.name);
    }
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    const problem = portNameProblem(name);
    if (problem) throw new Error(`${this.label}: port name ${quote(name)} ${problem}; choose a shorter base name`);
    return name;
  }

  /**
   * Refuses a container name the pod already uses (by a container, an init container, or a
   * sidecar of this library), naming what holds it.
   */
  public claimName(where: string, name: string): void {
    const taken = this.containerNamed(name);
    if (taken) {
      throw new Error(`${where}: ${this.isSidecar(taken)
        ? `the workload already has a sidecar named ${quote(name)}; give the second one another name`
        : `the workload already has a container named ${quote(name)}; give the sidecar another name`}`);
    }
  }

  /**
   * Refuses a shared volume that cannot be made: a bad name, a second request for one name
   * with another medium or size limit (one volume cannot be both), or a name the pod already
   * uses for a volume this library did not make.
   */
  public checkSharedVolume(where: string, options: Pick<SharedVolumeOptions, 'name' | 'medium' | 'sizeLimit'>): void {
    const { name, medium, sizeLimit } = options;
    const problem = dnsLabelProblem(name);
    if (problem) {
      throw new Error(`${where}: shared volume name ${quote(name)} ${problem}`);
    }
    const existing = this.shared.get(name);
    if (existing) {
      if (medium !== undefined && medium !== (existing.medium ?? kplus.EmptyDirMedium.DEFAULT)) {
        throw new Error(`${where}: shared volume ${quote(name)} exists with medium ${describeMedium(existing.medium)}; `
          + `it cannot also be ${describeMedium(medium)}: ask for the same medium, or use another name`);
      }
      const mebibytes = sizeLimit?.toMebibytes();
      if (mebibytes !== undefined && mebibytes !== existing.sizeLimitMebibytes) {
        throw new Error(`${where}: shared volume ${quote(name)} exists with sizeLimit `
          + `${existing.sizeLimitMebibytes === undefined ? 'none' : `${existing.sizeLimitMebibytes}Mi`}; `
          + `it cannot also be ${mebibytes}Mi: ask for the same limit, or use another name`);
      }
      return;
    }
    this.checkVolumeNameFree(where, name, 'shared volume');
  }

  /** Refuses a volume name the pod already uses for a volume this library did not make. */
  public checkVolumeNameFree(where: string, name: string, what: string, fix?: string): void {
    const taken = this.volumeNamed(name);
    if (taken) {
      throw new Error(`${where}: the pod already has a volume named ${quote(name)} that cdk8s-sidecars did not make `
        + `(used by ${taken}); ${fix ?? `choose another name for the ${what}`}`);
    }
  }

  /**
   * The pod-level emptyDir of this name: created on first request, the same object after.
   * Call `checkSharedVolume` first.
   */
  public sharedVolume(options: Pick<SharedVolumeOptions, 'name' | 'medium' | 'sizeLimit'>, owner?: VolumeOwner): kplus.Volume {
    const { name, medium, sizeLimit } = options;
    const existing = this.shared.get(name);
    if (existing) return existing.volume;
    const volume = kplus.Volume.fromEmptyDir(this.target.construct, `shared-volume-${name}`, name, { medium, sizeLimit });
    this.shared.set(name, { volume, owner, medium, sizeLimitMebibytes: sizeLimit?.toMebibytes() });
    this.changed();
    return volume;
  }

  /** Records a sidecar the library attached. */
  public addSidecar(container: kplus.Container, info: SidecarInfo): void {
    this.sidecars.set(container, info);
    this.changed();
  }

  /** Records a one-time init container the library added. */
  public addTask(container: kplus.Container, info: TaskInfo): void {
    this.tasks.set(container, info);
    this.changed();
  }

  /** Adds the ports that `container` binds without declaring them to the ledger. */
  public bindPorts(container: string, ports: readonly BoundPort[]): void {
    for (const port of ports) {
      this.ledger.push({
        container,
        number: port.number,
        protocol: port.protocol ?? TCP,
        purpose: port.purpose,
        address: port.address ?? '0.0.0.0',
      });
    }
    this.changed();
  }

  /** Says how to move a port (`pass adminPort to withProxy`), quoted when the port clashes. */
  public hintPort(container: string, number: number, protocol: kplus.Protocol, hint: string): void {
    this.hints.push({ container, number, protocol, hint });
    this.changed();
  }

  /** Records a folder whose contents a program replaces: nothing may be mounted inside it. */
  public addFolder(folder: ManagedFolder): void {
    this.folders.push(folder);
    this.changed();
  }

  /** Records pod labels a program reads: they must exist at synthesis. */
  public requireLabels(required: RequiredLabels): void {
    this.requiredLabels.push(required);
    this.changed();
  }

  /** Records flags and environment variables a container of a program must never carry, checked at synth. */
  public forbid(settings: ForbiddenSettings): void {
    this.forbidden.push(settings);
    this.changed();
  }

  /** Records paths a program calls on app ports from inside the pod, which no proxy may forward. */
  public addInternalPaths(owner: string, ownerPurpose: string, paths: readonly InternalPath[]): void {
    for (const path of paths) this.internalPaths.push({ ...path, owner, ownerPurpose });
    this.changed();
  }

  public internalPathsOn(port: number): readonly RegisteredInternalPath[] {
    return this.internalPaths.filter((p) => p.port === port);
  }

  /**
   * Records that port `index` of `service` targets the container port named `portName` of this
   * pod (the latest record of a port wins), checked once rendered.
   */
  public addService(service: kplus.Service | ApiObject, index: number, portName: string): void {
    let ports = this.services.get(service);
    if (!ports) {
      ports = new Map();
      this.services.set(service, ports);
    }
    ports.set(index, portName);
    this.changed();
  }

  /** The container port name that port `index` of `service` targets, when this library set it. */
  public serviceTarget(service: kplus.Service | ApiObject, index: number): string | undefined {
    return this.services.get(service)?.get(index);
  }

  /** Every Service port this library pointed at the container port named `portName`. */
  public servicesTargeting(portName: string): Array<{ readonly service: kplus.Service | ApiObject; readonly index: number }> {
    const found: Array<{ service: kplus.Service | ApiObject; index: number }> = [];
    for (const [service, ports] of this.services) {
      for (const [index, name] of ports) if (name === portName) found.push({ service, index });
    }
    return found;
  }

  /** Records a program that takes the traffic of an app port (a proxy in front of it). */
  public addFront(front: PortFront): void {
    this.fronts.push(front);
    this.changed();
  }

  public frontsOf(appPort: number): readonly PortFront[] {
    return this.fronts.filter((f) => f.appPort === appPort);
  }

  /**
   * Reserves the next place at the front of the init containers for a sidecar that must start
   * before all others; sidecars asking for it keep their attach order among themselves.
   */
  public nextFirstIndex(): number {
    return this.firstSidecars++;
  }

  /**
   * The problems of the whole pod as it stands now: the rules over the pod's constructs, then,
   * when they find none, the pod as cdk8s-plus renders it. cdk8s asks once in `app.synth()` and
   * again for every chart; the pod is checked again only when it changed (pod-snapshot.ts).
   */
  public validate(): string[] {
    const snapshot = this.target.snapshot(this.version, this.forbidden.map((f) => f.container));
    if (this.checked === undefined || !sameSnapshot(this.checked.snapshot, snapshot)) {
      const shared = new Map<string, kplus.Volume>();
      for (const [name, record] of this.shared) shared.set(name, record.volume);
      const { view, renderProblem } = this.target.view({
        sidecars: this.sidecars,
        tasks: this.tasks,
        shared,
        boundPorts: this.ledger,
        portHints: this.hints,
        folders: this.folders,
        requiredLabels: this.requiredLabels,
        forbidden: this.forbidden,
        internalPaths: this.internalPaths,
        pathGuards: this.fronts.flatMap((f) => f.blockedPaths
          ? [{ container: f.name, purpose: f.purpose, appPort: f.appPort, blockedPaths: f.blockedPaths }] : []),
      });
      // A plain ApiObject's pod is the user's manifest: the manifests' rules, a mount of a volume it
      // lacks included (theirs to fix); on a cdk8s-plus workload only rendering can lose one.
      const manifest = this.target.construct instanceof ApiObject;
      const problems = checkPod(view, manifest ? MANIFEST_RULES : RULES);
      const services = [...this.services]
        .flatMap(([service, ports]) => [...ports.values()].map((portName) => ({ path: service.node.path, portName })));
      problems.push(...checkRenderedPod(view, services, renderProblem, problems.length > 0, !manifest));
      this.checked = { snapshot, problems };
    }
    return [...this.checked.problems];
  }

  /** Anything recorded: the pod now has something of ours, so its validation is registered. */
  private changed(): void {
    this.version++;
    if (!this.registered) {
      this.registered = true;
      this.target.construct.node.addValidation(this);
    }
  }

  private volumeNamed(name: string): string | undefined {
    if (this.target.volumes.some((v) => v.name === name)) return 'the pod';
    for (const [containers, init] of [[this.target.initContainers, true], [this.target.containers, false]] as const) {
      const c = containers.find((x) => x.mounts.some((m) => m.volume.name === name));
      if (c) {
        return describeContainer({
          name: c.name, init, longRunning: !init || isNativeSidecar(c), sidecar: this.sidecars.get(c), task: this.tasks.get(c),
        });
      }
    }
    return undefined;
  }
}
