/**
 * Attaching a sidecar container to a workload's pods: the checks of its options against the
 * pod, then the container, its mounts and its place in the pod's registry. Used by the
 * `Sidecar` construct and by the helpers, whose own construct stands for their sidecar. Not
 * exported from the package.
 */
import { sidecarResources, sidecarSecurityContext } from './defaults';
import { keepOutOfServices, kplus, mountAt, mountOwn, moveInitContainer, TCP } from './kplus';
import { PodRegistry } from './pod-registry';
import { SharedVolume, SharedVolumeOptions } from './shared-volume';
import type { SidecarOptions } from './sidecar';
import { SidecarMode } from './sidecar-mode';
import { dnsLabelProblem, mountPathProblem, portNameProblem, portNumberProblem, samePath } from './validation/syntax';

// Read once: each read of a cdk8s-plus export goes through a getter of its index module.
const IF_NOT_PRESENT = kplus.ImagePullPolicy.IF_NOT_PRESENT;
const ALWAYS = kplus.ContainerRestartPolicy.ALWAYS;

/** Every field of T, optional ones included (as possibly undefined): a literal of it must name them all. */
type EveryField<T> = { [K in keyof Required<T>]: T[K] };

/** What attaching a sidecar added to the pod. */
export interface AttachedSidecar {
  readonly container: kplus.Container;
  readonly mode: SidecarMode;
  readonly sharedVolumes: SharedVolume[];
}

/**
 * Attaches a sidecar to the workload's pods without a construct of its own: for the helpers
 * (withLogShipper, withProxy, withConfigSync), whose own construct stands for the sidecar.
 * Checks everything first; throws before the pod is touched.
 */
export function attachSidecar(workload: kplus.AbstractPod, options: SidecarOptions): AttachedSidecar {
  return addPlannedSidecar(planSidecar(workload, options));
}

/** A sidecar whose options passed every check, with the app containers its shared volumes go to. */
export interface SidecarPlan {
  readonly workload: kplus.AbstractPod;
  readonly registry: PodRegistry;
  readonly where: Where;
  readonly options: SidecarOptions;
  readonly targets?: kplus.Container[][];
}

/** Checks what a sidecar needs, adding nothing. */
export function planSidecar(workload: kplus.AbstractPod, options: SidecarOptions): SidecarPlan {
  const registry = PodRegistry.of(workload);
  const where = new Where(registry, options.name);
  checkOptions(where, registry, options);
  const shared = options.sharedVolumes;
  let targets: kplus.Container[][] | undefined;
  if (shared) {
    targets = new Array(shared.length);
    for (let i = 0; i < shared.length; i++) targets[i] = resolveAppContainers(where, registry, shared[i]);
  }
  return { workload, registry, where, options, targets };
}

/** Adds a checked sidecar: the container, its mounts, its place in the registry. */
export function addPlannedSidecar(plan: SidecarPlan): AttachedSidecar {
  const { workload, registry, options: props } = plan;
  const mode = props.mode ?? registry.defaultMode;
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
    throw new Error(`${plan.where.text}: ${(e as Error).message}`);
  }
  if (mode === SidecarMode.NATIVE && props.first) {
    moveInitContainer(workload, container, registry.nextFirstIndex());
  }
  if (mode === SidecarMode.CLASSIC) {
    keepOutOfServices(workload, props.name);
  }
  registry.addSidecar(container, { mode, purpose: props.purpose ?? 'withSidecar' });
  if (props.boundPorts) registry.bindPorts(props.name, props.boundPorts);
  const shared = props.sharedVolumes;
  const sharedVolumes = shared ? mountSharedVolumes(registry, container, shared, plan.targets!) : [];
  return { container, mode, sharedVolumes };
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
function checkOptions(where: Where, registry: PodRegistry, props: SidecarOptions): void {
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
    mountOwn(container, options.path, volume, { readOnly: options.readOnly ?? false });
    const appReadOnly = options.appReadOnly ?? false;
    for (let j = 0; j < appContainers.length; j++) mountOwn(appContainers[j], appPath, volume, { readOnly: appReadOnly });
    result[i] = { volume, path: options.path, appPath, appContainers };
  }
  return result;
}
