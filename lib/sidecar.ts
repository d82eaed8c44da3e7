import { Construct } from 'constructs';
import { BoundPort } from './bound-port';
import { sidecarResources, sidecarSecurityContext } from './defaults';
import { keepOutOfServices, kplus, mountAt, moveInitContainer, TCP, workloadOrScope } from './kplus';
import { PodRegistry } from './pod-registry';
import { SharedVolume, SharedVolumeOptions } from './shared-volume';
import { SidecarMode } from './sidecar-mode';
import { dnsLabelProblem, mountPathProblem, portNameProblem, portNumberProblem, samePath } from './validation/syntax';

// Read once: each read of a cdk8s-plus export goes through a getter of its index module.
const IF_NOT_PRESENT = kplus.ImagePullPolicy.IF_NOT_PRESENT;
const ALWAYS = kplus.ContainerRestartPolicy.ALWAYS;

/** Every field of T, optional ones included (as possibly undefined): a literal of it must name them all. */
type EveryField<T> = { [K in keyof Required<T>]: T[K] };

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
}

/**
 * Props of the `Sidecar` construct: the sidecar and the workload it joins.
 */
export interface SidecarProps extends SidecarOptions {
  /**
   * The workload whose pods get the sidecar: a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod.
   * @default - the scope, which must then be a workload
   */
  readonly workload?: kplus.AbstractPod;
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
  public readonly workload: kplus.AbstractPod;

  /** The shared volumes, with where each is mounted. */
  public readonly sharedVolumes: SharedVolume[];

  public constructor(scope: Construct, id: string, props: SidecarProps) {
    const workload = workloadOrScope(scope, id, props.workload, 'Sidecar');
    // Everything that can be refused is checked before anything is added, the construct
    // itself included: a refused call leaves the app as it was.
    const registry = PodRegistry.of(workload);
    const where = new Where(registry, props.name);
    checkOptions(where, registry, props);
    const shared = props.sharedVolumes;
    let targets: kplus.Container[][] | undefined;
    if (shared) {
      targets = new Array(shared.length);
      for (let i = 0; i < shared.length; i++) targets[i] = resolveAppContainers(where, registry, shared[i]);
    }

    super(scope, id);
    this.workload = workload;
    const mode = this.mode = props.mode ?? registry.defaultMode;

    // The container props, field by field: one object shape for every sidecar, which V8 builds
    // and cdk8s-plus reads far faster than copies of the many shapes callers pass (a spread or
    // Object.assign of an unseen shape takes the slow path, and a cold `cdk8s synth` sees each
    // shape once). Every field of kplus.ContainerProps is listed: the type fails to compile
    // when cdk8s-plus adds one.
    const containerProps: EveryField<kplus.ContainerProps> = {
      name: props.name,
      image: props.image,
      port: props.port,
      portNumber: props.portNumber,
      ports: props.ports,
      command: props.command,
      args: props.args,
      workingDir: props.workingDir,
      envVariables: props.envVariables,
      envFrom: props.envFrom,
      volumeMounts: props.volumeMounts,
      imagePullPolicy: props.imagePullPolicy ?? IF_NOT_PRESENT,
      readiness: props.readiness,
      liveness: props.liveness,
      startup: props.startup,
      lifecycle: props.lifecycle,
      resources: sidecarResources(props.resources),
      securityContext: sidecarSecurityContext(props.securityContext),
      restartPolicy: mode === SidecarMode.NATIVE ? ALWAYS : undefined,
    };
    let container: kplus.Container;
    try {
      container = mode === SidecarMode.NATIVE
        ? workload.addInitContainer(containerProps)
        : workload.addContainer(containerProps);
    } catch (e) {
      // cdk8s-plus refused what the checks above let through: leave no construct behind.
      scope.node.tryRemoveChild(id);
      throw new Error(`${where.text}: ${(e as Error).message}`);
    }
    this.container = container;
    if (mode === SidecarMode.NATIVE && props.first) {
      moveInitContainer(workload, container, registry.nextFirstIndex());
    }
    if (mode === SidecarMode.CLASSIC) {
      keepOutOfServices(workload, props.name);
    }
    registry.addSidecar(container, { mode, purpose: props.purpose ?? 'withSidecar' });
    if (props.boundPorts) registry.bindPorts(props.name, props.boundPorts);

    this.sharedVolumes = shared ? mountSharedVolumes(registry, container, shared, targets!) : [];
  }

  /** The shared volumes' pod-level emptyDir volumes. */
  public get volumes(): kplus.Volume[] {
    return this.sharedVolumes.map((s) => s.volume);
  }
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
export function withSidecar(workload: kplus.AbstractPod, options: SidecarOptions): Sidecar {
  // The workload is the scope: no copy of the options is needed to name it.
  return new Sidecar(workload, `sidecar-${options.name}`, options);
}

/** Names the workload and the sidecar in messages; built only when a message is. */
class Where {
  public constructor(private readonly registry: PodRegistry, private readonly name: string) {}
  public get text(): string {
    return `${this.registry.label}, sidecar "${this.name}"`;
  }
  public toString(): string {
    return this.text;
  }
}

/** Input that is wrong by itself, whatever else the pod holds: refused at the call. */
function checkOptions(where: Where, registry: PodRegistry, props: SidecarProps): void {
  const fail = (problem: string): never => {
    throw new Error(`${where.text}: ${problem}`);
  };
  const nameProblem = dnsLabelProblem(props.name);
  if (nameProblem) fail(`the name ${nameProblem}`);
  if (typeof props.image !== 'string' || props.image.trim() === '') {
    fail('image is empty; give an image reference with a pinned tag, for example "registry.example/tool:1.2.3"');
  }
  if (props.restartPolicy !== undefined) {
    fail('restartPolicy is set by the sidecar mode; remove it and pass mode: SidecarMode.NATIVE or SidecarMode.CLASSIC');
  }
  registry.claimName(where, props.name);
  const ports = props.ports ?? [];
  if (props.portNumber !== undefined) checkPort(fail, { number: props.portNumber });
  const seen = ports.length + (props.portNumber !== undefined ? 1 : 0) > 1 ? new Set<string>() : undefined;
  if (seen && props.portNumber !== undefined) seen.add(`${props.portNumber}/${TCP}`);
  // Indexed loops here and below: in code V8 has not optimized yet, for...of allocates an
  // iterator and a result per item, and this runs for every sidecar of a fleet.
  for (let i = 0; i < ports.length; i++) {
    const port = ports[i];
    checkPort(fail, port);
    if (!seen) continue;
    const key = `${port.number}/${port.protocol ?? TCP}`;
    if (seen.has(key)) fail(`port ${key} is declared twice; declare it once`);
    if (port.name !== undefined && seen.has(`name:${port.name}`)) fail(`two ports are named "${port.name}"; give each its own name`);
    seen.add(key).add(`name:${port.name}`);
  }
  const boundPorts = props.boundPorts ?? [];
  for (let i = 0; i < boundPorts.length; i++) {
    const port = boundPorts[i];
    const problem = portNumberProblem(port.number);
    if (problem) fail(`bound port ${port.number}${port.purpose ? ` (${port.purpose})` : ''} ${problem}`);
    if (port.address !== undefined && port.address.trim() === '') fail(`bound port ${port.number}: address is empty`);
  }
  if (!props.sharedVolumes) return;
  const mounts = props.volumeMounts ?? [];
  for (let i = 0; i < props.sharedVolumes.length; i++) {
    const shared = props.sharedVolumes[i];
    const pathProblem = mountPathProblem(shared.path);
    if (pathProblem) fail(`shared volume "${shared.name}": path "${shared.path}" ${pathProblem}`);
    const appPathProblem = shared.appPath === undefined ? undefined : mountPathProblem(shared.appPath);
    if (appPathProblem) fail(`shared volume "${shared.name}": appPath "${shared.appPath}" ${appPathProblem}`);
    // The sidecar's own mounts, then the shared volumes before this one.
    let clash: string | undefined;
    for (let j = 0; j < mounts.length && clash === undefined; j++) if (samePath(mounts[j].path, shared.path)) clash = mounts[j].path;
    for (let j = 0; j < i && clash === undefined; j++) if (samePath(props.sharedVolumes[j].path, shared.path)) clash = props.sharedVolumes[j].path;
    if (clash !== undefined) fail(`shared volume "${shared.name}": the sidecar already mounts something at "${clash}"; give it another path`);
  }
}

/** A declared port: a number in range, an IANA service name. */
function checkPort(fail: (problem: string) => never, port: { number: number; name?: string }): void {
  const problem = portNumberProblem(port.number);
  if (problem) fail(`port ${port.number} ${problem}`);
  const namedProblem = port.name === undefined ? undefined : portNameProblem(port.name);
  if (namedProblem) fail(`port name "${port.name}" is not an IANA service name: it ${namedProblem}`);
}

/** The containers a shared volume is mounted into at `appPath`, checked before anything is mounted. */
function resolveAppContainers(where: Where, registry: PodRegistry, options: SharedVolumeOptions): kplus.Container[] {
  registry.checkSharedVolume(where, options);
  let targets: kplus.Container[];
  const names = options.appContainers;
  if (names) {
    targets = new Array(names.length);
    for (let i = 0; i < names.length; i++) {
      const found = registry.containerNamed(names[i]);
      if (!found) {
        throw new Error(`${where}: shared volume "${options.name}": no container named "${names[i]}" in the pod `
          + `(it has ${registry.describeContainerNames()}); add the container before attaching the sidecar`);
      }
      targets[i] = found;
    }
  } else {
    targets = registry.appContainers();
    if (targets.length === 0) {
      throw new Error(`${where}: shared volume "${options.name}": the pod has no app container to mount it into yet; `
        + 'add the app containers before attaching the sidecar, or pass appContainers: [] to keep the volume to the sidecar');
    }
  }
  // A container that already mounts this volume at appPath keeps its mount; another volume
  // there is refused.
  const appPath = options.appPath ?? options.path;
  const rest: kplus.Container[] = [];
  for (let i = 0; i < targets.length; i++) {
    const existing = mountAt(targets[i], appPath);
    if (!existing) {
      rest.push(targets[i]);
    } else if (existing.volume.name !== options.name) {
      throw new Error(`${where}: shared volume "${options.name}": container "${targets[i].name}" already mounts volume `
        + `"${existing.volume.name}" at "${existing.path}"; mount the shared volume at another path in the app, or move the app's volume`);
    }
  }
  return rest;
}

/** Creates (or reuses) each shared volume and mounts it into the sidecar and its app containers. */
function mountSharedVolumes(registry: PodRegistry, container: kplus.Container, shared: SharedVolumeOptions[],
  targets: kplus.Container[][]): SharedVolume[] {
  // Built at its exact size: one array per sidecar lives until synthesis.
  const result: SharedVolume[] = new Array(shared.length);
  for (let i = 0; i < shared.length; i++) {
    const options = shared[i];
    const volume = registry.sharedVolume(options);
    const appContainers = targets[i];
    const appPath = options.appPath ?? options.path;
    container.mount(options.path, volume, { readOnly: options.readOnly ?? false });
    const appReadOnly = options.appReadOnly ?? false;
    for (let j = 0; j < appContainers.length; j++) appContainers[j].mount(appPath, volume, { readOnly: appReadOnly });
    result[i] = { volume, path: options.path, appPath, appContainers };
  }
  return result;
}
