import { BoundPort } from './bound-port';
import { containerPorts, isNativeSidecar, kplus, Workload, workloadLabel } from './kplus';
import { SharedVolumeOptions } from './shared-volume';
import { defaultSidecarMode, SidecarMode } from './sidecar-mode';
import { checkPod } from './validation';
import { podSnapshot, sameSnapshot } from './validation/pod-snapshot';
import { describeContainer, LedgerPort, PortHint, SidecarInfo, TaskInfo, viewPod } from './validation/pod-view';
import { screenPod } from './validation/screen';
import { dnsLabelProblem, portNameProblem } from './validation/syntax';

interface SharedVolumeRecord {
  readonly volume: kplus.Volume;
  readonly medium?: kplus.EmptyDirMedium;
  readonly sizeLimitMebibytes?: number;
}

const NO_HINTS: readonly PortHint[] = [];

function describeMedium(medium: kplus.EmptyDirMedium | undefined): string {
  return medium === kplus.EmptyDirMedium.MEMORY ? 'Memory (tmpfs)' : 'default (node disk)';
}

/**
 * What starts a call-time message (`Deployment "chart/web", withProxy`): a string, or an object
 * that builds it only when a message is written.
 */
export type MessagePrefix = string | { toString(): string };

const registries = new WeakMap<Workload, PodRegistry>();

/** A message prefix that reads the workload's label when it is written. */
class Prefix {
  public constructor(private readonly registry: PodRegistry, private readonly what: string) {}
  public toString(): string {
    return `${this.registry.label}, ${this.what}`;
  }
}

/**
 * What the library keeps per workload: its sidecars, the ports their programs bind without
 * declaring them (the port ledger), and the shared volumes. The first sidecar attached to a
 * workload registers the one validation that checks the whole pod at synthesis.
 */
export class PodRegistry {
  /** The registry of `workload`, created (and its validation registered) on first use. */
  public static of(workload: Workload): PodRegistry {
    let registry = registries.get(workload);
    if (!registry) {
      registry = new PodRegistry(workload);
      registries.set(workload, registry);
    }
    return registry;
  }

  // Kept small: one registry lives per workload until synthesis, so the rarely used
  // collections are made on first use.
  private readonly sidecars = new Map<kplus.Container, SidecarInfo>();
  private tasks?: Map<kplus.Container, TaskInfo>;
  private readonly ledger: LedgerPort[] = [];
  private hints?: PortHint[];
  private shared?: Map<string, SharedVolumeRecord>;
  private firstSidecars = 0;
  private labelCache?: string;
  private slots?: Record<symbol, unknown>;
  private defaultModeCache?: SidecarMode;
  /** The pod as the last whole-pod check saw it, and what that check found. */
  private checked?: { readonly snapshot: unknown[]; readonly problems: string[] };

  private constructor(public readonly workload: Workload) {
    workload.node.addValidation(this);
  }

  /** `Deployment "chart/web"`, computed once: construct paths do not change. */
  public get label(): string {
    this.labelCache ??= workloadLabel(this.workload);
    return this.labelCache;
  }

  /**
   * `Deployment "chart/web", withProxy`: what starts a helper's messages, built only when a
   * message is (a fleet's calls that pass their checks never build it).
   */
  public prefix(what: string): MessagePrefix {
    return new Prefix(this, what);
  }

  /**
   * What a helper keeps per workload (its syncs, the folders it ships), under a key of its
   * own, created on first use: kept with the registry, so that no helper needs a map of workloads.
   */
  public slot<T>(key: symbol, create: () => T): T {
    const slots = (this.slots ??= {});
    if (!(key in slots)) slots[key] = create();
    return slots[key] as T;
  }

  /** Records a sidecar the library attached. */
  public addSidecar(container: kplus.Container, info: SidecarInfo): void {
    this.sidecars.set(container, info);
  }

  /**
   * Refuses a container name the pod already uses (by a container, an init container, or a
   * sidecar of this library), naming what holds it.
   */
  public claimName(where: MessagePrefix, name: string): void {
    const taken = this.containerNamed(name);
    if (taken) {
      throw new Error(`${where}: ${this.isSidecar(taken)
        ? `the workload already has a sidecar named "${name}"; give the second one another name`
        : `the workload already has a container named "${name}"; give the sidecar another name`}`);
    }
  }

  /**
   * The mode of a sidecar that chooses none: the nearest `setDefaultSidecarMode` above the
   * workload, looked up once per workload.
   */
  public get defaultMode(): SidecarMode {
    this.defaultModeCache ??= defaultSidecarMode(this.workload);
    return this.defaultModeCache;
  }

  /** The app containers: regular containers that are not sidecars of this library. */
  public appContainers(): kplus.Container[] {
    const containers = this.workload.containers;
    const apps: kplus.Container[] = [];
    for (let i = 0; i < containers.length; i++) if (!this.sidecars.has(containers[i])) apps.push(containers[i]);
    return apps;
  }

  /** Records a one-time init container the library added. */
  public addTask(container: kplus.Container, info: TaskInfo): void {
    (this.tasks ??= new Map()).set(container, info);
  }

  /**
   * The first port from `start` up that no container of the pod declares and the ledger does
   * not hold, for a helper's default port.
   */
  public freePort(start: number): number {
    const used = new Set<number>();
    for (let i = 0; i < this.ledger.length; i++) used.add(this.ledger[i].number);
    addPortNumbers(used, this.workload.initContainers);
    addPortNumbers(used, this.workload.containers);
    let port = start;
    while (used.has(port)) port++;
    return port;
  }

  /** `base`, or `base-2`, `base-3`, … when a port of the pod already has that name. */
  public freePortName(base: string): string {
    const used = new Set<string | undefined>();
    addPortNames(used, this.workload.initContainers);
    addPortNames(used, this.workload.containers);
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    const problem = portNameProblem(name);
    if (problem) throw new Error(`${this.label}: port name "${name}" ${problem}; choose a shorter base name`);
    return name;
  }

  /** True when `container` was attached by this library as a sidecar. */
  public isSidecar(container: kplus.Container): boolean {
    return this.sidecars.has(container);
  }

  /**
   * Reserves the next place at the front of the init containers for a sidecar that must start
   * before all others; sidecars asking for it keep their attach order among themselves.
   */
  public nextFirstIndex(): number {
    return this.firstSidecars++;
  }

  /** Adds the ports that `container` binds without declaring them to the ledger. */
  public bindPorts(container: string, ports: readonly BoundPort[]): void {
    for (const port of ports) {
      this.ledger.push({
        container,
        number: port.number,
        protocol: port.protocol ?? kplus.Protocol.TCP,
        purpose: port.purpose,
        address: port.address ?? '0.0.0.0',
      });
    }
  }

  /** The ledger's port of this number and protocol, if any. */
  public boundPort(number: number, protocol: kplus.Protocol): LedgerPort | undefined {
    for (const port of this.ledger) if (port.number === number && port.protocol === protocol) return port;
    return undefined;
  }

  /**
   * Says how to move a port (`pass adminPort to withProxy`), quoted when the port clashes.
   */
  public hintPort(container: string, number: number, protocol: kplus.Protocol, hint: string): void {
    // A record, not a map keyed by a built string: one small object per hint and no string
    // kept per workload until synthesis, where hints are only read for a clash.
    (this.hints ??= []).push({ container, number, protocol, hint });
  }

  /**
   * Refuses a shared volume that cannot be made: a bad name, a second request for one name
   * with another medium or size limit (one volume cannot be both), or a name the pod already
   * uses for a volume this library did not make.
   */
  public checkSharedVolume(where: MessagePrefix, options: Pick<SharedVolumeOptions, 'name' | 'medium' | 'sizeLimit'>): void {
    const { name, medium, sizeLimit } = options;
    const problem = dnsLabelProblem(name);
    if (problem) {
      throw new Error(`${where}: shared volume name "${name}" ${problem}`);
    }
    const existing = this.shared?.get(name);
    if (existing) {
      if (medium !== undefined && medium !== (existing.medium ?? kplus.EmptyDirMedium.DEFAULT)) {
        throw new Error(`${where}: shared volume "${name}" exists with medium ${describeMedium(existing.medium)}; `
          + `it cannot also be ${describeMedium(medium)}: ask for the same medium, or use another name`);
      }
      const mebibytes = sizeLimit?.toMebibytes();
      if (mebibytes !== undefined && mebibytes !== existing.sizeLimitMebibytes) {
        throw new Error(`${where}: shared volume "${name}" exists with sizeLimit `
          + `${existing.sizeLimitMebibytes === undefined ? 'none' : `${existing.sizeLimitMebibytes}Mi`}; `
          + `it cannot also be ${mebibytes}Mi: ask for the same limit, or use another name`);
      }
      return;
    }
    const taken = this.volumeNamed(name);
    if (taken) {
      throw new Error(`${where}: the pod already has a volume named "${name}" that cdk8s-sidecars did not make `
        + `(used by ${taken}); choose another name for the shared volume`);
    }
  }

  /**
   * The pod-level emptyDir of this name: created on first request, the same object after.
   * Call `checkSharedVolume` first.
   */
  public sharedVolume(options: Pick<SharedVolumeOptions, 'name' | 'medium' | 'sizeLimit'>): kplus.Volume {
    const { name, medium, sizeLimit } = options;
    const existing = this.shared?.get(name);
    if (existing) {
      return existing.volume;
    }
    const volume = kplus.Volume.fromEmptyDir(this.workload, `shared-volume-${name}`, name, { medium, sizeLimit });
    (this.shared ??= new Map()).set(name, { volume, medium, sizeLimitMebibytes: sizeLimit?.toMebibytes() });
    return volume;
  }

  /**
   * The problems of the whole pod as it stands now. cdk8s asks once in `app.synth()` and again
   * for every chart; the pod is checked again only when it changed (validation/pod-snapshot.ts).
   */
  public validate(): string[] {
    // Everything the library records here is only ever added to: the sum changes with any of it.
    const recorded = this.sidecars.size + (this.tasks?.size ?? 0) + this.ledger.length + (this.hints?.length ?? 0) + (this.shared?.size ?? 0);
    const snapshot = podSnapshot(this.workload, recorded);
    if (this.checked === undefined || !sameSnapshot(this.checked.snapshot, snapshot)) {
      // A pod in which no rule can find a problem skips the rules (validation/screen.ts).
      const isShared = (volume: kplus.Volume) => this.shared?.get(volume.name)?.volume === volume;
      const problems = screenPod(this.workload, this.sidecars, this.ledger, isShared)
        ? []
        : checkPod(viewPod(this.workload, this.sidecars, this.ledger, this.hints ?? NO_HINTS, isShared, this.tasks));
      this.checked = { snapshot, problems };
    }
    return [...this.checked.problems];
  }

  /** The container or init container of this name. */
  public containerNamed(name: string): kplus.Container | undefined {
    // The workload's getters copy their arrays; one copy each, no concatenation.
    return named(this.workload.initContainers, name) ?? named(this.workload.containers, name);
  }

  /** `"setup", "app"`: every container and init container of the pod, for messages; `none` for none. */
  public describeContainerNames(): string {
    return [...this.workload.initContainers, ...this.workload.containers].map((c) => `"${c.name}"`).join(', ') || 'none';
  }

  private volumeNamed(name: string): string | undefined {
    const volumes = this.workload.volumes;
    for (let i = 0; i < volumes.length; i++) if (volumes[i].name === name) return 'the pod';
    return this.mountingContainer(this.workload.initContainers, true, name) ?? this.mountingContainer(this.workload.containers, false, name);
  }

  /** The first of `containers` that mounts a volume of this name, described for a message. */
  private mountingContainer(containers: kplus.Container[], init: boolean, name: string): string | undefined {
    for (let i = 0; i < containers.length; i++) {
      const c = containers[i];
      if (mountsVolume(c, name)) {
        return describeContainer({ name: c.name, container: c, init, longRunning: !init || isNativeSidecar(c), sidecar: this.sidecars.get(c) });
      }
    }
    return undefined;
  }
}

// Plain indexed loops in the helpers below: they run for every helper call of a fleet, mostly
// before V8 optimizes them, where for...of and callbacks cost an iterator or a closure each,
// and they read cdk8s-plus's arrays without the copies its getters make.

/** The container of this name among `containers`. */
function named(containers: kplus.Container[], name: string): kplus.Container | undefined {
  for (let i = 0; i < containers.length; i++) if (containers[i].name === name) return containers[i];
  return undefined;
}

/** Whether `container` mounts a volume of this name. */
function mountsVolume(container: kplus.Container, name: string): boolean {
  const mounts = container.mounts;
  for (let i = 0; i < mounts.length; i++) if (mounts[i].volume.name === name) return true;
  return false;
}

function addPortNumbers(used: Set<number>, containers: kplus.Container[]): void {
  for (let i = 0; i < containers.length; i++) {
    const ports = containerPorts(containers[i]);
    for (let j = 0; j < ports.length; j++) used.add(ports[j].number);
  }
}

function addPortNames(used: Set<string | undefined>, containers: kplus.Container[]): void {
  for (let i = 0; i < containers.length; i++) {
    const ports = containerPorts(containers[i]);
    for (let j = 0; j < ports.length; j++) used.add(ports[j].name);
  }
}
