import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ProxyEngine, ProxyExposeViaServiceOptions, ProxyOptions } from './options';
import { planProxy } from './plan';
import { attachProgram, checkProgram } from '../engine/attach';
import { checkOptions } from '../engine/input';
import { kplus, workloadLabel, workloadOrScope } from '../engine/kplus';
import { planFor } from '../engine/plan-cache';
import { PodRegistry } from '../engine/registry';
import { exposeFrontViaService, retargetServiceToFront, ServedFront, takeOverServices } from '../engine/service';
import { SidecarMode } from '../engine/sidecar-mode';
import { quote } from '../engine/validation/syntax';

export * from './options';

/**
 * Props of the `ReverseProxy` construct.
 */
export interface ReverseProxyProps extends ProxyOptions {
  /**
   * The workload whose pods get the proxy: a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod. A cdk8s-plus workload, or an
   * ApiObject of one of these kinds or a ReplicaSet (a `KubeDeployment`, an Include's, a Helm chart's),
   * changed through JSON patches on its pod template (README, "Any pod, any source").
   * @default - the scope, which must then be a workload
   */
  readonly workload?: kplus.AbstractPod | ApiObject;
}

/**
 * A reverse proxy in front of the app: TLS termination, access logs, timeouts, a health
 * endpoint, and a Service that reaches the app through it.
 *
 * The proxy is a sidecar (native by default) listening on `port`, forwarding to the app's
 * `targetPort` on 127.0.0.1. Its configuration is a ConfigMap mounted read-only; a checksum of
 * it in the pod template rolls the pods when it changes.
 *
 * @example
 * const proxy = new ReverseProxy(chart, 'proxy', { workload: web, port: 8443, tls: { secret } });
 * proxy.exposeViaService({ name: 'web' });
 */
export class ReverseProxy extends Construct {
  /** The proxy's container. */
  public readonly container: kplus.Container;

  /** How the proxy joined the pod: native sidecar or classic container. */
  public readonly mode: SidecarMode;

  /** The ConfigMap holding the engine's configuration file. */
  public readonly configMap: kplus.ConfigMap;

  /** The volumes the proxy mounts: configuration, TLS Secret (with `tls`), temp (nginx). */
  public readonly volumes: kplus.Volume[];

  /** The engine. */
  public readonly engine: ProxyEngine;

  /** The port the proxy listens on. */
  public readonly port: number;

  /** The name of the proxy's containerPort, which Services target. */
  public readonly portName: string;

  /** The port the proxy forwards to on 127.0.0.1: the app's, or the `target` sidecar's. */
  public readonly targetPort: number;

  /** Envoy's admin port on 127.0.0.1; undefined for nginx. */
  public readonly adminPort?: number;

  /** The path of the proxy's own health endpoint. */
  public readonly healthPath: string;

  /**
   * The paths the proxy answers 404 for instead of forwarding them (each with everything below
   * it), lower-case: `internalPaths` and the callback paths other helpers registered before it.
   */
  public readonly internalPaths: string[];

  /** The workload. */
  public readonly workload: kplus.AbstractPod | ApiObject;

  /** The engine's configuration file, as written into the ConfigMap. */
  public readonly config: string;

  private readonly front: ServedFront;

  public constructor(scope: Construct, id: string, props: ReverseProxyProps) {
    checkOptions(scope, 'withProxy', 'ReverseProxyProps', props);
    const workload = workloadOrScope(scope, id, props.workload, 'ReverseProxy');
    const registry = PodRegistry.of(workload);
    const plan = planFor(planProxy, registry, props, 'withProxy');
    const checked = checkProgram(registry, plan.program, scope, id);
    super(scope, id);
    const attached = attachProgram(this, checked);
    this.workload = workload;
    this.engine = plan.engine;
    this.port = plan.port;
    this.portName = plan.portName;
    this.targetPort = plan.targetPort;
    this.adminPort = plan.adminPort;
    this.healthPath = plan.healthPath;
    this.internalPaths = [...plan.internalPaths];
    this.config = plan.file.text;
    this.configMap = attached.configMap!;
    this.container = attached.container!;
    this.mode = attached.mode!;
    this.volumes = [...attached.volumes, ...attached.sharedVolumes.map((s) => s.volume)];
    const target = props.target;
    this.front = {
      registry,
      workload,
      where: `${workloadLabel(workload)}, withProxy`,
      variable: 'proxy',
      port: plan.port,
      portName: plan.portName,
      servicePortName: plan.portName.replace(/^proxy-/, ''),
      standsFor: target ? [target.port, target.portName, plan.appPort] : [plan.appPort],
      standsForLabel: target
        ? `the target's port ${target.port} (${quote(target.portName)}) or the app's port ${plan.appPort}`
        : `the app's port ${plan.appPort}`,
    };
    registry.addFront({
      name: this.container.name,
      purpose: plan.program.purpose,
      appPort: plan.appPort,
      port: plan.port,
      portName: plan.portName,
      exclusive: false,
      via: target?.container.name,
      blockedPaths: plan.internalPaths,
    });
    if (target) takeOverServices(this.front, target.portName);
  }

  /**
   * A Service that sends traffic to the proxy: its target port is the proxy's named port, so
   * the app's own port is no longer what the Service reaches. It selects the workload's pods.
   *
   * Use it instead of the workload's `exposeViaService()`, which targets the app's port (and,
   * on a Deployment, refuses ports of native sidecars).
   *
   * @example
   * const proxy = withProxy(web, { port: 8443, tls: { secret } });
   * proxy.exposeViaService({ name: 'web', port: 443 });
   */
  public exposeViaService(options: ProxyExposeViaServiceOptions = {}): kplus.Service {
    return exposeFrontViaService(this, this.front, options);
  }

  /**
   * Points a Service the user already has at the proxy: every port of `service` whose target
   * is the app's port (`targetPort`), or, with `target`, that sidecar's port, targets the
   * proxy's named port instead. The Service's `port` and name stay, so its clients do not change.
   *
   * `service` is a cdk8s-plus Service, or a plain ApiObject of kind Service (an Include's, a Helm
   * chart's), whose ports may also target the app's port by its name; its manifest is patched.
   *
   * @example
   * const service = web.exposeViaService({ name: 'web' }); // targets the app's 8080
   * withProxy(web, { port: 8443 }).retargetService(service); // now targets "proxy-http"
   */
  public retargetService(service: kplus.Service | ApiObject): void {
    retargetServiceToFront(this.front, service);
  }
}

/**
 * Puts a reverse proxy (Envoy by default, or nginx) in front of the app of `workload`: it
 * listens on `port`, terminates TLS when given a Secret, logs requests, answers its own health
 * endpoint, and forwards to the app's port on 127.0.0.1. Expose the workload through it with
 * `exposeViaService()`.
 *
 * @example
 * const web = new kplus.Deployment(chart, 'web', {
 *   containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080 }],
 * });
 * const proxy = withProxy(web, { port: 8443, tls: { secret: tlsSecret } });
 * proxy.exposeViaService({ name: 'web', port: 443 });
 */
export function withProxy(workload: kplus.AbstractPod | ApiObject, options: ProxyOptions = {}): ReverseProxy {
  // The construct checks the options (checkOptions, for JavaScript callers) before anything else.
  return new ReverseProxy(workload, options?.name ?? 'proxy', options);
}
