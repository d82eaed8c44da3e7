/**
 * Services that reach the app through a program in front of it (withProxy, withAuthProxy): a
 * new Service that targets the program's named port, an existing Service moved onto it, and
 * the Services a program in front of another one takes over. Shared by every such helper.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { patchShape } from './api-object-pod';
import { checkFactoryOptions } from './input';
import { kplus, setServiceTargetPortName, Workload } from './kplus';
import { PodRegistry } from './registry';
import { portNumberProblem, quote } from './validation/syntax';

/**
 * A Service's name is an RFC 1035 label: at most 63 lowercase letters, digits and "-", starting
 * with a letter and ending with a letter or digit.
 * @see https://kubernetes.io/docs/concepts/services-networking/service/ ("a valid RFC 1035 label name")
 */
const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Options of a Service made to reach a program in front of the app. */
export interface FrontServiceOptions {
  readonly name?: string;
  readonly serviceType?: kplus.ServiceType;
  readonly port?: number;
}

/** A program in front of the app, as the Service functions see it. */
export interface ServedFront {
  readonly registry: PodRegistry;
  readonly workload: Workload | ApiObject;
  /** `Deployment "chart/web", withProxy`. */
  readonly where: string;
  /** The variable users hold the construct in, for messages: `proxy`. */
  readonly variable: string;
  readonly port: number;
  readonly portName: string;
  /** The Service port's name. */
  readonly servicePortName: string;
  /**
   * The container ports (numbers, or names this library set) a Service may target that this
   * program stands in front of: the app's port, and the port of a program it forwards to.
   */
  readonly standsFor: ReadonlyArray<number | string>;
  /** `the app's port 8080`, for messages. */
  readonly standsForLabel: string;
  /**
   * The shape of the program's `exposeViaService` options, checked at the call for JavaScript callers.
   * @default 'ProxyExposeViaServiceOptions' (the auth proxy's have the same keys)
   */
  readonly serviceOptionsShape?: string;
}

/**
 * A Service selecting the workload's pods whose one port targets the program's named port.
 * Its construct id under `scope` is `Service`, then `Service2`, …. A cdk8s-plus workload is
 * selected as cdk8s-plus selects it; an ApiObject by its `spec.selector.matchLabels` (a bare
 * Pod's, a CronJob's job template's: the pod's labels), which the Service then selects.
 */
export function exposeFrontViaService(scope: Construct, front: ServedFront, options: FrontServiceOptions = {}): kplus.Service {
  const where = `${front.where}: exposeViaService`;
  checkFactoryOptions(where, front.serviceOptionsShape ?? 'ProxyExposeViaServiceOptions', options);
  const port = options.port ?? front.port;
  const problem = portNumberProblem(port);
  if (problem) throw new Error(`${where} port ${quote(port)} ${problem}`);
  if (options.name !== undefined && !SERVICE_NAME.test(options.name)) {
    throw new Error(`${where}: name ${quote(options.name)} is not a Service name: at most 63 lowercase letters, digits and "-", `
      + 'starting with a letter and ending with a letter or digit (RFC 1035), for example "web"');
  }
  const labels = front.workload instanceof ApiObject ? front.registry.target.selectorLabels() : {};
  if (front.workload instanceof ApiObject && Object.keys(labels).length === 0) {
    throw new Error(`${where}: the ${front.registry.kind} has no selector labels (spec.selector.matchLabels, or the pod's labels), `
      + 'so a Service would select every pod of the namespace; give the pods a label and a selector first');
  }
  let id = 'Service';
  for (let i = 2; scope.node.tryFindChild(id); i++) id = `Service${i}`;
  const service = new kplus.Service(scope, id, {
    metadata: options.name !== undefined ? { name: options.name } : undefined,
    type: options.serviceType,
    selector: front.workload instanceof ApiObject ? undefined : front.workload,
    ports: [{ port, targetPort: front.port, protocol: kplus.Protocol.TCP, name: front.servicePortName }],
  });
  if (front.workload instanceof ApiObject) {
    for (const [key, value] of Object.entries(labels)) service.selectLabel(key, value);
  }
  targetFront(front, service, 0);
  return service;
}

/**
 * Points every port of `service` that targets what the program stands in front of (the app's
 * port, or the port of a program it forwards to) at the program's named port. Refuses a
 * Service with no such port, changing nothing.
 *
 * `service` is a cdk8s-plus Service, or a plain ApiObject of kind Service (from an import, an
 * Include or a Helm chart), whose ports are read from its manifest and whose `targetPort` is
 * patched; such a Service may also target the app's port by the name the container gives it.
 */
export function retargetServiceToFront(front: ServedFront, service: kplus.Service | ApiObject): void {
  let ports: Array<{ port?: number; targetPort?: number | string }>;
  if (service instanceof ApiObject) {
    if (service.kind !== 'Service') {
      throw new Error(`${front.where}: retargetService: the ApiObject ${quote(service.node.path)} is a ${service.kind}, not a Service; pass the Service that reaches the pods`);
    }
    const spec = (service.toJson() as { spec?: { ports?: unknown } }).spec;
    ports = Array.isArray(spec?.ports) ? spec!.ports as typeof ports : [];
  } else {
    ports = service.ports.map((p) => ({ port: p.port, targetPort: p.targetPort }));
  }
  // Container ports of the pod whose number the program stands for, by name.
  const named = [...front.registry.target.initContainers, ...front.registry.target.containers]
    .flatMap((c) => c.ports).filter((p) => p.name !== undefined && front.standsFor.includes(p.number)).map((p) => p.name!);
  const standsFor = [...front.standsFor, ...named];
  const targets = ports.map((p, index) => front.registry.serviceTarget(service, index) ?? p.targetPort ?? p.port ?? 'none');
  const matching = targets.map((target, index) => ({ target, index })).filter((t) => standsFor.includes(t.target));
  if (matching.length === 0) {
    throw new Error(`${front.where}: Service ${quote(service.node.path)} has no port that targets ${front.standsForLabel} `
      + `(its target ports: ${targets.join(', ') || 'none'}); use ${front.variable}.exposeViaService() for a new Service`);
  }
  for (const { index } of matching) targetFront(front, service, index);
}

/**
 * Moves every Service port this library pointed at the container port `from` onto the
 * program's port: a program put in front of another takes over its Services, so that they
 * reach the outermost one.
 */
export function takeOverServices(front: ServedFront, from: string): void {
  for (const { service, index } of front.registry.servicesTargeting(from)) targetFront(front, service, index);
}

function targetFront(front: ServedFront, service: kplus.Service | ApiObject, index: number): void {
  if (service instanceof ApiObject) {
    // A plain ApiObject is patched as written; a KubeService maps `{ value }` to the port after (kplus.ts PatchShape).
    const value = patchShape(service) === 'props' ? { value: front.portName } : front.portName;
    service.addJsonPatch(JsonPatch.add(`/spec/ports/${index}/targetPort`, value));
  } else {
    setServiceTargetPortName(service, index, front.portName);
  }
  front.registry.addService(service, index, front.portName);
}
