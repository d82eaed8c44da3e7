/**
 * The pod target of a plain cdk8s `ApiObject` (pod-target.ts): a class of `cdk8s import k8s`
 * (`KubeDeployment`, …), an object of an `Include`, or of a `Helm` chart, of a kind that carries a
 * pod (pod-object.ts). Everything is added through JSON patches on the object's pod spec.
 *
 * The object's manifest is read once, when the library first meets the object
 * (`apiObject.toJson()`, which applies the patches it has at that moment); from then on the
 * target keeps its own record of the pod: the containers and volumes it had, as read views
 * (`kplus.Container`, `kplus.Volume`, never rendered), and what the library added. Containers,
 * volumes, mounts and environment variables the library adds are written as cdk8s-plus writes
 * them (kplus.ts `containerJson`, …), when the manifest is rendered, so that a change made
 * later through a container's handle is in the output, as it is for a cdk8s-plus workload. A
 * class of `cdk8s import k8s` maps its props after the patches: the patches take the props' shape
 * there (kplus.ts `PatchShape`).
 *
 * The plans read the record. The whole-pod checks read the manifest as it will be written, every
 * patch applied (the user's later ones included), with the registry's records (`view`).
 *
 * A patch value is rendered when cdk8s applies the patches: fast-json-patch clones the operations
 * through JSON (`JsonPatch.apply`, cdk8s lib/json-patch.ts), which calls a value's `toJSON`;
 * test/any-pod.test.ts fails if a cdk8s release stops doing so.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import {
  containerEnv, containerJson, containerPorts, envVarJson, kplus, mountJson, PatchShape, volumeFromSource, volumeJson,
} from './kplus';
import { atPointer } from './pod-kinds';
import { apiObjectLabel, PodKind, POD_KINDS, pointerKey } from './pod-object';
import { PodTarget } from './pod-target';
import { KubePodSpec, PodView, podView } from './validation/pod-view';
import { quote } from './validation/syntax';
import { WorkloadRecords } from './validation/workload-view';

/** A patch value rendered only when the manifest is (see the module's comment). */
function rendered(render: () => unknown): unknown {
  return { toJSON: render };
}

/** One list of containers of the pod: where it is in the manifest, and whether it exists there yet. */
interface ContainerList {
  readonly field: 'containers' | 'initContainers';
  readonly items: kplus.Container[];
  /** Per container, whether its `volumeMounts` and `env` lists exist in the manifest. */
  readonly lists: Map<kplus.Container, { volumeMounts: boolean; env: boolean }>;
  exists: boolean;
}

export class ApiObjectPodTarget implements PodTarget {
  public readonly label: string;
  public readonly kind: string;
  public readonly name: string;
  public readonly runsToCompletion: boolean;
  public readonly securityContext: kplus.PodSecurityContext;
  public readonly automountServiceAccountToken: boolean;

  private readonly podKind: PodKind;
  /** How its patches are read (kplus.ts `PatchShape`). */
  private readonly shape: PatchShape;
  private readonly init: ContainerList;
  private readonly regular: ContainerList;
  private readonly podVolumes: kplus.Volume[] = [];
  private volumesExist: boolean;
  private readonly labels: Record<string, string>;
  private readonly annotationsExist: boolean;
  /** The pod template's annotations as read, and those added since. */
  private readonly annotations: Record<string, string>;
  private annotationAdded = false;
  private securityContextExists: boolean;
  private serviceAccount?: kplus.IServiceAccount;
  private readonly serviceAccountName?: string;
  private readonly namespace?: string;

  /** `apiObject` must be of a pod-bearing kind with a pod spec (pod-object.ts `podObjectProblem`). */
  public constructor(public readonly construct: ApiObject) {
    this.podKind = POD_KINDS[construct.kind];
    this.label = apiObjectLabel(construct);
    this.kind = construct.kind;
    this.name = construct.name;
    this.runsToCompletion = this.podKind.runsToCompletion;
    this.shape = patchShape(construct);

    const json = construct.toJson();
    const spec = atPointer(json, this.podKind.specPointer) as Record<string, any>;
    const metadata = (atPointer(json, this.podKind.metadataPointer) ?? {}) as Record<string, any>;
    // Read views live under a root of their own: nothing is added to the app by reading.
    const views = new Construct(undefined as unknown as Construct, '');
    const volumes = new Map<string, kplus.Volume>();
    for (const [i, v] of (Array.isArray(spec.volumes) ? spec.volumes : []).entries()) {
      const { name, ...source } = v as Record<string, unknown>;
      const volume = volumeFromSource(views, `volume-${i}`, String(name), source);
      volumes.set(String(name), volume);
      this.podVolumes.push(volume);
    }
    this.volumesExist = Array.isArray(spec.volumes);
    const list = (field: 'containers' | 'initContainers'): ContainerList => {
      const given: any[] = Array.isArray(spec[field]) ? spec[field] : [];
      const lists = new Map<kplus.Container, { volumeMounts: boolean; env: boolean }>();
      const items = given.map((c) => {
        let container: kplus.Container;
        try {
          container = readContainer(c, volumes, views);
        } catch (e) {
          // cdk8s-plus refuses what Kubernetes refuses too (two ports of one number or name): nothing to attach to.
          throw new Error(`${this.label}: its ${field === 'containers' ? 'container' : 'init container'} ${quote(c.name)} cannot be read: `
            + `${(e as Error).message}; fix the manifest (Kubernetes refuses it as well)`);
        }
        lists.set(container, { volumeMounts: Array.isArray(c.volumeMounts), env: Array.isArray(c.env) });
        return container;
      });
      return { field, items, lists, exists: Array.isArray(spec[field]) };
    };
    this.init = list('initContainers');
    this.regular = list('containers');
    this.labels = { ...(metadata.labels ?? {}) };
    this.annotationsExist = typeof metadata.annotations === 'object' && metadata.annotations !== null;
    this.annotations = { ...(this.annotationsExist ? metadata.annotations : {}) };
    const context = (spec.securityContext ?? {}) as Record<string, any>;
    this.securityContextExists = typeof spec.securityContext === 'object' && spec.securityContext !== null;
    this.securityContext = new kplus.PodSecurityContext({
      user: context.runAsUser,
      group: context.runAsGroup,
      fsGroup: context.fsGroup,
      ensureNonRoot: context.runAsNonRoot ?? false,
      sysctls: Array.isArray(context.sysctls) ? context.sysctls.map((s: any) => ({ name: String(s.name), value: String(s.value) })) : undefined,
    });
    // Kubernetes mounts the token unless the pod says not to (cdk8s-plus's default is the opposite).
    // https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
    this.automountServiceAccountToken = spec.automountServiceAccountToken ?? true;
    this.serviceAccountName = spec.serviceAccountName ?? spec.serviceAccount;
    this.namespace = (json as any)?.metadata?.namespace;
  }

  public get initContainers(): readonly kplus.Container[] {
    return this.init.items;
  }

  public get containers(): readonly kplus.Container[] {
    return this.regular.items;
  }

  public get volumes(): readonly kplus.Volume[] {
    return this.podVolumes;
  }

  public podLabels(): Record<string, string> {
    return { ...this.labels };
  }

  public selectorLabels(): Record<string, string> {
    if (this.kind === 'Pod') return { ...this.labels };
    const json = this.construct.toJson();
    const selector = this.kind === 'CronJob' ? atPointer(json, '/spec/jobTemplate/spec/selector/matchLabels') : atPointer(json, '/spec/selector/matchLabels');
    return { ...((selector as Record<string, string> | undefined) ?? this.labels) };
  }

  public addContainer(props: kplus.ContainerProps): kplus.Container {
    return this.add(this.regular, props, undefined);
  }

  public addInitContainer(props: kplus.ContainerProps, index?: number): kplus.Container {
    return this.add(this.init, props, index);
  }

  public mount(container: kplus.Container, path: string, volume: kplus.Volume, options: kplus.MountOptions): void {
    const { list, index } = this.find(container);
    this.addVolume(volume);
    const lists = list.lists.get(container)!;
    const pointer = `${this.podKind.specPointer}/${list.field}/${index}/volumeMounts`;
    const mount = rendered(() => mountJson(path, volume, options, this.shape));
    this.patch(lists.volumeMounts ? JsonPatch.add(`${pointer}/-`, mount) : JsonPatch.add(pointer, [mount]));
    lists.volumeMounts = true;
    container.mount(path, volume, options);
  }

  public addEnv(container: kplus.Container, name: string, value: kplus.EnvValue): void {
    const { list, index } = this.find(container);
    const lists = list.lists.get(container)!;
    const pointer = `${this.podKind.specPointer}/${list.field}/${index}/env`;
    const variable = envVarJson(name, value, this.shape);
    this.patch(lists.env ? JsonPatch.add(`${pointer}/-`, variable) : JsonPatch.add(pointer, [variable]));
    lists.env = true;
    container.env.addVariable(name, value);
  }

  public podAnnotations(): Record<string, string> {
    return { ...this.annotations };
  }

  public addPodAnnotation(key: string, value: string): void {
    this.annotations[key] = value;
    if (this.kind === 'Pod') {
      this.construct.metadata.addAnnotation(key, value);
      return;
    }
    const pointer = `${this.podKind.metadataPointer}/annotations`;
    this.patch(this.annotationsExist || this.annotationAdded
      ? JsonPatch.add(`${pointer}/${pointerKey(key)}`, value)
      : JsonPatch.add(pointer, { [key]: value }));
    this.annotationAdded = true;
  }

  public ensureFsGroup(group: number): number {
    const context = this.securityContext as unknown as { fsGroup?: number };
    if (context.fsGroup !== undefined) return context.fsGroup;
    const pointer = `${this.podKind.specPointer}/securityContext`;
    this.patch(this.securityContextExists ? JsonPatch.add(`${pointer}/fsGroup`, group) : JsonPatch.add(pointer, { fsGroup: group }));
    this.securityContextExists = true;
    context.fsGroup = group;
    return group;
  }

  public ensureServiceAccount(make: () => kplus.IServiceAccount): kplus.IServiceAccount {
    if (this.serviceAccount) return this.serviceAccount;
    if (this.serviceAccountName !== undefined) {
      // The account the object names, in the object's namespace (the RoleBinding's subject).
      this.serviceAccount = kplus.ServiceAccount.fromServiceAccountName(this.construct, 'cdk8s-sidecars-service-account', this.serviceAccountName, {
        namespaceName: this.namespace,
      });
      return this.serviceAccount;
    }
    const account = make();
    this.patch(JsonPatch.add(`${this.podKind.specPointer}/serviceAccountName`, rendered(() => account.name)));
    this.serviceAccount = account;
    return account;
  }

  public shareProcessNamespace(): void {
    this.patch(JsonPatch.add(`${this.podKind.specPointer}/shareProcessNamespace`, true));
  }

  public keepOutOfServices(): void {
    // An ApiObject derives no Service from its containers: nothing to keep out.
  }

  /**
   * The pod as the manifest will have it (every patch applied, the user's later ones too), with
   * what the registry recorded: a container is ours when the record has one of its name and list.
   */
  public view(records: WorkloadRecords): { readonly view: PodView; readonly renderProblem?: string } {
    let json: unknown;
    try {
      json = this.construct.toJson();
    } catch (e) {
      return { view: podView(this.kind, undefined), renderProblem: (e as Error).message };
    }
    const spec = atPointer(json, this.podKind.specPointer) as KubePodSpec | undefined;
    const metadata = atPointer(json, this.podKind.metadataPointer) as { labels?: Record<string, string> } | undefined;
    const claims = this.kind === 'StatefulSet' ? atPointer(json, '/spec/volumeClaimTemplates') : undefined;
    const claimTemplates = (Array.isArray(claims) ? claims : [])
      .map((t: any) => t?.metadata?.name).filter((n: unknown): n is string => typeof n === 'string');
    const containerInfo = (init: boolean, index: number) => {
      const name = (init ? spec?.initContainers : spec?.containers)?.[index]?.name;
      const container = (init ? this.init : this.regular).items.find((c) => c.name === name);
      if (container === undefined) return undefined;
      const sidecar = records.sidecars.get(container);
      const task = records.tasks.get(container);
      return sidecar || task ? { sidecar, task } : undefined;
    };
    // A shared volume's name is free in the object when the library adds it (registry.checkVolumeNameFree).
    const isShared = (volume: { name: string }) => records.shared.has(volume.name);
    const folders = records.folders.map((f) => ({
      owner: f.owner, purpose: f.purpose, volume: f.volume.name, path: f.path, containers: f.containers.map((c) => c.name),
    }));
    const view = podView(this.kind, spec, metadata?.labels ?? {}, {
      containerInfo,
      isShared,
      boundPorts: records.boundPorts,
      portHints: records.portHints,
      folders,
      requiredLabels: records.requiredLabels,
      forbidden: records.forbidden,
      internalPaths: records.internalPaths,
      pathGuards: records.pathGuards,
    }, claimTemplates);
    return { view };
  }

  public snapshot(version: number, watchEnv: readonly string[]): unknown[] {
    // The record changes only through this target (and the handles of the containers it added),
    // the manifest also through the user's patches: both by value.
    const all = [...this.init.items, ...this.regular.items];
    const handles = all.map((c) => JSON.stringify([c.name, containerPorts(c).length, c.mounts.length]));
    const env = watchEnv.map((n) => all.find((c) => c.name === n)).filter((c) => c).map((c) => JSON.stringify(containerEnv(c!)));
    return [version, JSON.stringify(this.construct.toJson()), ...handles, ...env];
  }

  private add(list: ContainerList, props: kplus.ContainerProps, index: number | undefined): kplus.Container {
    const container = new kplus.Container(props);
    for (const mount of container.mounts) this.addVolume(mount.volume);
    const at = index ?? list.items.length;
    const pointer = `${this.podKind.specPointer}/${list.field}`;
    const value = rendered(() => containerJson(container, this.shape));
    this.patch(list.exists ? JsonPatch.add(`${pointer}/${index === undefined ? '-' : at}`, value) : JsonPatch.add(pointer, [value]));
    list.exists = true;
    list.items.splice(at, 0, container);
    // Its lists are in its own rendering.
    list.lists.set(container, { volumeMounts: true, env: true });
    return container;
  }

  /** Adds `volume` to the pod's volumes unless a volume of its name is there. */
  private addVolume(volume: kplus.Volume): void {
    if (this.podVolumes.some((v) => v.name === volume.name)) return;
    const pointer = `${this.podKind.specPointer}/volumes`;
    const value = rendered(() => volumeJson(volume, this.shape));
    this.patch(this.volumesExist ? JsonPatch.add(`${pointer}/-`, value) : JsonPatch.add(pointer, [value]));
    this.volumesExist = true;
    this.podVolumes.push(volume);
  }

  private find(container: kplus.Container): { list: ContainerList; index: number } {
    for (const list of [this.init, this.regular]) {
      const index = list.items.indexOf(container);
      if (index >= 0) return { list, index };
    }
    throw new Error(`${this.label}: container ${quote(container.name)} is not a container of this pod; please report it`);
  }

  private patch(patch: JsonPatch): void {
    this.construct.addJsonPatch(patch);
  }
}

/**
 * `props` for a class whose `toJson()` maps the patched props after the patches (a class of
 * `cdk8s import k8s`: it overrides `toJson`), `manifest` for a plain ApiObject.
 */
export function patchShape(apiObject: ApiObject): PatchShape {
  return (apiObject as unknown as { toJson: unknown }).toJson === ApiObject.prototype.toJson ? 'manifest' : 'props';
}

/**
 * A read view of a container of the manifest, as `kplus.Container`: what the plans and the rules
 * read (name, image, ports, mounts, environment variable names, security context, probes on port
 * numbers, restart policy). Never rendered: the container stays in the manifest as it was.
 */
function readContainer(c: Record<string, any>, volumes: Map<string, kplus.Volume>, views: Construct): kplus.Container {
  const ports: kplus.ContainerPort[] = (Array.isArray(c.ports) ? c.ports : []).map((p: any) => ({
    number: p.containerPort,
    name: p.name,
    protocol: p.protocol,
    hostPort: p.hostPort,
  }));
  const env: Record<string, kplus.EnvValue> = {};
  for (const variable of Array.isArray(c.env) ? c.env : []) env[String(variable.name)] = kplus.EnvValue.fromValue(String(variable.value ?? ''));
  const context = (c.securityContext ?? {}) as Record<string, any>;
  const container = new kplus.Container({
    name: c.name,
    image: String(c.image ?? ''),
    command: c.command,
    args: c.args,
    workingDir: c.workingDir,
    ports,
    envVariables: env,
    securityContext: {
      user: context.runAsUser,
      group: context.runAsGroup,
      ensureNonRoot: context.runAsNonRoot ?? false,
      privileged: context.privileged,
      allowPrivilegeEscalation: context.allowPrivilegeEscalation,
      readOnlyRootFilesystem: context.readOnlyRootFilesystem ?? false,
    },
    readiness: readProbe(c.readinessProbe),
    liveness: readProbe(c.livenessProbe),
    startup: readProbe(c.startupProbe),
    restartPolicy: c.restartPolicy === 'Always' ? kplus.ContainerRestartPolicy.ALWAYS : undefined,
  });
  for (const [i, m] of (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).entries()) {
    // A mount of a volume the pod does not have is kept, under its name, for the rules to report.
    let volume = volumes.get(m.name);
    if (!volume) {
      volume = volumeFromSource(views, `missing-${c.name}-${i}`, String(m.name), {});
    }
    container.mount(m.mountPath, volume, { readOnly: m.readOnly, subPath: m.subPath, subPathExpr: m.subPathExpr });
  }
  return container;
}

/** An httpGet or tcpSocket probe on a port number, for the plans (the checks read the manifest's own probes). */
function readProbe(probe: any): kplus.Probe | undefined {
  const httpGet = probe?.httpGet;
  if (httpGet && typeof httpGet.port === 'number') return kplus.Probe.fromHttpGet(httpGet.path ?? '/', { port: httpGet.port });
  const tcp = probe?.tcpSocket;
  if (tcp && typeof tcp.port === 'number') return kplus.Probe.fromTcpSocket({ port: tcp.port });
  return undefined;
}
