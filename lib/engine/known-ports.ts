/**
 * The ports well-known sidecar and infrastructure programs bind without declaring them, by
 * image repository: what the whole-pod port rule (validation/ports.ts) adds to the ledger of any
 * container the library did not describe itself (an app container, a container added with
 * `addContainer`, a `withSidecar`, a container of a manifest), so that an Envoy or a Linkerd
 * proxy the user added on its own is checked as the library's own programs are.
 *
 * Only what the program's upstream documents as its default, each with where it was read. A port
 * that a flag moves or turns off is left out when the container passes that flag; a port that
 * only the image's own default configuration opens applies only when the container gives no
 * command and no arguments (it then runs the image's default). Considered and left out, for
 * binding nothing by default: git-sync (`--http-bind` has no default), Vector (its API is off
 * unless `api.enabled`), Vault Agent (no listener unless its configuration has one), and the
 * OpenTelemetry Collector and Envoy when given a configuration (their ports are in it).
 */

/** One port a program binds without declaring it. */
export interface KnownPort {
  readonly number: number;
  /** `TCP` or `UDP`. */
  readonly protocol: string;
  /** What it is, for messages: `Envoy admin`. */
  readonly purpose: string;
  /** The address it binds: `0.0.0.0`, or `127.0.0.1` for a port reachable inside the pod only. */
  readonly address: string;
}

/** When the ports of an entry apply. */
interface Condition {
  /** Only when the container gives no command and no arguments: the image's default configuration. */
  readonly imageDefaults?: boolean;
  /** Only when one of these flags is given (`-H`). */
  readonly enabledBy?: readonly string[];
  /** Not when one of these flags is given (it moves the port, or names a configuration that may). */
  readonly movedBy?: readonly string[];
}

/** A program, the image repositories it ships as, and the ports it binds undeclared. */
export interface KnownProgram extends Condition {
  /** `Istio proxy`. */
  readonly name: string;
  /** Repository paths without the registry host (`istio/proxyv2`); a mirror's longer path ending in one matches too. */
  readonly repositories: readonly string[];
  /** Where the ports were read. */
  readonly source: string;
  readonly ports: readonly KnownPort[];
}

const tcp = (number: number, purpose: string, address = '0.0.0.0'): KnownPort => ({ number, protocol: 'TCP', purpose, address });
const udp = (number: number, purpose: string): KnownPort => ({ number, protocol: 'UDP', purpose, address: '0.0.0.0' });

export const KNOWN_PROGRAMS: readonly KnownProgram[] = [
  {
    name: 'Istio proxy',
    repositories: ['istio/proxyv2', 'istio-release/proxyv2'],
    source: 'https://istio.io/latest/docs/ops/deployment/application-requirements/#ports-used-by-istio',
    ports: [
      tcp(15000, 'Envoy admin', '127.0.0.1'),
      tcp(15001, 'Envoy outbound'),
      tcp(15004, 'debug', '127.0.0.1'),
      tcp(15006, 'Envoy inbound'),
      tcp(15020, 'merged Prometheus telemetry'),
      tcp(15021, 'health checks'),
      tcp(15090, 'Envoy Prometheus telemetry'),
    ],
  },
  {
    name: 'Linkerd proxy',
    repositories: ['linkerd/proxy', 'linkerd-io/proxy'],
    // proxy.inboundPort, outboundPort, adminPort, controlPort; the outbound listener binds 127.0.0.1
    // ("Outbound interface on 127.0.0.1:4140" in the proxy's start-up log).
    source: 'https://github.com/linkerd/linkerd2/blob/main/charts/linkerd-control-plane/values.yaml',
    ports: [tcp(4140, 'outbound', '127.0.0.1'), tcp(4143, 'inbound'), tcp(4190, 'control (tap)'), tcp(4191, 'admin')],
  },
  {
    name: 'Envoy',
    repositories: ['envoyproxy/envoy', 'envoyproxy/envoy-distroless', 'envoyproxy/envoy-dev'],
    // The demo configuration the image runs when given none (/etc/envoy/envoy.yaml).
    source: 'https://www.envoyproxy.io/docs/envoy/latest/start/quick-start/configuration-static',
    imageDefaults: true,
    ports: [tcp(9901, 'admin'), tcp(10000, 'demo listener')],
  },
  {
    name: 'OpenTelemetry Collector (contrib)',
    repositories: ['otel/opentelemetry-collector-contrib', 'open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib'],
    // The image's default configuration (/etc/otelcol-contrib/config.yaml).
    source: 'https://github.com/open-telemetry/opentelemetry-collector-releases/blob/main/distributions/otelcol-contrib/config.yaml',
    imageDefaults: true,
    ports: [
      tcp(4317, 'OTLP gRPC'), tcp(4318, 'OTLP HTTP'), tcp(13133, 'health check'), tcp(1777, 'pprof'), tcp(55679, 'zPages'),
      tcp(14250, 'Jaeger gRPC'), tcp(14268, 'Jaeger Thrift HTTP'), udp(6831, 'Jaeger Thrift compact'), udp(6832, 'Jaeger Thrift binary'),
      tcp(9411, 'Zipkin'), tcp(8888, 'internal metrics'),
    ],
  },
  {
    name: 'oauth2-proxy',
    repositories: ['oauth2-proxy/oauth2-proxy', 'bitnami/oauth2-proxy'],
    // --http-address, default "127.0.0.1:4180"; a configuration file may set http_address.
    source: 'https://oauth2-proxy.github.io/oauth2-proxy/configuration/overview#command-line-options',
    movedBy: ['--http-address', '-http-address', '--config', '-config', '--alpha-config'],
    ports: [tcp(4180, 'HTTP', '127.0.0.1')],
  },
  {
    name: 'NGINX Prometheus exporter',
    repositories: ['nginx/nginx-prometheus-exporter', 'nginxinc/nginx-prometheus-exporter'],
    // --web.listen-address, default ":9113".
    source: 'https://github.com/nginx/nginx-prometheus-exporter#command-line-arguments',
    movedBy: ['--web.listen-address', '-web.listen-address', '--web.systemd-socket'],
    ports: [tcp(9113, 'metrics')],
  },
  {
    name: 'Fluent Bit',
    repositories: ['fluent/fluent-bit'],
    // `-H, --http  enable monitoring HTTP server`, `-P, --port  set HTTP server TCP port (default: 2020)`
    // (fluent-bit --help, src/fluent-bit.c); the image's own configuration leaves the server off.
    source: 'https://docs.fluentbit.io/manual/administration/monitoring#http-server',
    enabledBy: ['-H', '--http'],
    movedBy: ['-P', '--port'],
    ports: [tcp(2020, 'HTTP monitoring')],
  },
  {
    name: 'Vault (dev server)',
    repositories: ['hashicorp/vault', 'library/vault'],
    // The image runs `server -dev` when given no arguments, listening on VAULT_DEV_LISTEN_ADDRESS (0.0.0.0:8200).
    source: 'https://github.com/hashicorp/docker-vault/blob/master/0.X/docker-entrypoint.sh',
    imageDefaults: true,
    ports: [tcp(8200, 'API (dev server)')],
  },
];

const BY_NAME = byName(KNOWN_PROGRAMS);

/**
 * The repository path of an image reference without its registry host, tag and digest:
 * `docker.io/istio/proxyv2:1.24.0` → `istio/proxyv2`, `nginx` → `library/nginx`.
 * @see https://github.com/distribution/reference/blob/main/reference.go (the first component is a registry host when it has a `.` or `:`, or is `localhost`)
 */
export function imageRepository(image: string): string {
  let ref = image.trim();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) ref = ref.slice(0, colon);
  const first = ref.indexOf('/');
  if (first < 0) return `library/${ref}`.toLowerCase();
  const host = ref.slice(0, first);
  if (host.includes('.') || host.includes(':') || host === 'localhost') ref = ref.slice(first + 1);
  return (ref.includes('/') ? ref : `library/${ref}`).toLowerCase();
}

/** The repositories of `entries`, indexed by their last path segment (the image's name). */
function byName<T extends { readonly repositories: readonly string[] }>(
  entries: readonly T[],
): ReadonlyMap<string, ReadonlyArray<readonly [string, T]>> {
  const index = new Map<string, Array<readonly [string, T]>>();
  for (const entry of entries) {
    for (const repository of entry.repositories) {
      const name = repository.slice(repository.lastIndexOf('/') + 1);
      index.set(name, [...index.get(name) ?? [], [repository, entry] as const]);
    }
  }
  return index;
}

/** The last path segment of an image reference, without tag or digest: `istio/proxyv2:1.24` → `proxyv2`. */
function imageName(image: string): string {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  // Lowercase by the reference grammar: a name with capitals is no image of the table.
  return ref.slice(slash + 1, colon > slash ? colon : undefined);
}

/** The entry whose repository is the image's, or ends the image's (a mirror's longer path). */
function lookUp<T>(index: ReadonlyMap<string, ReadonlyArray<readonly [string, T]>>, image: string | undefined): T | undefined {
  if (typeof image !== 'string' || image === '') return undefined;
  const candidates = index.get(imageName(image));
  if (candidates === undefined) return undefined;
  const repository = imageRepository(image);
  return candidates.find(([r]) => repository === r || repository.endsWith(`/${r}`))?.[1];
}

/** The well-known program an image is, matched by repository (a mirror's longer path ending in one matches too). */
export function knownProgram(image: string | undefined): KnownProgram | undefined {
  return lookUp(BY_NAME, image);
}

/**
 * The ports the program in a container with this image, command and arguments binds without
 * declaring them, as its upstream documents by default; with the program, for messages.
 */
export function knownPorts(image: string | undefined, command: readonly unknown[] | undefined, args: readonly unknown[] | undefined):
{ readonly program: KnownProgram; readonly ports: readonly KnownPort[] } | undefined {
  const program = knownProgram(image);
  if (!program) return undefined;
  const given = [...(command ?? []), ...(args ?? [])].map(String);
  if (program.imageDefaults && given.length > 0) return undefined;
  const has = (flags: readonly string[]) => given.some((a) => flags.some((f) => a === f || a.startsWith(`${f}=`)));
  if (program.enabledBy && !has(program.enabledBy)) return undefined;
  if (program.movedBy && has(program.movedBy)) return undefined;
  return { program, ports: program.ports };
}

/** A program that runs until stopped: as a regular container of a Job, the Job never completes. */
interface LongRunningProgram {
  readonly name: string;
  readonly repositories: readonly string[];
  readonly source: string;
  /** Not when one of these flags is given (it makes the program exit when done). */
  readonly exitsWith?: readonly string[];
  /** Only when the first argument is one of these (a tool that is a server only in some modes). */
  readonly modes?: readonly string[];
}

/**
 * Well-known programs that never exit by themselves: the classic-sidecar-on-a-Job problem
 * (istio/istio#11045, linkerd/linkerd2#2833, GoogleCloudPlatform/cloud-sql-proxy#128).
 */
export const LONG_RUNNING_PROGRAMS: readonly LongRunningProgram[] = [
  ...KNOWN_PROGRAMS.filter((p) => !p.imageDefaults || p.name === 'Envoy').map((p) => ({ name: p.name, repositories: p.repositories, source: p.source })),
  {
    name: 'OpenTelemetry Collector',
    repositories: ['otel/opentelemetry-collector', 'otel/opentelemetry-collector-contrib', 'otel/opentelemetry-collector-k8s',
      'open-telemetry/opentelemetry-collector-releases/opentelemetry-collector', 'open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib'],
    source: 'https://opentelemetry.io/docs/collector/deployment/agent/',
  },
  { name: 'Vector', repositories: ['timberio/vector'], source: 'https://vector.dev/docs/setup/deployment/roles/#sidecar' },
  {
    name: 'git-sync',
    repositories: ['git-sync/git-sync'],
    source: 'https://github.com/kubernetes/git-sync#parameters',
    exitsWith: ['--one-time', '-one-time'],
  },
  {
    name: 'Cloud SQL Auth Proxy',
    repositories: ['cloud-sql-connectors/cloud-sql-proxy', 'cloudsql-docker/gce-proxy'],
    source: 'https://github.com/GoogleCloudPlatform/cloud-sql-proxy#running-as-a-kubernetes-sidecar',
  },
  { name: 'Vault Agent', repositories: ['hashicorp/vault'], source: 'https://developer.hashicorp.com/vault/docs/agent-and-proxy/agent', modes: ['agent', 'proxy', 'server', ''] },
];

const LONG_RUNNING_BY_NAME = byName(LONG_RUNNING_PROGRAMS);

/** The name of the well-known program a container runs when that program never exits by itself. */
export function longRunningProgram(
  image: string | undefined, command: readonly unknown[] | undefined, args: readonly unknown[] | undefined,
): string | undefined {
  const program = lookUp(LONG_RUNNING_BY_NAME, image);
  if (!program) return undefined;
  const given = [...(command ?? []), ...(args ?? [])].map(String);
  if (program.exitsWith && given.some((a) => program!.exitsWith!.some((f) => a === f || a.startsWith(`${f}=`)))) return undefined;
  if (program.modes && !program.modes.includes(String((args ?? [])[0] ?? ''))) return undefined;
  return program.name;
}
