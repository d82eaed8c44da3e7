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
import { HEALTH_BODY, protoDuration, ProxyModel } from './model';
import { PlainData, toYaml } from '../engine/config-yaml';

/** What Envoy needs beyond the proxy model. */
export interface EnvoyModel extends ProxyModel {
  /** The admin interface's port, bound to 127.0.0.1. */
  readonly adminPort: number;
}

/** `@type` URLs of the typed configs the bootstrap uses. */
export const ENVOY_TYPES = {
  httpConnectionManager: 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  router: 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
  buffer: 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer',
  downstreamTlsContext: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
  stdoutAccessLog: 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
  httpProtocolOptions: 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
} as const;

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

/** The v3 bootstrap. */
export function renderEnvoyBootstrap(model: EnvoyModel): Record<string, unknown> {
  const grpc = model.upstream === 'grpc';
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
  httpFilters.push({
    name: 'envoy.filters.http.router',
    // suppress_envoy_headers: the app sees the request as the client sent it, without x-envoy-*.
    typed_config: { '@type': ENVOY_TYPES.router, 'suppress_envoy_headers': true },
  });

  const connectionManager: Record<string, unknown> = {
    '@type': ENVOY_TYPES.httpConnectionManager,
    'stat_prefix': 'ingress_http',
    // AUTO: HTTP/1.1, HTTP/2 by ALPN over TLS, and HTTP/2 with prior knowledge in cleartext.
    'codec_type': 'AUTO',
    // Append the client's address to X-Forwarded-For, as nginx's $proxy_add_x_forwarded_for does.
    'use_remote_address': true,
    // Keep the app's Server header, as a transparent proxy should.
    'server_header_transformation': 'PASS_THROUGH',
    'stream_idle_timeout': protoDuration(model.idleTimeoutMillis),
    'common_http_protocol_options': { idle_timeout: protoDuration(model.idleTimeoutMillis) },
    'upgrade_configs': [{ upgrade_type: 'websocket' }],
    ...(model.accessLog ? {
      access_log: [{
        name: 'envoy.access_loggers.stdout',
        typed_config: { '@type': ENVOY_TYPES.stdoutAccessLog },
      }],
    } : {}),
    'route_config': {
      name: 'local',
      virtual_hosts: [{
        name: 'app',
        domains: ['*'],
        routes: [
          {
            name: 'proxy-health',
            match: { path: model.healthPath },
            direct_response: { status: 200, body: { inline_string: HEALTH_BODY } },
          },
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
          tls_certificates: [{
            certificate_chain: { filename: model.tls.certificateFile },
            private_key: { filename: model.tls.privateKeyFile },
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
        'explicit_http_config': grpc ? { http2_protocol_options: {} } : { http_protocol_options: {} },
      },
    },
  };

  return {
    admin: {
      // Never on the pod's addresses: the admin interface can stop Envoy and dump its config.
      address: { socket_address: { address: '127.0.0.1', port_value: model.adminPort } },
    },
    static_resources: {
      listeners: [{
        name: 'proxy',
        address: { socket_address: { address: '0.0.0.0', port_value: model.listenPort } },
        // Envoy's edge best practice: bound what one connection may buffer.
        per_connection_buffer_limit_bytes: 32768,
        filter_chains: [filterChain],
      }],
      clusters: [cluster],
    },
  };
}
