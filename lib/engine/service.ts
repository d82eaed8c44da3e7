/**
 * Services that reach the app through a program in front of it (withProxy, withAuthProxy): a
 * new Service that targets the program's named port, an existing Service moved onto it, and
 * the Services a program in front of another one takes over. Shared by every such helper.
 */
import { Construct } from 'constructs';
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
  readonly workload: Workload;
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
 * Its construct id under `scope` is `Service`, then `Service2`, ….
 */
export function exposeFrontViaService(scope: Construct, front: ServedFront, options: FrontServiceOptions = {}): kplus.Service {
  const where = `${front.where}: exposeViaService`;
  checkFactoryOptions(where, front.serviceOptionsShape ?? 'ProxyExposeViaServiceOptions', options);
  const port = options.port ?? front.port;
  const problem = portNumberProblem(port);
  if (problem) throw new Error(`${where} port ${port} ${problem}`);
  if (options.name !== undefined && !SERVICE_NAME.test(options.name)) {
    throw new Error(`${where}: name ${quote(options.name)} is not a Service name: at most 63 lowercase letters, digits and "-", `
      + 'starting with a letter and ending with a letter or digit (RFC 1035), for example "web"');
  }
  let id = 'Service';
  for (let i = 2; scope.node.tryFindChild(id); i++) id = `Service${i}`;
  const service = new kplus.Service(scope, id, {
    metadata: options.name !== undefined ? { name: options.name } : undefined,
    type: options.serviceType,
    selector: front.workload,
    ports: [{ port, targetPort: front.port, protocol: kplus.Protocol.TCP, name: front.servicePortName }],
  });
  targetFront(front, service, 0);
  return service;
}

/**
 * Points every port of `service` that targets what the program stands in front of (the app's
 * port, or the port of a program it forwards to) at the program's named port. Refuses a
 * Service with no such port, changing nothing.
 */
export function retargetServiceToFront(front: ServedFront, service: kplus.Service): void {
  const ports = service.ports;
  const targets = ports.map((p, index) => front.registry.serviceTarget(service, index) ?? p.targetPort ?? p.port);
  const matching = targets.map((target, index) => ({ target, index })).filter((t) => front.standsFor.includes(t.target));
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

function targetFront(front: ServedFront, service: kplus.Service, index: number): void {
  setServiceTargetPortName(service, index, front.portName);
  front.registry.addService(service, index, front.portName);
}
