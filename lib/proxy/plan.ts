/**
 * withProxy's plan: the options and the facts of the pod in, the proxy program out (its
 * configuration file, container, ports and volumes), with no construct made. Pure: the
 * construct (index.ts) hands the program to the engine's attach.
 */
import { ApiObject, Duration, Size } from 'cdk8s';
import { resolveFaults, resolveInternalPaths, resolveRateLimit, resolveRemovedHeaders, resolveResponseHeaders } from './checks';
import { ENVOY_TLS_SECRET_FILE, envoyBootstrapFile, envoyTlsSecretFile } from './envoy';
import { ProxyModel } from './model';
import { nginxVersionOfTag, renderNginxConf } from './nginx';
import { PROXY_PATHS, PROXY_RESOURCES, ProxyEngine, ProxyOptions, UpstreamProtocol } from './options';
import { resolveAppPort } from '../engine/app-port';
import { ConfigFile, renderConfigFile } from '../engine/config-file';
import { sidecarResources } from '../engine/defaults';
import { imageReference, NGINX_IMAGE } from '../engine/images';
import { kplus, TCP } from '../engine/kplus';
import { Fail, PodFacts } from '../engine/pod-facts';
import { Program } from '../engine/program';
import { IProxyTarget } from '../engine/proxy-target';
import { portNameProblem, portNumberProblem, quote } from '../engine/validation/syntax';

const DEFAULT_HEALTH_PATH = '/proxy-healthz';
const DEFAULT_ADMIN_PORT = 9901;
const HEALTH_PATH = /^\/[A-Za-z0-9._~/-]*$/;

/** The proxy's program, and what the construct shows of it. */
export interface ProxyPlan {
  readonly program: Program;
  readonly engine: ProxyEngine;
  readonly port: number;
  readonly portName: string;
  /** The port the proxy forwards to: the app's, or the target's. */
  readonly targetPort: number;
  /** The app's port whose traffic the proxy takes (through the target, with one). */
  readonly appPort: number;
  readonly adminPort?: number;
  readonly healthPath: string;
  readonly file: ConfigFile;
  /** The paths the proxy answers 404 for (each with everything below it), normalized. */
  readonly internalPaths: readonly string[];
}

/** Checks the options against the pod and works out the proxy. Throws on input that is wrong. */
export function planProxy(pod: PodFacts, props: ProxyOptions, fail: Fail): ProxyPlan {
  const engine = props.engine ?? ProxyEngine.ENVOY;
  if (!(engine instanceof ProxyEngine)) fail('engine must be ProxyEngine.ENVOY or ProxyEngine.NGINX');
  const name = props.name ?? 'proxy';
  const tls = props.tls;
  if (tls) checkTlsSecret(tls.secret, fail);

  const port = props.port ?? (tls ? 8443 : 8081);
  const portProblem = portNumberProblem(port);
  if (portProblem) fail(`port ${quote(port)} ${portProblem}`);
  if (port < 1024 && !props.allowPrivilegedPort) {
    fail(`port ${quote(port)} is below 1024, which a non-root proxy cannot bind; pass a port of 1024 or more `
      + '(a Service can still listen on 443: see exposeViaService), or pass allowPrivilegedPort: true to add NET_BIND_SERVICE');
  }
  const portName = props.portName ?? (tls ? 'proxy-https' : props.upstreamProtocol === UpstreamProtocol.GRPC ? 'proxy-grpc' : 'proxy-http');
  const portNameIssue = portNameProblem(portName);
  if (portNameIssue) fail(`portName ${quote(portName)} is not an IANA service name: it ${portNameIssue}`);

  if (engine === ProxyEngine.NGINX && props.adminPort !== undefined) {
    fail('adminPort is for Envoy\'s admin interface; nginx has none: remove adminPort, or use engine: ProxyEngine.ENVOY');
  }
  const adminPort = engine === ProxyEngine.ENVOY ? props.adminPort ?? DEFAULT_ADMIN_PORT : undefined;
  if (adminPort !== undefined) {
    const problem = portNumberProblem(adminPort);
    if (problem) fail(`adminPort ${quote(adminPort)} ${problem}`);
    if (adminPort === port) fail(`port ${quote(port)} is also the Envoy admin port; pass another port or adminPort`);
  }
  const { targetPort, appPort, behindAuthProxy } = resolveTarget(pod, props, fail);
  if (targetPort === port) {
    fail(props.target
      ? `port ${quote(port)} is the target's port; the proxy must listen on another port: pass port (for example ${tls ? 8443 : 8081})`
      : `port ${quote(port)} is the app's own port (the target port); the proxy must listen on another port: pass port (for example ${tls ? 8443 : 8081})`);
  }

  const healthPath = props.healthPath ?? DEFAULT_HEALTH_PATH;
  if (typeof healthPath !== 'string' || !HEALTH_PATH.test(healthPath)) {
    fail(`healthPath ${quote(healthPath)} is not a plain absolute path; give one of letters, digits and "-._~/", starting with "/" (for example "${DEFAULT_HEALTH_PATH}")`);
  }
  if (healthPath === '/') {
    fail('healthPath "/" is the app\'s root page: the proxy would answer every request for "/" itself with "ok" and the app would never see one; '
      + `give a path of the proxy's own (for example "${DEFAULT_HEALTH_PATH}")`);
  }
  const trustedProxyHops = props.trustedProxyHops ?? 0;
  if (!Number.isInteger(trustedProxyHops) || trustedProxyHops < 0 || trustedProxyHops > 0xffffffff) {
    fail(`trustedProxyHops ${quote(trustedProxyHops)} must be a whole number of proxies, 0 or more; give 0 when clients reach the proxy directly, 1 behind one ingress controller or load balancer`);
  }
  if (engine === ProxyEngine.NGINX && trustedProxyHops > 1) {
    fail(`trustedProxyHops ${quote(trustedProxyHops)} with nginx: nginx trusts X-Forwarded-For by the address of each hop (set_real_ip_from), not by a count, `
      + 'so it can take the client only from the last hop; pass trustedProxyHops: 1 or 0, or use engine: ProxyEngine.ENVOY (xff_num_trusted_hops)');
  }
  let maxRequestBodyBytes: number | undefined;
  if (props.maxRequestBodySize !== undefined) {
    maxRequestBodyBytes = props.maxRequestBodySize.toKibibytes() * 1024;
    // Envoy's buffer filter takes a uint32 (api/envoy/extensions/filters/http/buffer/v3/buffer.proto).
    if (!(maxRequestBodyBytes > 0) || maxRequestBodyBytes > 0xffffffff) {
      fail(`maxRequestBodySize ${props.maxRequestBodySize.toKibibytes()}KiB must be more than 0 and less than 4GiB; leave it unset for no limit`);
    }
  }
  const responseHeaders = resolveResponseHeaders(fail, props.responseHeaders, tls !== undefined);
  const removeRequestHeaders = resolveRemovedHeaders(fail, props.removeRequestHeaders, behindAuthProxy);
  const faults = resolveFaults(fail, engine, props.faults);
  const rateLimit = resolveRateLimit(fail, props.rateLimit);
  // The paths other programs call on the app's port from inside the pod (a reload POST), as
  // registered so far; one registered later is reported at synth (validation/internal-paths.ts).
  const internalPaths = resolveInternalPaths(fail, props.internalPaths, pod.internalPathsOn(appPort).map((p) => p.path), healthPath);
  const resources = sidecarResources(props.resources, PROXY_RESOURCES);
  const model: ProxyModel = {
    listenPort: port,
    upstreamPort: targetPort,
    upstream: props.upstreamProtocol === UpstreamProtocol.GRPC ? 'grpc' : 'http1',
    tls: tls ? { certificateFile: `${PROXY_PATHS.tls}/tls.crt`, privateKeyFile: `${PROXY_PATHS.tls}/tls.key`, directory: PROXY_PATHS.tls } : undefined,
    connectTimeoutMillis: millis('connectTimeout', props.connectTimeout ?? Duration.seconds(5), fail),
    requestTimeoutMillis: millis('requestTimeout', props.requestTimeout ?? Duration.seconds(60), fail),
    idleTimeoutMillis: millis('idleTimeout', props.idleTimeout ?? Duration.seconds(75), fail),
    maxRequestBodyBytes,
    accessLog: props.accessLogs ?? true,
    healthPath,
    trustedProxyHops,
    memoryLimitBytes: memoryLimitBytes(resources),
    workers: workersFor(resources),
    responseHeaders,
    removeRequestHeaders,
    faults,
    rateLimit,
    internalPaths,
  };

  const image = props.image ?? imageReference(engine.image);
  if (typeof image !== 'string' || image.trim() === '') fail('image is empty; leave it unset for the pinned upstream image');
  const configPath = `${PROXY_PATHS.config}/${engine.configFile}`;
  let file: ConfigFile;
  let args: string[];
  const files: Record<string, string> = {};
  if (engine === ProxyEngine.ENVOY) {
    // The image's ENTRYPOINT (/docker-entrypoint.sh) chowns /dev/stdout and switches user with
    // su-exec when started as root; the pod starts Envoy as 101 directly instead.
    // --disable-hot-restart: a pod never hot-restarts, and without it Envoy sets up shared
    // memory for a restart that never comes.
    // https://www.envoyproxy.io/docs/envoy/latest/operations/cli
    file = renderConfigFile(envoyBootstrapFile, { ...model, adminPort: adminPort!, configDir: PROXY_PATHS.config });
    // With TLS, the certificate comes by file-based SDS from a second file (envoy.ts).
    if (model.tls) files[ENVOY_TLS_SECRET_FILE] = renderConfigFile(envoyTlsSecretFile, model.tls).text;
    args = ['-c', configPath, '--concurrency', String(model.workers), '--disable-hot-restart', '--log-level', 'info'];
  } else {
    const version = nginxVersionOfTag(image.split(':').pop() ?? '') ?? nginxVersionOfTag(NGINX_IMAGE.tag)!;
    // The image's ENTRYPOINT scripts edit /etc/nginx; with a read-only root filesystem and our
    // own configuration they have nothing to do, so nginx is started directly. `-e stderr`
    // keeps nginx from opening the compiled-in error log before it reads the configuration.
    file = renderConfigFile(renderNginxConf, { ...model, tmpDir: PROXY_PATHS.tmp, version });
    args = ['-c', configPath, '-e', 'stderr', '-g', 'daemon off;'];
  }

  const probe = (failureThreshold: number) => kplus.Probe.fromHttpGet(healthPath, {
    port,
    scheme: tls ? kplus.ConnectionScheme.HTTPS : kplus.ConnectionScheme.HTTP,
    periodSeconds: Duration.seconds(10),
    timeoutSeconds: Duration.seconds(2),
    failureThreshold,
  });
  const drop = [kplus.Capability.ALL];
  const program: Program = {
    where: 'withProxy',
    purpose: `withProxy (${engine.displayName})`,
    name,
    config: { dir: PROXY_PATHS.config, files: { [engine.configFile]: file.text, ...files } },
    volumes: tls ? [{ suffix: 'tls', path: PROXY_PATHS.tls, source: { kind: 'secret', secret: tls.secret } }] : [],
    sharedVolumes: engine === ProxyEngine.NGINX
      ? [{ name: `${name}-tmp`, path: PROXY_PATHS.tmp, appContainers: [], sizeLimit: Size.mebibytes(64) }]
      : [],
    sidecar: {
      image,
      command: [engine === ProxyEngine.ENVOY ? '/usr/local/bin/envoy' : 'nginx'],
      args,
      mode: props.mode,
      first: true,
      ports: [{ number: port, name: portName, protocol: TCP }],
      boundPorts: adminPort !== undefined ? [{ number: adminPort, address: '127.0.0.1', purpose: 'Envoy admin' }] : [],
      resources,
      securityContext: {
        user: engine.image.user,
        group: engine.image.group,
        capabilities: props.allowPrivilegedPort && Math.min(port, adminPort ?? port) < 1024
          ? { drop, add: [kplus.Capability.NET_BIND_SERVICE] } : { drop },
      },
      readiness: probe(3),
      liveness: probe(6),
    },
    portHints: [
      { number: port, hint: 'pass another port to withProxy' },
      ...(adminPort !== undefined ? [{ number: adminPort, hint: 'pass another adminPort to withProxy' }] : []),
    ],
  };
  return { program, engine, port, portName, targetPort, appPort, adminPort, healthPath, file, internalPaths };
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
    fail(`tls.secret ${quote(secret.name)} is of type ${quote(type ?? 'Opaque')}, not "kubernetes.io/tls"; `
      + 'create it with new kplus.TlsSecret(…) (keys tls.crt and tls.key), or pass kplus.Secret.fromSecretName(…) for one made elsewhere');
  }
}

/**
 * Where the proxy forwards: the target sidecar's port, or the app's port (engine/app-port.ts).
 * An app port that a program every request must pass (an authenticating proxy) stands in front
 * of is refused: forwarding to it directly would go around that program.
 */
function resolveTarget(
  pod: PodFacts, props: ProxyOptions, fail: (problem: string) => never,
): { targetPort: number; appPort: number; behindAuthProxy: boolean } {
  const target: IProxyTarget | undefined = props.target;
  if (target !== undefined) {
    if (props.targetPort !== undefined) {
      fail(`targetPort ${quote(props.targetPort)} and target are both given; pass one: target forwards to that sidecar's port ${target.port}, targetPort to the app`);
    }
    if (!pod.holds(target.container)) {
      fail(`target (container ${quote(target.container.name)}) is not a sidecar of this pod; attach it to this workload first, or pass targetPort`);
    }
    if (props.upstreamProtocol === UpstreamProtocol.GRPC && !target.acceptsGrpc) {
      fail(`upstreamProtocol gRPC: the target (container ${quote(target.container.name)}) speaks HTTP/1.1 to the app and cannot pass gRPC; `
        + 'remove upstreamProtocol, or forward to the app with targetPort');
    }
    // A target every request must pass (exclusive) authenticates: withAuthProxy.
    const behindAuthProxy = pod.frontsOf(target.targetPort).some((f) => f.name === target.container.name && f.exclusive);
    return { targetPort: target.port, appPort: target.targetPort, behindAuthProxy };
  }
  const appPort = resolveAppPort(pod, props.targetPort, 'the proxy', fail);
  const exclusive = pod.frontsOf(appPort).find((f) => f.exclusive);
  if (exclusive) {
    fail(`the app's port ${appPort} is behind ${exclusive.purpose} (container ${quote(exclusive.name)}, port ${exclusive.port}), which every request must pass; `
      + `forwarding to the app directly would go around it: pass target (the object the ${exclusive.purpose.split(' ')[0]} call returned) instead`);
  }
  return { targetPort: appPort, appPort, behindAuthProxy: false };
}

/**
 * The longest duration Envoy takes: a protobuf Duration holds at most 315,576,000,000 s
 * (google/protobuf/duration.proto, "approximately +-10,000 years"); beyond it Envoy refuses its
 * bootstrap when the pod starts.
 */
const MAX_DURATION_MILLIS = 315_576_000_000 * 1000;

function millis(option: string, duration: Duration, fail: (problem: string) => never): number {
  const ms = duration.toMilliseconds();
  if (!Number.isInteger(ms) || ms < 1) {
    fail(`${option} ${duration.toHumanString()} must be at least 1 millisecond; give a longer duration (for long-lived streams, for example Duration.hours(1))`);
  }
  if (ms > MAX_DURATION_MILLIS) {
    fail(`${option} ${duration.toHumanString()} is longer than the 10,000 years (315,576,000,000 s) a protobuf Duration holds, `
      + 'which Envoy would refuse at start; give a shorter duration (for long-lived streams, for example Duration.days(1))');
  }
  return ms;
}

/** The memory limit in bytes, when there is one. */
function memoryLimitBytes(resources: kplus.ContainerResources): number | undefined {
  const limit = resources.memory?.limit;
  return limit === undefined ? undefined : limit.toKibibytes() * 1024;
}

/** Worker threads/processes: the CPU limit rounded up, at least 1; 2 without a limit. */
function workersFor(resources: kplus.ContainerResources): number {
  const amount = resources.cpu?.limit?.amount;
  if (amount === undefined) return 2;
  const cores = amount.endsWith('m') ? Number(amount.slice(0, -1)) / 1000 : Number(amount);
  return Number.isFinite(cores) && cores > 0 ? Math.max(1, Math.ceil(cores)) : 2;
}
