/**
 * The one way a program joins a pod: `checkProgram` checks everything that can be checked at
 * the call and changes nothing; `attachProgram` then adds the ConfigMap, the volumes, the
 * containers, the mounts on both sides, the checksum annotation and the registry's records.
 * Every helper, `withSidecar` included, goes through these two functions (CONTRIBUTING.md).
 */
import { createHash } from 'crypto';
import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import { sidecarResources, sidecarSecurityContext } from './defaults';
import { kplus, TCP, volumeFromSource } from './kplus';
import { Fail, failOn, PodFacts } from './pod-facts';
import { Program, ProgramContainer, ProgramSharedVolume, ProgramSidecar, ProgramVolume } from './program';
import { PodRegistry } from './registry';
import { SharedVolume, SharedVolumeOptions } from './shared-volume';
import { SidecarMode } from './sidecar-mode';
import {
  cpuMillis, cpuProblem, describeValue, dnsLabelProblem, envNameProblem, hasControlCharacter, imageProblem, mountPathProblem, normalizePath,
  portNameProblem, portNumberProblem, quote, samePath,
} from './validation/syntax';

/** The annotation on the pod template that rolls the pods when a program's files change. */
export function checksumAnnotation(name: string): string {
  return `cdk8s-sidecars/${name}-config-sha256`;
}

/** Kubernetes' limit on a DNS-1123 label: container, volume and annotation names. */
const NAME_LIMIT = 63;

/** A program whose every check passed, with what the checks resolved. */
export interface CheckedProgram {
  readonly registry: PodRegistry;
  readonly program: Program;
  /** `Deployment "chart/web", withProxy`. */
  readonly where: string;
  /** The long-running container's mode. */
  readonly mode?: SidecarMode;
  /** Per shared volume, the app containers it is mounted into. */
  readonly targets: kplus.Container[][];
  /** The app containers that get `program.appEnv`, with their variables. */
  readonly envTargets: ReadonlyArray<{
    readonly container: kplus.Container;
    readonly variables: ReadonlyArray<{ readonly name: string; readonly value: kplus.EnvValue }>;
  }>;
}

/** What attaching a program added to the pod. */
export interface AttachedProgram {
  /** The long-running container. */
  readonly container?: kplus.Container;
  readonly mode?: SidecarMode;
  /** The one-time init container. */
  readonly initContainer?: kplus.Container;
  /** The ConfigMap of the program's files. */
  readonly configMap?: kplus.ConfigMap;
  /** The configuration volume, then the program's own volumes, in the order of the program. */
  readonly volumes: kplus.Volume[];
  readonly sharedVolumes: SharedVolume[];
  /** The pod's fsGroup in effect, when the program asked for one. */
  readonly fsGroup?: number;
  readonly serviceAccount?: kplus.IServiceAccount;
  readonly role?: kplus.Role;
  readonly roleBinding?: kplus.RoleBinding;
}

/** The one-time init container's name. */
export function initName(name: string): string {
  return `${name}-init`;
}

declare const aloneChecked: unique symbol;

/** A program whose own checks passed (`checkProgramAlone`): what `planFor` returns, what `checkProgram` takes. */
export type AloneCheckedProgram = Program & { readonly [aloneChecked]: true };

/**
 * Checks what is wrong with a program by itself, whatever else the pod holds: names (and their
 * length, from the longest name generated from them), each container's settings and ports, the
 * mode, the shared volumes' paths. Pure, so a reused plan (plan-cache.ts) is not checked again;
 * of the pod it reads only the lowest port a non-root container may bind.
 */
export function checkProgramAlone(program: Program, pod: PodFacts, fail: Fail): AloneCheckedProgram {
  const { name } = program;
  const nameProblem = dnsLabelProblem(name);
  if (nameProblem) fail(`the name ${nameProblem}`);
  // withSidecar's purpose is the user's text, shown in the messages of every rule.
  if (hasControlCharacter(program.purpose)) fail(`purpose ${quote(program.purpose)} holds a control character or NUL; give one line of text`);
  const generated = generatedNames(program);
  const longest = generated.reduce((a, b) => (b.length > a.length ? b : a), name);
  if (longest.length > NAME_LIMIT) {
    fail(`the name ${quote(name)} is ${name.length} characters; at most ${NAME_LIMIT - (longest.length - name.length)}, `
      + `since ${quote(longest)} is named after it and a name has at most ${NAME_LIMIT}`);
  }

  const context = { unprivilegedPortStart: pod.unprivilegedPortStart, hints: program.portHints };
  if (program.init) checkContainer(fail, program.init, context);
  if (program.sidecar) {
    checkContainer(fail, program.sidecar, context);
    if (program.sidecar.mode !== undefined && !Object.values(SidecarMode).includes(program.sidecar.mode)) {
      fail(`mode ${quote(String(program.sidecar.mode))} is not a SidecarMode; pass SidecarMode.NATIVE or SidecarMode.CLASSIC`);
    }
  }

  // Where the program's containers mount things: one mount a path.
  const taken: string[] = [
    ...(program.config ? [program.config.dir] : []),
    ...(program.volumes ?? []).map((v) => v.path),
    ...(program.sidecar?.volumeMounts ?? []).map((m) => m.path),
  ];
  for (const shared of program.sharedVolumes ?? []) {
    const pathProblem = mountPathProblem(shared.path);
    if (pathProblem) fail(`shared volume ${quote(shared.name)}: path ${quote(shared.path)} ${pathProblem}`);
    const appPathProblem = shared.appPath === undefined ? undefined : mountPathProblem(shared.appPath);
    if (appPathProblem) fail(`shared volume ${quote(shared.name)}: appPath ${quote(shared.appPath)} ${appPathProblem}`);
    const clash = taken.find((path) => samePath(path, shared.path));
    if (clash !== undefined) fail(`shared volume ${quote(shared.name)}: the sidecar already mounts something at ${quote(clash)}; give it another path`);
    taken.push(shared.path);
  }
  return program as AloneCheckedProgram;
}

/**
 * Checks a program, already checked by itself, against the pod as it stands, changing nothing:
 * the names it takes, the construct id under `scope`, the volumes' names, the shared volumes and
 * the app containers they go to, the app containers' environment.
 */
export function checkProgram(registry: PodRegistry, program: AloneCheckedProgram, scope: Construct, id: string): CheckedProgram {
  const where = `${registry.label}, ${program.where}`;
  const fail = failOn(registry, program.where);
  const { name } = program;
  if (program.init) registry.claimName(where, initName(name));
  if (program.sidecar) registry.claimName(where, name);
  if (scope.node.tryFindChild(id)) {
    fail(`${quote(scope.node.path)} already has a construct with the id ${quote(id)}; give the sidecar another name`);
  }
  // These volumes are named after the program: the user never chose their names, only the program's.
  const renameFix = `the program's volumes are named after it ("${name}-…"): pass another name, or rename the pod's volume`;
  if (program.config) registry.checkVolumeNameFree(where, `${name}-config`, 'configuration volume', renameFix);
  for (const volume of program.volumes ?? []) registry.checkVolumeNameFree(where, `${name}-${volume.suffix}`, 'volume', renameFix);

  const targets = (program.sharedVolumes ?? []).map((shared) => resolveAppContainers(where, fail, registry, shared));
  const mode = program.sidecar ? program.sidecar.mode ?? registry.defaultMode : undefined;
  const envTargets = resolveAppEnv(fail, registry, program);
  return { registry, program, where, mode, targets, envTargets };
}

/** Adds a checked program to its pod; `scope` holds the constructs it makes (the helper's construct). */
export function attachProgram(scope: Construct, checked: CheckedProgram): AttachedProgram {
  const { registry, program, targets, mode } = checked;
  const { name } = program;
  const pod = registry.target;

  const volumes: kplus.Volume[] = [];
  const mounts: kplus.VolumeMount[] = [];
  let configMap: kplus.ConfigMap | undefined;
  if (program.config) {
    configMap = new kplus.ConfigMap(scope, 'Config', { data: { ...program.config.files } });
    const volume = kplus.Volume.fromConfigMap(scope, 'ConfigVolume', configMap, {
      name: `${name}-config`,
      defaultMode: program.config.defaultMode,
    });
    volumes.push(volume);
    mounts.push({ path: program.config.dir, volume, readOnly: true });
    pod.addPodAnnotation(checksumAnnotation(name), filesChecksum(program.config.files));
  }
  for (const planned of program.volumes ?? []) {
    const volume = makeVolume(scope, `${name}-${planned.suffix}`, planned);
    volumes.push(volume);
    mounts.push({ path: planned.path, volume, readOnly: true });
  }
  // Paths as the rules compare them: `/var/log/./app/` is mounted, and reported, as `/var/log/app`.
  const sharedVolumes: SharedVolume[] = (program.sharedVolumes ?? []).map((options, i) => ({
    volume: registry.sharedVolume(options, { name, purpose: program.purpose }),
    path: normalizePath(options.path),
    appPath: normalizePath(options.appPath ?? options.path),
    appContainers: targets[i],
  }));
  (program.sharedVolumes ?? []).forEach((options, i) => {
    mounts.push({ path: sharedVolumes[i].path, volume: sharedVolumes[i].volume, readOnly: options.readOnly ?? false });
  });

  const purpose = program.purpose;
  let initContainer: kplus.Container | undefined;
  if (program.init) {
    const props = containerProps(initName(name), program.init, mounts);
    initContainer = pod.addInitContainer(props, program.init.first ? registry.nextFirstIndex() : undefined);
    registry.addTask(initContainer, { purpose });
    registry.bindPorts(initContainer.name, program.init.boundPorts ?? []);
    if (program.init.forbidden?.length) registry.forbid({ container: initContainer.name, purpose, settings: program.init.forbidden });
  }
  let container: kplus.Container | undefined;
  if (program.sidecar) {
    const restartPolicy = mode === SidecarMode.NATIVE ? kplus.ContainerRestartPolicy.ALWAYS : undefined;
    const props = containerProps(name, program.sidecar, mounts, restartPolicy);
    if (mode === SidecarMode.NATIVE) {
      container = pod.addInitContainer(props, program.sidecar.first ? registry.nextFirstIndex() : undefined);
    } else {
      container = pod.addContainer(props);
      pod.keepOutOfServices(name);
    }
    registry.addSidecar(container, { mode: mode!, purpose, userDescribed: program.userDescribed });
    registry.bindPorts(name, program.sidecar.boundPorts ?? []);
    if (program.sidecar.forbidden?.length) registry.forbid({ container: name, purpose, settings: program.sidecar.forbidden });
  }
  for (const [i, shared] of sharedVolumes.entries()) {
    const options = (program.sharedVolumes ?? [])[i];
    for (const target of shared.appContainers) pod.mount(target, shared.appPath, shared.volume, { readOnly: options.appReadOnly ?? false });
    if (options.managed) {
      registry.addFolder({ owner: name, purpose, volume: shared.volume, path: shared.appPath, containers: shared.appContainers });
    }
  }
  for (const hint of program.portHints ?? []) {
    for (const c of [container, initContainer]) if (c) registry.hintPort(c.name, hint.number, TCP, hint.hint);
  }

  for (const { container: target, variables } of checked.envTargets) {
    for (const variable of variables) pod.addEnv(target, variable.name, variable.value);
  }

  if (program.podLabels?.length) registry.requireLabels({ owner: name, purpose, keys: program.podLabels });
  if (program.internalPaths?.length) registry.addInternalPaths(name, purpose, program.internalPaths);
  const fsGroup = program.fsGroup === undefined ? undefined : pod.ensureFsGroup(program.fsGroup);
  if (program.shareProcessNamespace) pod.shareProcessNamespace();
  let rbac: Pick<AttachedProgram, 'serviceAccount' | 'role' | 'roleBinding'> = {};
  if (program.rbac) {
    const serviceAccount = pod.ensureServiceAccount(() => new kplus.ServiceAccount(scope, 'ServiceAccount'));
    const role = new kplus.Role(scope, 'Role');
    role.allow(program.rbac.verbs, ...program.rbac.resources);
    const roleBinding = new kplus.RoleBinding(scope, 'RoleBinding', { role });
    roleBinding.addSubjects(serviceAccount);
    rbac = { serviceAccount, role, roleBinding };
  }
  return { container, mode: container ? mode : undefined, initContainer, configMap, volumes, sharedVolumes, fsGroup, ...rbac };
}

/** Every name generated from the program's name. */
function generatedNames(program: Program): string[] {
  const { name } = program;
  const names: string[] = [];
  if (program.init) names.push(initName(name));
  if (program.config) names.push(`${name}-config`, checksumAnnotation(name).split('/')[1]);
  for (const volume of program.volumes ?? []) names.push(`${name}-${volume.suffix}`);
  for (const shared of program.sharedVolumes ?? []) if (shared.name.startsWith(`${name}-`)) names.push(shared.name);
  return names;
}

/** The SHA-256 of a program's files, names and texts. */
function filesChecksum(files: Record<string, string>): string {
  const names = Object.keys(files).sort();
  const hash = createHash('sha256');
  if (names.length === 1) return hash.update(files[names[0]]).digest('hex');
  for (const file of names) hash.update(`${file}\u0000${files[file]}\u0000`);
  return hash.digest('hex');
}

function makeVolume(scope: Construct, volumeName: string, planned: ProgramVolume): kplus.Volume {
  const id = `${planned.suffix}-volume`;
  const source = planned.source;
  switch (source.kind) {
    case 'configMap':
      return kplus.Volume.fromConfigMap(scope, id, source.configMap, { name: volumeName, items: source.items, defaultMode: source.defaultMode });
    case 'secret':
      return kplus.Volume.fromSecret(scope, id, source.secret, { name: volumeName, items: source.items, defaultMode: source.defaultMode });
    case 'raw':
      return volumeFromSource(scope, id, volumeName, source.source);
  }
}

/**
 * A program container's props for cdk8s-plus: the sidecar defaults, and the program's mounts after the given ones.
 *
 * The given props are copied once (the rest below, our own object) and the defaults assigned onto
 * that copy. Spreading the copy into a literal that then adds keys, as `{ ...props, name, … }`,
 * made every call build a new hidden class in V8, key by key: a seventh of `withSidecar`'s time
 * (bench/ANALYSIS.md).
 */
function containerProps(
  name: string, spec: ProgramContainer, mounts: kplus.VolumeMount[], restartPolicy?: kplus.ContainerRestartPolicy,
): kplus.ContainerProps {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { boundPorts, mode, first, expandsVariables, relaxedEnvNames, allowOutsideRestrictedProfile, forbidden, ...props } = spec as ProgramSidecar;
  const literal = expandsVariables ? undefined : literalText;
  return Object.assign(props, {
    name,
    command: literal && props.command ? props.command.map(literal) : props.command,
    args: literal && props.args ? props.args.map(literal) : props.args,
    // New objects: cdk8s-plus keeps the ones it is given as the container's and adds to them
    // (`container.env.addVariable`), and a plan's program may be shared by workloads (plan-cache.ts).
    envVariables: literal && props.envVariables ? literalEnv(props.envVariables) : props.envVariables && { ...props.envVariables },
    envFrom: props.envFrom && [...props.envFrom],
    imagePullPolicy: spec.imagePullPolicy ?? kplus.ImagePullPolicy.IF_NOT_PRESENT,
    resources: sidecarResources(spec.resources),
    securityContext: sidecarSecurityContext(spec.securityContext, {}, allowOutsideRestrictedProfile === true),
    // A new array: cdk8s-plus keeps the one it is given as the container's list and adds to it.
    volumeMounts: [...(spec.volumeMounts ?? []), ...mounts],
    restartPolicy,
  });
}

/**
 * Text Kubernetes passes on as written: in `command`, `args` and env values the kubelet expands
 * `$(NAME)` and reads `$$` as `$`, so each `$` before `(` or `$` is doubled.
 * @see https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
 */
export function literalText(text: string): string {
  return text.includes('$') ? text.replace(/\$(?=[$(])/g, () => '$$') : text;
}

/** A new object (see containerProps), with each literal value's `$` escaped. */
function literalEnv(env: Record<string, kplus.EnvValue>): Record<string, kplus.EnvValue> {
  const out: Record<string, kplus.EnvValue> = {};
  for (const [key, value] of Object.entries(env)) {
    const text = value?.value;
    const escaped = typeof text === 'string' && value.valueFrom === undefined ? literalText(text) : text;
    out[key] = escaped !== text ? kplus.EnvValue.fromValue(escaped!) : value;
  }
  return out;
}

interface ContainerContext {
  /** The pod's `net.ipv4.ip_unprivileged_port_start`. */
  readonly unprivilegedPortStart: number;
  readonly hints: Program['portHints'];
}

/** The opt-in that lets a container leave the restricted profile, for messages. */
const UNRESTRICTED_FIX = 'pass allowOutsideRestrictedProfile: true to withSidecar if the program really needs it';

/** Input of one container that is wrong by itself, whatever else the pod holds. */
function checkContainer(fail: (problem: string) => never, spec: ProgramContainer, context: ContainerContext): void {
  if (typeof spec.image !== 'string') fail(`image must be a string (got ${describeValue(spec.image)}), for example "registry.example/tool:1.2.3"`);
  if (spec.image.trim() === '') fail('image is empty; give an image reference with a pinned tag, for example "registry.example/tool:1.2.3"');
  const imageIssue = imageProblem(spec.image);
  if (imageIssue) fail(`image ${quote(spec.image)} ${imageIssue}`);
  if ((spec as kplus.ContainerProps).restartPolicy !== undefined) {
    fail('restartPolicy is set by the sidecar mode; remove it and pass mode: SidecarMode.NATIVE or SidecarMode.CLASSIC');
  }
  checkEnvNames(fail, spec);
  checkResources(fail, spec);

  const unrestricted = spec.allowOutsideRestrictedProfile === true;
  const security = sidecarSecurityContext(spec.securityContext, {}, unrestricted);
  checkSecurity(fail, spec.securityContext ?? {}, security, unrestricted);

  const root = security.user === 0;
  const canBindLow = root || (security.capabilities?.add ?? []).includes(kplus.Capability.NET_BIND_SERVICE);
  const unprivilegedStart = context.unprivilegedPortStart;
  const lowPortProblem = (what: string, number: number) => {
    if (canBindLow || number >= unprivilegedStart) return;
    const hint = context.hints?.find((h) => h.number === number)?.hint;
    fail(`${what} ${number} is below 1024, which the container cannot bind as a non-root user without the NET_BIND_SERVICE capability; `
      + (hint ? `give a port of 1024 or more: ${hint}`
        : 'give a port of 1024 or more, or add the capability: securityContext: { capabilities: { drop: [ALL], add: [NET_BIND_SERVICE] } }'));
  };

  // `port` is cdk8s-plus's deprecated spelling of `portNumber`; it declares a port all the same.
  const deprecatedPort = (spec as { port?: number }).port;
  const declared = [
    ...(spec.portNumber !== undefined ? [{ number: spec.portNumber }] : []),
    ...(deprecatedPort !== undefined ? [{ number: deprecatedPort }] : []),
    ...(spec.ports ?? []),
  ];
  const seen = new Set<string>();
  for (const port of declared) {
    const problem = portNumberProblem(port.number);
    if (problem) fail(`port ${quote(port.number)} ${problem}`);
    const portName = (port as kplus.ContainerPort).name;
    const namedProblem = portName === undefined ? undefined : portNameProblem(portName);
    if (namedProblem) fail(`port name ${quote(portName)} is not an IANA service name: it ${namedProblem}`);
    const key = `${port.number}/${(port as kplus.ContainerPort).protocol ?? TCP}`;
    if (seen.has(key)) fail(`port ${key} is declared twice; declare it once`);
    if (portName !== undefined && seen.has(`name:${portName}`)) fail(`two ports are named ${quote(portName)}; give each its own name`);
    seen.add(key).add(`name:${portName}`);
    const hostPort = (port as kplus.ContainerPort).hostPort;
    if (hostPort !== undefined) {
      const hostProblem = portNumberProblem(hostPort);
      if (hostProblem) fail(`port ${port.number}: hostPort ${quote(hostPort)} ${hostProblem}`);
      if (!unrestricted) {
        fail(`port ${port.number}: hostPort ${hostPort} takes a port of the node, which the restricted profile forbids; `
          + `remove hostPort (reach the pod through a Service), or ${UNRESTRICTED_FIX}`);
      }
    }
    lowPortProblem('port', port.number);
  }
  for (const port of spec.boundPorts ?? []) {
    const problem = portNumberProblem(port.number);
    if (problem) fail(`bound port ${quote(port.number)}${port.purpose ? ` (${port.purpose})` : ''} ${problem}`);
    if (port.address !== undefined && port.address.trim() === '') fail(`bound port ${port.number}: address is empty`);
    if (port.address !== undefined && hasControlCharacter(port.address)) {
      fail(`bound port ${port.number}: address ${quote(port.address)} holds a control character; give an IP address such as "127.0.0.1"`);
    }
    lowPortProblem(`bound port${port.purpose ? ` (${port.purpose})` : ''}`, port.number);
  }
}

function checkEnvNames(fail: (problem: string) => never, spec: ProgramContainer): void {
  const env = spec.envVariables;
  if (env === undefined) return;
  for (const name of Object.keys(env)) {
    const problem = envNameProblem(name, spec.relaxedEnvNames === true);
    if (!problem) continue;
    const relaxedWouldPass = spec.relaxedEnvNames !== true && envNameProblem(name, true) === undefined;
    fail(`environment variable ${quote(name)} ${problem}; rename it`
      + (relaxedWouldPass ? ', or pass relaxedEnvNames: true to withSidecar if every cluster you apply to runs Kubernetes 1.32 or later' : ''));
  }
}

function checkResources(fail: (problem: string) => never, spec: ProgramContainer): void {
  const given = spec.resources;
  if (given === undefined) return;
  const sizeProblem = (what: string, size: unknown, unit: 'Mi' | 'Gi'): number => {
    if (!(size instanceof Size)) return fail(`resources.${what} must be a cdk8s Size, for example Size.mebibytes(128) (got ${describeValue(size)})`);
    let amount: number;
    try {
      amount = unit === 'Mi' ? size.toMebibytes() : size.toGibibytes();
    } catch {
      return fail(`resources.${what} is not a whole number of ${unit === 'Mi' ? 'mebibytes' : 'gibibytes'}, which cdk8s-plus writes it in; `
        + `give for example ${unit === 'Mi' ? 'Size.mebibytes(128)' : 'Size.gibibytes(1)'}`);
    }
    if (!Number.isFinite(amount)) return fail(`resources.${what} is not a number; give for example ${unit === 'Mi' ? 'Size.mebibytes(128)' : 'Size.gibibytes(1)'}`);
    return amount;
  };
  const cpuAmount = (what: string, cpu: unknown): number => {
    const amount = (cpu as kplus.Cpu | undefined)?.amount;
    const problem = typeof cpu === 'object' && cpu !== null ? cpuProblem(amount) : `must be a kplus.Cpu (got ${describeValue(cpu)})`;
    if (problem) fail(`resources.${what} ${problem}`);
    return cpuMillis(amount!);
  };
  // The user's own halves first, so that a message names what they wrote; then with the defaults.
  const merged = sidecarResources(given);
  for (const [what, unit] of [['cpu', ''], ['memory', 'Mi'], ['ephemeralStorage', 'Gi']] as const) {
    const halves = given[what] as { request?: unknown; limit?: unknown } | undefined;
    for (const half of ['request', 'limit'] as const) {
      const value = halves?.[half];
      if (value === undefined) continue;
      if (unit === '') cpuAmount(`${what}.${half}`, value);
      else sizeProblem(`${what}.${half}`, value, unit);
    }
  }
  const pairs: Array<[string, (what: string, value: unknown) => number, { request?: unknown; limit?: unknown } | undefined, string]> = [
    ['cpu', cpuAmount, merged.cpu, 'm'],
    ['memory', (what, v) => sizeProblem(what, v, 'Mi'), merged.memory, 'Mi'],
    ['ephemeralStorage', (what, v) => sizeProblem(what, v, 'Gi'), merged.ephemeralStorage, 'Gi'],
  ];
  for (const [what, amountOf, halves, unit] of pairs) {
    if (halves === undefined) continue;
    const request = halves.request === undefined ? undefined : amountOf(`${what}.request`, halves.request);
    const limit = halves.limit === undefined ? undefined : amountOf(`${what}.limit`, halves.limit);
    if (request !== undefined && limit !== undefined && limit < request) {
      fail(`resources.${what}.limit ${limit}${unit} is below its request ${request}${unit}, which the API server refuses; raise the limit or lower the request`);
    }
  }
}

/**
 * The restricted profile, kept unless the user opted out; and never a combination the API
 * server or the kubelet refuses, opted out or not.
 */
function checkSecurity(
  fail: (problem: string) => never,
  given: kplus.ContainerSecurityContextProps,
  effective: kplus.ContainerSecurityContextProps,
  unrestricted: boolean,
): void {
  const leaves: string[] = [];
  if (!unrestricted) {
    if (effective.privileged) leaves.push('privileged: true');
    if (effective.allowPrivilegeEscalation) leaves.push('allowPrivilegeEscalation: true');
    if (effective.user === 0 && given.ensureNonRoot === false) leaves.push('user 0 (root)');
    if (given.ensureNonRoot === false) leaves.push('ensureNonRoot: false');
    const added = (effective.capabilities?.add ?? []).filter((c) => c !== kplus.Capability.NET_BIND_SERVICE);
    if (added.length > 0) leaves.push(`added capabilities ${added.join(', ')}`);
    if (effective.seccompProfile?.type === kplus.SeccompProfileType.UNCONFINED) leaves.push('seccompProfile Unconfined');
  }
  if (effective.privileged && effective.allowPrivilegeEscalation === false && (unrestricted || given.allowPrivilegeEscalation === false)) {
    fail('securityContext sets privileged: true with allowPrivilegeEscalation: false, which the API server refuses '
      + '(a privileged container always can escalate); remove allowPrivilegeEscalation');
  }
  if (effective.user === 0 && effective.ensureNonRoot) {
    fail('securityContext sets user 0 (root) with ensureNonRoot: true, a pod the kubelet refuses to start '
      + `(CreateContainerConfigError); run as a non-root user${unrestricted ? ', or pass ensureNonRoot: false' : `, or ${UNRESTRICTED_FIX}`}`);
  }
  if (leaves.length > 0) {
    fail(`securityContext sets ${leaves.join(', ')}, which the Pod Security Standards "restricted" profile forbids `
      + `(namespaces that enforce it refuse the pod); remove ${leaves.length === 1 ? 'it' : 'them'}, or ${UNRESTRICTED_FIX}`);
  }
}

/**
 * The app containers that get the program's environment variables, checked before anything is
 * added: each exists, and none already has one of the variables (a program never replaces a
 * variable; its plan leaves out those it keeps).
 */
function resolveAppEnv(fail: (problem: string) => never, registry: PodRegistry, program: Program): CheckedProgram['envTargets'] {
  const appEnv = program.appEnv;
  if (!appEnv) return [];
  return appEnv.containers.map((containerName) => {
    const container = registry.containerNamed(containerName) ?? fail(
      `no container named ${quote(containerName)} in the pod to give environment variables to (it has ${registry.describeContainerNames()}); `
      + 'add the container before attaching the sidecar');
    const variables = appEnv.variables[containerName] ?? [];
    const own = container.env.variables;
    const seen = new Set<string>();
    for (const variable of variables) {
      if (Object.prototype.hasOwnProperty.call(own, variable.name)) {
        fail(`container ${quote(containerName)} already sets ${variable.name}; the sidecar does not replace it: remove it from the container, or tell the sidecar not to set it`);
      }
      if (seen.has(variable.name)) fail(`the environment variable ${variable.name} is given twice for container ${quote(containerName)}`);
      seen.add(variable.name);
    }
    return { container, variables };
  });
}

/** The app containers a shared volume is mounted into at `appPath`, checked before anything is mounted. */
function resolveAppContainers(
  where: string,
  fail: (problem: string) => never,
  registry: PodRegistry,
  options: SharedVolumeOptions,
): kplus.Container[] {
  registry.checkSharedVolume(where, options);
  let targets: kplus.Container[];
  if (options.appContainers) {
    targets = options.appContainers.map((containerName) => registry.containerNamed(containerName) ?? fail(
      `shared volume ${quote(options.name)}: no container named ${quote(containerName)} in the pod `
      + `(it has ${registry.describeContainerNames()}); add the container before attaching the sidecar`));
  } else {
    targets = registry.appContainers();
    if (targets.length === 0) {
      fail(`shared volume ${quote(options.name)}: the pod has no app container to mount it into yet; `
        + 'add the app containers before attaching the sidecar, or pass appContainers: [] to keep the volume to the sidecar');
    }
  }
  // A container that already mounts this volume at appPath keeps its mount; another volume
  // there is refused.
  const appPath = options.appPath ?? options.path;
  const option = (options as ProgramSharedVolume).appPathOption;
  return targets.filter((target) => {
    const existing = target.mounts.find((m) => samePath(m.path, appPath));
    if (existing && existing.volume.name !== options.name) {
      const owner = registry.volumeOwner(existing.volume);
      // A volume of another program is named by its program: the user never named that volume.
      const mounted = owner ? `the folder of container ${quote(owner.name)} (${owner.purpose})` : `volume ${quote(existing.volume.name)}`;
      fail(`${option ? `${option} ${quote(normalizePath(appPath))}` : `shared volume ${quote(options.name)}`}: container ${quote(target.name)} already mounts `
        + `${mounted} at ${quote(existing.path)}; `
        + `${option ? `give another ${option}` : 'mount the shared volume at another path in the app'}, or move the app's volume`);
    }
    return existing === undefined;
  });
}
