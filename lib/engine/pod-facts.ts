/**
 * What a helper's plan may read of the pod at the call: plain data (strings, numbers, booleans,
 * arrays and plain objects), never a live construct and never a way to change the pod. Plain, so
 * that engine/plan-cache.ts can compare what one plan read of its pod with the same reads of
 * another pod, by value, and reuse the plan when they agree.
 *
 * The workload's label is not a fact: a plan names the workload only in its messages, through
 * the `fail` it is given, so that two workloads alike in everything else share one plan.
 */
import { containerPorts, HttpGetProbe, httpGetProbes, kplus } from './kplus';
import type { PodRegistry, PortFront } from './registry';
import { SidecarMode } from './sidecar-mode';
import { RegisteredInternalPath } from './validation/pod-view';

/** Throws the problem, prefixed with the workload and the helper (`Deployment "chart/web", withProxy: …`). */
export type Fail = (problem: string) => never;

/** A port a container declares. */
export interface PortFacts {
  readonly number: number;
  readonly name?: string;
  readonly protocol?: kplus.Protocol;
}

/** A container of the pod, as a plan reads it. */
export interface ContainerFacts {
  readonly name: string;
  readonly ports: readonly PortFacts[];
  /** Its command, when it sets one (the image's entrypoint otherwise). */
  readonly command?: readonly string[];
  /** The user and group it runs as, when it sets them (the pod's, or the image's, otherwise). */
  readonly securityContext: { readonly user?: number; readonly group?: number };
  /** Its environment variables by name, each with its value when it is literal (none for a reference, `valueFrom`). */
  readonly env: Readonly<Record<string, { readonly value?: string }>>;
}

/** The facts of the pod a plan reads; every member returns plain data. */
export interface PodFacts {
  /** `Deployment`, `Job`, … */
  readonly kind: string;
  /** The workload's Kubernetes name (`metadata.name`). */
  readonly name: string;
  /** A Job or CronJob: its pods run to completion. */
  readonly runsToCompletion: boolean;
  /** The mode of a sidecar that chooses none. */
  readonly defaultMode: SidecarMode;
  /** The pod-level user, group and fsGroup, when set. */
  readonly securityContext: { readonly user?: number; readonly group?: number; readonly fsGroup?: number };
  /** `automountServiceAccountToken` of the pod. */
  readonly automountServiceAccountToken: boolean;
  /** The lowest port a container may bind without NET_BIND_SERVICE: the pod's sysctl `net.ipv4.ip_unprivileged_port_start`, else 1024. */
  readonly unprivilegedPortStart: number;
  /** The regular containers that are not sidecars of this library. */
  appContainers(): ContainerFacts[];
  /** The container or init container of this name. */
  containerNamed(name: string): ContainerFacts | undefined;
  /** True when `container` (a construct a caller passed, such as a proxy's target) is a container of this pod. */
  holds(container: kplus.Container): boolean;
  /** The HTTP GET probes of the container of this name (none when there is no such container). */
  httpGetProbes(container: string): HttpGetProbe[];
  /** `"setup", "app"`, for messages. */
  describeContainerNames(): string;
  /** The first port from `start` up that nothing in the pod declares or binds. */
  freePort(start: number): number;
  /** `base`, or `base-2`, … when a port of the pod already has that name. */
  freePortName(base: string): string;
  /** The programs of this library in front of the app's port `appPort`, in attach order. */
  frontsOf(appPort: number): readonly PortFront[];
  /** The paths programs of this library call on the app port `port` from inside the pod. */
  internalPathsOn(port: number): readonly RegisteredInternalPath[];
}

/** The failure of `helper` (`withProxy`) on the registry's workload. */
export function failOn(registry: PodRegistry, helper: string): Fail {
  return (problem: string): never => {
    throw new Error(`${registry.label}, ${helper}: ${problem}`);
  };
}

/** The facts of the registry's pod, read afresh at every access. */
export function podFacts(registry: PodRegistry): PodFacts {
  return new RegistryFacts(registry);
}

class RegistryFacts implements PodFacts {
  public readonly kind: string;
  public readonly name: string;
  public readonly runsToCompletion: boolean;

  public constructor(private readonly registry: PodRegistry) {
    this.kind = registry.kind;
    this.name = registry.name;
    this.runsToCompletion = registry.runsToCompletion;
  }

  public get defaultMode(): SidecarMode {
    return this.registry.defaultMode;
  }

  public get securityContext() {
    const { user, group, fsGroup } = this.registry.target.securityContext;
    return { user, group, fsGroup };
  }

  public get automountServiceAccountToken(): boolean {
    return this.registry.target.automountServiceAccountToken;
  }

  public get unprivilegedPortStart(): number {
    const sysctl = this.registry.target.securityContext.sysctls.find((x) => x.name === 'net.ipv4.ip_unprivileged_port_start');
    return sysctl ? Number(sysctl.value) : 1024;
  }

  public appContainers(): ContainerFacts[] {
    return this.registry.appContainers().map(containerFacts);
  }

  public containerNamed(name: string): ContainerFacts | undefined {
    const found = this.registry.containerNamed(name);
    return found && containerFacts(found);
  }

  public holds(container: kplus.Container): boolean {
    return this.registry.containerNamed(container.name) === container;
  }

  public httpGetProbes(container: string): HttpGetProbe[] {
    const found = this.registry.containerNamed(container);
    return found ? httpGetProbes(found) : [];
  }

  public describeContainerNames(): string {
    return this.registry.describeContainerNames();
  }

  public freePort(start: number): number {
    return this.registry.freePort(start);
  }

  public freePortName(base: string): string {
    return this.registry.freePortName(base);
  }

  public frontsOf(appPort: number): readonly PortFront[] {
    return this.registry.frontsOf(appPort);
  }

  public internalPathsOn(port: number): readonly RegisteredInternalPath[] {
    return this.registry.internalPathsOn(port);
  }
}

function containerFacts(c: kplus.Container): ContainerFacts {
  const command = c.command;
  const { user, group } = c.securityContext;
  return {
    name: c.name,
    ports: containerPorts(c).map((p) => ({ number: p.number, name: p.name, protocol: p.protocol })),
    command,
    securityContext: { user, group },
    env: Object.fromEntries(Object.entries(c.env.variables).map(([name, v]) => [name, { value: v.value }])),
  };
}
