import { ApiObject, Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { attachSidecar } from '../attach-sidecar';
import { BoundPort } from '../bound-port';
import { ConfigFile, fileData, renderConfigFile } from '../config-file';
import { sidecarResources } from '../defaults';
import { ENVOY_IMAGE, imageReference, NGINX_IMAGE, UpstreamImage } from '../images';
import { kplus, setServiceTargetPortName, TCP, Workload, workloadLabel, workloadOrScope } from '../kplus';
import { LastCall } from '../last-call';
import { PodRegistry } from '../pod-registry';
import { SharedVolumeOptions } from '../shared-volume';
import { SidecarMode } from '../sidecar-mode';
import { envoyBootstrapFile } from './envoy';
import { ProxyModel } from './model';
import { nginxVersionOfTag, renderNginxConf } from './nginx';
import { dnsLabelProblem, portNameProblem, portNumberProblem } from '../validation/syntax';

/**
 * The program that runs the proxy.
 */
export class ProxyEngine {
  /**
   * Envoy (`envoyproxy/envoy`), configured by a static v3 bootstrap. Its admin interface
   * listens on 127.0.0.1 only (`adminPort`).
   * @see https://www.envoyproxy.io/docs/envoy/latest/
   */
  public static readonly ENVOY = new ProxyEngine('envoy', 'Envoy', ENVOY_IMAGE, 'envoy.yaml');

  /**
   * nginx built to run as non-root (`nginxinc/nginx-unprivileged`), configured by a generated
   * nginx.conf.
   * @see https://nginx.org/en/docs/
   */
  public static readonly NGINX = new ProxyEngine('nginx', 'nginx', NGINX_IMAGE, 'nginx.conf');

  private constructor(
    /** Short name, used in resource names. */
    public readonly name: string,
    /** The program's name, as messages show it. */
    public readonly displayName: string,
    /** The pinned upstream image. */
    public readonly image: UpstreamImage,
    /** The configuration file's name in the ConfigMap. */
    public readonly configFile: string,
  ) {}
}

/**
 * The protocol the proxy speaks to the app.
 */
export enum UpstreamProtocol {
  /** HTTP/1.1 (WebSocket upgrades pass through). */
  HTTP1 = 'HTTP/1.1',
  /**
   * HTTP/2 in cleartext (h2c), as gRPC servers speak it. Clients reach the proxy over HTTP/2:
   * by ALPN with TLS, with prior knowledge without.
   */
  GRPC = 'gRPC',
}

/**
 * TLS termination at the proxy.
 */
export interface ProxyTls {
  /**
   * A Secret of type `kubernetes.io/tls` (keys `tls.crt` and `tls.key`), mounted read-only into
   * the proxy only. A `kplus.TlsSecret`, or a `kplus.Secret` whose type is known, is checked at
   * the call; a Secret imported by name is taken on trust.
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets
   */
  readonly secret: kplus.ISecret;
}

/**
 * How `withProxy` puts a reverse proxy in front of the app.
 */
export interface ProxyOptions {
  /**
   * The program that proxies.
   * @default ProxyEngine.ENVOY
   */
  readonly engine?: ProxyEngine;

  /**
   * The port the proxy listens on, declared as a named containerPort of the proxy; Services
   * should target it (see `exposeViaService`). It must differ from every port of the pod.
   * Ports below 1024 need `allowPrivilegedPort`.
   * @default 8443 with `tls`, else 8081
   */
  readonly port?: number;

  /**
   * The name of the proxy's containerPort, which Services target.
   * @default 'proxy-https' with `tls`, else 'proxy-grpc' for `UpstreamProtocol.GRPC`, else 'proxy-http'
   */
  readonly portName?: string;

  /**
   * The app's port the proxy forwards to, on 127.0.0.1. It must be a containerPort of an app
   * container.
   * @default - the single port the app containers declare
   */
  readonly targetPort?: number;

  /**
   * Terminate TLS at the proxy with the certificate of a `kubernetes.io/tls` Secret.
   * @default - no TLS: the proxy listens in cleartext
   */
  readonly tls?: ProxyTls;

  /**
   * The protocol towards the app.
   * @default UpstreamProtocol.HTTP1
   */
  readonly upstreamProtocol?: UpstreamProtocol;

  /**
   * How long the proxy waits to connect to the app. Envoy: the cluster's `connect_timeout`;
   * nginx: `proxy_connect_timeout` / `grpc_connect_timeout` (nginx caps it at about 75 s).
   * @default Duration.seconds(5)
   */
  readonly connectTimeout?: Duration;

  /**
   * How long the app may take to answer. Envoy: the route's `timeout`, for the whole response;
   * nginx: `proxy_read_timeout` and `proxy_send_timeout` (`grpc_*` for gRPC), between two
   * successive reads or writes. For long-lived streams give a long duration.
   * @default Duration.seconds(60)
   */
  readonly requestTimeout?: Duration;

  /**
   * How long an idle client connection (and, for Envoy, an idle stream) stays open. Envoy:
   * `common_http_protocol_options.idle_timeout` and `stream_idle_timeout`; nginx:
   * `keepalive_timeout`. Behind a load balancer keep it above the balancer's own idle timeout
   * (60 s on AWS ALB), or the balancer reuses connections the proxy is closing.
   * @default Duration.seconds(75)
   */
  readonly idleTimeout?: Duration;

  /**
   * The largest request body the proxy accepts; larger requests get 413. Envoy enforces it with
   * the buffer filter, which holds each request body in memory until it is complete (do not set
   * it for streaming uploads or client-streaming gRPC); nginx with `client_max_body_size`.
   * @default - no limit: the proxy passes any body, as the app saw them before
   */
  readonly maxRequestBodySize?: Size;

  /**
   * Write an access log line per request to the proxy's stdout.
   * @default true
   */
  readonly accessLogs?: boolean;

  /**
   * The path the proxy answers itself with 200 `ok`, for its readiness and liveness probes.
   * Requests for exactly this path never reach the app.
   * @default '/proxy-healthz'
   */
  readonly healthPath?: string;

  /**
   * Envoy only: the admin interface's port, bound to 127.0.0.1 (never declared, never in a
   * Service) and kept in the pod's port ledger.
   * @default 9901
   * @see https://www.envoyproxy.io/docs/envoy/latest/operations/admin
   */
  readonly adminPort?: number;

  /**
   * Allow `port` below 1024. Adds the `NET_BIND_SERVICE` capability (the only one the
   * restricted profile allows). A non-root process gets it only where the runtime passes
   * ambient capabilities or sets `net.ipv4.ip_unprivileged_port_start` (containerd 2 does by
   * default); prefer a port above 1024 and a Service port of 443.
   * @default false
   */
  readonly allowPrivilegedPort?: boolean;

  /**
   * The proxy's container name.
   * @default 'proxy'
   */
  readonly name?: string;

  /**
   * How the proxy joins the pod.
   * @default - the nearest `setDefaultSidecarMode`, else `SidecarMode.NATIVE`
   */
  readonly mode?: SidecarMode;

  /**
   * CPU and memory of the proxy; each one given replaces the default for that one. The CPU
   * limit also sets Envoy's `--concurrency` / nginx's `worker_processes` (rounded up).
   * @default - cpu 100m request / 1 limit, memory 64Mi request / 256Mi limit
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * The image, for a mirror of the pinned upstream image. It must be the same program, run as
   * the same user (UID/GID 101 for both engines).
   * @default - the pinned upstream image of the engine (lib/images.ts)
   */
  readonly image?: string;
}

/**
 * Props of the `Proxy` construct.
 */
export interface ProxyProps extends ProxyOptions {
  /**
   * The workload whose pods get the proxy: a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod.
   * @default - the scope, which must then be a workload
   */
  readonly workload?: kplus.AbstractPod;
}

/**
 * Options of `Proxy.exposeViaService`.
 */
export interface ProxyExposeViaServiceOptions {
  /**
   * The Service's name.
   * @default - generated by cdk8s
   */
  readonly name?: string;

  /**
   * @default kplus.ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;

  /**
   * The Service's port.
   * @default - the proxy's port
   */
  readonly port?: number;
}

/** Where the proxy's files are mounted in its container. */
export const PROXY_PATHS = {
  /** The ConfigMap with the engine's configuration file. */
  config: '/etc/proxy/config',
  /** The TLS Secret (`tls.crt`, `tls.key`). */
  tls: '/etc/proxy/tls',
  /** nginx: the writable emptyDir for the pid file and temp paths. */
  tmp: '/tmp',
} as const;

/** The proxy's resources unless the user gives some: on the request path, so more CPU than a plain sidecar. */
export const PROXY_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.units(1) },
  memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
};

const DEFAULT_HEALTH_PATH = '/proxy-healthz';
const DEFAULT_ADMIN_PORT = 9901;
const HEALTH_PATH = /^\/[A-Za-z0-9._~/-]*$/;

/**
 * A reverse proxy in front of the app: TLS termination, access logs, timeouts, a health
 * endpoint, and a Service that reaches the app through it.
 *
 * The proxy is a sidecar (native by default) listening on `port`, forwarding to the app's
 * `targetPort` on 127.0.0.1. Its configuration is a ConfigMap mounted read-only; a checksum of
 * it in the pod template rolls the pods when it changes.
 *
 * @example
 * const proxy = new Proxy(chart, 'proxy', { workload: web, port: 8443, tls: { secret } });
 * proxy.exposeViaService({ name: 'web' });
 */
export class Proxy extends Construct {
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

  /** The app's port the proxy forwards to. */
  public readonly targetPort: number;

  /** Envoy's admin port on 127.0.0.1; undefined for nginx. */
  public readonly adminPort?: number;

  /** The path of the proxy's own health endpoint. */
  public readonly healthPath: string;

  /** The workload. */
  public readonly workload: kplus.AbstractPod;

  /** The engine's configuration file, as written into the ConfigMap. */
  public readonly config: string;

  private services = 0;

  public constructor(scope: Construct, id: string, props: ProxyProps) {
    super(scope, id);
    try {
      const workload = workloadOrScope(scope, id, props.workload, 'Proxy');
      const where = PodRegistry.of(workload).prefix('withProxy');
      const fail = (problem: string): never => {
        throw new Error(`${where}: ${problem}`);
      };

      this.workload = workload;
      this.engine = props.engine ?? ProxyEngine.ENVOY;
      const name = props.name ?? 'proxy';
      const nameProblem = dnsLabelProblem(name);
      if (nameProblem) fail(`the name "${name}" ${nameProblem}`);
      const registry = PodRegistry.of(workload);
      registry.claimName(where, name);

      const tls = props.tls;
      if (tls) checkTlsSecret(tls.secret, fail);

      this.port = props.port ?? (tls ? 8443 : 8081);
      const portProblem = portNumberProblem(this.port);
      if (portProblem) fail(`port ${this.port} ${portProblem}`);
      if (this.port < 1024 && !props.allowPrivilegedPort) {
        fail(`port ${this.port} is below 1024, which a non-root proxy cannot bind; pass a port of 1024 or more `
          + '(a Service can still listen on 443: see exposeViaService), or pass allowPrivilegedPort: true to add NET_BIND_SERVICE');
      }
      this.portName = props.portName ?? (tls ? 'proxy-https' : props.upstreamProtocol === UpstreamProtocol.GRPC ? 'proxy-grpc' : 'proxy-http');
      const portNameIssue = portNameProblem(this.portName);
      if (portNameIssue) fail(`portName "${this.portName}" is not an IANA service name: it ${portNameIssue}`);

      if (this.engine === ProxyEngine.NGINX && props.adminPort !== undefined) {
        fail('adminPort is for Envoy\'s admin interface; nginx has none: remove adminPort, or use engine: ProxyEngine.ENVOY');
      }
      this.adminPort = this.engine === ProxyEngine.ENVOY ? props.adminPort ?? DEFAULT_ADMIN_PORT : undefined;
      if (this.adminPort !== undefined) {
        const problem = portNumberProblem(this.adminPort);
        if (problem) fail(`adminPort ${this.adminPort} ${problem}`);
        if (this.adminPort === this.port) {
          fail(`port ${this.port} is also the Envoy admin port; pass another port or adminPort`);
        }
      }

      this.targetPort = resolveTargetPort(registry, props.targetPort, fail);
      if (this.targetPort === this.port) {
        fail(`port ${this.port} is the app's own port (the target port); the proxy must listen on another port: pass port (for example ${tls ? 8443 : 8081})`);
      }
      checkPortFree(workload, registry, this.port, 'port', fail);
      if (this.adminPort !== undefined) checkPortFree(workload, registry, this.adminPort, 'adminPort', fail);

      // The program's settings and file are a function of the options and these ports alone.
      const ports: ProxyPorts = { name, port: this.port, portName: this.portName, adminPort: this.adminPort, targetPort: this.targetPort };
      const engine = this.engine;
      const program = PROGRAMS.get(props, [engine, ports], () => proxyProgram(fail, props, engine, ports));
      this.healthPath = program.healthPath;
      this.config = program.file.text;

      this.configMap = new kplus.ConfigMap(this, 'Config', { data: fileData(this.engine.configFile, this.config) });
      const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', this.configMap, { name: `${name}-config` });
      const volumeMounts: kplus.VolumeMount[] = [{ path: PROXY_PATHS.config, volume: configVolume, readOnly: true }];
      this.volumes = [configVolume];
      if (tls) {
        const tlsVolume = kplus.Volume.fromSecret(this, 'TlsVolume', tls.secret, { name: `${name}-tls` });
        volumeMounts.push({ path: PROXY_PATHS.tls, volume: tlsVolume, readOnly: true });
        this.volumes.push(tlsVolume);
      }

      const sidecar = attachSidecar(workload, {
        name,
        image: program.image,
        command: program.command,
        args: program.args,
        mode: props.mode,
        purpose: program.purpose,
        first: true,
        ports: program.ports,
        boundPorts: program.boundPorts,
        sharedVolumes: program.sharedVolumes,
        volumeMounts,
        resources: program.resources,
        securityContext: program.securityContext,
        readiness: program.readiness,
        liveness: program.liveness,
      });
      this.container = sidecar.container;
      this.mode = sidecar.mode;
      for (const shared of sidecar.sharedVolumes) this.volumes.push(shared.volume);

      registry.hintPort(name, this.port, TCP, 'pass another port to withProxy');
      if (this.adminPort !== undefined) {
        registry.hintPort(name, this.adminPort, TCP, 'pass another adminPort to withProxy');
      }
      workload.podMetadata.addAnnotation(`cdk8s-sidecars/${name}-config-sha256`, program.file.sha256);
    } catch (e) {
      // Refused at the call: leave no half-built construct behind (the pod itself is only
      // touched once every check passed, by attachSidecar, which checks before it adds).
      scope.node.tryRemoveChild(id);
      throw e;
    }
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
    const port = options.port ?? this.port;
    const problem = portNumberProblem(port);
    if (problem) {
      throw new Error(`${workloadLabel(this.workload)}, withProxy: exposeViaService port ${port} ${problem}`);
    }
    this.services += 1;
    const service = new kplus.Service(this, this.services === 1 ? 'Service' : `Service${this.services}`, {
      metadata: options.name !== undefined ? { name: options.name } : undefined,
      type: options.serviceType,
      selector: this.workload,
      ports: [{ port, targetPort: this.port, protocol: kplus.Protocol.TCP, name: this.portName.replace(/^proxy-/, '') }],
    });
    this.targetNamedPort(service, 0);
    return service;
  }

  /**
   * Points a Service the user already has at the proxy: every port of `service` whose target
   * is the app's port (`targetPort`) targets the proxy's named port instead. The Service's
   * `port` and name stay, so its clients do not change.
   *
   * @example
   * const service = web.exposeViaService({ name: 'web' }); // targets the app's 8080
   * withProxy(web, { port: 8443 }).retargetService(service); // now targets "proxy-http"
   */
  public retargetService(service: kplus.Service): void {
    const ports = service.ports;
    const matching = ports
      .map((p, index) => ({ index, target: p.targetPort ?? p.port }))
      .filter((p) => p.target === this.targetPort);
    if (matching.length === 0) {
      throw new Error(`${workloadLabel(this.workload)}, withProxy: Service "${service.node.path}" has no port that targets `
        + `the app's port ${this.targetPort} (its target ports: ${ports.map((p) => p.targetPort ?? p.port).join(', ') || 'none'}); `
        + 'use proxy.exposeViaService() for a new Service');
    }
    for (const { index } of matching) {
      this.targetNamedPort(service, index);
    }
  }

  private targetNamedPort(service: kplus.Service, index: number): void {
    setServiceTargetPortName(service, index, this.portName);
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
export function withProxy(workload: kplus.AbstractPod, options: ProxyOptions = {}): Proxy {
  const name = options.name ?? 'proxy';
  const id = name === 'proxy' ? 'proxy' : `proxy-${name}`;
  if (workload.node.tryFindChild(id)) {
    throw new Error(`${workloadLabel(workload)}, withProxy: the workload already has a proxy named "${name}"; `
      + 'use the handle the first call returned, or pass another name for a second proxy');
  }
  // The workload is the scope: no copy of the options is needed to name it.
  return new Proxy(workload, id, options);
}

function checkTlsSecret(secret: kplus.ISecret, fail: (problem: string) => never): void {
  if (secret instanceof kplus.TlsSecret) return;
  if (!(secret instanceof kplus.Secret)) return; // imported by name: its type is not known here
  let type: string | undefined;
  try {
    type = (ApiObject.of(secret).toJson() as { type?: string }).type;
  } catch {
    return;
  }
  if (type !== 'kubernetes.io/tls') {
    fail(`tls.secret "${secret.name}" is of type "${type ?? 'Opaque'}", not "kubernetes.io/tls"; `
      + 'create it with new kplus.TlsSecret(…) (keys tls.crt and tls.key), or pass kplus.Secret.fromSecretName(…) for one made elsewhere');
  }
}

/** The app's port: the one given, which an app container must declare, or the only one declared. */
function resolveTargetPort(registry: PodRegistry, given: number | undefined, fail: (problem: string) => never): number {
  const apps = registry.appContainers();
  if (apps.length === 0) {
    fail('the pod has no app container yet; add the app container (with its port) before attaching the proxy');
  }
  // One pass over the declared TCP ports; they are listed only for a message.
  let only: number | undefined;
  let several = false;
  let givenDeclared = false;
  for (const c of apps) {
    for (const p of c.ports) {
      if ((p.protocol ?? TCP) !== TCP) continue;
      if (p.number === given) givenDeclared = true;
      if (only === undefined) only = p.number;
      else if (p.number !== only) several = true;
    }
  }
  const declared = () => apps
    .flatMap((c) => c.ports.filter((p) => (p.protocol ?? TCP) === TCP).map((p) => `${p.number}${p.name ? ` ("${p.name}")` : ''} of container "${c.name}"`))
    .join(', ');
  if (given !== undefined) {
    const problem = portNumberProblem(given);
    if (problem) fail(`targetPort ${given} ${problem}`);
    if (!givenDeclared) {
      fail(`targetPort ${given} is not a TCP port of the app (it declares ${declared() || 'none'}); `
        + 'pass one of those, or declare the port on the app container (portNumber or ports)');
    }
    return given;
  }
  if (only === undefined) {
    return fail(`the app containers (${apps.map((c) => `"${c.name}"`).join(', ')}) declare no TCP port, so the proxy does not know where to forward; `
      + 'declare the app\'s port on its container (portNumber or ports), or pass targetPort');
  }
  if (several) {
    fail(`the app declares several ports (${declared()}); pass targetPort to say which one the proxy forwards to`);
  }
  return only;
}

/** Refuses a port the pod already uses, as far as it is known at the call. */
function checkPortFree(workload: Workload, registry: PodRegistry, port: number, option: string, fail: (problem: string) => never): void {
  for (const containers of [workload.initContainers, workload.containers]) {
    for (const c of containers) {
      const clash = c.ports.find((p) => p.number === port && (p.protocol ?? TCP) === TCP);
      if (clash) {
        fail(`${option} ${port} is already a port of container "${c.name}"${clash.name ? ` ("${clash.name}")` : ''}; `
          + `the containers of a pod share one network namespace: pass another ${option}`);
      }
    }
  }
  const bound = registry.boundPort(port, TCP);
  if (bound) {
    fail(`${option} ${port} is already bound by container "${bound.container}"${bound.purpose ? ` (${bound.purpose})` : ''}; `
      + `the containers of a pod share one network namespace: pass another ${option}`);
  }
}

/** The proxy's configuration file and what its command line and resources follow from. */
interface ProxyFiles {
  readonly healthPath: string;
  readonly resources: kplus.ContainerResources;
  readonly image: string;
  readonly file: ConfigFile;
  readonly args: string[];
}

/**
 * What the proxy program is given: its settings, checked, its configuration file, and the
 * container settings no pod changes (probes, ports and security context are never changed
 * after they are given to a container; the mounts are, and are not here).
 */
interface ProxyProgram extends ProxyFiles {
  readonly command: string[];
  readonly purpose: string;
  readonly ports: kplus.ContainerPort[];
  readonly boundPorts: BoundPort[];
  readonly sharedVolumes: SharedVolumeOptions[];
  readonly securityContext: kplus.ContainerSecurityContextProps;
  readonly readiness: kplus.Probe;
  readonly liveness: kplus.Probe;
}

/** The ports and name a program is made for, worked out (and checked against the pod) by the caller. */
interface ProxyPorts {
  readonly name: string;
  readonly port: number;
  readonly portName: string;
  readonly adminPort?: number;
  readonly targetPort: number;
}

/** The program of the last options, for the next workload given the same (lib/last-call.ts). */
const PROGRAMS = new LastCall<ProxyProgram>();

/** Checks the options the program reads, renders its configuration file and works out its container settings. */
function proxyProgram(fail: (problem: string) => never, props: ProxyProps, engine: ProxyEngine, ports: ProxyPorts): ProxyProgram {
  const { name, port, portName, adminPort } = ports;
  const files = proxyFiles(fail, props, engine, ports);
  const probe = (failureThreshold: number) => kplus.Probe.fromHttpGet(files.healthPath, {
    port,
    scheme: props.tls ? kplus.ConnectionScheme.HTTPS : kplus.ConnectionScheme.HTTP,
    periodSeconds: Duration.seconds(10),
    timeoutSeconds: Duration.seconds(2),
    failureThreshold,
  });
  const drop = [kplus.Capability.ALL];
  return {
    ...files,
    command: [engine === ProxyEngine.ENVOY ? '/usr/local/bin/envoy' : 'nginx'],
    purpose: `withProxy (${engine.displayName})`,
    ports: [{ number: port, name: portName, protocol: TCP }],
    boundPorts: adminPort !== undefined ? [{ number: adminPort, address: '127.0.0.1', purpose: 'Envoy admin' }] : [],
    sharedVolumes: engine === ProxyEngine.NGINX
      ? [{ name: `${name}-tmp`, path: PROXY_PATHS.tmp, appContainers: [], sizeLimit: Size.mebibytes(64) }]
      : [],
    securityContext: {
      user: engine.image.user,
      group: engine.image.group,
      capabilities: port < 1024 ? { drop, add: [kplus.Capability.NET_BIND_SERVICE] } : { drop },
    },
    readiness: probe(3),
    liveness: probe(6),
  };
}

/** Checks the options the configuration file reads and renders it. */
function proxyFiles(fail: (problem: string) => never, props: ProxyProps, engine: ProxyEngine, ports: ProxyPorts): ProxyFiles {
  const { port, adminPort, targetPort } = ports;
  const healthPath = props.healthPath ?? DEFAULT_HEALTH_PATH;
  if (!HEALTH_PATH.test(healthPath)) {
    fail(`healthPath ${JSON.stringify(healthPath)} is not a plain absolute path; give one of letters, digits and "-._~/", starting with "/" (for example "${DEFAULT_HEALTH_PATH}")`);
  }

  const connectTimeout = millis('connectTimeout', props.connectTimeout ?? Duration.seconds(5), fail);
  const requestTimeout = millis('requestTimeout', props.requestTimeout ?? Duration.seconds(60), fail);
  const idleTimeout = millis('idleTimeout', props.idleTimeout ?? Duration.seconds(75), fail);
  let maxRequestBodyBytes: number | undefined;
  if (props.maxRequestBodySize !== undefined) {
    maxRequestBodyBytes = props.maxRequestBodySize.toKibibytes() * 1024;
    // Envoy's buffer filter takes a uint32 (api/envoy/extensions/filters/http/buffer/v3/buffer.proto).
    if (!(maxRequestBodyBytes > 0) || maxRequestBodyBytes > 0xffffffff) {
      fail(`maxRequestBodySize ${props.maxRequestBodySize.toKibibytes()}KiB must be more than 0 and less than 4GiB; leave it unset for no limit`);
    }
  }

  const resources = sidecarResources(props.resources, PROXY_RESOURCES);
  const model: ProxyModel = {
    listenPort: port,
    upstreamPort: targetPort,
    upstream: props.upstreamProtocol === UpstreamProtocol.GRPC ? 'grpc' : 'http1',
    tls: props.tls ? { certificateFile: `${PROXY_PATHS.tls}/tls.crt`, privateKeyFile: `${PROXY_PATHS.tls}/tls.key` } : undefined,
    connectTimeoutMillis: connectTimeout,
    requestTimeoutMillis: requestTimeout,
    idleTimeoutMillis: idleTimeout,
    maxRequestBodyBytes,
    accessLog: props.accessLogs ?? true,
    healthPath,
    workers: workersFor(resources),
  };

  const image = props.image ?? imageReference(engine.image);
  if (typeof image !== 'string' || image.trim() === '') fail('image is empty; leave it unset for the pinned upstream image');
  const configPath = `${PROXY_PATHS.config}/${engine.configFile}`;
  if (engine === ProxyEngine.ENVOY) {
    // The image's ENTRYPOINT (/docker-entrypoint.sh) chowns /dev/stdout and switches user with
    // su-exec when started as root; the pod starts Envoy as 101 directly instead.
    // --disable-hot-restart: a pod never hot-restarts, and without it Envoy sets up shared
    // memory for a restart that never comes.
    // https://www.envoyproxy.io/docs/envoy/latest/operations/cli
    return {
      healthPath,
      resources,
      image,
      file: renderConfigFile(envoyBootstrapFile, Object.assign({ adminPort: adminPort! }, model), true),
      args: ['-c', configPath, '--concurrency', String(model.workers), '--disable-hot-restart', '--log-level', 'info'],
    };
  }
  const version = nginxVersionOfTag(image.split(':').pop() ?? '') ?? nginxVersionOfTag(NGINX_IMAGE.tag)!;
  // The image's ENTRYPOINT scripts edit /etc/nginx; with a read-only root filesystem and our
  // own configuration they have nothing to do, so nginx is started directly. `-e stderr`
  // keeps nginx from opening the compiled-in error log before it reads the configuration.
  return {
    healthPath,
    resources,
    image,
    file: renderConfigFile(renderNginxConf, Object.assign({ tmpDir: PROXY_PATHS.tmp, version }, model), true),
    args: ['-c', configPath, '-e', 'stderr', '-g', 'daemon off;'],
  };
}

function millis(option: string, duration: Duration, fail: (problem: string) => never): number {
  const ms = duration.toMilliseconds();
  if (!Number.isInteger(ms) || ms < 1) {
    fail(`${option} ${duration.toHumanString()} must be at least 1 millisecond; give a longer duration (for long-lived streams, for example Duration.hours(1))`);
  }
  return ms;
}

/** Worker threads/processes: the CPU limit rounded up, at least 1; 2 without a limit. */
function workersFor(resources: kplus.ContainerResources): number {
  const amount = resources.cpu?.limit?.amount;
  if (amount === undefined) return 2;
  const cores = amount.endsWith('m') ? Number(amount.slice(0, -1)) / 1000 : Number(amount);
  return Number.isFinite(cores) && cores > 0 ? Math.max(1, Math.ceil(cores)) : 2;
}
