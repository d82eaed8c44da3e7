/**
 * withProxy's plan: the options and the facts of the pod in, the proxy program out (its
 * configuration file, container, ports and volumes), with no construct made. Pure: the
 * construct (index.ts) hands the program to the engine's attach.
 */
import { ApiObject, Duration, Size } from 'cdk8s';
import { envoyBootstrapFile } from './envoy';
import { ProxyModel } from './model';
import { nginxVersionOfTag, renderNginxConf } from './nginx';
import { PROXY_PATHS, PROXY_RESOURCES, ProxyEngine, ProxyOptions, UpstreamProtocol } from './options';
import { ConfigFile, renderConfigFile } from '../engine/config-file';
import { sidecarResources } from '../engine/defaults';
import { imageReference, NGINX_IMAGE } from '../engine/images';
import { kplus, TCP } from '../engine/kplus';
import { Program } from '../engine/program';
import { PodFacts } from '../engine/registry';
import { portNameProblem, portNumberProblem } from '../engine/validation/syntax';

const DEFAULT_HEALTH_PATH = '/proxy-healthz';
const DEFAULT_ADMIN_PORT = 9901;
const HEALTH_PATH = /^\/[A-Za-z0-9._~/-]*$/;

/** The proxy's program, and what the construct shows of it. */
export interface ProxyPlan {
  readonly program: Program;
  readonly engine: ProxyEngine;
  readonly port: number;
  readonly portName: string;
  readonly targetPort: number;
  readonly adminPort?: number;
  readonly healthPath: string;
  readonly file: ConfigFile;
}

/** Checks the options against the pod and works out the proxy. Throws on input that is wrong. */
export function planProxy(pod: PodFacts, props: ProxyOptions): ProxyPlan {
  const fail = (problem: string): never => {
    throw new Error(`${pod.label}, withProxy: ${problem}`);
  };
  const engine = props.engine ?? ProxyEngine.ENVOY;
  if (!(engine instanceof ProxyEngine)) fail('engine must be ProxyEngine.ENVOY or ProxyEngine.NGINX');
  const name = props.name ?? 'proxy';
  const tls = props.tls;
  if (tls) checkTlsSecret(tls.secret, fail);

  const port = props.port ?? (tls ? 8443 : 8081);
  const portProblem = portNumberProblem(port);
  if (portProblem) fail(`port ${port} ${portProblem}`);
  if (port < 1024 && !props.allowPrivilegedPort) {
    fail(`port ${port} is below 1024, which a non-root proxy cannot bind; pass a port of 1024 or more `
      + '(a Service can still listen on 443: see exposeViaService), or pass allowPrivilegedPort: true to add NET_BIND_SERVICE');
  }
  const portName = props.portName ?? (tls ? 'proxy-https' : props.upstreamProtocol === UpstreamProtocol.GRPC ? 'proxy-grpc' : 'proxy-http');
  const portNameIssue = portNameProblem(portName);
  if (portNameIssue) fail(`portName "${portName}" is not an IANA service name: it ${portNameIssue}`);

  if (engine === ProxyEngine.NGINX && props.adminPort !== undefined) {
    fail('adminPort is for Envoy\'s admin interface; nginx has none: remove adminPort, or use engine: ProxyEngine.ENVOY');
  }
  const adminPort = engine === ProxyEngine.ENVOY ? props.adminPort ?? DEFAULT_ADMIN_PORT : undefined;
  if (adminPort !== undefined) {
    const problem = portNumberProblem(adminPort);
    if (problem) fail(`adminPort ${adminPort} ${problem}`);
    if (adminPort === port) fail(`port ${port} is also the Envoy admin port; pass another port or adminPort`);
  }
  const targetPort = resolveTargetPort(pod, props.targetPort, fail);
  if (targetPort === port) {
    fail(`port ${port} is the app's own port (the target port); the proxy must listen on another port: pass port (for example ${tls ? 8443 : 8081})`);
  }

  const healthPath = props.healthPath ?? DEFAULT_HEALTH_PATH;
  if (typeof healthPath !== 'string' || !HEALTH_PATH.test(healthPath)) {
    fail(`healthPath ${JSON.stringify(healthPath)} is not a plain absolute path; give one of letters, digits and "-._~/", starting with "/" (for example "${DEFAULT_HEALTH_PATH}")`);
  }
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
    tls: tls ? { certificateFile: `${PROXY_PATHS.tls}/tls.crt`, privateKeyFile: `${PROXY_PATHS.tls}/tls.key` } : undefined,
    connectTimeoutMillis: millis('connectTimeout', props.connectTimeout ?? Duration.seconds(5), fail),
    requestTimeoutMillis: millis('requestTimeout', props.requestTimeout ?? Duration.seconds(60), fail),
    idleTimeoutMillis: millis('idleTimeout', props.idleTimeout ?? Duration.seconds(75), fail),
    maxRequestBodyBytes,
    accessLog: props.accessLogs ?? true,
    healthPath,
    workers: workersFor(resources),
  };

  const image = props.image ?? imageReference(engine.image);
  if (typeof image !== 'string' || image.trim() === '') fail('image is empty; leave it unset for the pinned upstream image');
  const configPath = `${PROXY_PATHS.config}/${engine.configFile}`;
  let file: ConfigFile;
  let args: string[];
  if (engine === ProxyEngine.ENVOY) {
    // The image's ENTRYPOINT (/docker-entrypoint.sh) chowns /dev/stdout and switches user with
    // su-exec when started as root; the pod starts Envoy as 101 directly instead.
    // --disable-hot-restart: a pod never hot-restarts, and without it Envoy sets up shared
    // memory for a restart that never comes.
    // https://www.envoyproxy.io/docs/envoy/latest/operations/cli
    file = renderConfigFile(envoyBootstrapFile, { ...model, adminPort: adminPort! });
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
    config: { dir: PROXY_PATHS.config, files: { [engine.configFile]: file.text } },
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
  return { program, engine, port, portName, targetPort, adminPort, healthPath, file };
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
function resolveTargetPort(pod: PodFacts, given: number | undefined, fail: (problem: string) => never): number {
  const apps = pod.appContainers();
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

/** Worker threads/processes: the CPU limit rounded up, at least 1; 2 without a limit. */
function workersFor(resources: kplus.ContainerResources): number {
  const amount = resources.cpu?.limit?.amount;
  if (amount === undefined) return 2;
  const cores = amount.endsWith('m') ? Number(amount.slice(0, -1)) / 1000 : Number(amount);
  return Number.isFinite(cores) && cores > 0 ? Math.max(1, Math.ceil(cores)) : 2;
}
