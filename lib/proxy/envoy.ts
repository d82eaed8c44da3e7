/**
 * Envoy's bootstrap configuration for the `ProxyEngine.ENVOY` proxy: a pure function of the
 * proxy model, returning the v3 bootstrap as an object (serialized to YAML by the caller).
 *
 * One static listener with the HTTP connection manager, one STATIC cluster to the app on
 * 127.0.0.1, the admin interface on 127.0.0.1 only. Field names and `@type` URLs follow the
 * v3 protos in github.com/envoyproxy/envoy api/envoy/...; test/real/envoy-api.test.ts has
 * Envoy's own API (go-control-plane, `ValidateAll()`) judge every bootstrap.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/bootstrap/v3/bootstrap.proto
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/best_practices/edge
 */
import { HEALTH_BODY, INTERNAL_PATH_STATUS, protoDuration, ProxyModel } from './model';
import { PlainData, toYaml } from '../engine/config-yaml';

/** What Envoy needs beyond the proxy model. */
export interface EnvoyModel extends ProxyModel {
  /** The admin interface's port, bound to 127.0.0.1. */
  readonly adminPort: number;
  /**
   * The folder the configuration files are mounted at (a ConfigMap volume): with `tls`, Envoy
   * reads the certificate's SDS file (`ENVOY_TLS_SECRET_FILE`) from there.
   */
  readonly configDir: string;
}

/** The file, next to the bootstrap, that names the certificate files for file-based SDS. */
export const ENVOY_TLS_SECRET_FILE = 'tls-certificate.yaml';

/** The name of the SDS secret that holds the proxy's certificate. */
export const ENVOY_TLS_SECRET_NAME = 'proxy-tls';

/**
 * The share of the container's memory limit Envoy's heap may reach (the fixed_heap resource
 * monitor's `max_heap_size_bytes`). The rest is for what the heap monitor does not count: the
 * binary's own data, thread stacks, and kernel socket buffers charged to the container.
 */
export const HEAP_SHARE_OF_MEMORY_LIMIT = 0.8;

/**
 * The listener's and the cluster's per-connection buffer limit, Envoy's edge value (32 KiB).
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/best_practices/edge
 */
export const CONNECTION_BUFFER_LIMIT_BYTES = 32768;

/**
 * Active downstream connections without a memory limit to size them by: the global limit of
 * Envoy's edge example (docs/root/configuration/best_practices/_include/edge.yaml, 50,000).
 */
export const MAX_CONNECTIONS_WITHOUT_MEMORY_LIMIT = 50000;

/** `@type` URLs of the typed configs the bootstrap uses. */
export const ENVOY_TYPES = {
  httpConnectionManager: 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  router: 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
  buffer: 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer',
  downstreamTlsContext: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
  stdoutAccessLog: 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
  httpProtocolOptions: 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
  tlsSecret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
  fixedHeap: 'type.googleapis.com/envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig',
  downstreamConnections: 'type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig',
  fault: 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
  localRateLimit: 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
  filterConfig: 'type.googleapis.com/envoy.config.route.v3.FilterConfig',
} as const;

/** The HTTP filter names of the fault and local rate limit filters, as routes refer to them. */
export const FAULT_FILTER = 'envoy.filters.http.fault';
export const LOCAL_RATE_LIMIT_FILTER = 'envoy.filters.http.local_ratelimit';

/**
 * A path holding a percent-encoded unreserved character (RFC 3986 section 2.3: letters, digits,
 * `-._~`), as an RE2 regex over the whole path without its query. About 26 instructions, far
 * under the program size Envoy accepts (100, runtime `re2.max_program_size.error_level`).
 */
export const ENCODED_UNRESERVED = '.*%(2[dDeE]|3[0-9]|[46][1-9a-fA-F]|[57][0-9aA]|5[fF]|7[eE]).*';

/** The body of the 400 for such a path. */
export const ENCODED_UNRESERVED_BODY = 'bad request: a percent-encoded letter, digit or "-._~" in the path\n';

/** The body of the 404 the proxy answers for an internal path. */
export const INTERNAL_PATH_BODY = 'not found\n';

/** The cluster name of the app. */
export const APP_CLUSTER = 'app';

/**
 * How long Envoy keeps an idle connection to the app. Short on purpose: app servers close
 * idle keep-alive connections after a few seconds (Node.js 5 s, gunicorn 2 s), and a request
 * Envoy sends on a connection the app is closing fails with a 503 "upstream connect error".
 * Connections to 127.0.0.1 are cheap to open again.
 */
export const UPSTREAM_IDLE_TIMEOUT_MILLIS = 1000;

/** The bootstrap file's text (YAML). */
export function envoyBootstrapFile(model: EnvoyModel): string {
  return toYaml(renderEnvoyBootstrap(model) as PlainData);
}

/** The certificate's SDS file (`ENVOY_TLS_SECRET_FILE`), YAML. */
export function envoyTlsSecretFile(tls: NonNullable<ProxyModel['tls']>): string {
  return toYaml(renderEnvoyTlsSecret(tls) as PlainData);
}

/**
 * The certificate as a file-based SDS resource: a DiscoveryResponse-shaped file with one
 * `Secret`. Certificates given in the bootstrap (`tls_certificates`) are read once at start;
 * only a `TlsCertificate` delivered by SDS is watched, and its `watched_directory` is the
 * Secret's folder, where the kubelet moves the new `..data` symlink into place when
 * cert-manager (or anyone) renews the Secret. Envoy then reads the chain and key together,
 * checks that neither changed between the two reads, and serves the new certificate to new
 * connections without a restart.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/transport_sockets/tls/v3/common.proto (TlsCertificate.watched_directory)
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/security/secret (SDS key rotation)
 */
export function renderEnvoyTlsSecret(tls: NonNullable<ProxyModel['tls']>): Record<string, unknown> {
  return {
    resources: [{
      '@type': ENVOY_TYPES.tlsSecret,
      'name': ENVOY_TLS_SECRET_NAME,
      'tls_certificate': {
        certificate_chain: { filename: tls.certificateFile },
        private_key: { filename: tls.privateKeyFile },
        watched_directory: { path: tls.directory },
      },
    }],
  };
}

/** The v3 bootstrap. */
export function renderEnvoyBootstrap(model: EnvoyModel): Record<string, unknown> {
  const grpc = model.upstream === 'grpc';
  const internalPaths = model.internalPaths ?? [];
  const httpFilters: unknown[] = [];
  if (model.maxRequestBodyBytes !== undefined) {
    // The buffer filter answers 413 once a body passes max_request_bytes; it is the way Envoy
    // limits request bodies, and it holds each body in memory until complete
    // (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/buffer_filter,
    // envoyproxy/envoy#36946).
    httpFilters.push({
      name: 'envoy.filters.http.buffer',
      typed_config: { '@type': ENVOY_TYPES.buffer, 'max_request_bytes': model.maxRequestBodyBytes },
    });
  }
  // The rate limit and the faults come first, so that a request refused or aborted is never
  // buffered, and apply to upgrades too (upgrade_configs below).
  const front: unknown[] = [];
  if (model.rateLimit) front.push(localRateLimitFilter(model.rateLimit));
  if (model.faults) front.push(faultFilter(model.faults));
  httpFilters.unshift(...front);
  const router = {
    name: 'envoy.filters.http.router',
    // suppress_envoy_headers: the app sees the request as the client sent it, without x-envoy-*.
    typed_config: { '@type': ENVOY_TYPES.router, 'suppress_envoy_headers': true },
  };
  httpFilters.push(router);

  const connectionManager: Record<string, unknown> = {
    '@type': ENVOY_TYPES.httpConnectionManager,
    'stat_prefix': 'ingress_http',
    // AUTO: HTTP/1.1, HTTP/2 by ALPN over TLS, and HTTP/2 with prior knowledge in cleartext.
    'codec_type': 'AUTO',
    // Append the client's address to X-Forwarded-For, as nginx's $proxy_add_x_forwarded_for does,
    // and take the client's address from the connection, not from headers a client can write.
    'use_remote_address': true,
    // Behind N trusted proxies the client is the Nth address from the right of X-Forwarded-For,
    // and the X-Forwarded-Proto they set is kept; with 0 Envoy overwrites X-Forwarded-Proto with
    // the connection's scheme (source/common/http/conn_manager_utility.cc, mutateRequestHeaders).
    // https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-for
    ...(model.trustedProxyHops > 0 ? { xff_num_trusted_hops: model.trustedProxyHops } : {}),
    // Keep the app's Server header, as a transparent proxy should.
    'server_header_transformation': 'PASS_THROUGH',
    // With internal paths, routes match the path normalized as RFC 3986 says (dot segments
    // resolved) and with repeated slashes merged, as nginx matches its locations, so that
    // `/a/../-/reload` or `//-/reload` cannot slip past the 404 route: Envoy's edge best
    // practice (https://www.envoyproxy.io/docs/envoy/latest/configuration/best_practices/edge).
    // The app then gets the normalized path.
    // Encoded slashes (%2F, %5C) are decoded too, as nginx decodes them before matching its
    // locations (path_with_escaped_slashes_action, UNESCAPE_AND_FORWARD).
    ...(internalPaths.length > 0 ? { normalize_path: true, merge_slashes: true, path_with_escaped_slashes_action: 'UNESCAPE_AND_FORWARD' } : {}),
    'stream_idle_timeout': protoDuration(model.idleTimeoutMillis),
    'common_http_protocol_options': { idle_timeout: protoDuration(model.idleTimeoutMillis) },
    // Envoy's edge values for HTTP/2 clients: at most 100 streams a connection, 64 KiB a stream
    // and 1 MiB a connection in flight (docs/root/configuration/best_practices/_include/edge.yaml).
    'http2_protocol_options': {
      max_concurrent_streams: 100,
      initial_stream_window_size: 65536,
      initial_connection_window_size: 1048576,
    },
    // WebSocket upgrades get a filter chain of the router alone: the buffer filter waits for the
    // end of a body an upgrade never sends, and the upgrade hangs (envoyproxy/gateway#8578;
    // https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/http/upgrades: "Buffering
    // is generally not compatible with upgrades"). An upgrade request is a GET without a body,
    // so the body limit has nothing to hold there.
    'upgrade_configs': [{ upgrade_type: 'websocket', filters: [...front, router] }],
    ...(model.accessLog ? {
      access_log: [{
        name: 'envoy.access_loggers.stdout',
        // The probes are not logged, as nginx's `access_log off` in the health location: every
        // request but those the health route answers, whose path (before any query) is healthPath.
        filter: {
          and_filter: {
            filters: [
              { header_filter: { header: { name: ':path', string_match: { exact: model.healthPath }, invert_match: true } } },
              { header_filter: { header: { name: ':path', string_match: { prefix: `${model.healthPath}?` }, invert_match: true } } },
            ],
          },
        },
        typed_config: { '@type': ENVOY_TYPES.stdoutAccessLog },
      }],
    } : {}),
    'route_config': {
      name: 'local',
      virtual_hosts: [{
        name: 'app',
        domains: ['*'],
        ...(model.removeRequestHeaders?.length ? { request_headers_to_remove: [...model.removeRequestHeaders] } : {}),
        ...(model.responseHeaders?.length ? {
          // Set on every answer, the app's and the proxy's own, replacing the app's header of
          // the same name so the browser sees one.
          response_headers_to_add: model.responseHeaders.map((h) => ({
            header: { key: h.name, value: h.value },
            append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
          })),
        } : {}),
        routes: [
          {
            name: 'proxy-health',
            match: { path: model.healthPath },
            direct_response: { status: 200, body: { inline_string: HEALTH_BODY } },
            // The probes are never delayed, aborted or rate limited.
            ...(front.length > 0 ? { typed_per_filter_config: disabledFilters(model) } : {}),
          },
          // Envoy's normalization decodes %2E and %2F but no other percent-encoded letter or
          // digit (source/common/http/path_utility.cc; test/common/http/path_utility_test.cc):
          // `/-/%72eload` would pass the internal routes and reach an app that decodes before
          // routing. nginx matches the decoded path; Envoy refuses such paths instead, which
          // RFC 3986 section 2.3 says producers should not create.
          ...(internalPaths.length > 0 ? [{
            name: 'encoded-unreserved',
            match: { safe_regex: { regex: ENCODED_UNRESERVED } },
            direct_response: { status: 400, body: { inline_string: ENCODED_UNRESERVED_BODY } },
          }] : []),
          // Internal paths: the path and everything below it, in any letter case, answered 404
          // ahead of the catch-all.
          ...internalPaths.map((path, i) => ({
            name: `internal-${i + 1}`,
            match: { path_separated_prefix: path, case_sensitive: false },
            direct_response: { status: INTERNAL_PATH_STATUS, body: { inline_string: INTERNAL_PATH_BODY } },
          })),
          {
            name: 'app',
            match: { prefix: '/' },
            route: { cluster: APP_CLUSTER, timeout: protoDuration(model.requestTimeoutMillis) },
          },
        ],
      }],
    },
    'http_filters': httpFilters,
  };

  const filterChain: Record<string, unknown> = {
    filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: connectionManager }],
  };
  if (model.tls) {
    filterChain.transport_socket = {
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': ENVOY_TYPES.downstreamTlsContext,
        'common_tls_context': {
          tls_params: { tls_minimum_protocol_version: 'TLSv1_2' },
          // The certificate through file-based SDS (renderEnvoyTlsSecret), so that a renewed
          // Secret is served without a restart. The SDS file is in the ConfigMap's folder, which
          // the kubelet also updates by a `..data` swap: watched_directory is how Envoy's docs
          // say to watch a file there (PathConfigSource.watched_directory).
          // https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/core/v3/config_source.proto
          tls_certificate_sds_secret_configs: [{
            name: ENVOY_TLS_SECRET_NAME,
            sds_config: {
              path_config_source: {
                path: `${model.configDir}/${ENVOY_TLS_SECRET_FILE}`,
                watched_directory: { path: model.configDir },
              },
              resource_api_version: 'V3',
            },
          }],
          alpn_protocols: ['h2', 'http/1.1'],
        },
      },
    };
  }

  const cluster: Record<string, unknown> = {
    name: APP_CLUSTER,
    type: 'STATIC',
    connect_timeout: protoDuration(model.connectTimeoutMillis),
    // Envoy's edge best practice: bound what one connection to the app may buffer.
    per_connection_buffer_limit_bytes: CONNECTION_BUFFER_LIMIT_BYTES,
    load_assignment: {
      cluster_name: APP_CLUSTER,
      endpoints: [{
        lb_endpoints: [{
          endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: model.upstreamPort } } },
        }],
      }],
    },
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': ENVOY_TYPES.httpProtocolOptions,
        'common_http_protocol_options': { idle_timeout: protoDuration(UPSTREAM_IDLE_TIMEOUT_MILLIS) },
        // For HTTP/2 to the app, the edge windows too: 64 KiB a stream, 1 MiB a connection.
        'explicit_http_config': grpc
          ? { http2_protocol_options: { initial_stream_window_size: 65536, initial_connection_window_size: 1048576 } }
          : { http_protocol_options: {} },
      },
    },
  };

  return {
    overload_manager: overloadManager(model.memoryLimitBytes),
    admin: {
      // Never on the pod's addresses: the admin interface can stop Envoy and dump its config.
      address: { socket_address: { address: '127.0.0.1', port_value: model.adminPort } },
    },
    static_resources: {
      listeners: [{
        name: 'proxy',
        address: { socket_address: { address: '0.0.0.0', port_value: model.listenPort } },
        // Envoy's edge best practice: bound what one connection may buffer.
        per_connection_buffer_limit_bytes: CONNECTION_BUFFER_LIMIT_BYTES,
        filter_chains: [filterChain],
      }],
      clusters: [cluster],
    },
  };
}

/**
 * Envoy's overload manager, as its edge best practices configure it, sized by the container's
 * memory limit, so that Envoy sheds load before the kernel kills it for memory:
 *
 * - the `fixed_heap` monitor with `max_heap_size_bytes` at `HEAP_SHARE_OF_MEMORY_LIMIT` of the
 *   limit; at 95% of it Envoy releases free memory to the system (`shrink_heap`), at 98% it
 *   answers new requests with 503 (`stop_accepting_requests`);
 * - the `global_downstream_max_connections` monitor, without which Envoy warns at start
 *   ("There is no configured limit to the number of allowed active downstream connections"):
 *   one connection per 32 KiB of the memory limit, the buffer each connection may fill; 50,000
 *   (the edge example's figure) without a memory limit.
 *
 * Without a memory limit there is nothing to size the heap by, and no heap monitor.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/best_practices/edge
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/operations/overload_manager/overload_manager
 */
function overloadManager(memoryLimitBytes: number | undefined): Record<string, unknown> {
  const maxConnections = memoryLimitBytes === undefined
    ? MAX_CONNECTIONS_WITHOUT_MEMORY_LIMIT
    : Math.max(1, Math.floor(memoryLimitBytes / CONNECTION_BUFFER_LIMIT_BYTES));
  const connections = {
    name: 'envoy.resource_monitors.global_downstream_max_connections',
    typed_config: { '@type': ENVOY_TYPES.downstreamConnections, 'max_active_downstream_connections': maxConnections },
  };
  if (memoryLimitBytes === undefined) {
    return { resource_monitors: [connections] };
  }
  const heap = 'envoy.resource_monitors.fixed_heap';
  const trigger = (value: number) => [{ name: heap, threshold: { value } }];
  return {
    refresh_interval: '0.25s',
    resource_monitors: [
      {
        name: heap,
        typed_config: { '@type': ENVOY_TYPES.fixedHeap, 'max_heap_size_bytes': Math.floor(memoryLimitBytes * HEAP_SHARE_OF_MEMORY_LIMIT) },
      },
      connections,
    ],
    actions: [
      { name: 'envoy.overload_actions.shrink_heap', triggers: trigger(0.95) },
      { name: 'envoy.overload_actions.stop_accepting_requests', triggers: trigger(0.98) },
    ],
  };
}

/** The per-route config that turns the rate limit and fault filters off (the health route). */
function disabledFilters(model: ProxyModel): Record<string, unknown> {
  const off = { '@type': ENVOY_TYPES.filterConfig, 'disabled': true };
  return {
    ...(model.rateLimit ? { [LOCAL_RATE_LIMIT_FILTER]: off } : {}),
    ...(model.faults ? { [FAULT_FILTER]: off } : {}),
  };
}

/** 100%, as a runtime fractional percent that no runtime key overrides in this bootstrap. */
function always(runtimeKey: string): Record<string, unknown> {
  return { runtime_key: runtimeKey, default_value: { numerator: 100, denominator: 'HUNDRED' } };
}

/**
 * The local rate limit: one token bucket for the listener, shared by every worker (Envoy's
 * local rate limit is per Envoy process), `burst` tokens big, refilled at `requestsPerSecond`.
 * Envoy refills at most every 50 ms ("local rate limit token bucket fill timer must be >=
 * 50ms", source/extensions/filters/common/local_ratelimit/local_ratelimit_impl.cc), so the
 * rate is given as `tokens_per_fill` tokens every `tokens_per_fill / requestsPerSecond` s with
 * the fewest tokens that keep the interval at 50 ms or more. Beyond it: 429. The filter is off
 * unless `filter_enabled` and `filter_enforced` say 100%.
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/local_rate_limit_filter
 */
function localRateLimitFilter(limit: NonNullable<ProxyModel['rateLimit']>): Record<string, unknown> {
  const tokensPerFill = Math.ceil(limit.requestsPerSecond / 20);
  return {
    name: LOCAL_RATE_LIMIT_FILTER,
    typed_config: {
      '@type': ENVOY_TYPES.localRateLimit,
      'stat_prefix': 'http_local_rate_limiter',
      // 429, the filter's default, written out.
      'status': { code: 'TooManyRequests' },
      'token_bucket': {
        max_tokens: limit.burst,
        tokens_per_fill: tokensPerFill,
        fill_interval: protoSeconds(tokensPerFill, limit.requestsPerSecond),
      },
      'filter_enabled': always('local_rate_limit_enabled'),
      'filter_enforced': always('local_rate_limit_enforced'),
    },
  };
}

/** `numerator / denominator` seconds as a protobuf JSON Duration, to the nanosecond. */
function protoSeconds(numerator: number, denominator: number): string {
  const nanos = Math.round((numerator * 1e9) / denominator);
  const whole = Math.floor(nanos / 1e9);
  const fraction = String(nanos % 1e9).padStart(9, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}s` : `${whole}s`;
}

/**
 * The HTTP fault filter: a fixed delay and/or an abort with a status, each for a share of the
 * requests (FractionalPercent in millionths), optionally only for requests that carry a header.
 * The client cannot choose faults: the `x-envoy-fault-*` request headers are read only when
 * `header_delay` / `header_abort` are configured, which they are not.
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/fault_filter
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/http/fault/v3/fault.proto
 */
function faultFilter(faults: NonNullable<ProxyModel['faults']>): Record<string, unknown> {
  const share = (millionths: number) => ({ numerator: millionths, denominator: 'MILLION' });
  return {
    name: FAULT_FILTER,
    typed_config: {
      '@type': ENVOY_TYPES.fault,
      ...(faults.delay ? { delay: { fixed_delay: protoDuration(faults.delay.millis), percentage: share(faults.delay.millionths) } } : {}),
      ...(faults.abort ? { abort: { http_status: faults.abort.status, percentage: share(faults.abort.millionths) } } : {}),
      ...(faults.header ? { headers: [{ name: faults.header, present_match: true }] } : {}),
    },
  };
}
